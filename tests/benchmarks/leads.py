"""Benchmark: the project list and board at 50,000 leads.

Target (issue 5): p95 of the board and of the list at most 100 ms of server time.
Run: `make bench` or `python -m tests.benchmarks.leads [--leads N] [--runs N]`;
CHAINPLAN_DATABASE_URL picks the database kind (a scratch database is made and dropped).
"""

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from core import accounts, migrate
from core.accounts import Role
from core.db import make_engine, refresh_statistics, transaction
from core.settings import Settings
from seeds import demo_volume
from seeds.load import load_all
from tests.benchmarks.chain_map import _report, _timings
from tests.databases import drop_scratch, scratch_url
from tests.factories import bearer
from web.app import create_app, freeze_startup_objects

TARGET_MS = 100.0


def _populate(url: str, count: int) -> tuple[float, str]:
    """The zone's seeds and `count` leads with their histories, as `chainplan demo` writes them."""
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with transaction(engine) as session:
        load_all(session=session)
        accounts.create_user(
            session=session, username="bench-admin", password="Bench@pass123", role=Role.admin
        )
        demo_volume.leads(session=session, count=count)
        refresh_statistics(session)
    engine.dispose()
    return time.perf_counter() - started, "promoter-v00"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    base = os.environ.get("CHAINPLAN_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(base, Path(tmp)) if base else f"sqlite:///{tmp}/bench.db"
        try:
            seconds, promoter = _populate(url, args.leads)
            app = create_app(Settings(database_url=url, secret_key="bench-" + "k" * 32))
            freeze_startup_objects()  # as the served app does
            print(
                f"database: {app.state.engine.url.get_backend_name()}; {args.leads:,} leads "
                f"loaded in {seconds:.1f} s"
            )
            with TestClient(app) as client, Session(app.state.engine) as session:
                users = {}
                for name in (promoter, "bench-admin"):
                    user = accounts.get_user_by_username(session=session, username=name)
                    assert user is not None
                    users[name] = bearer(session, user)
                session.commit()
                paths = [
                    "/leads/board",
                    "/leads",
                    "/leads?chain=robotics&stage=negotiation",
                    "/leads?q=精密制造&min=100",
                    "/api/v1/leads/board",
                    "/api/v1/leads?page=20",
                ]
                for who, headers in users.items():
                    for path in paths:
                        _report(
                            f"{who[:13]} GET {path}",
                            _timings(
                                lambda p=path, h=headers: client.get(
                                    p, headers=h
                                ).raise_for_status(),
                                args.runs,
                            ),
                            TARGET_MS,
                        )
            app.state.engine.dispose()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak memory of this process: {peak:.0f} MB")
        finally:
            if base:
                drop_scratch(url, base)


if __name__ == "__main__":
    main()
