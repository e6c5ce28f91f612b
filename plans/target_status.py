"""Where a target stands: share reached, share of time elapsed, projection and status."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from plans.target_series import series
from plans.targets import (
    Comparator,
    Plan,
    ReportedValue,
    Target,
    TargetForm,
    TargetKind,
    goal,
)

RISK_MARGIN = 0.9  # a projection within 10 % of the target is "at risk", not "behind"
APPROX_TOLERANCE = 0.05  # "about 70 %" (左右) is met from 66.5 on


class Status(StrEnum):
    """A target's status."""

    achieved = "achieved"
    on_track = "on_track"
    at_risk = "at_risk"
    behind = "behind"
    no_data = "no_data"


STATUS_LABELS = {
    Status.achieved: "已达成",
    Status.on_track: "按期推进",
    Status.at_risk: "有风险",
    Status.behind: "滞后",
    Status.no_data: "暂无数据",
}
RULE = (
    "已达成：截至今天（期限已过则截至期限）的值满足目标。按期推进：从基期值到当前值的进度"
    "按时间线性外推，到期限时满足目标。有风险：外推值与目标相差不超过 10%。滞后：相差超过 10%，"
    "或期限已过仍未满足。“左右”（≈）目标达到其 95% 即为满足；"
    "区间目标（如 1—2 家）达到下限即为满足；"
    "相对目标（如在基期基础上翻一番）以基期值乘以倍数为目标，基期值未填报时暂无数据；"
    "里程碑目标填报 1 表示已完成，期限前未完成为按期推进，期限已过仍未完成为滞后。"
)


def meets(value: float, target: float, comparator: Comparator) -> bool:
    """Whether a value satisfies a target."""
    if comparator == Comparator.ge:
        return value >= target
    if comparator == Comparator.gt:
        return value > target
    if comparator == Comparator.le:
        return value <= target
    return value >= target * (1 - APPROX_TOLERANCE)


def near(value: float, target: float, comparator: Comparator) -> bool:
    """Whether a value that misses the target is within the risk margin of it."""
    if comparator == Comparator.le:
        return value <= target / RISK_MARGIN
    return value >= target * RISK_MARGIN


@dataclass(frozen=True)
class Progress:
    """A target's standing on a day."""

    target: Target
    plan: Plan
    value: float | None
    judged_on: date
    reached: float | None
    elapsed: float
    projection: float | None
    status: Status


def standing(
    *, session: Session, target: Target, plan: Plan, today: date, with_trend: bool = False
) -> tuple[Progress, list[tuple[date, float]]]:
    """The target's standing today (after its deadline: at the deadline), and its trend.

    All the values needed are read in one pass (target_series) rather than day by day.
    """
    judged_on = min(today, target.deadline)
    has_baseline = target.baseline_on is not None and target.baseline_value is not None
    start_day = target.baseline_on if has_baseline else plan.period_start - timedelta(days=1)
    assert start_day is not None  # set whenever there is a baseline
    # The trend ends where the value is judged, so a headline and its line share one range.
    trend_days = quarter_ends(plan.period_start, judged_on) if with_trend else []
    days = [start_day, judged_on, *trend_days]
    values = series(session=session, target=target, plan=plan, days=days)
    start_value = target.baseline_value if has_baseline else values[0]
    progress = _judge(target, plan, judged_on, start_day, start_value, values[1])
    trend = [(day, v) for day, v in zip(trend_days, values[2:], strict=True) if v is not None]
    return progress, trend


def assess(*, session: Session, target: Target, plan: Plan, today: date) -> Progress:
    """The target's standing today (after its deadline: as it stood at the deadline)."""
    return standing(session=session, target=target, plan=plan, today=today)[0]


def _judge(
    target: Target,
    plan: Plan,
    judged_on: date,
    start_day: date,
    start_value: float | None,
    value: float | None,
) -> Progress:
    span = max((target.deadline - start_day).days, 1)
    elapsed = min(1.0, max(0.0, (judged_on - start_day).days / span))
    wanted = goal(target)
    if value is None or wanted is None:  # nothing reported, or a relative target's base unknown
        return Progress(target, plan, value, judged_on, None, elapsed, None, Status.no_data)
    reached = value / wanted if wanted else None
    if target.form == TargetForm.milestone:
        # Done or not: no line to project; not done by the deadline is behind.
        done = value >= 1
        status = (
            Status.achieved
            if done
            else (Status.behind if judged_on >= target.deadline else Status.on_track)
        )
        return Progress(target, plan, value, judged_on, 1.0 if done else 0.0, elapsed, None, status)
    projection = value
    if judged_on < target.deadline and start_value is not None and judged_on > start_day:
        slope = (value - start_value) / (judged_on - start_day).days
        projection = value + slope * (target.deadline - judged_on).days
    comparator = Comparator(target.comparator)
    if meets(value, wanted, comparator):
        status = Status.achieved
    elif judged_on >= target.deadline:
        status = Status.behind
    elif meets(projection, wanted, comparator):
        status = Status.on_track
    elif near(projection, wanted, comparator):
        status = Status.at_risk
    else:
        status = Status.behind
    return Progress(target, plan, value, judged_on, reached, elapsed, round(projection, 1), status)


def quarter_ends(first: date, last: date, most: int = 16) -> list[date]:
    """The last day of each quarter from `first` to before `last`, then `last`; the latest few."""
    days = []
    year, month = first.year, ((first.month - 1) // 3 + 1) * 3
    while (end := date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)) < last:
        days.append(end)
        year, month = (year + 1, month - 9) if month == 12 else (year, month + 3)
    return [*days, last][-most:]


def trend(*, session: Session, target: Target, plan: Plan, today: date) -> list[tuple[date, float]]:
    """The target's values up to the day it is judged (today, or its deadline if passed).

    Quarter ends for computed targets, the reports for reported ones.
    """
    if target.kind == TargetKind.reported:
        stmt = (
            select(ReportedValue)
            .where(
                ReportedValue.target_id == target.id,
                col(ReportedValue.as_of) <= min(today, target.deadline),
            )
            .order_by(col(ReportedValue.as_of), col(ReportedValue.id))
        )
        return [(r.as_of, r.value) for r in session.exec(stmt)]
    return standing(session=session, target=target, plan=plan, today=today, with_trend=True)[1]
