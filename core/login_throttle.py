"""Slowing password guessing down without letting anyone lock an account.

Failed logins are counted per (address, name typed) and per address. Past a few free
failures each one doubles the wait before the next attempt from there, up to a cap; an
attempt made before its wait is over is refused unchecked. Nothing is counted per account
alone: a stranger guessing the admin's password slows down only his own address, and the
admin logs in from any other. Unknown names are counted like known ones, so the answers and
their timing do not tell them apart.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Index, delete, func
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import utcnow

# Typos are free; after that every failure doubles the wait, from one second to the cap.
FREE_PER_NAME = 3
FREE_PER_ADDRESS = 20
FIRST_WAIT = timedelta(seconds=1)
MAX_WAIT = timedelta(minutes=15)
# How long failures are remembered: a day per name (a slow guesser stays slow), a quarter of
# an hour per address (an office behind one address shares it, typos and all).
NAME_MEMORY = timedelta(hours=24)
ADDRESS_MEMORY = timedelta(minutes=15)


class LoginFailure(SQLModel, table=True):
    """A failed login: from which address, with which name (as typed, lowered)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_address_at", "address", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    address: str = Field(max_length=64)
    username: str = Field(max_length=60)


def address_key(source: str) -> str:
    """The address failures are counted by: an IPv6 client by its /64, as one host gets many."""
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return source[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _name_key(username: str) -> str:
    return username.strip().lower()[:60]


def wait_after(failures: int, free: int) -> timedelta:
    """The wait after this many failures: none while free, then 1 s, 2 s, 4 s … up to the cap."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free, 20), MAX_WAIT)


@dataclass(frozen=True)
class _Count:
    failures: int
    last: datetime | None

    def wait_until(self, free: int) -> datetime | None:
        if self.last is None or self.failures < free:
            return None
        return self.last + wait_after(self.failures, free)


def _count(session: Session, address: str, since: datetime, username: str | None) -> _Count:
    stmt = select(func.count(), func.max(LoginFailure.at)).where(
        col(LoginFailure.address) == address, col(LoginFailure.at) >= since
    )
    if username is not None:
        stmt = stmt.where(col(LoginFailure.username) == username)
    failures, last = session.exec(stmt).one()
    return _Count(int(failures), last)


def hold(*, session: Session, source: str) -> None:
    """Queue the attempts of one address (PostgreSQL), so a burst is counted one by one.

    Without it, many attempts sent at once would all read the count before any failure was
    written. SQLite already runs one writing transaction at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = func.hashtextextended(f"login:{address_key(source)}", 0)
        session.execute(sa.select(func.pg_advisory_xact_lock(key)))


def seconds_to_wait(*, session: Session, source: str, username: str, now: datetime) -> int:
    """How long this address must wait before trying this name again (0: it may try now)."""
    address = address_key(source)
    per_name = _count(session, address, now - NAME_MEMORY, _name_key(username))
    per_address = _count(session, address, now - ADDRESS_MEMORY, None)
    until = [
        moment
        for moment in (
            per_name.wait_until(FREE_PER_NAME),
            per_address.wait_until(FREE_PER_ADDRESS),
        )
        if moment is not None and moment > now
    ]
    return int(-(-(max(until) - now).total_seconds() // 1)) if until else 0


def note_failure(*, session: Session, source: str, username: str, now: datetime) -> None:
    """Count a failed login; failures older than anything counted are let go."""
    session.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - NAME_MEMORY))
    session.add(LoginFailure(at=now, address=address_key(source), username=_name_key(username)))
    session.flush()


def forget(*, session: Session, source: str, username: str) -> None:
    """After a successful login the name's failures from that address no longer count."""
    session.execute(
        delete(LoginFailure).where(
            col(LoginFailure.address) == address_key(source),
            col(LoginFailure.username) == _name_key(username),
        )
    )
