"""Users, roles, teams, login sessions and API tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, login_throttle, passwords, versions
from core.db import defer_write, enum_column, require_id, utcnow
from core.errors import FieldErrors, LoginThrottled, NotAuthenticated
from core.text import refuse_control


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
    Role.leader: "领导",
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
    unit_id: int | None = Field(default=None, foreign_key="org_unit.id", description="单位")
    is_active: bool = True
    must_change_password: bool = False
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
    refuse_control(
        {"username": username, "display_name": display_name},
        {"username": "用户名", "display_name": "姓名"},
    )
    if get_user_by_username(session=session, username=username):
        raise FieldErrors({"username": f"用户名“{username}”已存在"})
    passwords.check_password_rules(username, password, display_name)
    if role == Role.park_bureau and park_id is None:
        raise FieldErrors({"park": "园区管理局用户须指定所属园区"})
    if role == Role.promotion and team_id is None:
        raise FieldErrors({"team": "招商人员须指定所属招商小组"})
    if role == Role.chain_chief and not chain_ids:
        raise FieldErrors({"chain": "链长须指定至少一条产业链"})
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=passwords.hash_password(password),
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
    refuse_control({"team": name}, {"team": "招商小组"})
    team = session.exec(select(Team).where(Team.name == name)).first()
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


@dataclass(frozen=True)
class Attempt:
    """A login whose password was checked outside any write lock, to be admitted under it."""

    username: str
    source: str
    throttled: bool
    verified: bool
    checked_hash: str | None  # the hash the password was checked against
    new_hash: str | None  # the password hashed with current parameters, when due


def check_password(*, session: Session, username: str, password: str) -> Attempt:
    """Do the slow part of a login (an argon2 check) in a transaction that only reads.

    On SQLite a writing transaction holds the one write lock from its start; checking the
    password first keeps every other writer from waiting for the hash. A throttled address
    gets no check at all.
    """
    source = str(session.info.get("source", ""))
    wait = login_throttle.seconds_to_wait(
        session=session, source=source, username=username, now=utcnow()
    )
    if wait:
        return Attempt(username, source, True, False, None, None)
    user = get_user_by_username(session=session, username=username)
    known = user if user is not None and user.is_active else None
    checked = known.password_hash if known else None
    verified = passwords.verify(checked, password)
    due = verified and checked is not None and passwords.needs_rehash(checked)
    new_hash = passwords.hash_password(password) if due else None
    return Attempt(username, source, False, verified, checked, new_hash)


def admit(*, session: Session, attempt: Attempt) -> User:
    """Count a checked attempt and return its user, or raise NotAuthenticated / LoginThrottled.

    Every answer but success is the same for known, unknown and disabled names: the same
    message, one argon2 check each (a stand-in hash for names without an account), and the
    same throttle (core.login_throttle), which slows an address down but never locks an
    account. The throttle is read again here, under its lock: of a burst checked at once, only
    the attempts the throttle still allows get an answer. Attempts are written to the audit
    log; the caller must keep (commit) them even when this raises.
    """
    source, username = attempt.source, attempt.username
    login_throttle.hold(session=session, source=source)
    now = utcnow()
    wait = login_throttle.seconds_to_wait(
        session=session, source=source, username=username, now=now
    )
    if attempt.throttled or wait:
        wait = max(wait, 1)
        _note(session, "login_throttled", username, None, {"wait_seconds": wait})
        raise LoginThrottled(f"登录尝试过于频繁，请 {_spoken(wait)}后再试", retry_after=wait)
    user = get_user_by_username(session=session, username=username)
    known = user if user is not None and user.is_active else None
    # A password changed or an account disabled since the check makes the check void.
    if known is None or not attempt.verified or known.password_hash != attempt.checked_hash:
        login_throttle.note_failure(session=session, source=source, username=username, now=now)
        _note(session, "login_failed", username, user, None)
        raise NotAuthenticated("用户名或密码错误")
    if attempt.new_hash:
        known.password_hash = attempt.new_hash
    login_throttle.forget(session=session, source=source, username=username)
    audit.record(session=session, actor=known, action="login", obj=known, label=known.username)
    return known


def authenticate(*, session: Session, username: str, password: str) -> User:
    """Check a password and admit the login in one transaction (scripts and tests)."""
    attempt = check_password(session=session, username=username, password=password)
    return admit(session=session, attempt=attempt)


def _spoken(seconds: int) -> str:
    """A wait in words: 40 秒, 3 分钟."""
    return f"{seconds} 秒" if seconds < 60 else f"{-(-seconds // 60)} 分钟"


def _note(
    session: Session, action: str, username: str, user: User | None, after: dict[str, Any] | None
) -> None:
    """A refused login in the audit log, under the account typed if it exists."""
    # Made by whoever typed the name, not necessarily its owner: no actor.
    audit.record_event(
        session=session,
        actor=None,
        action=action,
        object_type="app_user",
        object_id=str(user.id) if user is not None else "?",
        label=username[:60],
        after=after,
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
