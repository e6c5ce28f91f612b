from datetime import timedelta

import pytest
from sqlmodel import Session

from core import accounts
from core.accounts import Role
from core.db import utcnow
from core.errors import FieldErrors, NotAuthenticated
from tests.factories import PASSWORD, make_user


def test_passwords_are_stored_as_argon2id(session: Session) -> None:
    user = make_user(session, Role.viewer)
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(session=session, username=user.username, password=PASSWORD) == user
    with pytest.raises(NotAuthenticated, match="用户名或密码错误"):
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
