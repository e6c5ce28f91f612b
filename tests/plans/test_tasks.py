"""Plan tasks: units, a unit's own tasks, overdue tasks, progress reported by the lead unit."""

from datetime import date

import pytest
from sqlmodel import Session, select

from core import users
from core.accounts import Role, User
from core.audit import AuditEntry
from core.errors import Conflict, FieldErrors, PermissionDenied
from core.orgs import OrgUnit
from plans import tasks as plan_tasks
from plans.targets import Plan
from plans.tasks import PlanTask, ProgressFields, TaskStatus
from tests.factories import make_user

TODAY = date(2026, 12, 4)


def _unit(session: Session, code: str) -> OrgUnit:
    return session.exec(select(OrgUnit).where(OrgUnit.code == code)).one()


def _task(session: Session, code: str) -> PlanTask:
    return session.exec(select(PlanTask).where(PlanTask.code == code)).one()


def _member(session: Session, code: str) -> User:
    admin = make_user(session, Role.admin)
    member = make_user(session, Role.viewer)
    return users.set_unit(
        session=session, actor=admin, user_id=member.id or 0, unit_id=_unit(session, code).id
    )


def test_plan_003_has_its_twenty_tasks_with_their_units(session: Session) -> None:
    plan = session.exec(select(Plan).where(Plan.code == "003")).one()
    views = plan_tasks.of_plan(session=session, plan=plan, today=date(2023, 1, 1))
    assert len(views) == 20 and not any(v.overdue for v in views)
    first = views[0]
    assert first.task.section == "二(四)" and [u.name for u in first.lead] == ["佛山高新区管委会"]
    assert "市财政局" in [u.name for u in first.cooperating]
    finance = next(v for v in views if v.task.section == "七(三)")
    assert [u.name for u in finance.lead][:2] == ["市财政局", "佛山高新区管委会"]
    guidance = next(v for v in views if v.task.section == "七(一)")
    assert guidance.task.units_note == "本方案二至六部分涉及的牵头单位和配合单位"


def test_a_unit_sees_the_tasks_it_leads_or_co_operates_on(session: Session) -> None:
    mine = plan_tasks.of_unit(
        session=session, unit_id=_unit(session, "city-finance").id or 0, today=TODAY
    )
    sections = {v.task.section for v in mine}
    assert "七(三)" in sections and "二(四)" in sections  # leads one, co-operates on the other
    assert "四(二)" not in sections


def test_the_lead_unit_reports_progress_and_the_task_leaves_the_overdue_list(
    session: Session,
) -> None:
    task = _task(session, "003-task-17")
    assert task.id in {v.task.id for v in plan_tasks.overdue(session=session, today=TODAY)}
    member = _member(session, "city-finance")
    data = ProgressFields(on=date(2026, 11, 30), text="专项资金已落实到位", status=TaskStatus.done)
    plan_tasks.report(session=session, actor=member, task=task, data=data, today=TODAY)
    assert task.status == TaskStatus.done and task.version == 2
    assert task.id not in {v.task.id for v in plan_tasks.overdue(session=session, today=TODAY)}
    view = plan_tasks.detail(session=session, task=task, today=TODAY)
    assert [r.text for r in view.reports] == ["专项资金已落实到位"]
    logged = session.exec(
        select(AuditEntry).where(AuditEntry.object_type.in_(["task_report", "plan_task"]))  # type: ignore[attr-defined]
    ).all()
    assert {e.object_type for e in logged} == {"task_report", "plan_task"}


def test_others_may_not_report_and_a_stale_version_is_a_conflict(session: Session) -> None:
    task = _task(session, "003-task-17")
    data = ProgressFields(on=date(2026, 11, 30), text="进展", status=TaskStatus.in_progress)
    with pytest.raises(PermissionDenied):  # co-operating, not leading
        plan_tasks.report(
            session=session,
            actor=_member(session, "chancheng-bureau"),
            task=task,
            data=data,
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):  # no unit at all
        plan_tasks.report(
            session=session,
            actor=make_user(session, Role.leader),
            task=task,
            data=data,
            today=TODAY,
        )
    admin = make_user(session, Role.admin)
    plan_tasks.report(session=session, actor=admin, task=task, data=data, today=TODAY)
    stale = data.model_copy(update={"version": 1, "status": TaskStatus.blocked})
    with pytest.raises(Conflict):
        plan_tasks.report(session=session, actor=admin, task=task, data=stale, today=TODAY)
    future = data.model_copy(update={"on": date(2027, 1, 1)})
    with pytest.raises(FieldErrors):
        plan_tasks.report(session=session, actor=admin, task=task, data=future, today=TODAY)


def test_an_account_joins_a_unit_only_by_an_admin(session: Session) -> None:
    viewer = make_user(session, Role.viewer)
    with pytest.raises(PermissionDenied):
        users.set_unit(session=session, actor=viewer, user_id=viewer.id or 0, unit_id=1)
    with pytest.raises(FieldErrors):
        users.set_unit(
            session=session,
            actor=make_user(session, Role.admin),
            user_id=viewer.id or 0,
            unit_id=999999,
        )
