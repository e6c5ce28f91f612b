"""Plan tasks (重点任务分工, 督办) and the responsible units, as pages."""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from core import permissions, provenance
from core.db import china_today
from core.errors import Conflict, FieldErrors, NotFound
from core.orgs import UNIT_KIND_LABELS, list_units
from core.validation import parse
from plans import tasks as plan_tasks
from plans.targets import Plan
from plans.tasks import PROGRESS_LABELS, TASK_STATUS_LABELS, ProgressFields
from web.deps import CurrentUser, FormDep, SessionDep
from web.render import render

router = APIRouter()


@router.get("/units")
def units_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The responsible units and named bodies, with the plan's words that name each."""
    units = list_units(session=session)
    bases = provenance.of(session=session, object_type="org_unit")
    context = {"units": units, "bases": bases, "kind_labels": UNIT_KIND_LABELS}
    return render(request, "tasks/units.html", context)


def _plan(session: SessionDep, code: str) -> Plan:
    plan = session.exec(select(Plan).where(Plan.code == code)).first()
    if plan is None:
        raise NotFound(f"规划 {code} 不存在")
    return plan


def _list(
    request: Request, title: str, views: list[plan_tasks.TaskView], **extra: object
) -> Response:
    context = {"title": title, "views": views, "status_labels": TASK_STATUS_LABELS} | extra
    return render(request, "tasks/list.html", context)


@router.get("/plans/{code}/tasks")
def plan_tasks_page(
    code: str, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """A plan's key tasks with their units, deadline, status and latest report."""
    plan = _plan(session, code)
    views = plan_tasks.of_plan(session=session, plan=plan, today=china_today())
    return _list(request, f"{plan.name} · 重点任务分工", views, plan=plan)


@router.get("/tasks/mine")
def my_tasks_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The tasks the user's unit leads or co-operates on."""
    views = (
        plan_tasks.of_unit(session=session, unit_id=user.unit_id, today=china_today())
        if user.unit_id is not None
        else []
    )
    return _list(request, "本单位任务", views, no_unit=user.unit_id is None)


def _task_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    task_id: int,
    values: Mapping[str, object],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    today = china_today()
    task = plan_tasks.get(session=session, task_id=task_id)
    view = plan_tasks.detail(session=session, task=task, today=today)
    context = {
        "v": view,
        "stated": provenance.one(session=session, object_type="plan_task", object_id=task_id),
        "status_labels": TASK_STATUS_LABELS,
        "may_report": permissions.can_report_task(user, view.lead_ids),
        "values": {"on": today.isoformat(), "status": task.status, "version": task.version}
        | dict(values),
        "errors": errors,
        "labels": PROGRESS_LABELS,
    }
    return render(request, "tasks/detail.html", context, status_code=status)


@router.get("/tasks/{task_id:int}")
def task_page(task_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """A task: what the plan asks, its units, its reports; the lead unit reports progress."""
    return _task_page(request, session, user, task_id, {}, {})


@router.post("/tasks/{task_id:int}/reports")
def report_progress(
    task_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add a progress report (lead unit members, admins)."""
    task = plan_tasks.get(session=session, task_id=task_id)
    lead = plan_tasks.detail(session=session, task=task, today=china_today()).lead_ids
    permissions.ensure_can_report_task(user, lead)  # before the form is judged
    values = {k: str(form.get(k, "")) for k in ("on", "text", "status", "version")}
    if not values["version"]:
        del values["version"]
    try:
        data = parse(ProgressFields, values, PROGRESS_LABELS)
        plan_tasks.report(session=session, actor=user, task=task, data=data, today=china_today())
    except FieldErrors as exc:
        return _task_page(request, session, user, task_id, values, exc.errors, status=422)
    except Conflict as exc:
        values["version"] = str(task.version)
        return _task_page(request, session, user, task_id, values, {"version": exc.message}, 409)
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)
