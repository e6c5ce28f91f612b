"""A city-sized demo dataset, written in bulk: `chainplan demo --enterprises 200000 --leads 50000`.

The demo of a few thousand firms walks its leads through the services; at city size that would
take hours, so the volume beyond it is written as rows (core/bulk.py): leads in every stage
with their moves, follow-ups and capital arrivals, owned by a score of demo promotion staff,
and extra cultivation histories until the event log reaches the size asked for. Deterministic
by seed; everything is marked demo and goes with `chainplan demo --remove`.
"""

import random
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from chains.models import Segment
from core import bulk
from core.accounts import Role, User, create_user, get_or_create_team
from core.db import china_today, utcnow
from core.orgs import Park
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage, validity_end
from enterprises.projects.followups import FollowUp, FollowUpKind
from enterprises.projects.lead_stages import CapitalArrival, DropReason, LeadMove
from enterprises.projects.leads import FLOW, Lead, LeadStage, Source
from enterprises.registry.models import Enterprise, Origin
from enterprises.registry.names import core_name
from seeds.demo import DEMO_PASSWORD
from seeds.demo_leads import BUSINESS, CITIES, FURTHEST, PROJECTS, TRADE

BATCH = 10_000
STAFF = 20
NOTES = ["电话了解投资意向", "陪同考察园区载体", "洽谈用地与扶持政策", "对接链主企业配套"]
STEPS = ["发送政策汇编", "安排实地考察", "提交项目方案", "协调供地"]


def _staff(session: Session) -> list[tuple[int, int, str]]:
    """(id, team id, name) of the volume's promotion staff, created on first use."""
    staff = []
    for n in range(STAFF):
        username = f"promoter-v{n:02d}"
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            team = get_or_create_team(session=session, name=f"招商{'三四五六'[n % 4]}组")
            user = create_user(
                session=session,
                username=username,
                password=DEMO_PASSWORD,
                role=Role.promotion,
                display_name=f"招商专员{n + 1:02d}（演示）",
                team_id=team.id,
            )
        staff.append((user.id or 0, user.team_id or 0, user.display_name))
    return staff


def leads(*, session: Session, count: int, seed: int = 2023) -> int:
    """Write `count` demo leads with their histories in bulk; return how many."""
    rng = random.Random(seed)
    staff = _staff(session)
    segments = [(s.id or 0, s.chain_id) for s in session.exec(select(Segment))]
    parks = [p.id or 0 for p in session.exec(select(Park).where(Park.kind == "park"))]
    firms = list(
        session.exec(select(Enterprise.id).where(Enterprise.origin == Origin.demo).limit(50_000))
    )
    today = china_today()
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        ids = bulk.reserve_ids(session, Lead, size)
        rows: list[dict[str, Any]] = []
        moves: list[dict[str, Any]] = []
        notes: list[dict[str, Any]] = []
        arrivals: list[dict[str, Any]] = []
        for lead_id in ids:
            owner = rng.choice(staff)
            lead = _lead(rng, lead_id, owner, rng.choice(segments), rng.choice(parks), today)
            _walk(rng, lead, owner, today, moves, arrivals, firms)
            _follow_ups(rng, lead, owner, today, notes)
            rows.append(lead)
        bulk.insert_rows(session, Lead, rows)
        bulk.insert_rows(session, LeadMove, moves)
        bulk.insert_rows(session, FollowUp, notes)
        bulk.insert_rows(session, CapitalArrival, arrivals)
    return count


