"""Demo annual figures and cultivation histories for the demo firms, deterministic by seed.

Histories are written as their event sequences (candidate → pool → applied → recognised …)
with dates from 2019 on, so as-of views, lapses and due-soon reminders all have something
to show. Only demo firms are touched; removing demo firms removes all of it (cascades).
"""

import random
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Row
from sqlmodel import Session, col, select

from chains.models import Segment
from core import bulk
from core.db import china_today, chunks
from enterprises.cultivation.designations import Designation, Tier
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage, validity_end
from enterprises.registry.figures import EnterpriseFigure
from enterprises.registry.models import Enterprise, MemberRole, Membership, Origin

FIRST_YEAR, LAST_YEAR = 2021, 2025
# Share of demo firms entering each designation's pipeline, and how far they get.
TAKE_UP = {
    "high-tech": 0.12,
    "specialised": 0.06,
    "gazelle": 0.04,
    "single-champion": 0.01,
    "unicorn": 0.004,
}
PATHS = [
    ([Stage.candidate], 3),
    ([Stage.candidate, Stage.pool], 3),
    ([Stage.candidate, Stage.pool, Stage.applied], 2),
    ([Stage.candidate, Stage.pool, Stage.applied, Stage.rejected], 1),
    ([Stage.candidate, Stage.pool, Stage.applied, Stage.recognised], 6),
]


def _figures(rng: random.Random, firm: Row[Any]) -> list[dict[str, Any]]:
    revenue = firm.annual_revenue or 1000.0
    growth = rng.uniform(-0.05, 0.35)
    rows = []
    for year in range(LAST_YEAR, FIRST_YEAR - 1, -1):
        output = round(revenue * rng.uniform(0.85, 1.1), 1)
        rd_spend = round(revenue * rng.uniform(0.01, 0.07), 1)
        if year == LAST_YEAR:  # the firm's own fields summarise its latest year: the same numbers
            output = firm.annual_output if firm.annual_output is not None else output
            rd_spend = firm.rd_spend if firm.rd_spend is not None else rd_spend
        rows.append(
            {
                "enterprise_id": firm.id,
                "year": year,
                "revenue": round(revenue, 1),
                "output": output,
                "tax": round(revenue * rng.uniform(0.02, 0.06), 1),
                "rd_spend": rd_spend,
                "employees": firm.employees,
                "invention_patents": rng.randint(0, 30),
            }
        )
        revenue = revenue / (1 + growth)
    return rows


def _history(
    rng: random.Random, designation: Designation, tiers: list[Tier]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return a cultivation's final state and its events (without ids)."""
    stages = rng.choices([p for p, _ in PATHS], weights=[w for _, w in PATHS])[0]
    day = date(2019, 1, 1) + timedelta(days=rng.randint(0, 5 * 365))
    state: dict[str, Any] = {
        "stage": stages[-1],
        "tier_id": None,
        "batch": "",
        "recognised_on": None,
        "valid_until": None,
    }
    events = []
    previous = None
    for stage in stages:
        event: dict[str, Any] = {
            "on": day,
            "from_stage": previous,
            "to_stage": stage,
            "actor_name": "demo",
            "tier_id": None,
            "valid_until": None,
            "batch": "",
            "note": "演示数据",
        }
        if stage == Stage.recognised:
            state["recognised_on"] = day
            state["batch"] = event["batch"] = f"{day.year}年"
            if until := validity_end(designation, day):
                state["valid_until"] = event["valid_until"] = until
            if tiers:
                state["tier_id"] = event["tier_id"] = tiers[0].id
        events.append(event)
        previous = stage
        day += timedelta(days=rng.randint(40, 200))
    if stages[-1] == Stage.recognised and tiers and rng.random() < 0.4:
        promoted = tiers[1 if len(tiers) > 1 else 0]
        state["tier_id"] = promoted.id
        events.append(
            {**events[-1], "on": day, "from_stage": Stage.recognised, "tier_id": promoted.id}
        )
    if state["valid_until"] and state["valid_until"] < china_today():
        state["stage"] = Stage.lapsed
        events.append(
            {
                **events[-1],
                "on": state["valid_until"] + timedelta(days=1),
                "from_stage": Stage.recognised,
                "to_stage": Stage.lapsed,
                "actor_name": "system",
                "note": "有效期届满，自动到期",
            }
        )
    return state, events


def _anchors(session: Session) -> list[tuple[int, int]]:
    """Return (enterprise id, chain id) of the demo firms marked as anchor in a segment."""
    stmt = (
        select(Membership.enterprise_id, Segment.chain_id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .join(Enterprise, col(Enterprise.id) == Membership.enterprise_id)
        .where(Membership.role == MemberRole.anchor, Enterprise.origin == Origin.demo)
        .distinct()
    )
    return list(session.exec(stmt).all())


def generate(*, session: Session, seed: int = 2023) -> int:
    """Add figures and cultivation histories for every demo firm; return cultivations made."""
    rng = random.Random(seed)
    # Five columns, not whole firms: a city-sized demo has hundreds of thousands.
    firms = session.execute(
        sa.select(
            col(Enterprise.id),
            col(Enterprise.annual_revenue),
            col(Enterprise.annual_output),
            col(Enterprise.rd_spend),
            col(Enterprise.employees),
        ).where(col(Enterprise.origin) == Origin.demo)
    ).all()
    catalogue = {d.code: d for d in session.exec(select(Designation))}
    tiers = {
        d.id: list(
            session.exec(select(Tier).where(Tier.designation_id == d.id).order_by(col(Tier.rank)))
        )
        for d in catalogue.values()
    }
    for chunk in chunks(firms, 20_000):  # five rows a firm: a city's would not fit at once
        figures = [row for firm in chunk for row in _figures(rng, firm)]
        bulk.insert_rows(session, EnterpriseFigure, figures)
    plans: list[tuple[int, int, int | None]] = []
    for firm in firms:
        for code, share in TAKE_UP.items():
            if code in catalogue and rng.random() < share:
                plans.append((firm.id or 0, catalogue[code].id or 0, None))
    if "anchor" in catalogue:
        plans += [(eid, catalogue["anchor"].id or 0, cid) for eid, cid in _anchors(session)]
    by_id = {d.id: d for d in catalogue.values()}
    cultivations, moves = [], []
    for cid, (enterprise_id, designation_id, chain_id) in zip(
        bulk.reserve_ids(session, Cultivation, len(plans)), plans, strict=True
    ):
        state, events = _history(rng, by_id[designation_id], tiers[designation_id])
        cultivations.append(
            {
                "id": cid,
                "enterprise_id": enterprise_id,
                "designation_id": designation_id,
                "chain_id": chain_id,
                "version": len(events),
                **state,
            }
        )
        moves += [{**e, "cultivation_id": cid} for e in events]
    bulk.insert_rows(session, Cultivation, cultivations)
    bulk.insert_rows(session, CultivationEvent, moves)
    return len(plans)
