"""Benchmark: the project list and board at 50,000 leads.

Target (issue 5): p95 of the board and of the list at most 100 ms of server time.
Run: `make bench` or `python -m tests.benchmarks.leads [--leads N] [--runs N]`;
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
from sqlalchemy import insert, text
from sqlmodel import Session, select

from chains.models import Segment
from core import accounts, migrate
from core.accounts import Role
from core.db import make_engine, require_id, utcnow
from core.orgs import Park
from core.settings import Settings
from enterprises.leads import FLOW, Lead, LeadStage, Source
from enterprises.names import core_name
from seeds.load import load_all
from tests.benchmarks.chain_map import _report, _timings
from tests.databases import drop_scratch, scratch_url
from tests.factories import bearer
from web.app import create_app, freeze_startup_objects

BATCH = 10_000
TARGET_MS = 100.0
STAGES = list(LeadStage)
STAGE_WEIGHTS = [30, 20, 12, 10, 6, 5, 4, 3, 2, 4, 8]


def _rows(
    rng: random.Random, count: int, owners: list[tuple[int, int]], ctx: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    today = date.today()
    for n in range(count):
        stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
        resume = None if stage in FLOW else rng.choice(FLOW[:5])  # held or dropped: stood there
        owner, team = rng.choice(owners)
        segment_id, chain_id = rng.choice(ctx["segments"])
        investor = f"基准投资{rng.randrange(10**6)}有限公司"
        created = today - timedelta(days=rng.randrange(900))
        rows.append(
            {
                "name": f"基准项目{n}",
                "investor_name": investor,
                "investor_core": core_name(investor),
                "source": rng.choice(list(Source)),
                "chain_id": chain_id,
                "segment_id": segment_id,
                "planned_investment": round(rng.lognormvariate(9, 1), 1),
                "space_unit": "m2",
                "space_kind": "building",
                "park_id": rng.choice(ctx["parks"]),
                "owner_id": owner,
                "team_id": team,
                "confidential": rng.random() < 0.05,
                "description": "",
                "stage": stage,
                "stage_since": created,
                "reached": FLOW.index(stage if resume is None else resume),
                "resume_stage": resume,
                "drop_reason": "",
                "drop_note": "",
                "capital_arrived": 0,
                "next_step": "",
                "next_due": created + timedelta(days=rng.randrange(60)),
                "created_on": created,
                "demo": True,
                "version": 1,
                "created_at": utcnow(),
                "updated_at": utcnow() - timedelta(minutes=rng.randrange(10**6)),
            }
        )
    return rows


def _populate(url: str, count: int) -> tuple[float, str]:
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with Session(engine) as session:
        load_all(session=session)
        owners = []
        for n in range(20):
            team = accounts.get_or_create_team(session=session, name=f"基准小组{n % 4}")
            user = accounts.create_user(
                session=session,
                username=f"bench-promoter-{n}",
                password="Bench@pass123",
                role=Role.promotion,
                team_id=team.id,
            )
            owners.append((require_id(user), require_id(team)))
        accounts.create_user(
            session=session, username="bench-admin", password="Bench@pass123", role=Role.admin
        )
        ctx = {
            "segments": [(s.id, s.chain_id) for s in session.exec(select(Segment))],
            "parks": [p.id for p in session.exec(select(Park).where(Park.kind == "park"))],
        }
        session.commit()
    rng = random.Random(2026)
    for start in range(0, count, BATCH):
        with engine.begin() as conn:
            conn.execute(insert(Lead), _rows(rng, min(BATCH, count - start), owners, ctx))
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()
    return time.perf_counter() - started, "bench-promoter-0"


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
                    "/leads?q=基准项目4999&min=100",
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
