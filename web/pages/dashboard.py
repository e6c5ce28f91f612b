"""The leaders' dashboard (驾驶舱), the targets pages and reported-value entry."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from chains import service as chain_service
from core import audit, permissions
from core.accounts import User
from core.db import china_today
from core.errors import FieldErrors
from core.orgs import Park, ParkKind
from core.spreadsheet import XLSX_TYPE, write_workbook
from core.validation import parse
from enterprises.projects.leads import LEAD_STAGE_LABELS
from plans import dashboard, target_shares, target_status, target_values, targets
from plans import monthly_report as monthly_report_service
from plans import tasks as plan_tasks
from plans.target_status import RULE, STATUS_LABELS, Progress
from plans.targets import (
    COMPARATOR_LABELS,
    KIND_LABELS,
    REPORT_LABELS,
    Plan,
    ReportFields,
    Target,
    TargetKind,
    goal_text,
)
from web.deps import CurrentUser, FormDep, SessionDep
from web.downloads import attachment
from web.render import render

router = APIRouter()
LABELS = {
    "status_labels": STATUS_LABELS,
    "comparator_labels": COMPARATOR_LABELS,
    "kind_labels": KIND_LABELS,
    "rule": RULE,
    "goal": goal_text,
}


def trend_chart(item: Progress, points: list[tuple[date, float]]) -> dict[str, Any] | None:
    """The data of a target's trend line, or None when there is nothing to draw."""
    if not points:
        return None
    return {
        "kind": "trend",
        "name": item.target.name,
        "x": [day.isoformat() for day, _ in points],
        "y": [value for _, value in points],
        "target": item.target.target_value,
    }


def chain_chart(rows: list[dashboard.ChainRow]) -> dict[str, Any] | None:
    """Bars comparing the chains, or None on an empty registry."""
    if not any(r.firms for r in rows):
        return None
    return {
        "kind": "bars",
        "categories": [r.name for r in rows],
        "series": [
            {"name": "高成长企业（有效）", "data": [r.high_growth for r in rows]},
            {"name": "高新技术企业", "data": [r.high_tech for r in rows]},
            {"name": "在谈项目", "data": [r.open_leads for r in rows]},
        ],
    }


@router.get("/dashboard")
def dashboard_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Headline targets, park ranking, chain comparison and this month's changes."""
    today = china_today()
    standings = dashboard.standings(session=session, day=today)
    year_start = today.replace(month=1, day=1)
    chains = dashboard.chain_table(session=session, day=today, year_start=year_start)
    first, last = dashboard.month_bounds(None, today)
    context = {
        "today": today,
        "headline": [
            (item, trend_chart(item, points))
            for item, points in dashboard.in_force(standings, today)
            if item.target.headline
        ],
        "history": dashboard.history(session=session, day=today),
        "parks": dashboard.park_table(session=session, day=today, year_start=year_start),
        "chains": chains,
        "chain_chart": chain_chart(chains),
        "changes": dashboard.changes(session=session, user=user, first=first, last=last),
        "lead_stage_labels": LEAD_STAGE_LABELS,
        "overdue_tasks": plan_tasks.overdue(session=session, today=today),
        **LABELS,
    }
    return render(request, "dashboard/index.html", context)


@router.get("/targets")
def target_list(
    request: Request, session: SessionDep, user: CurrentUser, plan: str = "", on: str = ""
) -> Response:
    """Every plan's targets with value, share reached, time elapsed, projection and status.

    With `on`, everything is judged as it stood at the end of that day (from the history).
    """
    try:
        day = date.fromisoformat(on) if on else china_today()
    except ValueError as exc:
        raise FieldErrors({"on": "日期格式应为 2023-12-31"}) from exc
    plans = list(session.exec(select(Plan).order_by(col(Plan.position))))
    chosen = [p for p in plans if not plan or p.code == plan]
    chosen_ids = {p.id for p in chosen}
    items = [i for i in dashboard.progress(session=session, day=day) if i.plan.id in chosen_ids]
    context = {
        "plans": plans,
        "chosen": plan,
        "on": on,
        "groups": [(p, [i for i in items if i.plan.id == p.id]) for p in chosen],
        "today": china_today(),
        **LABELS,
    }
    return render(request, "dashboard/targets.html", context)


