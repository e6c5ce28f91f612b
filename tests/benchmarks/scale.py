"""Benchmark: a city-sized dataset, and where every key page, aggregate and the load test stand.

Builds `chainplan demo --enterprises N --leads M` in a scratch database (CHAINPLAN_DATABASE_URL
picks the kind; SQLite by default), then prints:
- p50 / p95 server time and SQL statements of the key pages and API calls, with every
  statement slower than 100 ms;
- the chain map's and the dashboard's figures computed afresh, the same SELECTs replayed through
  the bare driver, and the figures as served from the cache, with the ratios;
- a 100,000-row .xlsx import into that registry (rows/s, beside the bare read);
- a load test against `chainplan serve --workers W` on loopback, and the server's peak memory.
Run: `python -m tests.benchmarks.scale [--enterprises 200000] [--leads 50000] [--workers 2]`.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlmodel import Session

from chainmaps import figures as chain_figures
from core import versions
from core.accounts import get_user_by_username
from core.db import china_today, make_engine
from core.settings import Settings
from plans import dashboard
from tests.benchmarks import imports as import_bench
from tests.benchmarks import load
from tests.benchmarks.chain_map import _report, _timings
from tests.databases import drop_scratch, scratch_url
from tests.factories import bearer
from web.app import create_app, freeze_startup_objects

CHAINPLAN = str(Path(sys.executable).parent / "chainplan")  # the installed command
SLOW_MS = 100.0
CHAIN = "smart-equipment"  # the largest chain of the demo


class Statements:
    """Counts the SQL statements an engine runs and keeps the slow ones."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.slow: list[tuple[float, str, str]] = []
        self.label = ""
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, *_args: Any) -> None:
        conn.info["started"] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += 1
        ms = (time.perf_counter() - conn.info.pop("started", time.perf_counter())) * 1000
        if ms > SLOW_MS:
            self.slow.append((ms, self.label, " ".join(statement.split())[:160]))


def _build(url: str, enterprises: int, leads: int) -> float:
    env = os.environ | {"CHAINPLAN_DATABASE_URL": url}
    started = time.perf_counter()
    for args in (
        ["migrate"],
        ["seed"],
        ["demo", "--enterprises", str(enterprises), "--leads", str(leads)],
        ["lapse"],
    ):
        subprocess.run([CHAINPLAN, *args], env=env, check=True, capture_output=True)
    _vacuum(url)
    return time.perf_counter() - started  # demo and lapse leave the planner's statistics fresh


def _vacuum(url: str) -> None:
    """What autovacuum does soon after a bulk write, on PostgreSQL.

    This host's PostgreSQL runs without autovacuum; a production server (autovacuum on, the
    default) clears the dead rows of an import and its undo, and marks freshly filled tables
    visible, which index-only scans need.
    """
    if not url.startswith("postgresql"):
        return
    engine = make_engine(url)
    with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def _pages(url: str, runs: int) -> None:
    app = create_app(Settings(database_url=url, secret_key="bench-" + "k" * 32))
    freeze_startup_objects()  # as the served app does
    watch = Statements(app.state.engine)
    with TestClient(app) as client, Session(app.state.engine) as session:
        tokens = {}
        for name in ("admin", "leader", "shunde", "promoter-v00"):
            user = get_user_by_username(session=session, username=name)
            assert user is not None
            tokens[name] = bearer(session, user)
        firm, name = session.execute(
            text("SELECT id, name FROM enterprise ORDER BY id DESC LIMIT 1")
        ).one()
        rare = name.removeprefix("佛山市")[:4]  # part of one firm's name: what people search for
        session.commit()
        plan = [
            ("admin", "/enterprises"),
            ("admin", "/enterprises?q=精密"),
            ("admin", f"/enterprises?q={rare}"),
            ("admin", "/enterprises?chain=robotics&park=shunde&size=above"),
            ("admin", "/enterprises?page=400"),
            ("admin", "/api/v1/enterprises?q=机器人"),
            ("admin", f"/enterprises/{firm}"),
            ("admin", f"/chains/{CHAIN}"),
            ("admin", f"/api/v1/chains/{CHAIN}/map"),
            ("admin", f"/api/v1/chains/{CHAIN}/gaps"),
            ("shunde", "/cultivation"),
            ("shunde", "/parks/shunde"),
            ("promoter-v00", "/leads/board"),
            ("promoter-v00", "/leads"),
            ("admin", "/leads/board"),
            ("admin", "/leads?stage=negotiation"),
            ("leader", "/dashboard"),
            ("leader", "/targets"),
            ("leader", "/leads/evaluation"),
        ]
        print(f"\n{'page (as)':<60} {'p50':>8} {'p95':>8} {'max':>8}   statements")
        for who, path in plan:
            watch.label = path
            samples = _timings(
                lambda p=path, h=tokens[who]: client.get(p, headers=h).raise_for_status(), runs
            )
            before = watch.count
            client.get(path, headers=tokens[who])
            target = 150.0 if path == "/dashboard" else 100.0
            _report(f"{path[:46]} ({who})", samples, target)
            print(f"{'':<60} statements per request: {watch.count - before}")
    app.state.engine.dispose()
    print(f"\nstatements over {SLOW_MS:.0f} ms: {len(watch.slow)}")
    for ms, label, statement in sorted(watch.slow, reverse=True)[:15]:
        print(f"  {ms:7.0f} ms  {label}: {statement}")


