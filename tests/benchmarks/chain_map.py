"""Benchmark: the map and gap list of the largest chain at 200,000 enterprises.

Target (issue 3): map + gaps of the largest chain in at most 50 ms of server time. Computing
the figures afresh takes longer; core/figure_cache.py does it in the background after each write, so
the last line measures what a reader gets after a write.
Run: `make bench` or `python -m tests.benchmarks.chain_map [--enterprises N] [--runs N]`;
CHAINPLAN_DATABASE_URL picks the database kind (a scratch database is made and dropped).
"""

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, text
from sqlmodel import Session, select

from chainmaps import figures as chain_figures
from chains import service as chain_service
from chains.maps import chain_map
from chains.models import Segment
from core import figure_cache, migrate, versions
from core.accounts import get_user_by_username
from core.db import make_engine
from core.settings import Settings
from seeds import demo
from seeds.load import load_all
from tests.databases import drop_scratch, scratch_url
from tests.factories import bearer
from web.app import create_app, freeze_startup_objects

BATCH = 20_000
TARGET_MS = 50.0


def _populate(url: str, count: int) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with Session(engine) as session:
        load_all(session=session)
        demo.ensure_demo_users(session=session)
        session.commit()
    for batch, start in enumerate(range(0, count, BATCH)):
        with Session(engine) as session:
            demo.generate(session=session, count=min(BATCH, count - start), seed=2023 + batch)
            session.commit()
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()
    return time.perf_counter() - started


def _timings(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm caches and the connection pool
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _report(label: str, samples: list[float], target_ms: float = TARGET_MS) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    verdict = "ok" if p95 <= target_ms else "OVER TARGET"
    print(
        f"{label:<44} p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {ordered[-1]:7.1f} ms   [{verdict}: ≤ {target_ms:.0f} ms]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    base = os.environ.get("CHAINPLAN_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(base, Path(tmp)) if base else f"sqlite:///{tmp}/bench.db"
        try:
            seconds = _populate(url, args.enterprises)
            engine = make_engine(url)
            with Session(engine) as session:
                firms = session.exec(text("SELECT count(*) FROM enterprise")).one()[0]  # type: ignore[call-overload]
                largest = session.exec(
                    select(Segment.chain_id, func.count())
                    .group_by(Segment.chain_id)
                    .order_by(func.count().desc())
                ).first()
                assert largest is not None
                chain = next(
                    c for c in chain_service.get_all(session=session) if c.id == largest[0]
                )
                print(
                    f"database: {engine.url.get_backend_name()}; {firms:,} enterprises "
                    f"loaded in {seconds:.1f} s; largest chain {chain.name} "
                    f"({largest[1]} segments)"
                )

                def after_a_change() -> object:
                    # The first request after any registry change computes the figures afresh
                    # (all ten chains' segment figures in one pass): a new version, rolled back.
                    with session.begin_nested() as write:
                        versions._bump(session, [versions.REGISTRY])
                        view = chain_figures.detail(session=session, code=chain.code)
                        drawn = chain_map(view, chain_figures.gap_report(view))
                        write.rollback()
                    return drawn

                def unchanged() -> object:
                    view = chain_figures.detail(session=session, code=chain.code)
                    return chain_map(view, chain_figures.gap_report(view))

                _report(
                    "service, first after a change (no cache)", _timings(after_a_change, args.runs)
                )
                _report("service, registry unchanged (cached)", _timings(unchanged, args.runs))
            app = create_app(Settings(database_url=url, secret_key="bench-" + "k" * 32))
            freeze_startup_objects()  # as the served app does
            with TestClient(app) as client, Session(engine) as session:
                viewer = get_user_by_username(session=session, username="viewer")
                assert viewer is not None
                headers = bearer(session, viewer)
                session.commit()
                for path in (
                    f"/api/v1/chains/{chain.code}/map",
                    f"/api/v1/chains/{chain.code}/gaps",
                ):
                    _report(
                        f"GET {path}",
                        _timings(
                            lambda p=path: client.get(p, headers=headers).raise_for_status(),
                            args.runs,
                        ),
                    )
                _report(
                    f"GET /chains/{chain.code} (map page)",
                    _timings(
                        lambda: client.get(f"/chains/{chain.code}", headers=headers), args.runs
                    ),
                )
                admin = get_user_by_username(session=session, username="admin")
                assert admin is not None
                admin_headers = bearer(session, admin)
                session.commit()
                segment = session.exec(
                    select(Segment.id).where(Segment.chain_id == chain.id)
                ).first()
                flag = [False]

                def write_then_read() -> float:
                    # A chief flags a segment; the next reader comes once figures are refreshed.
                    flag[0] = not flag[0]
                    client.put(
                        f"/api/v1/chains/{chain.code}/segments/{segment}/choke-point",
                        json={"choke_point": flag[0], "choke_note": "基准测试"},
                        headers=admin_headers,
                    ).raise_for_status()
                    figure_cache.wait_refreshed(app.state.engine, timeout=60)
                    started = time.perf_counter()
                    client.get(f"/api/v1/chains/{chain.code}/map", headers=headers)
                    client.get(f"/api/v1/chains/{chain.code}/gaps", headers=headers)
                    return (time.perf_counter() - started) * 1000

                _report(
                    "GET map + gaps after a write (warmed)",
                    [write_then_read() for _ in range(args.runs)],
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
