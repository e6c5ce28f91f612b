"""Users, roles, teams, login sessions and API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, update
from sqlmodel import Field, Session, SQLModel, col, select
from zxcvbn import zxcvbn

from core import audit, versions
from core.db import CHINA_TIME, defer_write, enum_column, require_id, utcnow
from core.errors import FieldErrors, NotAuthenticated

_hasher = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Failed logins one address may make in LOCKOUT (across every account) before it must wait.
MAX_FAILURES_PER_SOURCE = 20
# argon2id with the library's current recommended parameters


class Role(StrEnum):
    """What a user does in the zone."""

    admin = "admin"
    leader = "leader"
    chain_chief = "chain_chief"
    promotion = "promotion"
    park_bureau = "park_bureau"
    viewer = "viewer"


ROLE_LABELS = {
    Role.admin: "管委会管理员",
    Role.leader: "领导（只读）",
    Role.chain_chief: "链长",
    Role.promotion: "招商人员",
    Role.park_bureau: "园区管理局",
    Role.viewer: "查看者",
}


class Team(SQLModel, table=True):
    """An investment-promotion team (招商小组)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)


class User(SQLModel, table=True):
    """A person who logs in; role and scope decide what they may do."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    display_name: str = Field(default="", max_length=60)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_type=enum_column(Role, 20))
    park_id: int | None = Field(default=None, foreign_key="park.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    is_active: bool = True
    must_change_password: bool = False
    failed_logins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class UserChain(SQLModel, table=True):
    """Binds a chain chief to a chain (the 链长 position of that chain)."""

    __tablename__ = "user_chain"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    chain_id: int = Field(foreign_key="chain.id", primary_key=True, ondelete="CASCADE")


class LoginSession(SQLModel, table=True):
    """A server-side browser session; the cookie holds the token, the table its hash."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API, stored hashed."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """Whether the password is the user's."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(username: str, password: str) -> None:
    """Refuse passwords that are short, simple, common or a variant of the user name."""
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if not 8 <= len(password) <= 128:
        raise FieldErrors({"password": "密码长度须为 8 到 128 个字符"})
    if classes < 3:
        raise FieldErrors({"password": "密码须包含大写字母、小写字母、数字、符号中的至少三类"})
    if password.lower() == username.lower():
        raise FieldErrors({"password": "密码不能与用户名相同"})
    # zxcvbn knows the most common passwords (with l33t and keyboard variants) and scores how
    # many guesses one takes; below 2 means under a hundred million, e.g. "Password1!".
    if zxcvbn(password[:100], user_inputs=[username])["score"] < 2:
        raise FieldErrors(
            {"password": "密码过于常见或容易被猜到（如常见密码、键盘序列、用户名变体），请换一个"}
        )


def get_user_by_username(*, session: Session, username: str) -> User | None:
    """Return the user with this name, if any."""
    return session.exec(select(User).where(User.username == username)).first()


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    park_id: int | None = None,
    team_id: int | None = None,
    chain_ids: list[int] | None = None,
) -> User:
    """Create a user with its scope; the scope must fit the role."""
    if get_user_by_username(session=session, username=username):
        raise FieldErrors({"username": f"用户名“{username}”已存在"})
    check_password_rules(username, password)
    if role == Role.park_bureau and park_id is None:
        raise FieldErrors({"park": "园区管理局用户须指定所属园区"})
    if role == Role.promotion and team_id is None:
        raise FieldErrors({"team": "招商人员须指定所属招商小组"})
    if role == Role.chain_chief and not chain_ids:
        raise FieldErrors({"chain": "链长须指定至少一条产业链"})
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        park_id=park_id,
        team_id=team_id,
    )
    session.add(user)
    session.flush()
    for chain_id in chain_ids or []:
        session.add(UserChain(user_id=require_id(user), chain_id=chain_id))
    session.flush()
    return user


def get_or_create_team(*, session: Session, name: str) -> Team:
    """Return the team with this name, creating it when absent."""
    team = session.exec(select(Team).where(Team.name == name)).first()
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def authenticate(*, session: Session, username: str, password: str) -> User:
    """Return the active user whose password matches, or raise NotAuthenticated.

    Five failures in a row lock the account for 15 minutes. Logins, failures and lockouts are
    written to the audit log; the caller must keep (commit) them even when this raises.
    """
    now = utcnow()
    source = str(session.info.get("source", ""))
    if source and (
        audit.failures_from(session=session, source=source, since=now - LOCKOUT)
        >= MAX_FAILURES_PER_SOURCE
    ):
        _note_unknown(session, "login_throttled", username)
        raise NotAuthenticated(f"该地址登录失败次数过多，请 {LOCKOUT.seconds // 60} 分钟后再试")
    user = get_user_by_username(session=session, username=username)
    if user is None or not user.is_active:
        # Unknown names count against the address too: guessing names is guessing.
        _note_unknown(session, "login_failed", username)
        raise NotAuthenticated("用户名或密码错误")
    if user.locked_until is not None and user.locked_until > now:
        _log(session, user, "login_refused", {"locked_until": user.locked_until.isoformat()})
        local = user.locked_until.astimezone(CHINA_TIME).strftime("%H:%M")
        raise NotAuthenticated(
            f"连续 {MAX_FAILED_LOGINS} 次登录失败，账号已锁定，请于 {local} 后再试"
        )
    if not verify_password(user, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
            _log(session, user, "lockout", {"locked_until": user.locked_until.isoformat()})
            raise NotAuthenticated(
                f"连续 {MAX_FAILED_LOGINS} 次登录失败，账号锁定 {LOCKOUT.seconds // 60} 分钟"
            )
        _log(session, user, "login_failed", {"failed_logins": user.failed_logins})
        raise NotAuthenticated("用户名或密码错误")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    _log(session, user, "login", None)
    return user


def _log(session: Session, user: User, action: str, after: dict[str, Any] | None) -> None:
    """A login event in the audit log."""
    session.add(user)
    session.flush()
    # A failed attempt was made by whoever typed the name, not necessarily its owner.
    actor = user if action == "login" else None
    audit.record(
        session=session, actor=actor, action=action, obj=user, label=user.username, after=after
    )


def _note_unknown(session: Session, action: str, username: str) -> None:
    audit.record_event(
        session=session,
        actor=None,
        action=action,
        object_type="app_user",
        object_id="?",
        label=username[:60],
    )


def start_session(*, session: Session, user: User) -> tuple[str, LoginSession]:
    """Open a browser session; return the cookie token and the stored row."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(
        token_hash=_digest(token), user_id=require_id(user), csrf_token=secrets.token_urlsafe(32)
    )
    session.add(row)
    session.flush()
    return token, row