def _aggregates(url: str, runs: int) -> None:
    """The figures behind the chain map and the dashboard: computed afresh (as after a write),
    the very SELECTs that computation sent replayed through the bare driver, and as served."""
    engine = make_engine(url)
    today = china_today()
    sent: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    with Session(engine) as session:

        def afresh(compute: Callable[[], object]) -> Callable[[], object]:
            def run() -> object:
                # A new version of the registry, as after a write; rolled back afterwards.
                with session.begin_nested() as write:
                    versions._bump(session, [versions.REGISTRY])
                    value = compute()
                    write.rollback()
                return value

            return run

        def bare() -> None:
            raw = engine.raw_connection()
            cursor = raw.cursor()
            for statement, parameters in sent:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            raw.close()

        print("\naggregate                      app afresh p50  same SQL bare p50  app cached p50")
        for label, compute in (
            ("chain map figures", lambda: chain_figures.detail(session=session, code=CHAIN)),
            ("dashboard standings", lambda: dashboard.standings(session=session, day=today)),
        ):
            sent.clear()
            event.listen(engine, "before_cursor_execute", note)
            afresh(compute)()
            event.remove(engine, "before_cursor_execute", note)
            # Computing afresh takes seconds: a few runs tell its median.
            app, sql, served = (
                sorted(_timings(action, n))[n // 2]
                for action, n in ((afresh(compute), 3), (bare, 3), (compute, runs))
            )
            print(
                f"{label:<30} {app:11.1f} ms {sql:14.1f} ms {served:13.2f} ms   "
                f"app / bare SQL: afresh {app / sql:.1f}, served {served / sql:.3f}  "
                f"[target ≤ 3; {len(sent)} SELECTs]"
            )
    engine.dispose()


@contextmanager
def _served(url: str, workers: int, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = os.environ | {"CHAINPLAN_DATABASE_URL": url, "CHAINPLAN_SECRET_KEY": "b" * 40}
    # As the README's production notes say for a small host: no parallel query workers (on two
    # cores, three processes per scan under concurrent load multiplied the waiting).
    env["PGOPTIONS"] = "-c max_parallel_workers_per_gather=0"
    command = [CHAINPLAN, "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        # A process serves once it has computed the common figures (web/warmup.py): ≈ 40 s at
        # a million firms, with both processes computing at once.
        launched = time.monotonic()
        deadline = launched + 900
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        print(f"server answering after {time.monotonic() - launched:.0f} s (figures computed)")
        yield server
    finally:
        server.terminate()
        server.wait(10)


def _peak_memory_mb(pid: int) -> float:
    """The largest peak resident size of the server process and its workers."""
    found = 0.0
    for child in [pid, *_children(pid)]:
        status = Path(f"/proc/{child}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    found = max(found, int(line.split()[1]) / 1024)
    return found


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _load(url: str, workers: int, users: int, seconds: float, think: float, log: Path) -> None:
    port = 8765
    with _served(url, workers, port, log) as server:
        people, firms = load.actors(url, users)
        outcome = asyncio.run(load.run(f"http://127.0.0.1:{port}", people, firms, seconds, think))
        memory = _peak_memory_mb(server.pid)
    print(f"\n{users} users, {workers} worker process(es), mean think time {think:g} s")
    load.report(outcome, seconds)
    print(f"server peak memory (largest process): {memory:.0f} MB  [target ≤ 500 MB]")
    failures = [line for line in log.read_text().splitlines() if "Error" in line]
    for line in failures[-10:]:
        print(f"  server: {line[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think", type=float, default=3.0, help="mean seconds a user reads before the next step"
    )
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    base = os.environ.get("CHAINPLAN_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(base, Path(tmp)) if base else f"sqlite:///{tmp}/scale.db"
        try:
            seconds = _build(url, args.enterprises, args.leads)
            print(
                f"database: {url.split(':')[0]}; {args.enterprises:,} enterprises, "
                f"{args.leads:,} leads, built in {seconds:.0f} s"
            )
            _pages(url, args.runs)
            _aggregates(url, args.runs)
            if args.import_rows:
                print()
                import_bench.measure(url, args.import_rows)
                _vacuum(url)
            if args.seconds:
                _load(url, args.workers, args.users, args.seconds, args.think, Path(tmp) / "s.log")
        finally:
            if base:
                drop_scratch(url, base)


if __name__ == "__main__":
    main()
