"""Managing accounts: admins create, disable, sign out and reset them; one changes one's password.

Accounts an admin creates start with a temporary password that must be changed at first
login. Disabling an account or ending its sessions removes every browser session and API
token of it at once, so nothing it had open keeps working.
"""

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from core import audit, locking, passwords, permissions
from core.accounts import ApiToken, LoginSession, Role, User, create_user
from core.errors import FieldErrors, NotFound
from core.orgs import OrgUnit


@dataclass(frozen=True)
class UserRow:
    """An account with how many sessions and tokens it has open."""

    user: User
    sessions: int
    tokens: int


def list_users(*, session: Session, actor: User) -> list[UserRow]:
    """Every account, by role and name."""
    permissions.ensure_can_manage_users(actor)
    users = session.exec(select(User).order_by(col(User.role), col(User.username))).all()
    return _with_counts(session, list(users))


def row(*, session: Session, actor: User, user_id: int) -> UserRow:
    """One account with its open sessions and tokens."""
    return _with_counts(session, [get(session=session, actor=actor, user_id=user_id)])[0]


def _with_counts(session: Session, users: list[User]) -> list[UserRow]:
    ids = [u.id for u in users]
    counts: dict[type, dict[int, int]] = {}
    for model in (LoginSession, ApiToken):
        user_id = col(model.user_id)  # type: ignore[attr-defined]
        stmt = select(user_id, func.count()).where(user_id.in_(ids)).group_by(user_id)
        counts[model] = dict(session.exec(stmt).all())
    return [
        UserRow(u, counts[LoginSession].get(u.id or 0, 0), counts[ApiToken].get(u.id or 0, 0))
        for u in users
    ]


def get(*, session: Session, actor: User, user_id: int) -> User:
    """One account, for an admin."""
    permissions.ensure_can_manage_users(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在")
    return user


def create(
    *,
    session: Session,
    actor: User,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    park_id: int | None = None,
    team_id: int | None = None,
    chain_ids: list[int] | None = None,
) -> User:
    """Create an account with a temporary password its owner must change at first login."""
    permissions.ensure_can_manage_users(actor)
    user = create_user(
        session=session,
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        park_id=park_id,
        team_id=team_id,
        chain_ids=chain_ids,
    )
    user.must_change_password = True
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=user,
        label=user.username,
        after=audit.snapshot(user, ["username", "display_name", "role", "park_id", "team_id"]),
    )
    return user


def end_sessions(*, session: Session, actor: User, user_id: int) -> int:
    """Sign an account out everywhere: remove its sessions and API tokens; return how many."""
    user = get(session=session, actor=actor, user_id=user_id)
    locking.lock(session, user)
    ended = _end_all(session, user)
    audit.record(
        session=session,
        actor=actor,
        action="end_sessions",
        obj=user,
        label=user.username,
        after={"ended": ended},
    )
    return ended


def set_active(*, session: Session, actor: User, user_id: int, active: bool) -> User:
    """Enable or disable an account; disabling also ends all its sessions and tokens."""
    user = get(session=session, actor=actor, user_id=user_id)
    locking.lock(session, user)  # of two admins disabling it at once, the second finds it done
    if user.id == actor.id and not active:
        raise FieldErrors({"active": "不能停用自己的账号"})
    if user.is_active != active:
        user.is_active = active
        session.add(user)
        ended = 0 if active else _end_all(session, user)
        audit.record(
            session=session,
            actor=actor,
            action="update",
            obj=user,
            label=user.username,
            before={"is_active": not active},
            after={"is_active": active, "sessions_ended": ended},
        )
    return user


def set_unit(*, session: Session, actor: User, user_id: int, unit_id: int | None) -> User:
    """Attach an account to a unit (or detach it): its members report the unit's tasks."""
    user = get(session=session, actor=actor, user_id=user_id)
    locking.lock(session, user)
    if unit_id is not None and session.get(OrgUnit, unit_id) is None:
        raise FieldErrors({"unit_id": f"单位 {unit_id} 不存在"})
    if user.unit_id != unit_id:
        before = {"unit_id": user.unit_id}
        user.unit_id = unit_id
        session.add(user)
        audit.record(
            session=session,
            actor=actor,
            action="update",
            obj=user,
            label=user.username,
            before=before,
            after={"unit_id": unit_id},
        )
    return user


def change_password(
    *, session: Session, user: User, current: str, new: str, keep: LoginSession | None
) -> None:
    """Change one's own password; every other session and token of the account ends."""
    locking.lock(session, user)
    if not passwords.verify(user.password_hash, current):
        raise FieldErrors({"current": "当前密码不正确"})
    if new == current:
        raise FieldErrors({"password": "新密码不能与当前密码相同"})
    passwords.check_password_rules(user.username, new, user.display_name)
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    session.add(user)
    _end_all(session, user, keep=keep)
    # The values stay out of the log; that the password changed is what matters.
    audit.record(
        session=session, actor=user, action="password_change", obj=user, label=user.username
    )


def reset_password(*, session: Session, actor: User, user_id: int, password: str) -> User:
    """Give an account a new temporary password (it forgot its own); it is signed out everywhere.

    Like a new account's, the password opens nothing but the page that replaces it.
    """
    user = get(session=session, actor=actor, user_id=user_id)
    if user.id == actor.id:
        raise FieldErrors({"password": "请在“修改密码”页修改自己的密码"})
    passwords.check_password_rules(user.username, password, user.display_name)
    user.password_hash = passwords.hash_password(password)
    user.must_change_password = True
    session.add(user)
    ended = _end_all(session, user)
    audit.record(
        session=session,
        actor=actor,
        action="password_reset",
        obj=user,
        label=user.username,
        after={"sessions_ended": ended},
    )
    return user


def _end_all(session: Session, user: User, keep: LoginSession | None = None) -> int:
    sessions = delete(LoginSession).where(col(LoginSession.user_id) == user.id)
    if keep is not None:
        sessions = sessions.where(col(LoginSession.id) != keep.id)
    ended = session.execute(sessions).rowcount  # type: ignore[attr-defined]
    ended += session.execute(delete(ApiToken).where(col(ApiToken.user_id) == user.id)).rowcount  # type: ignore[attr-defined]
    return int(ended)
