"""Watch lists and evaluation: a promotion user's day, stalled projects, the numbers, limits."""

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from core import permissions
from core.accounts import Team
from core.db import china_today
from core.errors import FieldErrors, PermissionDenied
from core.orgs import get_park_by_code, list_parks
from enterprises.projects import evaluation, lead_watch
from enterprises.projects.leads import LEAD_STAGE_LABELS, LeadStage
from web.deps import CurrentUser, FormDep, SessionDep, lead_reader
from web.downloads import table_download
from web.render import render

router = APIRouter(prefix="/leads", dependencies=[Depends(lead_reader)])


@router.get("/mine")
def my_day(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """A promotion user's home: overdue next steps, stale leads and stalled projects of theirs."""
    today = china_today()
    context = {
        "overdue": lead_watch.overdue_steps(
            session=session, user=user, today=today, owner_id=user.id
        ),
        "stale": lead_watch.stale(session=session, user=user, today=today, owner_id=user.id),
        "stalled": lead_watch.stalled(session=session, user=user, today=today, owner_id=user.id),
        "stage_labels": LEAD_STAGE_LABELS,
    }
    return render(request, "leads/mine.html", context)


@router.get("/watch")
def watch(
    request: Request, session: SessionDep, user: CurrentUser, park: str = "", team: str = ""
) -> Response:
    """Stalled projects for the team, the park and leaders, with days overdue."""
    park_id = get_park_by_code(session=session, code=park).id if park else None
    team_id = int(team) if team.isdigit() else None
    today = china_today()
    context = {
        "stalled": lead_watch.stalled(
            session=session, user=user, today=today, park_id=park_id, team_id=team_id
        ),
        "overdue": lead_watch.overdue_steps(session=session, user=user, today=today),
        "park": park,
        "team": team,
        "parks": [p for p in list_parks(session=session) if p.kind == "park"],
        "teams": list(session.exec(select(Team).order_by(col(Team.name)))),
        "stage_labels": LEAD_STAGE_LABELS,
    }
    return render(request, "leads/watch.html", context)


def _period(start: str, end: str) -> tuple[date, date]:
    try:
        last = date.fromisoformat(end) if end else china_today()
        first = date.fromisoformat(start) if start else last.replace(month=1, day=1)
    except ValueError as exc:
        raise FieldErrors({"start": "统计期间的日期格式应为 2025-01-31"}) from exc
    if first > last:
        raise FieldErrors({"start": "统计期间的开始日期不能晚于结束日期"})
    return first, last


@router.get("/evaluation")
def evaluation_page(
    request: Request, session: SessionDep, user: CurrentUser, start: str = "", end: str = ""
) -> Response:
    """Funnel, conversion, time in stage and landed investment for a period."""
    first, last = _period(start, end)
    result = evaluation.evaluate(session=session, user=user, start=first, end=last)
    context = {
        "result": result,
        "dimensions": evaluation.DIMENSIONS,
        "presets": [
            ("本年", last.replace(month=1, day=1), last),
            ("近 12 个月", last - timedelta(days=365), last),
        ],
    }
    return render(request, "leads/evaluation.html", context)


@router.get("/evaluation.xlsx")
def evaluation_export(
    session: SessionDep, user: CurrentUser, start: str = "", end: str = ""
) -> Response:
    """The evaluation as a spreadsheet."""
    first, last = _period(start, end)
    result = evaluation.evaluate(session=session, user=user, start=first, end=last)
    return table_download(
        "xlsx",
        f"招商评价-{first:%Y%m%d}-{last:%Y%m%d}",
        evaluation.EXPORT_HEADERS,
        evaluation.export_rows(result),
        [22, 18, 10, 18, 16],
        session=session,
        actor=user,
    )


def _limit_rows() -> list[tuple[str, str, int]]:
    """Each limit's key, label and default, in the order the page shows them."""
    rows = [(f"stall:{s.key}", s.label, s.default_days) for s in lead_watch.STALLS]
    rows += [
        (f"stale:{stage}", f"{LEAD_STAGE_LABELS[LeadStage(stage)]}阶段未跟进", days)
        for stage, days in lead_watch.STALE_DEFAULTS.items()
    ]
    return rows


@router.get("/limits")
def limits_page(
    request: Request, session: SessionDep, user: CurrentUser, saved: int = 0
) -> Response:
    """The time limits in force (admins change them)."""
    return _limits(request, session, user, {}, {}, saved=bool(saved))


def _limits(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    values: dict[str, str],
    errors: dict[str, str],
    saved: bool = False,
) -> Response:
    current = lead_watch.limits(session=session)
    context = {
        "rows": _limit_rows(),
        "values": {k: values.get(k, str(v)) for k, v in current.items()},
        "errors": errors,
        "saved": saved,
        "editable": permissions.can_set_time_limits(user),
    }
    return render(request, "leads/limits.html", context, status_code=422 if errors else 200)


@router.post("/limits")
def save_limits(
    request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Save the limits; every value must be a whole number of days."""
    if not permissions.can_set_time_limits(user):
        raise PermissionDenied("只有管理员可以修改项目时限")
    labels = {key: label for key, label, _ in _limit_rows()}
    values = {key: str(form.get(key) or "").strip() for key in labels}
    bad = {k: "须为整数天数" for k, v in values.items() if not v.isdigit()}
    try:
        if bad:
            raise FieldErrors(bad)
        lead_watch.set_limits(
            session=session, actor=user, values={k: int(v) for k, v in values.items()}
        )
    except FieldErrors as exc:
        return _limits(request, session, user, values, exc.errors)
    return RedirectResponse("/leads/limits?saved=1", status_code=303)
