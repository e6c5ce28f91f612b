"""Guessing passwords is slowed down per address, never turned into an account lock-out."""

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import Session, select

from core import accounts, audit, login_throttle, migrate, passwords
from core.accounts import Role
from core.db import make_engine, transaction, utcnow
from core.errors import LoginThrottled, NotAuthenticated
from core.login_throttle import FREE_PER_ADDRESS, FREE_PER_NAME, LoginFailure
from tests.databases import drop_scratch, scratch_url
from tests.factories import PASSWORD, make_user

STRANGER = "203.0.113.9"
ADMIN_DESK = "198.51.100.7"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Every attempt at one instant: the waits decide, not how fast the machine is today."""
    now = utcnow()
    monkeypatch.setattr(accounts, "utcnow", lambda: now)
    return now


def _attempt(session: Session, source: str, username: str, password: str) -> str:
    """One login; what the caller would be told (message and, when throttled, the wait)."""
    session.info["source"] = source
    try:
        accounts.authenticate(session=session, username=username, password=password)
    except LoginThrottled as exc:
        return f"429 {exc.message} {exc.retry_after}"
    except NotAuthenticated as exc:
        return f"401 {exc.message}"
    return "200"


def test_waits_double_after_the_free_failures_up_to_the_cap() -> None:
    waits = [login_throttle.wait_after(n, FREE_PER_NAME).total_seconds() for n in range(15)]
    assert waits[:FREE_PER_NAME] == [0, 0, 0]
    assert waits[FREE_PER_NAME : FREE_PER_NAME + 5] == [1, 2, 4, 8, 16]
    assert waits[-1] == login_throttle.MAX_WAIT.total_seconds() == 900
    assert login_throttle.wait_after(10_000, FREE_PER_NAME) == login_throttle.MAX_WAIT


def test_a_stranger_cannot_keep_the_admin_from_logging_in(session: Session) -> None:
    admin = make_user(session, Role.admin)
    answers = [_attempt(session, STRANGER, admin.username, f"Guess#{n}") for n in range(50)]
    assert answers[:FREE_PER_NAME] == ["401 用户名或密码错误"] * FREE_PER_NAME
    assert all(a.startswith("429 登录尝试过于频繁") for a in answers[FREE_PER_NAME:])
    # The stranger's own address must wait, even with the right password ...
    assert _attempt(session, STRANGER, admin.username, PASSWORD).startswith("429")
    # ... but the account is not locked: its owner logs in from anywhere else.
    assert _attempt(session, ADMIN_DESK, admin.username, PASSWORD) == "200"
    # Only the attempts that were checked count; hammering while held back adds nothing.
    failures = session.exec(select(LoginFailure).where(LoginFailure.address == STRANGER)).all()
    assert len(failures) == FREE_PER_NAME


def test_the_wait_grows_with_each_failure(session: Session) -> None:
    user = make_user(session, Role.viewer)
    now = utcnow()
    for n in range(6):
        login_throttle.note_failure(
            session=session, source=STRANGER, username=user.username, now=now - timedelta(hours=n)
        )
    # Six failures: 2^(6-3) = 8 s after the last one; a day later they are forgotten.
    wait = login_throttle.seconds_to_wait
    assert wait(session=session, source=STRANGER, username=user.username, now=now) == 8
    later = now + timedelta(seconds=9)
    assert wait(session=session, source=STRANGER, username=user.username, now=later) == 0
    login_throttle.note_failure(session=session, source=STRANGER, username=user.username, now=now)
    assert wait(session=session, source=STRANGER, username=user.username, now=now) == 16
    tomorrow = now + login_throttle.NAME_MEMORY + timedelta(seconds=1)
    assert wait(session=session, source=STRANGER, username=user.username, now=tomorrow) == 0


def test_unknown_names_get_the_same_answers_as_known_ones(session: Session) -> None:
    known = make_user(session, Role.admin)
    disabled = make_user(session, Role.viewer)
    disabled.is_active = False

    def answers(source: str, username: str, last_password: str) -> list[str]:
        tries = [_attempt(session, source, username, "Wrong#guess-1") for _ in range(5)]
        return [*tries, _attempt(session, source, username, last_password)]

    seen_known = answers("192.0.2.1", known.username, "Wrong#guess-2")
    assert seen_known == answers("192.0.2.2", "no-such-user", "Wrong#guess-2")
    # A disabled account answers like an unknown name, even to its right password.
    assert seen_known == answers("192.0.2.3", disabled.username, PASSWORD)
    assert "锁定" not in "".join(seen_known)


def test_every_name_is_checked_against_an_argon2_hash(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown name costs one argon2 check like a known one: timing does not tell them apart."""
    known = make_user(session, Role.viewer)
    disabled = make_user(session, Role.viewer)
    disabled.is_active = False
    checked: list[str] = []
    real_verify = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str) -> bool:
        checked.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    for n, name in enumerate([known.username, "no-such-user", disabled.username]):
        assert _attempt(session, f"192.0.2.{n + 10}", name, "Wrong#guess-1").startswith("401")
    assert len(checked) == 3
    # The stand-in hash costs what a real one does: the same algorithm and parameters.
    parameters = {h.rsplit("$", 2)[0] for h in checked}
    assert parameters == {known.password_hash.rsplit("$", 2)[0]}


