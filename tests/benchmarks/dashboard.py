"""Benchmark: the leaders' dashboard at 200,000 enterprises and 1,000,000 cultivation events.

Target (issue 6): dashboard p95 at most 150 ms of server time.
Run: `python -m tests.benchmarks.dashboard [--enterprises N] [--events N] [--runs N]`;
CHAINPLAN_DATABASE_URL picks the database kind (a scratch database is made and dropped).
"""

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from core.accounts import get_user_by_username
from core.db import make_engine, refresh_statistics, transaction
from core.settings import Settings
from seeds import demo_volume
from tests.benchmarks.chain_map import _populate, _report, _timings
from tests.databases import drop_scratch, scratch_url
from tests.factories import bearer
from web.app import create_app, freeze_startup_objects

TARGET_MS = 150.0


def _histories(url: str, events: int) -> float:
    """Cultivation histories of the demo firms, as `chainplan demo` writes them at city size."""
    started = time.perf_counter()
    engine = make_engine(url)
    with transaction(engine) as session:
        demo_volume.histories(session=session, events=events)
        refresh_statistics(session)
    engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    base = os.environ.get("CHAINPLAN_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(base, Path(tmp)) if base else f"sqlite:///{tmp}/bench.db"
        try:
            seconds = _populate(url, args.enterprises) + _histories(url, args.events)
            engine = make_engine(url)
            with engine.connect() as conn:
                events = conn.execute(text("SELECT count(*) FROM cultivation_event")).scalar()
            print(
                f"database: {engine.url.get_backend_name()}; {args.enterprises:,} enterprises, "
                f"{events:,} cultivation events, loaded in {seconds:.0f} s"
            )
            app = create_app(Settings(database_url=url, secret_key="bench-" + "k" * 32))
            freeze_startup_objects()  # as the served app does
            with TestClient(app) as client, Session(engine) as session:
                leader = get_user_by_username(session=session, username="leader")
                assert leader is not None
                headers = bearer(session, leader)
                session.commit()
                started = time.perf_counter()
                client.get("/dashboard", headers=headers).raise_for_status()
                cold = (time.perf_counter() - started) * 1000
                print(f"first dashboard after loading (nothing cached): {cold:.0f} ms")
                for path in ("/dashboard", "/targets", "/api/v1/targets"):
                    _report(
                        f"GET {path}",
                        _timings(
                            lambda p=path: client.get(p, headers=headers).raise_for_status(),
                            args.runs,
                        ),
                        TARGET_MS,
                    )
            app.state.engine.dispose()
            engine.dispose()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak memory of this process: {peak:.0f} MB")
        finally:
            if base:
                drop_scratch(url, base)


if __name__ == "__main__":
    main()
