"""Planning, not only tracking: what today's pipeline will yield by a deadline, and what it takes.

From the cultivation event log we observe, per step (候选 → 入库 → 申报 → 认定), the share of
firms that took it and the median days it took. A firm now at a stage is expected to be
recognised by the deadline with the product of the remaining steps' shares, if the remaining
median days fit before the deadline (otherwise not at all). Planning backwards turns the gap
between forecast and target into the number of firms that must enter the pool, and by when,
shared among the parks. Every assumption is shown and can be overridden.
"""

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import ORDER, Cultivation, CultivationEvent, Stage
from enterprises.registry.models import Enterprise
from plans.target_values import value_on
from plans.targets import Plan, Target

STEPS = list(
    zip(ORDER, ORDER[1:], strict=False)
)  # candidate→pool, pool→applied, applied→recognised
MIN_SAMPLE = 30  # firms that entered a step in a park before its own share is trusted
STEP_LABELS = {
    Stage.candidate: "候选→入库培育",
    Stage.pool: "入库培育→申报",
    Stage.applied: "申报→认定",
}


@dataclass(frozen=True)
class Step:
    """One step of the pipeline as observed (or as a leader assumes it)."""

    stage: Stage
    rate: float
    days: float
    sample: int


@dataclass(frozen=True)
class ParkPlan:
    """One park's pipeline today, its expected yield, and its share of the pool entries needed."""

    park_id: int | None
    name: str
    at_stage: dict[Stage, int]
    expected: float
    needed_pool: int
    own_steps: list[Stage] = field(default_factory=list)  # steps using the park's own history


@dataclass(frozen=True)
class Forecast:
    """A counting target's forecast at its deadline and the plan to close the gap."""

    target: Target
    today: date
    current: float
    expected_new: float
    expiring: float
    forecast: float
    gap: float
    steps: list[Step]
    needed_pool: int
    pool_by: date | None
    parks: list[ParkPlan] = field(default_factory=list)


def _designation_ids(session: Session, target: Target) -> list[int]:
    codes = (target.definition or {}).get("designations", [])
    stmt = sa.select(col(Designation.id)).where(col(Designation.code).in_(codes))
    return [int(i) for i in session.execute(stmt).scalars()]


def observed_steps(
    *, session: Session, designation_ids: list[int], today: date, park_id: int | None = None
) -> list[Step]:
    """Share taking each step and the median days it took, from the event log up to today.

    With `park_id`, only that park's firms are observed.
    """
    stmt = (
        sa.select(
            col(CultivationEvent.cultivation_id),
            col(CultivationEvent.to_stage),
            col(CultivationEvent.on),
        )
        .join(Cultivation, col(Cultivation.id) == CultivationEvent.cultivation_id)
        .where(
            col(Cultivation.designation_id).in_(designation_ids),
            col(CultivationEvent.on) <= today,
        )
    )
    if park_id is not None:
        stmt = stmt.join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id).where(
            col(Enterprise.park_id) == park_id
        )
    rows = session.execute(stmt).all()
    events = pd.DataFrame(rows, columns=["cultivation", "stage", "on"])
    steps = []
    for stage, following in STEPS:
        entered = events[events["stage"] == stage].groupby("cultivation")["on"].min()
        reached = events[events["stage"] == following].groupby("cultivation")["on"].min()
        both = pd.concat([entered.rename("from"), reached.rename("to")], axis=1, join="inner")
        both = both[both["to"] >= both["from"]]
        rate = len(both) / len(entered) if len(entered) else 0.0
        days = (pd.to_datetime(both["to"]) - pd.to_datetime(both["from"])).dt.days
        steps.append(
            Step(stage, round(rate, 3), float(days.median()) if len(days) else 0.0, len(entered))
        )
    return steps


def _pipeline(session: Session, designation_ids: list[int]) -> pd.DataFrame:
    rows = session.execute(
        sa.select(col(Enterprise.park_id), col(Cultivation.stage))
        .join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id)
        .where(
            col(Cultivation.designation_id).in_(designation_ids),
            col(Cultivation.stage).in_(ORDER[:-1]),
        )
    ).all()
    return pd.DataFrame(rows, columns=["park", "stage"])


def _expiring(session: Session, designation_ids: list[int], today: date, deadline: date) -> float:
    """Recognitions valid today whose validity ends before the deadline."""
    stmt = sa.select(sa.func.count()).where(
        col(Cultivation.designation_id).in_(designation_ids),
        col(Cultivation.stage) == Stage.recognised,
        col(Cultivation.valid_until) >= today,
        col(Cultivation.valid_until) < deadline,
    )
    return float(session.execute(stmt).scalar_one())


