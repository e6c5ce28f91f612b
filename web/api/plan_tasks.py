"""Plan tasks and responsible units as JSON: lists, one task with its reports, reporting."""

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import select

from core.db import china_today
from core.errors import NotFound
from core.orgs import UnitKind, list_units
from plans import tasks as plan_tasks
from plans.targets import Plan
from plans.tasks import ProgressFields, TaskStatus, TaskView
from web.deps import CurrentUser, PathId, SessionDep

router = APIRouter(tags=["plan tasks"])


class UnitOut(BaseModel):
    """A responsible unit or named body."""

    id: int
    code: str
    name: str
    kind: UnitKind
    description: str


class ReportOut(BaseModel):
    """A progress report."""

    on: date
    text: str
    status: TaskStatus
    reporter_name: str


class TaskOut(BaseModel):
    """A key task of a plan with its units, deadline and status."""

    id: int
    plan: str
    code: str
    section: str
    title: str
    summary: str
    lead: list[str]
    cooperating: list[str]
    deadline: date
    status: TaskStatus
    version: int
    overdue: bool
    reports: list[ReportOut]


def _out(v: TaskView) -> TaskOut:
    t = v.task
    return TaskOut(
        id=t.id or 0,
        plan=v.plan.code,
        code=t.code,
        section=t.section,
        title=t.title,
        summary=t.summary,
        lead=[u.name for u in v.lead],
        cooperating=[u.name for u in v.cooperating],
        deadline=t.deadline,
        status=t.status,
        version=t.version,
        overdue=v.overdue,
        reports=[ReportOut.model_validate(r, from_attributes=True) for r in v.reports],
    )


@router.get("/units")
def units(session: SessionDep, user: CurrentUser) -> list[UnitOut]:
    """The responsible units and named bodies of the plans."""
    return [UnitOut.model_validate(u, from_attributes=True) for u in list_units(session=session)]


@router.get("/plans/{code}/tasks")
def tasks_of_plan(code: str, session: SessionDep, user: CurrentUser) -> list[TaskOut]:
    """A plan's key tasks."""
    plan = session.exec(select(Plan).where(Plan.code == code)).first()
    if plan is None:
        raise NotFound(f"规划 {code} 不存在")
    return [_out(v) for v in plan_tasks.of_plan(session=session, plan=plan, today=china_today())]


@router.get("/tasks/mine")
def my_tasks(session: SessionDep, user: CurrentUser) -> list[TaskOut]:
    """The tasks the user's unit leads or co-operates on (none without a unit)."""
    if user.unit_id is None:
        return []
    views = plan_tasks.of_unit(session=session, unit_id=user.unit_id, today=china_today())
    return [_out(v) for v in views]


@router.get("/tasks/{task_id}")
def task(task_id: PathId, session: SessionDep, user: CurrentUser) -> TaskOut:
    """A task with its reports, newest first."""
    row = plan_tasks.get(session=session, task_id=task_id)
    return _out(plan_tasks.detail(session=session, task=row, today=china_today()))


@router.post("/tasks/{task_id}/reports", status_code=201)
def report(
    task_id: PathId, data: ProgressFields, session: SessionDep, user: CurrentUser
) -> TaskOut:
    """Report progress on a task (its lead units' members, admins); send the version read."""
    row = plan_tasks.get(session=session, task_id=task_id)
    plan_tasks.report(session=session, actor=user, task=row, data=data, today=china_today())
    return _out(plan_tasks.detail(session=session, task=row, today=china_today()))