def resume_session(
    *, session: Session, token: str, idle: timedelta, absolute: timedelta
) -> tuple[User, LoginSession]:
    """Return the user of a live session and touch it; an expired or disabled one is refused."""
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == _digest(token))
    ).first()
    if row is None:
        raise NotAuthenticated("请先登录")
    now = utcnow()
    user = session.get(User, row.user_id)
    if (
        now - row.last_seen_at > idle
        or now - row.created_at > absolute
        or not (user and user.is_active)
    ):
        raise NotAuthenticated("登录已过期，请重新登录")
    # Touch at most once a minute so reads do not turn every request into a write; a read
    # writes it after it has ended (core.db.defer_write).
    if now - row.last_seen_at > timedelta(minutes=1):
        seen = update(LoginSession).where(col(LoginSession.id) == row.id).values(last_seen_at=now)
        defer_write(session, seen)
    return user, row


def end_session(*, session: Session, token: str) -> None:
    """Invalidate a browser session server-side."""
    session.execute(delete(LoginSession).where(col(LoginSession.token_hash) == _digest(token)))


def issue_token(*, session: Session, user: User, lifetime: timedelta) -> str:
    """Create an API bearer token for a user and return it (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=_digest(token), user_id=require_id(user), expires_at=utcnow() + lifetime
        )
    )
    session.flush()
    return token


def user_for_token(*, session: Session, token: str) -> User:
    """Return the active user of an unexpired API token, or raise NotAuthenticated."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(token))).first()
    if row is None or row.expires_at < utcnow():
        raise NotAuthenticated("访问令牌无效或已过期")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("访问令牌无效或已过期")
    return user


versions.track(User, UserChain)
