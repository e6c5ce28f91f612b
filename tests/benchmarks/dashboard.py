"""Benchmark: the leaders' dashboard at 200,000 enterprises and 1,000,000 cultivation events.

Target (issue 6): dashboard p95 at most 150 ms of server time.
Run: `python -m tests.benchmarks.dashboard [--enterprises N] [--events N] [--runs N]`;
CHAINPLAN_DATABASE_URL picks the database kind (a scratch database is made and dropped).
"""

import argparse
import os
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text
from sqlmodel import Session

from core.accounts import get_user_by_username
from core.db import make_engine
from core.settings import Settings
from enterprises.designations import Designation
from enterprises.models import Enterprise
from enterprises.pipeline import Cultivation, CultivationEvent, Stage
from tests.benchmarks.chain_map import _populate, _report, _timings
from tests.databases import drop_scratch, scratch_url
from tests.factories import bearer
from web.app import create_app, freeze_startup_objects

TARGET_MS = 150.0
BATCH = 20_000


def _histories(url: str, events: int) -> float:
    """Cultivation paths of four moves each for random firms, dated 2019–2026."""
    started = time.perf_counter()
    engine = make_engine(url)
    rng = random.Random(2026)
    with Session(engine) as session:
        firms = [i for (i,) in session.execute(select(Enterprise.id))]
        titles = [(d.id, d.validity_years) for (d,) in session.execute(select(Designation))]
        next_id = (session.execute(text("SELECT max(id) FROM cultivation")).scalar() or 0) + 1
    pairs = set()
    made = 0
    with engine.begin() as conn:
        cultivations: list[dict[str, Any]] = []
        moves: list[dict[str, Any]] = []
        n = 0
        while made < events:
            firm, (title, years) = rng.choice(firms), rng.choice(titles)
            if (firm, title) in pairs:
                continue
            pairs.add((firm, title))
            n += 1
            made += 4
            day = date(2019, 1, 1) + timedelta(days=rng.randrange(2500))
            cid = next_id + n
            end = rng.choice([Stage.recognised, Stage.recognised, Stage.rejected])
            valid = (
                day + timedelta(days=365 * years + 90)
                if years and end == Stage.recognised
                else None
            )
            steps = [Stage.candidate, Stage.pool, Stage.applied, end]
            for i, stage in enumerate(steps):
                moves.append(
                    {
                        "cultivation_id": cid,
                        "on": day + timedelta(days=30 * i),
                        "to_stage": stage,
                        "from_stage": steps[i - 1] if i else None,
                        "valid_until": valid if stage == Stage.recognised else None,
                        "note": "",
                        "batch": "",
                        "actor_name": "",
                        "document_number": "",
                        "evidence_url": "",
                        "forced": False,
                    }
                )
            cultivations.append(
                {
                    "id": cid,
                    "enterprise_id": firm,
                    "designation_id": title,
                    "chain_id": None,
                    "stage": end,
                    "recognised_on": day + timedelta(days=90) if end == Stage.recognised else None,
                    "valid_until": valid,
                    "batch": "",
                    "version": 1,
                }
            )
            if len(moves) >= BATCH * 4:
                conn.execute(insert(Cultivation), cultivations)
                conn.execute(insert(CultivationEvent), moves)
                cultivations, moves = [], []
        if cultivations:
            conn.execute(insert(Cultivation), cultivations)
            conn.execute(insert(CultivationEvent), moves)
        conn.execute(text("ANALYZE"))
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