def test_an_address_guessing_many_names_waits(session: Session) -> None:
    user = make_user(session, Role.viewer)
    for n in range(FREE_PER_ADDRESS):
        assert _attempt(session, STRANGER, f"guess-{n}", "Wrong#guess-1").startswith("401")
    assert _attempt(session, STRANGER, user.username, PASSWORD).startswith("429")
    assert _attempt(session, ADMIN_DESK, user.username, PASSWORD) == "200"
    throttled = audit.history(session=session, object_type="app_user", object_id="?")
    assert [e.action for e in throttled][0] == "login_throttled"


def test_a_success_forgets_that_names_typos_from_there(session: Session) -> None:
    user = make_user(session, Role.viewer)
    for _ in range(FREE_PER_NAME - 1):
        assert _attempt(session, STRANGER, user.username, "Wrong#guess-1").startswith("401")
    assert _attempt(session, STRANGER, user.username, PASSWORD) == "200"
    for _ in range(FREE_PER_NAME):
        assert _attempt(session, STRANGER, user.username, "Wrong#guess-1").startswith("401")
    actions = [
        e.action
        for e in audit.history(session=session, object_type="app_user", object_id=user.id or 0)
    ]
    assert actions.count("login_failed") == 2 * FREE_PER_NAME - 1 and "login" in actions


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("testclient", "testclient"),
    ],
)
def test_an_ipv6_host_is_counted_by_its_network(source: str, key: str) -> None:
    assert login_throttle.address_key(source) == key


@pytest.fixture
def shared(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    url = scratch_url(database_url, tmp_path)
    engine = make_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    yield engine
    engine.dispose()
    drop_scratch(url, database_url)


def test_a_burst_of_guesses_is_counted_one_by_one(shared: Engine) -> None:
    """Sixteen guesses sent at once are not all checked against a count none had written yet."""
    with Session(shared) as session:
        user = make_user(session, Role.admin)
        session.commit()
        username = user.username
    answers: list[str] = []
    start = threading.Barrier(16)

    def guess() -> None:
        start.wait()
        with transaction(shared, write=True) as session:
            answers.append(_attempt(session, STRANGER, username, "Wrong#guess-1"))

    threads = [threading.Thread(target=guess) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == 16
    assert sum(a.startswith("401") for a in answers) == FREE_PER_NAME


def test_the_stand_in_hash_matches_nothing() -> None:
    assert not passwords.verify(None, "")
    assert not passwords.verify(None, "stand-in: no account has this password")
    assert passwords.verify(passwords.hash_password(PASSWORD), PASSWORD)
