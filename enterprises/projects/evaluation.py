"""Tracking and evaluating promotion work (跟踪、评价) in numbers."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from core import figure_cache, permissions, versions
from core.accounts import User
from core.db import days_between
from core.permissions import LeadScope
from enterprises.projects.lead_search import names
from enterprises.projects.lead_stages import LeadMove
from enterprises.projects.leads import (
    FLOW,
    LEAD_STAGE_LABELS,
    SOURCE_LABELS,
    Lead,
    LeadStage,
    visible,
)

DIMENSIONS = {"chain": "产业链", "park": "园区", "team": "招商小组", "source": "招商渠道"}


@dataclass(frozen=True)
class FunnelStep:
    """How many leads of the period reached a stage, and the step's conversion."""

    label: str
    count: int
    amount: float
    conversion: float | None  # share of the previous step's leads that reached this one


@dataclass(frozen=True)
class Landed:
    """Projects registered in the period for one value of a dimension."""

    name: str
    count: int
    planned: float
    arrived: float


@dataclass(frozen=True)
class PipelineValue:
    """Open projects at one stage and the investment they are expected to land."""

    label: str
    count: int
    planned: float
    landing_rate: float | None  # of resolved projects that reached this stage, the share landed
    resolved: int
    expected: float


@dataclass(frozen=True)
class Evaluation:
    """The evaluation page: funnel, time in stage, landed investment."""

    start: date
    end: date
    funnel: list[FunnelStep]
    median_days: list[tuple[str, float | None, int]]
    landed: dict[str, list[Landed]]
    landed_by_quarter: list[Landed]
    pipeline: list[PipelineValue]
    expected_landing: float


def _funnel(session: Session, where: list[Any]) -> list[FunnelStep]:
    rows = session.exec(
        select(Lead.reached, func.count(), func.sum(Lead.planned_investment))
        .where(*where)
        .group_by(col(Lead.reached))
    ).all()
    steps: list[FunnelStep] = []
    for index, stage in enumerate(FLOW):
        count = sum(n for reached, n, _ in rows if reached >= index)
        amount = sum(a or 0.0 for reached, _, a in rows if reached >= index)
        previous = steps[-1].count if steps else None
        conversion = count / previous if previous else None
        steps.append(FunnelStep(LEAD_STAGE_LABELS[stage], count, amount, conversion))
    return steps


def _median_days(session: Session, where: list[Any], start: date, end: date) -> list[Any]:
    """Median days a lead stayed in each stage, over the stays that ended in the period."""
    stay = days_between(col(LeadMove.on), col(LeadMove.since))
    # How many stays of each length, per stage: a few hundred rows, however many moves.
    counts: dict[Any, list[tuple[int, int]]] = {stage: [] for stage in FLOW}
    for stage, days, n in session.execute(
        sa.select(col(LeadMove.from_stage), stay, func.count())
        .join(Lead, col(Lead.id) == LeadMove.lead_id)
        .where(
            *where,
            col(LeadMove.on) >= start,
            col(LeadMove.on) <= end,
            col(LeadMove.from_stage).in_(FLOW),
            col(LeadMove.since).is_not(None),
        )
        .group_by(col(LeadMove.from_stage), stay)
        .order_by(col(LeadMove.from_stage), stay)
    ):
        counts[stage].append((int(days), int(n)))
    return [
        (LEAD_STAGE_LABELS[stage], _median(counts[stage]), sum(n for _, n in counts[stage]))
        for stage in FLOW
    ]


