"""A login checks its password before it takes SQLite's write lock (accounts.check_password)."""

import sqlite3
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core import accounts, passwords
from core.accounts import Role
from core.settings import Settings
from tests.factories import PASSWORD, login_form_token, make_user


def _writes_while_hashing(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """While each password is checked, try to begin a write elsewhere without waiting."""
    seen: list[str] = []
    check = passwords.verify
    path = make_url(settings.database_url).database
    assert path

    def verify_beside_a_writer(password_hash: str | None, password: str) -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append("wrote")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        return check(password_hash, password)

    monkeypatch.setattr(passwords, "verify", verify_beside_a_writer)
    return seen


@pytest.mark.parametrize("password", [PASSWORD, "Wrong#guess-1"])
@pytest.mark.parametrize("how", ["page", "token"])
def test_others_write_while_a_login_hashes(
    client: TestClient,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    password: str,
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("one write lock for the whole database is SQLite's")
    user = make_user(session, Role.promotion)
    send: dict[str, Callable[[], int]] = {
        "page": lambda: (
            client.post(
                "/login",
                data={
                    "username": user.username,
                    "password": password,
                    "csrf_token": login_form_token(client),
                },
                follow_redirects=False,
            ).status_code
        ),
        "token": lambda: (
            client.post(
                "/api/v1/auth/token", data={"username": user.username, "password": password}
            ).status_code
        ),
    }
    seen = _writes_while_hashing(settings, monkeypatch)
    status = send[how]()
    assert status == ({"page": 303, "token": 200}[how] if password == PASSWORD else 401)
    assert seen == ["wrote"]
    assert accounts.get_user_by_username(session=session, username=user.username)
