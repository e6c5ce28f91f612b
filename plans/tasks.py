"""A plan's key tasks (重点任务分工) and their supervision (督办).

Every plan ends in a table of tasks, each with lead units (牵头单位), co-operating units
(配合单位) and a deadline; the leaders' office follows them through dated progress reports
from the lead units. A task's status moves with its reports; a task past its deadline and
not done is overdue. Reports are only added; the task carries a version (core.locking) so
two units reporting at once both land, one after the other, each on the status it saw.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, locking, permissions
from core.accounts import User
from core.db import enum_column, require_id, utcnow
from core.errors import FieldErrors, NotFound
from core.orgs import OrgUnit
from core.validation import Input
from plans.targets import Plan


class TaskStatus(StrEnum):
    """Where a task stands, as its lead unit last reported."""

    pending = "pending"
    in_progress = "in_progress"
    blocked = "blocked"
    done = "done"


TASK_STATUS_LABELS = {
    TaskStatus.pending: "未启动",
    TaskStatus.in_progress: "推进中",
    TaskStatus.blocked: "受阻",
    TaskStatus.done: "已完成",
}


class PlanTask(SQLModel, table=True):
    """One key task of a plan, with its deadline and status."""

    __tablename__ = "plan_task"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=40, unique=True)
    section: str = Field(default="", max_length=40, description="the plan's section, e.g. 三(一)")
    title: str = Field(max_length=120)
    summary: str = Field(default="", description="what the plan asks, in its words")
    units_note: str = Field(default="", max_length=200, description="units named only by phrase")
    deadline: date
    status: TaskStatus = Field(default=TaskStatus.pending, sa_type=enum_column(TaskStatus, 20))
    position: int = 0
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)


class PlanTaskUnit(SQLModel, table=True):
    """A lead or co-operating unit of a task."""

    __tablename__ = "plan_task_unit"

    task_id: int = Field(foreign_key="plan_task.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="org_unit.id", primary_key=True, index=True)
    role: str = Field(max_length=20, description="lead or cooperating")
    position: int = 0


class TaskReport(SQLModel, table=True):
    """A dated progress report on a task; rows are only added."""

    __tablename__ = "task_report"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="plan_task.id", index=True, ondelete="CASCADE")
    on: date
    text: str = Field(max_length=1000)
    status: TaskStatus = Field(sa_type=enum_column(TaskStatus, 20))
    reporter_id: int | None = Field(default=None, foreign_key="app_user.id")
    reporter_name: str = Field(default="", max_length=60)
    recorded_at: datetime = Field(default_factory=utcnow)


class ProgressFields(Input):
    """A progress report: its date, what was done, the status after it."""

    on: date
    text: str = Field(min_length=2, max_length=1000)
    status: TaskStatus
    version: int | None = Field(default=None, ge=1, le=1_000_000_000)


PROGRESS_LABELS = {
    "on": "报送日期",
    "text": "进展情况",
    "status": "任务状态",
    "version": "版本",
}


@dataclass
class TaskView:
    """A task with its units, whether it is overdue, and (on its page) its reports."""

    task: PlanTask
    plan: Plan
    lead: list[OrgUnit]
    cooperating: list[OrgUnit]
    overdue: bool
    last_report: TaskReport | None = None
    reports: list[TaskReport] = field(default_factory=list)

    @property
    def lead_ids(self) -> set[int]:
        return {u.id for u in self.lead if u.id is not None}


def is_overdue(task: PlanTask, today: date) -> bool:
    """Past its deadline and not done."""
    return task.deadline < today and task.status != TaskStatus.done


def get(*, session: Session, task_id: int) -> PlanTask:
    """Return a task or raise NotFound."""
    task = session.get(PlanTask, task_id)
    if task is None:
        raise NotFound(f"任务 {task_id} 不存在")
    return task


def _views(session: Session, tasks: list[PlanTask], today: date) -> list[TaskView]:
    """Attach units, plans and latest reports to tasks in three reads, not three per task."""
    ids = [require_id(t) for t in tasks]
    if not ids:
        return []
    units: dict[int, list[tuple[str, OrgUnit]]] = {i: [] for i in ids}
    stmt = (
        select(PlanTaskUnit, OrgUnit)
        .join(OrgUnit, col(OrgUnit.id) == PlanTaskUnit.unit_id)
        .where(col(PlanTaskUnit.task_id).in_(ids))
        .order_by(col(PlanTaskUnit.position))
    )
    for link, unit in session.exec(stmt):
        units[link.task_id].append((link.role, unit))
    latest: dict[int, TaskReport] = {}
    reports = select(TaskReport).where(col(TaskReport.task_id).in_(ids))
    for report in session.exec(reports.order_by(col(TaskReport.on), col(TaskReport.id))):
        latest[report.task_id] = report
    plans = {p.id: p for p in session.exec(select(Plan))}
    return [
        TaskView(
            task=t,
            plan=plans[t.plan_id],
            lead=[u for r, u in units[require_id(t)] if r == "lead"],
            cooperating=[u for r, u in units[require_id(t)] if r != "lead"],
            overdue=is_overdue(t, today),
            last_report=latest.get(require_id(t)),
        )
        for t in tasks
    ]


def of_plan(*, session: Session, plan: Plan, today: date) -> list[TaskView]:
    """A plan's tasks in the plan's order."""
    stmt = select(PlanTask).where(PlanTask.plan_id == plan.id)
    tasks = list(session.exec(stmt.order_by(col(PlanTask.position), col(PlanTask.id))))
    return _views(session, tasks, today)


def of_unit(*, session: Session, unit_id: int, today: date) -> list[TaskView]:
    """The tasks a unit leads or co-operates on."""
    mine = select(PlanTaskUnit.task_id).where(PlanTaskUnit.unit_id == unit_id)
    stmt = select(PlanTask).where(col(PlanTask.id).in_(mine))
    tasks = list(session.exec(stmt.order_by(col(PlanTask.plan_id), col(PlanTask.position))))
    return _views(session, tasks, today)


def overdue(*, session: Session, today: date) -> list[TaskView]:
    """Tasks past their deadline and not done, the longest overdue first."""
    stmt = select(PlanTask).where(
        col(PlanTask.deadline) < today, col(PlanTask.status) != TaskStatus.done
    )
    tasks = list(session.exec(stmt.order_by(col(PlanTask.deadline), col(PlanTask.position))))
    return _views(session, tasks, today)


def detail(*, session: Session, task: PlanTask, today: date) -> TaskView:
    """A task with all its reports, newest first."""
    view = _views(session, [task], today)[0]
    stmt = select(TaskReport).where(TaskReport.task_id == task.id)
    view.reports = list(
        session.exec(stmt.order_by(col(TaskReport.on).desc(), col(TaskReport.id).desc()))
    )
    return view


def report(
    *, session: Session, actor: User, task: PlanTask, data: ProgressFields, today: date
) -> TaskReport:
    """Add a progress report and set the task's status (its lead units' members, admins)."""
    locking.claim(session, task, data.version, label=f"任务“{task.title}”", current=["status"])
    lead = _views(session, [task], today)[0].lead_ids
    permissions.ensure_can_report_task(actor, lead)
    if data.on > today:
        raise FieldErrors({"on": "报送日期不能晚于今天"})
    row = TaskReport(
        task_id=require_id(task),
        on=data.on,
        text=data.text,
        status=data.status,
        reporter_id=actor.id,
        reporter_name=actor.display_name or actor.username,
    )
    session.add(row)
    before = audit.snapshot(task, ["status"])
    task.status = data.status  # the claim bumps the version and stamps updated_at
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=row,
        label=f"{task.title} 进展",
        after=audit.snapshot(row, ["on", "text", "status"]),
    )
    old, new = audit.changed(before, audit.snapshot(task, ["status"]))
    if new:
        audit.record(
            session=session,
            actor=actor,
            action="update",
            obj=task,
            label=task.title,
            before=old,
            after=new,
        )
    return row
