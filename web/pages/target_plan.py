"""A counting target's forecast and the plan backwards, with assumptions a leader may change."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import select

from core.db import china_today
from core.errors import FieldErrors
from core.orgs import Park, ParkKind
from enterprises.cultivation.pipeline import ORDER, Stage
from plans import forecast, target_shares, targets
from plans.forecast import STEP_LABELS
from plans.targets import Plan
from web.deps import CurrentUser, SessionDep
from web.render import render

router = APIRouter()


def _number(raw: str, label: str, low: float, high: float) -> float | None:
    if not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise FieldErrors({label: f"{label}须为数字"}) from exc
    if not low <= value <= high:
        raise FieldErrors({label: f"{label}须在 {low:g} 到 {high:g} 之间"})
    return value


@router.get("/targets/{code}/plan")
def plan_page(code: str, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Forecast at the deadline from today's pipeline; pool entries needed per park, by when."""
    target = targets.get_by_code(session=session, code=code)
    plan = session.get(Plan, target.plan_id)
    assert plan is not None  # a target always belongs to a plan
    if (target.definition or {}).get("measure") not in ("recognised", "holding"):
        raise FieldErrors({"code": f"“{target.name}”不是按企业计数的目标，无法按培育管道预测"})
    query = request.query_params
    overrides: dict[Stage, tuple[float | None, float | None]] = {}
    for stage in ORDER[:-1]:
        label = STEP_LABELS[stage]
        rate = _number(query.get(f"rate_{stage}", ""), f"{label}转化率", 0, 1)
        days = _number(query.get(f"days_{stage}", ""), f"{label}天数", 0, 3650)
        if rate is not None or days is not None:
            overrides[stage] = (rate, days)
    parks = {p.id: p.name for p in session.exec(select(Park).where(Park.kind == ParkKind.park))}
    park_shares = target_shares.shares_of(session=session, target=target)[0]
    result = forecast.forecast(
        session=session,
        target=target,
        plan=plan,
        today=china_today(),
        parks=parks,
        shares={k: v for k, v in park_shares.items()} or None,
        overrides=overrides,
    )
    observed = forecast.forecast(
        session=session, target=target, plan=plan, today=china_today(), parks={}
    ).steps
    context = {
        "result": result,
        "observed": {s.stage: s for s in observed},
        "step_labels": STEP_LABELS,
        "query": query,
        "passed": target.deadline <= china_today(),
    }
    return render(request, "dashboard/plan.html", context, fragment="dashboard/_plan_result.html")
