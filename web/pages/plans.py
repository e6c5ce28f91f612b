"""Plans as pages: the list (in force, not begun, 历史规划), one plan with its targets, and the
forms that write them (new plan, new target, copy into a new period, import from a sheet)."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core import permissions
from core.accounts import User
from core.db import china_today
from core.errors import FieldErrors
from core.spreadsheet import CSV_TYPE, write_csv
from core.validation import parse
from plans import dashboard, figures, plan_writing, target_import
from plans.plan_writing import PLAN_LABELS, TARGET_LABELS, PlanFields, TargetFields
from plans.target_status import RULE, STATUS_LABELS
from plans.targets import COMPARATOR_LABELS, KIND_LABELS, Plan, goal_text
from web.deps import CurrentUser, FormDep, SessionDep
from web.downloads import attachment
from web.pages.imports import read_upload
from web.render import render

router = APIRouter()
COMMON = {
    "status_labels": STATUS_LABELS,
    "comparator_labels": COMPARATOR_LABELS,
    "kind_labels": KIND_LABELS,
    "goal": goal_text,
    "rule": RULE,
}


def _list_page(
    request: Request,
    session: Session,
    user: User,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    today = china_today()
    every = plan_writing.get_all(session=session)
    context = {
        "current": [p for p in every if p.in_force(today)],
        "coming": [p for p in every if p.period_start.year > today.year],
        "history": dashboard.history(session=session, day=today),
        "can_edit": permissions.can_edit_plans(user),
        "errors": errors or {},
        "values": values or {"period_start_year": str(today.year)},
        "labels": PLAN_LABELS,
        "today": today,
    }
    return render(request, "plans/index.html", context, status_code=422 if errors else 200)


@router.get("/plans")
def plans_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The plans in force today, those not begun, and the ended ones with their final standing."""
    return _list_page(request, session, user)


@router.post("/plans")
def create_plan(
    request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Create a plan (admins and leaders)."""
    permissions.ensure_can_edit_plans(user)
    values = {k: str(form.get(k) or "").strip() for k in PlanFields.model_fields}
    try:
        data = parse(PlanFields, {k: v for k, v in values.items() if v}, PLAN_LABELS)
        plan = plan_writing.create(session=session, actor=user, data=data)
    except FieldErrors as exc:
        return _list_page(request, session, user, exc.errors, values)
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


def _plan_page(
    request: Request,
    session: Session,
    user: User,
    plan: Plan,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    today = china_today()
    standing = {
        item.target.id: item
        for item in dashboard.progress(session=session, day=today)
        if item.plan.id == plan.id
    }
    years = list(range(plan.period_start.year, plan.period_end.year + 1))
    context = {
        "plan": plan,
        "rows": [
            (t, standing.get(t.id), figures.of_definition(t.definition))
            for t in plan_writing.targets_of(session=session, plan=plan)
        ],
        "years": years,
        "figures": list(figures.FIGURES.values()),
        "can_edit": permissions.can_edit_plans(user),
        "errors": errors or {},
        "values": values or {"deadline_year": str(plan.period_end.year)},
        "labels": TARGET_LABELS | {"start_year": "新规划起始年份", "copy_name": "新规划名称"},
        "state": _state(plan, today),
        "today": today,
        **COMMON,
    }
    return render(request, "plans/detail.html", context, status_code=422 if errors else 200)


def _state(plan: Plan, today: date) -> str:
    if plan.in_force(today):
        return "现行"
    return "未开始" if plan.period_start.year > today.year else "已结束"


@router.get("/plans/{plan_id:int}")
def plan_page(plan_id: int, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """A plan: its period, source text and targets with their standing and milestones."""
    return _plan_page(request, session, user, plan_writing.get(session=session, plan_id=plan_id))


def _target_values(form: Any, years: list[int]) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's raw values (to show again) and the input for TargetFields."""
    names = [k for k in TargetFields.model_fields if k not in ("milestones", "headline")]
    raw = {k: str(form.get(k) or "").strip() for k in names}
    raw |= {f"milestone_{y}": str(form.get(f"milestone_{y}") or "").strip() for y in years}
    data: dict[str, Any] = {k: v for k, v in raw.items() if v and k in names}
    data["headline"] = bool(form.get("headline"))
    milestones: dict[str, str] = {}
    for year in years:
        if raw[f"milestone_{year}"]:
            milestones[str(year)] = raw[f"milestone_{year}"]
    data["milestones"] = milestones
    return raw, data


@router.post("/plans/{plan_id:int}/targets")
def add_target(
    plan_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add a target to the plan (admins and leaders)."""
    permissions.ensure_can_edit_plans(user)
    plan = plan_writing.get(session=session, plan_id=plan_id)
    years = list(range(plan.period_start.year, plan.period_end.year + 1))
    raw, data = _target_values(form, years)
    try:
        fields = parse(TargetFields, data, TARGET_LABELS)
        plan_writing.add_target(session=session, actor=user, plan=plan, data=fields)
    except FieldErrors as exc:
        errors = {k.split(".")[0]: v for k, v in exc.errors.items()}
        return _plan_page(request, session, user, plan, errors, raw)
    return RedirectResponse(f"/plans/{plan.id}#targets", status_code=303)


@router.post("/plans/{plan_id:int}/copy")
def copy_plan(
    plan_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Copy the plan and its targets into a new period (admins and leaders)."""
    permissions.ensure_can_edit_plans(user)
    plan = plan_writing.get(session=session, plan_id=plan_id)
    raw = {k: str(form.get(k) or "").strip() for k in ("start_year", "copy_name")}
    try:
        if not raw["start_year"].isdigit():
            raise FieldErrors({"start_year": "新规划起始年份须为整数"})
        new = plan_writing.copy(
            session=session,
            actor=user,
            plan=plan,
            start_year=int(raw["start_year"]),
            name=raw["copy_name"][:200],
        )
    except FieldErrors as exc:
        return _plan_page(request, session, user, plan, exc.errors, raw)
    return RedirectResponse(f"/plans/{new.id}", status_code=303)


@router.post("/plans/{plan_id:int}/import")
def import_targets(
    plan_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add the targets of an uploaded sheet to the plan, all or none (admins and leaders)."""
    permissions.ensure_can_edit_plans(user)
    plan = plan_writing.get(session=session, plan_id=plan_id)
    try:
        filename, content = read_upload(form.get("file"))
        target_import.import_targets(
            session=session, actor=user, plan=plan, filename=filename, content=content
        )
    except FieldErrors as exc:
        return _plan_page(request, session, user, plan, {"import": "；".join(exc.errors.values())})
    return RedirectResponse(f"/plans/{plan.id}#targets", status_code=303)


@router.get("/plans/targets-template.csv")
def targets_template(user: CurrentUser) -> Response:
    """A sheet to fill in with a plan's targets (the import reads these headers)."""
    year = china_today().year
    headers = [*target_import.TEMPLATE_HEADERS, f"{year}年", f"{year + 1}年"]
    example = ["高新技术企业数量", "家", "4000", "≥", str(year + 2), "high-tech", "管委会", "", ""]
    name = "规划目标导入模板.csv"
    return Response(
        write_csv(headers, [example]),
        media_type=CSV_TYPE,
        headers={"Content-Disposition": attachment(name)},
    )
