"""A target's values on many days at once: one query, then arithmetic per day.

The same definitions as target_values.value_on, which answers for one day (and one park) in SQL;
trends and standings need a dozen days, and reading the history once is far cheaper than a
dozen counting queries over a million events.
"""

from bisect import bisect_right
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col

from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage
from enterprises.registry.models import Enterprise
from plans.target_values import output_shares
from plans.targets import (
    Plan,
    ReportedValue,
    Target,
    TargetKind,
)


def _designations(definition: dict[str, Any]) -> Any:
    codes = definition.get("designations", [])
    return sa.select(col(Designation.id)).where(col(Designation.code).in_(codes))


def _recognised(session: Session, target: Target, plan: Plan, days: list[date]) -> list[float]:
    """Cumulative: firms whose first recognition since the start falls on or before each day."""
    definition = target.definition or {}
    since = date.fromisoformat(definition.get("since") or plan.period_start.isoformat())
    firsts = sorted(
        session.execute(
            sa.select(func.min(col(CultivationEvent.on)))
            .join(Cultivation, col(Cultivation.id) == CultivationEvent.cultivation_id)
            .where(
                col(Cultivation.designation_id).in_(_designations(definition)),
                col(CultivationEvent.to_stage) == Stage.recognised,
                col(CultivationEvent.on) >= since,
            )
            .group_by(col(Cultivation.enterprise_id))
        ).scalars()
    )
    return [float(bisect_right(firsts, day)) for day in days]


def _holding(session: Session, target: Target, days: list[date]) -> list[float]:
    """Firms whose cultivation stood recognised and valid at the end of each day."""
    definition = target.definition or {}
    following = (
        func.lead(col(CultivationEvent.on), type_=sa.Date)
        .over(
            partition_by=col(CultivationEvent.cultivation_id),
            order_by=(col(CultivationEvent.on), col(CultivationEvent.id)),
        )
        .label("until")
    )
    spans: Any = (
        sa.select(
            col(Cultivation.enterprise_id).label("firm"),
            col(CultivationEvent.to_stage).label("stage"),
            col(CultivationEvent.on).label("since"),
            col(CultivationEvent.valid_until).label("valid_until"),
            following,
        )
        .join(Cultivation, col(Cultivation.id) == CultivationEvent.cultivation_id)
        .where(col(Cultivation.designation_id).in_(_designations(definition)))
    )
    if definition.get("above_size"):
        spans = spans.join(Enterprise, col(Enterprise.id) == Cultivation.enterprise_id).where(
            col(Enterprise.above_size)
        )
    inner = spans.subquery()
    rows = session.execute(
        sa.select(inner.c.firm, inner.c.since, inner.c.until, inner.c.valid_until).where(
            inner.c.stage == Stage.recognised.value
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["firm", "since", "until", "valid_until"])
    values = []
    for day in days:
        held = (
            (frame["since"] <= day)
            & (frame["until"].isna() | (frame["until"] > day))
            & (frame["valid_until"].isna() | (frame["valid_until"] >= day))
        )
        values.append(float(frame.loc[held, "firm"].nunique()))
    return values


def _reported(session: Session, target: Target, days: list[date]) -> list[float | None]:
    reports = session.execute(
        sa.select(col(ReportedValue.as_of), col(ReportedValue.value))
        .where(col(ReportedValue.target_id) == target.id)
        .order_by(col(ReportedValue.as_of), col(ReportedValue.id))
    ).all()
    dates = [on for on, _ in reports]
    found: list[float | None] = []
    for day in days:
        index = bisect_right(dates, day)
        found.append(reports[index - 1][1] if index else None)
    return found


def series(*, session: Session, target: Target, plan: Plan, days: list[date]) -> list[float | None]:
    """The target's value at the end of each day."""
    if target.kind == TargetKind.reported:
        return _reported(session, target, days)
    measure = (target.definition or {}).get("measure")
    if measure == "recognised":
        return list(_recognised(session, target, plan, days))
    if measure == "holding":
        return list(_holding(session, target, days))
    return output_shares(session=session, days=days)