def _lead(
    rng: random.Random,
    lead_id: int,
    owner: tuple[int, int, str],
    segment: tuple[int, int],
    park_id: int,
    today: date,
) -> dict[str, Any]:
    trade = "".join(rng.sample(TRADE, 2))
    business = rng.choice(BUSINESS)
    investor = f"{rng.choice(CITIES)}{trade}{business}{rng.randrange(1000)}有限公司"
    created = today - timedelta(days=rng.randint(20, 1000))
    land = rng.random() < 0.25
    return {
        "id": lead_id,
        "name": f"{trade}{business}{rng.choice(PROJECTS)}",
        "investor_name": investor,
        "investor_core": core_name(investor),
        "source": rng.choice(list(Source)),
        "chain_id": segment[1],
        "segment_id": segment[0],
        "planned_investment": round(rng.lognormvariate(9, 1.1), -1),
        "expected_output": round(rng.lognormvariate(9.5, 1), -1),
        "expected_tax": round(rng.lognormvariate(6.5, 1), -1),
        "space_need": rng.choice([30, 50, 80, 120]) if land else rng.choice([2000, 5000, 10000]),
        "space_unit": "mu" if land else "m2",
        "space_kind": "land" if land else "building",
        "park_id": park_id,
        "owner_id": owner[0],
        "team_id": owner[1],
        "confidential": rng.random() < 0.08,
        "stage": LeadStage.lead,
        "stage_since": created,
        "reached": 0,
        "resume_stage": None,
        "drop_reason": "",
        "site_on": None,
        "registered_on": None,
        "enterprise_id": None,
        "capital_arrived": 0.0,
        "last_followup_on": None,
        "next_step": "",
        "next_due": None,
        "created_on": created,
        "demo": True,
        "version": 1,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _walk(
    rng: random.Random,
    lead: dict[str, Any],
    owner: tuple[int, int, str],
    today: date,
    moves: list[dict[str, Any]],
    arrivals: list[dict[str, Any]],
    firms: list[int | None],
) -> None:
    """Move the lead as far as its dates allow, as lead_stages.move would, recording each move."""
    furthest = rng.choices([f for f, _ in FURTHEST], [w for _, w in FURTHEST])[0]
    on: date = lead["created_on"]

    def move(to: LeadStage, day: date, reason: str = "") -> None:
        moves.append(
            {
                "lead_id": lead["id"],
                "on": day,
                "since": lead["stage_since"],
                "recorded_at": utcnow(),
                "actor_id": owner[0],
                "actor_name": owner[2],
                "from_stage": lead["stage"],
                "to_stage": to,
                "drop_reason": reason,
                "note": "",
            }
        )
        lead["stage"], lead["stage_since"] = to, day

    for stage in FLOW[1 : furthest + 1]:
        step = on + timedelta(days=rng.randint(1, 120 if FLOW.index(stage) > 4 else 45))
        if step > today:  # the project has not got that far yet
            break
        on = step
        move(stage, on)
        lead["reached"] = FLOW.index(stage)
        if stage == LeadStage.registered and firms:
            lead["registered_on"], lead["enterprise_id"] = on, rng.choice(firms)
        if stage == LeadStage.construction:
            lead["site_on"] = on
        if FLOW.index(stage) >= FLOW.index(LeadStage.signed) and rng.random() < 0.6:
            amount = round((lead["planned_investment"] or 1000) * rng.uniform(0.05, 0.3), 1)
            lead["capital_arrived"] += amount
            arrivals.append(
                {
                    "lead_id": lead["id"],
                    "amount": amount,
                    "arrived_on": on,
                    "note": "",
                    "actor_id": owner[0],
                    "recorded_at": utcnow(),
                }
            )
    ending = rng.random()
    if ending < 0.14 and lead["stage"] != LeadStage.capacity:
        lead["resume_stage"] = lead["stage"]
        day = min(today, on + timedelta(days=rng.randint(1, 30)))
        if ending < 0.08:
            reason = rng.choice(list(DropReason)).value
            lead["drop_reason"] = reason
            move(LeadStage.dropped, day, reason)
        else:
            move(LeadStage.on_hold, day)


def _follow_ups(
    rng: random.Random,
    lead: dict[str, Any],
    owner: tuple[int, int, str],
    today: date,
    notes: list[dict[str, Any]],
) -> None:
    created: date = lead["created_on"]
    days = [
        min(today, created + timedelta(days=rng.randint(1, 60))) for _ in range(rng.randint(1, 3))
    ]
    if lead["stage"] not in (LeadStage.dropped, LeadStage.capacity) and rng.random() < 0.8:
        days.append(max(lead["stage_since"], today - timedelta(days=rng.randint(0, 25))))
    for on in sorted(days):
        late = rng.random() < 0.15
        due = on + timedelta(days=rng.randint(3, 10) if late else rng.randint(15, 45))
        step = rng.choice(STEPS)
        notes.append(
            {
                "lead_id": lead["id"],
                "kind": rng.choice(list(FollowUpKind)),
                "on": on,
                "people": owner[2],
                "notes": rng.choice(NOTES),
                "next_step": step,
                "next_due": due,
                "actor_id": owner[0],
                "actor_name": owner[2],
                "recorded_at": utcnow(),
            }
        )
        lead["last_followup_on"], lead["next_step"], lead["next_due"] = on, step, due


def histories(*, session: Session, events: int, seed: int = 2023) -> int:
    """Add cultivation histories of demo firms until the event log holds `events`; return added.

    Each is a path candidate → pool → applied → recognised or rejected, dated 2019 on; a
    recognition whose validity has passed lapses, as `chainplan lapse` would record.
    """
    existing = session.exec(select(func.count()).select_from(CultivationEvent)).one()
    rng = random.Random(seed)
    firms = [
        i or 0 for i in session.exec(select(Enterprise.id).where(Enterprise.origin == Origin.demo))
    ]
    titles = list(session.exec(select(Designation).where(col(Designation.per_chain).is_(False))))
    taken = set(session.exec(select(Cultivation.enterprise_id, Cultivation.designation_id)).all())
    added = 0
    while existing + added < events and firms and titles:
        paths: list[tuple[int, Designation]] = []
        while len(paths) < BATCH // 4 and existing + added + 4 * len(paths) < events:
            firm, title = rng.choice(firms), rng.choice(titles)
            if (firm, title.id) not in taken:
                taken.add((firm, title.id or 0))
                paths.append((firm, title))
        added += _write_paths(session, rng, paths)
    return added


def _write_paths(session: Session, rng: random.Random, paths: list[tuple[int, Designation]]) -> int:
    ids = bulk.reserve_ids(session, Cultivation, len(paths))
    cultivations, moves = [], []
    today = china_today()
    for cid, (firm, title) in zip(ids, paths, strict=True):
        day = date(2019, 1, 1) + timedelta(days=rng.randrange(2400))
        end = rng.choice([Stage.recognised, Stage.recognised, Stage.rejected])
        steps = [Stage.candidate, Stage.pool, Stage.applied, end]
        recognised_on = day + timedelta(days=90) if end == Stage.recognised else None
        valid = validity_end(title, recognised_on) if recognised_on else None
        batch = f"{recognised_on.year}年" if recognised_on else ""
        days = [day + timedelta(days=30 * i) for i in range(len(steps))]
        if valid and valid < today:
            steps.append(Stage.lapsed)
            days.append(valid + timedelta(days=1))
        for i, (stage, on) in enumerate(zip(steps, days, strict=True)):
            moves.append(
                {
                    "cultivation_id": cid,
                    "on": on,
                    "from_stage": steps[i - 1] if i else None,
                    "to_stage": stage,
                    "actor_name": "system" if stage == Stage.lapsed else "demo",
                    "valid_until": valid if stage == Stage.recognised else None,
                    "batch": batch if stage == Stage.recognised else "",
                    "note": "演示数据",
                }
            )
        cultivations.append(
            {
                "id": cid,
                "enterprise_id": firm,
                "designation_id": title.id,
                "chain_id": None,
                "stage": steps[-1],
                "recognised_on": recognised_on,
                "valid_until": valid,
                "batch": batch,
                "version": len(steps),
            }
        )
    bulk.insert_rows(session, Cultivation, cultivations)
    bulk.insert_rows(session, CultivationEvent, moves)
    return len(moves)