def _local_steps(
    session: Session,
    designation_ids: list[int],
    today: date,
    park_id: int | None,
    zone: list[Step],
    min_sample: int,
    overrides: dict[Stage, tuple[float | None, float | None]] | None,
) -> list[Step]:
    """The steps for one park: its own where it has enough history and no override holds."""
    if park_id is None:
        return zone
    local = observed_steps(
        session=session, designation_ids=designation_ids, today=today, park_id=park_id
    )
    return [
        own if own.sample >= min_sample and own.stage not in (overrides or {}) else shared
        for own, shared in zip(local, zone, strict=True)
    ]


def _yield_from(stage: Stage, steps: list[Step], days_left: int) -> float:
    """The chance a firm now at `stage` is recognised within `days_left` days."""
    remaining = steps[ORDER.index(stage) :]
    if sum(s.days for s in remaining) > days_left:
        return 0.0
    return math.prod(s.rate for s in remaining)


def forecast(
    *,
    session: Session,
    target: Target,
    plan: Plan,
    today: date,
    parks: dict[int | None, str],
    shares: dict[int | None, float] | None = None,
    overrides: dict[Stage, tuple[float | None, float | None]] | None = None,
    min_sample: int = MIN_SAMPLE,
) -> Forecast:
    """Forecast a counting target at its deadline and plan the pool entries that close the gap.

    A park's own history is used for a step when it has at least `min_sample` firms there;
    otherwise the zone's. `overrides` replace a step's share and/or median days everywhere;
    `shares` split the pool entries among parks (default: by each park's pipeline today).
    """
    designation_ids = _designation_ids(session, target)
    steps = observed_steps(session=session, designation_ids=designation_ids, today=today)
    for stage, (rate, days) in (overrides or {}).items():
        index = ORDER.index(stage)
        step = steps[index]
        steps[index] = replace(
            step,
            rate=step.rate if rate is None else rate,
            days=step.days if days is None else days,
        )
    days_left = max((target.deadline - today).days, 0)
    current = value_on(session=session, target=target, plan=plan, day=today) or 0.0
    pipeline = _pipeline(session, designation_ids)
    park_rows = []
    expected_total = 0.0
    for park_id, name in parks.items():
        mine = (
            pipeline[pipeline["park"].isna()]
            if park_id is None
            else pipeline[pipeline["park"] == park_id]
        )
        at_stage = {s: int((mine["stage"] == s).sum()) for s in ORDER[:-1]}
        local = _local_steps(session, designation_ids, today, park_id, steps, min_sample, overrides)
        expected = sum(n * _yield_from(s, local, days_left) for s, n in at_stage.items())
        expected_total += expected
        own = [o.stage for o, z in zip(local, steps, strict=True) if o is not z]
        park_rows.append((park_id, name, at_stage, expected, own))
    expiring = 0.0
    if (target.definition or {}).get("measure") == "holding":
        # Recognitions ending before the deadline count again only if renewed, which we take
        # to succeed as often as any application does.
        expiring = _expiring(session, designation_ids, today, target.deadline)
        expiring *= 1 - steps[ORDER.index(Stage.applied)].rate
    forecast_value = current + expected_total - expiring
    gap = max(target.target_value - forecast_value, 0.0)
    from_pool = steps[ORDER.index(Stage.pool) :]
    pool_yield = math.prod(s.rate for s in from_pool)
    needed = math.ceil(gap / pool_yield) if gap and pool_yield else 0
    pool_by = target.deadline - timedelta(days=math.ceil(sum(s.days for s in from_pool)))
    weights = shares or {p: float(sum(a.values())) for p, _, a, _, _ in park_rows}
    if not any(weights.values()):  # nobody in the pipeline yet: share equally
        weights = {p: 1.0 for p, *_ in park_rows}
    total_weight = sum(weights.values())
    plans = [
        ParkPlan(
            park_id=p,
            name=name,
            at_stage=at_stage,
            expected=round(expected, 1),
            needed_pool=math.ceil(needed * weights.get(p, 0.0) / total_weight),
            own_steps=own,
        )
        for p, name, at_stage, expected, own in park_rows
    ]
    return Forecast(
        target=target,
        today=today,
        current=current,
        expected_new=round(expected_total, 1),
        expiring=round(expiring, 1),
        forecast=round(forecast_value, 1),
        gap=round(gap, 1),
        steps=steps,
        needed_pool=needed,
        pool_by=pool_by if needed else None,
        parks=plans,
    )