def _median(histogram: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many) in ascending order."""
    total = sum(n for _, n in histogram)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]  # the one or two values in the middle
    found: list[int] = []
    seen = 0
    for value, n in histogram:
        found += [value for position in middle if seen <= position < seen + n]
        seen += n
    return sum(found) / 2


def _landed(session: Session, where: list[Any], start: date, end: date) -> pd.DataFrame:
    registered = [*where, col(Lead.registered_on) >= start, col(Lead.registered_on) <= end]
    columns = [
        Lead.chain_id,
        Lead.park_id,
        Lead.team_id,
        Lead.source,
        Lead.registered_on,
        Lead.planned_investment,
        Lead.capital_arrived,
    ]
    rows = session.execute(sa.select(*(col(c) for c in columns)).where(*registered)).all()
    return pd.DataFrame(
        rows, columns=["chain", "park", "team", "source", "registered_on", "planned", "arrived"]
    )


def _grouped(frame: pd.DataFrame, key: str, label: Any) -> list[Landed]:
    if frame.empty:
        return []
    groups = frame.fillna({key: 0, "planned": 0.0}).groupby(key)
    table = groups.agg(
        count=("planned", "size"), planned=("planned", "sum"), arrived=("arrived", "sum")
    )
    table = table.sort_values("planned", ascending=False)
    return [
        Landed(label(value), int(r["count"]), float(r["planned"]), float(r["arrived"]))
        for value, r in table.iterrows()
    ]


def _pipeline_value(session: Session, where: list[Any]) -> list[PipelineValue]:
    """Expected landed investment of the open projects, weighted by each stage's landing rate.

    The rate of a stage is, among projects that reached it and are resolved (landed or
    dropped), the share that landed.
    """
    landed_at = FLOW.index(LeadStage.registered)
    # One row per (stage, furthest stage reached): a handful, whatever the number of leads.
    groups = session.execute(
        sa.select(
            col(Lead.stage), col(Lead.reached), func.count(), func.sum(Lead.planned_investment)
        )
        .where(*where)
        .group_by(col(Lead.stage), col(Lead.reached))
    ).all()
    result = []
    for index, stage in enumerate(FLOW[:landed_at]):
        came = [g for g in groups if g[1] >= index]
        landed = sum(n for _, reached, n, _ in came if reached >= landed_at)
        resolved = landed + sum(n for st, _, n, _ in came if st == LeadStage.dropped)
        rate = landed / resolved if resolved else None
        open_here = [(n, amount or 0.0) for st, _, n, amount in groups if st == stage]
        planned = float(sum(amount for _, amount in open_here))
        result.append(
            PipelineValue(
                LEAD_STAGE_LABELS[stage],
                sum(n for n, _ in open_here),
                planned,
                rate,
                resolved,
                round(planned * (rate or 0.0), 1),
            )
        )
    return result


def evaluate(*, session: Session, user: User, start: date, end: date) -> Evaluation:
    """The evaluation of the leads the user may see, for leads logged or landed in a period.

    Cached per version of the projects (and of the registry, for the names it shows) and per
    scope: it reads every lead and move, and follow-ups, its most frequent writes, keep it.
    """
    scope = permissions.lead_scope(session=session, user=user)
    return figure_cache.cached(
        session=session,
        what=f"evaluation:{scope}:{start}:{end}",
        compute=lambda own: _evaluate(own, scope, start, end),
        family=(versions.PROJECTS, versions.REGISTRY),
    )


def _evaluate(session: Session, scope: LeadScope, start: date, end: date) -> Evaluation:
    where = [visible(scope)]
    cohort = [*where, col(Lead.created_on) >= start, col(Lead.created_on) <= end]
    shown = names(session=session)
    lookups = {
        "chain": lambda v: shown.chains.get(v, "未指定"),
        "park": lambda v: shown.parks.get(v, "未指定"),
        "team": lambda v: shown.teams.get(v, "未指定"),
        "source": lambda v: SOURCE_LABELS.get(v, "未指定"),
    }
    frame = _landed(session, where, start, end)
    if not frame.empty:
        frame["quarter"] = pd.to_datetime(frame["registered_on"]).dt.to_period("Q").astype(str)
    pipeline = _pipeline_value(session, where)
    return Evaluation(
        pipeline=pipeline,
        expected_landing=round(sum(p.expected for p in pipeline), 1),
        start=start,
        end=end,
        funnel=_funnel(session, cohort),
        median_days=_median_days(session, where, start, end),
        landed={key: _grouped(frame, key, lookups[key]) for key in DIMENSIONS},
        landed_by_quarter=sorted(_grouped(frame, "quarter", str), key=lambda x: x.name),
    )


EXPORT_HEADERS = ["分组", "名称", "项目数", "计划投资额（万元）", "已到资（万元）"]


def export_rows(result: Evaluation) -> list[list[Any]]:
    """The evaluation as one table: funnel, time in stage, landed by dimension and quarter."""
    rows: list[list[Any]] = []
    for step in result.funnel:
        conversion = f"{step.conversion:.0%}" if step.conversion is not None else ""
        rows.append(
            [
                "漏斗（转化率 " + (conversion or "—") + "）",
                step.label,
                step.count,
                step.amount,
                None,
            ]
        )
    for label, days, stays in result.median_days:
        rows.append(["阶段停留中位天数", label, stays, days, None])
    for key, title in DIMENSIONS.items():
        for landed in result.landed[key]:
            rows.append(
                [f"落地·按{title}", landed.name, landed.count, landed.planned, landed.arrived]
            )
    for landed in result.landed_by_quarter:
        rows.append(["落地·按季度", landed.name, landed.count, landed.planned, landed.arrived])
    return rows
