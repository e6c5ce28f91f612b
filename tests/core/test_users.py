"""Account management: temporary passwords, disabling and signing out end every session."""

import pytest
from sqlmodel import Session, select

from core import accounts, audit, users
from core.accounts import ApiToken, LoginSession, Role
from core.errors import FieldErrors, NotAuthenticated, PermissionDenied
from tests.factories import PASSWORD, bearer, make_user


def _open(session: Session, user: accounts.User) -> None:
    accounts.start_session(session=session, user=user)
    bearer(session, user)


def _open_count(session: Session, user: accounts.User) -> int:
    rows = [
        *session.exec(select(LoginSession).where(LoginSession.user_id == user.id)),
        *session.exec(select(ApiToken).where(ApiToken.user_id == user.id)),
    ]
    return len(rows)


def test_an_admin_creates_an_account_whose_password_must_be_changed(session: Session) -> None:
    admin = make_user(session, Role.admin)
    created = users.create(
        session=session,
        actor=admin,
        username="new-viewer",
        password="Ok#first-pass9",
        role=Role.viewer,
    )
    assert created.must_change_password
    assert audit.history(session=session, object_type="app_user", object_id=created.id or 0)
    with pytest.raises(PermissionDenied):
        users.create(
            session=session,
            actor=make_user(session, Role.leader),
            username="x2",
            password="Ok#first-pass9",
            role=Role.viewer,
        )
    users.change_password(
        session=session, user=created, current="Ok#first-pass9", new="Fresh!start-42", keep=None
    )
    assert not created.must_change_password
    assert accounts.authenticate(session=session, username="new-viewer", password="Fresh!start-42")


@pytest.mark.parametrize("weak", ["Admin@123", "Orbit#{username}"])
def test_creation_change_and_reset_refuse_weak_passwords(session: Session, weak: str) -> None:
    admin = make_user(session, Role.admin)
    staff = make_user(session, Role.viewer)
    with pytest.raises(FieldErrors, match="常见单词|用户名"):
        users.create(
            session=session,
            actor=admin,
            username="weak-one",
            password=weak.format(username="weak-one"),
            role=Role.viewer,
        )
    with pytest.raises(FieldErrors, match="常见单词|用户名"):
        users.change_password(
            session=session,
            user=staff,
            current=PASSWORD,
            new=weak.format(username=staff.username),
            keep=None,
        )
    with pytest.raises(FieldErrors, match="常见单词|用户名"):
        users.reset_password(
            session=session,
            actor=admin,
            user_id=staff.id or 0,
            password=weak.format(username=staff.username),
        )


def test_an_admin_resets_a_forgotten_password(session: Session) -> None:
    admin = make_user(session, Role.admin)
    staff = make_user(session, Role.promotion)
    _open(session, staff)
    users.reset_password(
        session=session, actor=admin, user_id=staff.id or 0, password="Reset#key-5150"
    )
    assert staff.must_change_password and _open_count(session, staff) == 0
    assert accounts.authenticate(
        session=session, username=staff.username, password="Reset#key-5150"
    )
    entry = audit.history(session=session, object_type="app_user", object_id=staff.id or 0)[1]
    assert entry.action == "password_reset" and entry.actor_id == admin.id
    with pytest.raises(PermissionDenied):
        users.reset_password(
            session=session, actor=staff, user_id=admin.id or 0, password="Reset#key-5150"
        )
    with pytest.raises(FieldErrors, match="修改密码"):
        users.reset_password(
            session=session, actor=admin, user_id=admin.id or 0, password="Reset#key-5150"
        )


def test_disabling_or_signing_out_ends_every_session_and_token(session: Session) -> None:
    admin = make_user(session, Role.admin)
    staff = make_user(session, Role.promotion)
    _open(session, staff)
    _open(session, staff)
    assert _open_count(session, staff) == 4
    assert users.end_sessions(session=session, actor=admin, user_id=staff.id or 0) == 4
    assert _open_count(session, staff) == 0
    _open(session, staff)
    users.set_active(session=session, actor=admin, user_id=staff.id or 0, active=False)
    assert _open_count(session, staff) == 0
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(session=session, username=staff.username, password=PASSWORD)
    with pytest.raises(FieldErrors, match="不能停用自己"):
        users.set_active(session=session, actor=admin, user_id=admin.id or 0, active=False)


def test_changing_the_password_ends_the_other_sessions_only(session: Session) -> None:
    staff = make_user(session, Role.viewer)
    _, here = accounts.start_session(session=session, user=staff)
    _open(session, staff)
    with pytest.raises(FieldErrors, match="当前密码不正确"):
        users.change_password(
            session=session, user=staff, current="nope", new="Fresh!start-42", keep=here
        )
    users.change_password(
        session=session, user=staff, current=PASSWORD, new="Fresh!start-42", keep=here
    )
    left = session.exec(select(LoginSession).where(LoginSession.user_id == staff.id)).all()
    assert [s.id for s in left] == [here.id]
    assert _open_count(session, staff) == 1
