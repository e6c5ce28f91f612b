"""Readers and writers beside a long import: 16 readers and 8 writers (firm edits and logins)
while a designation list of 20,000 new firms is committed and then undone, in chunks.

Each reader and writer runs its own transactions as a request would (core.db.transaction:
reads DEFERRED, writes IMMEDIATE on SQLite); every failure that is not a domain answer is an
error. Prints the import's and undo's times, the longest chunk, the others' operation counts,
errors and p50/p95/max latency. `tests/enterprises/test_import_load.py` runs it small.

Run: `python -m tests.benchmarks.import_load [--rows 20000] [--readers 16] [--writers 8]`
(`CHAINPLAN_DATABASE_URL` picks PostgreSQL; SQLite in a temporary file otherwise).
"""

import argparse
import io
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlmodel import Session, select

from core import accounts
from core.accounts import Role
from core.db import make_engine, transaction
from core.errors import DomainError
from core.orgs import get_park_by_code
from enterprises.cultivation import designations
from enterprises.registry import search as enterprise_search
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import Enterprise, EnterpriseCreate, EnterpriseUpdate
from enterprises.registry.service import EnterpriseFilter
from enterprises.spreadsheets import import_commit, imports
from tests.databases import drop_scratch, seeded_scratch

PASSWORD = "Orbit#heavy-2613"
THINK_SECONDS = 0.2  # a writer's pause between two operations


@dataclass
class Figures:
    """What one run measured."""

    commit_seconds: float = 0.0
    undo_seconds: float = 0.0
    longest_write: float = 0.0  # the longest single write transaction of the import
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    logins: int = 0

    def report(self) -> str:
        lines = [
            f"commit {self.commit_seconds:.1f} s, undo {self.undo_seconds:.1f} s, "
            f"longest import write transaction {self.longest_write * 1000:.0f} ms",
        ]
        for kind, took in sorted(self.latencies.items()):
            ordered = sorted(took) or [0.0]
            p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) > 1 else ordered[0]
            lines.append(
                f"{kind:<8} {len(took):>6} ops  p50 {statistics.median(ordered) * 1000:6.0f} ms"
                f"  p95 {p95 * 1000:6.0f} ms  max {ordered[-1] * 1000:6.0f} ms"
            )
        lines.append(f"errors {len(self.errors)}; logins that succeeded {self.logins}")
        lines += [f"  {e}" for e in self.errors[:10]]
        return "\n".join(lines)


def _listing(rows: int) -> bytes:
    text = io.StringIO()
    text.write("企业名称,所属园区,认定年度\r\n")
    for n in range(rows):
        text.write(f"佛山市负载导入{n:06d}号有限公司,顺德园,2025\r\n")
    return text.getvalue().encode()


def _prepare(session: Session, writers: int) -> None:
    for n in range(writers):
        accounts.create_user(
            session=session, username=f"reader{n}x", password=PASSWORD, role=Role.admin
        )
    admin = accounts.get_user_by_username(session=session, username="reader0x")
    assert admin is not None
    park = get_park_by_code(session=session, code="shunde").id
    for n in range(writers):
        enterprise_service.create(
            session=session,
            actor=admin,
            data=EnterpriseCreate(name=f"佛山市负载编辑{n}号有限公司", park_id=park),
        )


def run(url: str, rows: int, readers: int, writers: int, chunk_rows: int) -> Figures:
    """Commit and undo a list of `rows` firms while others read and write; return figures."""
    engine = make_engine(url, pool_size=readers + writers + 4)
    figures = Figures()
    lock = threading.Lock()
    done = threading.Event()

    def timed(kind: str, work: "partial[object]") -> None:
        started = time.perf_counter()
        try:
            work()
        except DomainError:
            pass  # an answer (a 409 of two editors), not a failure
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            with lock:
                figures.errors.append(f"{kind}: {exc!r}"[:300])
        with lock:
            figures.latencies.setdefault(kind, []).append(time.perf_counter() - started)

    def reader(number: int) -> None:
        while not done.wait(THINK_SECONDS / 4):  # a page, then the next a moment later
            with transaction(engine, write=False) as session:
                flt = EnterpriseFilter(q="负载" if number % 2 else "")
                timed("read", partial(enterprise_search.search, session=session, flt=flt))

    def edit(number: int, round_: int) -> None:
        with transaction(engine) as session:
            firm = session.exec(
                select(Enterprise).where(Enterprise.name == f"佛山市负载编辑{number}号有限公司")
            ).one()
            actor = accounts.get_user_by_username(session=session, username=f"reader{number}x")
            assert actor is not None
            data = EnterpriseUpdate.model_validate(
                firm.model_dump() | {"address": f"第 {round_} 轮", "version": firm.version}
            )
            enterprise_service.update(
                session=session, actor=actor, enterprise_id=firm.id or 0, data=data
            )

    def login(number: int) -> None:
        with transaction(engine) as session:
            session.info["source"] = f"10.0.0.{number}"
            user = accounts.authenticate(
                session=session, username=f"reader{number}x", password=PASSWORD
            )
            accounts.start_session(session=session, user=user)
        with lock:
            figures.logins += 1

    def writer(number: int) -> None:
        # People pause between saves; a login (its password hash, ≈ 0.3 s inside the write
        # transaction, as /login does) comes every fourth round.
        round_ = 0
        while not done.wait(THINK_SECONDS):
            round_ += 1
            timed("edit", partial(edit, number, round_))
            if round_ % 4 == 1:
                timed("login", partial(login, number))

    @contextmanager
    def steps(write: bool) -> Iterator[Session]:
        started = time.perf_counter()
        with transaction(engine, write=write) as session:
            yield session
        if write:
            figures.longest_write = max(figures.longest_write, time.perf_counter() - started)

    with transaction(engine) as session:
        _prepare(session, writers)
        admin = accounts.get_user_by_username(session=session, username="reader0x")
        assert admin is not None
        gazelle = designations.get_by_code(session=session, code="gazelle")
        batch = imports.stage(
            session=session,
            actor=admin,
            filename="负载名单.csv",
            content=_listing(rows),
            designation_id=gazelle.id,
        )
        batch_id = batch.id or 0
    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    try:
        with transaction(engine, write=False) as session:
            admin = accounts.get_user_by_username(session=session, username="reader0x")
            assert admin is not None
            started = time.perf_counter()
            import_commit.commit(
                transactions=steps, actor=admin, batch_id=batch_id, chunk_rows=chunk_rows
            )
            figures.commit_seconds = time.perf_counter() - started
            started = time.perf_counter()
            import_commit.undo(
                transactions=steps, actor=admin, batch_id=batch_id, chunk_rows=chunk_rows
            )
            figures.undo_seconds = time.perf_counter() - started
    finally:
        done.set()
        for thread in threads:
            thread.join()
        engine.dispose()
    return figures


def _engine_kind(url: str) -> str:
    return url.split(":", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--chunk", type=int, default=import_commit.CHUNK_ROWS)
    args = parser.parse_args()
    base = os.environ.get("CHAINPLAN_DATABASE_URL", "") or "sqlite:///unused.db"
    with tempfile.TemporaryDirectory() as tmp:
        url = seeded_scratch(base, Path(tmp))
        try:
            figures = run(url, args.rows, args.readers, args.writers, args.chunk)
        finally:
            drop_scratch(url, base)
    print(
        f"{args.rows:,}-row designation import, {args.readers} readers + {args.writers} writers, "
        f"chunks of {args.chunk}, {_engine_kind(url)}"
    )
    print(figures.report())


if __name__ == "__main__":
    main()
