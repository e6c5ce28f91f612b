"""Plans and targets as JSON: standing, history, breakdowns, reported values."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from core.db import china_today
from plans import dashboard, target_status, targets
from plans.target_status import Progress, Status
from plans.targets import Comparator, Plan, ReportFields, TargetKind
from web.deps import CurrentUser, SessionDep

router = APIRouter(tags=["targets"])


class TargetOut(BaseModel):
    """A target and where it stands."""

    code: str
    plan: str
    name: str
    unit: str
    kind: TargetKind
    comparator: Comparator
    target_value: float
    deadline: date
    value: float | None
    judged_on: date
    reached: float | None
    elapsed: float
    projection: float | None
    status: Status


class PointOut(BaseModel):
    """A value on a day."""

    on: date
    value: float


class ReportedOut(ReportFields):
    """A reported value and who entered it."""

    checks_input = False  # shows what is stored (see core.validation.Input)

    reporter_name: str


def _out(item: Progress) -> TargetOut:
    t = item.target
    return TargetOut(
        code=t.code,
        plan=item.plan.code,
        name=t.name,
        unit=t.unit,
        kind=TargetKind(t.kind),
        comparator=Comparator(t.comparator),
        target_value=t.target_value,
        deadline=t.deadline,
        value=item.value,
        judged_on=item.judged_on,
        reached=item.reached,
        elapsed=item.elapsed,
        projection=item.projection,
        status=item.status,
    )


@router.get("/targets")
def list_targets(
    session: SessionDep,
    user: CurrentUser,
    plan: Annotated[str, Query(description="plan code, e.g. 003")] = "",
    on: Annotated[date | None, Query(description="judge as of this day (default today)")] = None,
) -> list[TargetOut]:
    """Targets with current value, share reached, time elapsed, projection and status."""
    items = dashboard.progress(session=session, day=on or china_today())
    return [_out(i) for i in items if not plan or i.plan.code == plan]


@router.get("/targets/{code}/history")
def target_history(code: str, session: SessionDep, user: CurrentUser) -> list[PointOut]:
    """The target's values over time: quarter ends (computed) or the reports (reported)."""
    target = targets.get_by_code(session=session, code=code)
    plan = session.get(Plan, target.plan_id)
    assert plan is not None  # a target always belongs to a plan
    points = target_status.trend(session=session, target=target, plan=plan, today=china_today())
    return [PointOut(on=day, value=value) for day, value in points]


@router.post("/targets/{code}/values", status_code=201)
def report_value(
    code: str, session: SessionDep, user: CurrentUser, data: ReportFields
) -> ReportedOut:
    """Enter a reported target's value (admins)."""
    target = targets.get_by_code(session=session, code=code)
    row = targets.report(session=session, actor=user, target=target, data=data)
    return ReportedOut.model_validate(row, from_attributes=True)
