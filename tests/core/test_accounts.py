from datetime import timedelta

import pytest
from sqlmodel import Session

from core import accounts, audit
from core.accounts import Role
from core.db import utcnow
from core.errors import FieldErrors, NotAuthenticated
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize(
    ("password", "message"),
    [("Ab1!", "长度"), ("alllowercase1", "三类"), ("Planner-2026", "用户名")],
)
def test_weak_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(FieldErrors, match=message):
        accounts.check_password_rules("planner-2026", password)


def test_passwords_are_stored_as_argon2id(session: Session) -> None:
    user = make_user(session, Role.viewer)
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(session=session, username=user.username, password=PASSWORD) == user
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(session=session, username=user.username, password="Wrong@pass1")


def test_scope_must_fit_the_role(session: Session) -> None:
    with pytest.raises(FieldErrors, match="园区"):
        accounts.create_user(
            session=session, username="p1", password=PASSWORD, role=Role.park_bureau
        )
    with pytest.raises(FieldErrors, match="产业链"):
        accounts.create_user(
            session=session, username="c1", password=PASSWORD, role=Role.chain_chief
        )


def test_idle_session_expires(session: Session) -> None:
    user = make_user(session, Role.viewer)
    token, row = accounts.start_session(session=session, user=user)
    args = {"idle": timedelta(minutes=30), "absolute": timedelta(hours=12)}
    assert accounts.resume_session(session=session, token=token, **args)[0] == user
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    with pytest.raises(NotAuthenticated, match="过期"):
        accounts.resume_session(session=session, token=token, **args)


def test_logout_and_disabling_end_access(session: Session) -> None:
    user = make_user(session, Role.viewer)
    token, _ = accounts.start_session(session=session, user=user)
    accounts.end_session(session=session, token=token)
    with pytest.raises(NotAuthenticated):
        accounts.resume_session(
            session=session, token=token, idle=timedelta(hours=1), absolute=timedelta(hours=1)
        )
    api = accounts.issue_token(session=session, user=user, lifetime=timedelta(hours=1))
    user.is_active = False
    with pytest.raises(NotAuthenticated):
        accounts.user_for_token(session=session, token=api)


def test_expired_token_is_refused(session: Session) -> None:
    user = make_user(session, Role.viewer)
    api = accounts.issue_token(session=session, user=user, lifetime=timedelta(seconds=-1))
    with pytest.raises(NotAuthenticated):
        accounts.user_for_token(session=session, token=api)


def test_five_failures_lock_the_account_for_fifteen_minutes(session: Session) -> None:
    user = make_user(session, Role.viewer)
    for attempt in range(1, 5):
        with pytest.raises(NotAuthenticated, match="用户名或密码错误"):
            accounts.authenticate(session=session, username=user.username, password="wrong")
        assert user.failed_logins == attempt
    with pytest.raises(NotAuthenticated, match="账号锁定 15 分钟"):
        accounts.authenticate(session=session, username=user.username, password="wrong")
    assert user.locked_until is not None
    assert timedelta(minutes=14) < user.locked_until - utcnow() <= timedelta(minutes=15)
    # Even the right password is refused while locked.
    with pytest.raises(NotAuthenticated, match="已锁定"):
        accounts.authenticate(session=session, username=user.username, password=PASSWORD)
    user.locked_until = utcnow() - timedelta(seconds=1)
    assert accounts.authenticate(session=session, username=user.username, password=PASSWORD)
    assert user.failed_logins == 0 and user.locked_until is None
    actions = [
        e.action
        for e in audit.history(session=session, object_type="app_user", object_id=user.id or 0)
    ]
    assert actions[0] == "login" and "lockout" in actions and "login_refused" in actions
    assert actions.count("login_failed") == 4


def test_an_address_guessing_many_names_is_slowed(session: Session) -> None:
    user = make_user(session, Role.viewer)
    session.info["source"] = "203.0.113.9"
    for n in range(accounts.MAX_FAILURES_PER_SOURCE):
        with pytest.raises(NotAuthenticated, match="用户名或密码错误"):
            accounts.authenticate(session=session, username=f"guess-{n}", password="Wrong@pass1")
    with pytest.raises(NotAuthenticated, match="该地址登录失败次数过多"):
        accounts.authenticate(session=session, username=user.username, password=PASSWORD)
    session.info["source"] = "198.51.100.7"  # another address is not held back
    assert accounts.authenticate(session=session, username=user.username, password=PASSWORD) == user
    since = utcnow() - timedelta(minutes=1)
    assert audit.failures_from(session=session, source="203.0.113.9", since=since) == 21