def _target_page(
    request: Request,
    session: Session,
    user: User,
    target: Target,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    share_errors: dict[str, str] | None = None,
) -> Response:
    today = china_today()
    plan = session.get(Plan, target.plan_id)
    assert plan is not None  # a target always belongs to a plan
    item = target_status.assess(session=session, target=target, plan=plan, today=today)
    counting = target.kind == TargetKind.computed and (target.definition or {}).get("measure") in (
        "recognised",
        "holding",
    )
    day = item.judged_on
    by_park = (
        target_values.by_park(session=session, target=target, plan=plan, day=day)
        if counting
        else {}
    )
    by_chain = (
        target_values.by_chain(session=session, target=target, plan=plan, day=day)
        if counting
        else {}
    )
    park_shares, chain_shares = target_shares.shares_of(session=session, target=target)
    parks = session.exec(
        select(Park).where(Park.kind == ParkKind.park).order_by(col(Park.position))
    )
    context = {
        "item": item,
        "counting": counting,
        "chart": trend_chart(
            item, target_status.trend(session=session, target=target, plan=plan, today=today)
        ),
        "park_rows": [
            (p.id, p.code, p.name, by_park.get(p.id, 0.0), park_shares.get(p.id or 0))
            for p in parks
        ],
        "chain_rows": [
            (c.id, c.name, by_chain.get(c.id or 0, 0.0), chain_shares.get(c.id or 0))
            for c in chain_service.get_all(session=session)
        ],
        "share_errors": share_errors or {},
        "history": targets.history(session=session, target=target),
        "can_report": target.kind == TargetKind.reported and permissions.can_report_targets(user),
        "errors": errors or {},
        "values": values or {"as_of": today.isoformat()},
        "labels": REPORT_LABELS,
        "today": today,
        **LABELS,
    }
    return render(request, "dashboard/target.html", context, status_code=status)


@router.get("/targets/{code}")
def target_page(code: str, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """One target: its standing, trend, breakdown by park and chain, reported history."""
    return _target_page(request, session, user, targets.get_by_code(session=session, code=code))


@router.post("/targets/{code}/values")
def report_value(
    code: str, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Enter a reported value with its date and source."""
    target = targets.get_by_code(session=session, code=code)
    values = {k: str(form.get(k) or "").strip() for k in ReportFields.model_fields}
    try:
        data = parse(ReportFields, {k: v for k, v in values.items() if v}, REPORT_LABELS)
        targets.report(session=session, actor=user, target=target, data=data)
    except FieldErrors as exc:
        return _target_page(request, session, user, target, exc.errors, values, status=422)
    return RedirectResponse(f"/targets/{code}", status_code=303)


def _report_plan(session: Session, code: str) -> Plan | None:
    """The plan a report covers: the one asked for, else None (every plan in force)."""
    if not code:
        return None
    plan = session.exec(select(Plan).where(Plan.code == code)).first()
    if plan is None:
        raise FieldErrors({"plan": f"规划 {code} 不存在"})
    return plan


@router.get("/reports/monthly")
def monthly_report(
    request: Request, session: SessionDep, user: CurrentUser, month: str = "", plan: str = ""
) -> Response:
    """The monthly report as a printable page (A4)."""
    chosen = _report_plan(session, plan)
    report = monthly_report_service.build(
        session=session, user=user, month=_month(month), today=china_today(), plan=chosen
    )
    context = {
        "plan": chosen,
        "plans": list(session.exec(select(Plan).order_by(col(Plan.position)))),
        "report": report,
        "month": report.first.strftime("%Y-%m"),
        "as_of": min(report.last, china_today()),
        **LABELS,
    }
    return render(request, "dashboard/monthly.html", context)


@router.get("/reports/monthly.xlsx")
def monthly_report_xlsx(
    session: SessionDep, user: CurrentUser, month: str = "", plan: str = ""
) -> Response:
    """The monthly report as a workbook: targets, parks, chains, changes."""
    report = monthly_report_service.build(
        session=session,
        user=user,
        month=_month(month),
        today=china_today(),
        plan=_report_plan(session, plan),
    )
    body = write_workbook(monthly_report_service.sheets(report))
    name = f"月度报告-{report.first:%Y%m}.xlsx"
    audit.record_export(session=session, actor=user, filename=name)
    return Response(body, media_type=XLSX_TYPE, headers={"Content-Disposition": attachment(name)})


def _month(month: str) -> str | None:
    """A month as 2026-10, checked; blank means this month."""
    if not month:
        return None
    try:
        date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise FieldErrors({"month": "月份格式应为 2026-10"}) from exc
    return month


@router.post("/targets/{code}/shares")
def set_shares(
    code: str, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Set the parks' and chains' shares of a target; blank clears a share."""
    target = targets.get_by_code(session=session, code=code)
    values: dict[str, dict[int, float | None]] = {"park": {}, "chain": {}}
    errors: dict[str, str] = {}
    for key, raw in form.multi_items():
        kind, _, ident = key.partition("_")
        if kind not in values or not ident.isdigit():
            continue
        text = str(raw).strip()
        try:
            values[kind][int(ident)] = float(text) if text else None
        except ValueError:
            errors[key] = "分解值须为数字"
    try:
        if errors:
            raise FieldErrors(errors)
        target_shares.set_shares(
            session=session, actor=user, target=target, parks=values["park"], chains=values["chain"]
        )
    except FieldErrors as exc:
        return _target_page(request, session, user, target, status=422, share_errors=exc.errors)
    return RedirectResponse(f"/targets/{code}#shares", status_code=303)
