"""The designation catalogue (admin), zone-wide views per designation, and discovery."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core import permissions
from core.accounts import User
from core.db import china_today, require_id
from core.errors import DomainError, FieldErrors
from core.validation import parse
from enterprises.cultivation import designations, discovery, pipeline, roster
from enterprises.cultivation.designations import (
    DESIGNATION_LABELS,
    METRIC_LABELS,
    Designation,
    DesignationFields,
    Metric,
)
from enterprises.cultivation.pipeline import STAGE_LABELS, MoveFields, Stage
from web.deps import CurrentUser, FormDep, SessionDep
from web.render import render
from web.statuses import message_for, status_for

router = APIRouter(prefix="/designations")
DISCOVER_SHOWN = 50


def _catalogue(
    request: Request,
    session: Session,
    user: User,
    failed: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    today = china_today()
    catalogue = designations.get_all(session=session)
    return render(
        request,
        "designations/list.html",
        {
            "catalogue": catalogue,
            "tiers": {
                d.id: designations.tiers_of(session=session, designation_id=require_id(d))
                for d in catalogue
            },
            "criteria": {
                d.id: {
                    Metric(c.metric): c.value
                    for c in designations.criteria_of(session=session, designation_id=require_id(d))
                }
                for d in catalogue
            },
            "counts": roster.stage_counts(session=session, today=today),
            "stages": list(Stage),
            "stage_labels": STAGE_LABELS,
            "metric_labels": METRIC_LABELS,
            "labels": DESIGNATION_LABELS,
            "is_admin": permissions.can_manage_designations(user),
            "failed": failed,
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


def _fields(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: str(form.get(k) or "").strip()
        for k in ("name", "description", "validity_years", "remind_days", "position")
    }
    values["validity_years"] = values["validity_years"] or None
    values["remind_days"] = values["remind_days"] or 90
    values["position"] = values["position"] or 0
    for flag in ("high_growth", "per_chain", "active"):
        values[flag] = form.get(flag) == "on"
    return values


@router.get("")
def catalogue(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every designation with tiers, validity, criteria and counts by stage."""
    return _catalogue(request, session, user)


@router.post("")
def create(request: Request, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Add a designation (admin)."""
    permissions.ensure_can_manage_designations(user)
    try:
        data = parse(DesignationFields, _fields(form), DESIGNATION_LABELS)
        made = designations.create(
            session=session, actor=user, code=str(form.get("code") or ""), data=data
        )
    except FieldErrors as exc:
        return _catalogue(request, session, user, "new", exc.errors)
    return RedirectResponse(f"/designations#designation-{made.code}", status_code=303)


def _designation(session: Session, code: str) -> Designation:
    return designations.get_by_code(session=session, code=code)


@router.post("/{code}")
def update(
    code: str, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Change a designation (admin)."""
    permissions.ensure_can_manage_designations(user)
    designation = _designation(session, code)
    try:
        data = parse(DesignationFields, _fields(form), DESIGNATION_LABELS)
        designations.update(session=session, actor=user, designation=designation, data=data)
    except FieldErrors as exc:
        return _catalogue(request, session, user, code, exc.errors)
    return RedirectResponse(f"/designations#designation-{code}", status_code=303)


@router.post("/{code}/tiers")
def add_tier(
    code: str, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add a tier above the designation's top tier (admin)."""
    permissions.ensure_can_manage_designations(user)
    designation = _designation(session, code)
    try:
        designations.add_tier(
            session=session,
            actor=user,
            designation=designation,
            code=str(form.get("tier_code") or ""),
            name=str(form.get("tier_name") or ""),
        )
    except FieldErrors as exc:
        return _catalogue(request, session, user, code, exc.errors)
    return RedirectResponse(f"/designations#designation-{code}", status_code=303)


@router.post("/{code}/criteria")
def set_criteria(
    code: str, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Set the screening thresholds (admin); a blank threshold is removed."""
    permissions.ensure_can_manage_designations(user)
    designation = _designation(session, code)
    values: dict[Metric, float | None] = {}
    errors = {}
    for metric in Metric:
        raw = str(form.get(metric.value) or "").strip()
        try:
            values[metric] = designations.check_criterion(metric, float(raw)) if raw else None
        except ValueError:
            errors[metric.value] = f"{METRIC_LABELS[metric]}须为数字"
        except FieldErrors as exc:
            errors |= exc.errors
    if errors:
        return _catalogue(request, session, user, code, errors)
    for metric, value in values.items():
        designations.set_criterion(
            session=session, actor=user, designation=designation, metric=metric, value=value
        )
    return RedirectResponse(f"/designations#designation-{code}", status_code=303)


@router.get("/{code}")
def designation_view(
    code: str,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    as_of: str = "",
    added: int = 0,
) -> Response:
    """Zone-wide: firms by stage per park and per chain as of a date; discovery."""
    return _view(request, session, user, _designation(session, code), as_of, added)


def _view(
    request: Request,
    session: Session,
    user: User,
    designation: Designation,
    as_of: str,
    added: int = 0,
    error: str = "",
    status: int = 200,
) -> Response:
    try:
        day = date.fromisoformat(as_of) if as_of else china_today()
    except ValueError:
        day, error = china_today(), "日期格式应为 2022-12-31，已按今天显示"
    by_park, by_chain = roster.breakdown(session=session, designation=designation, day=day)
    found = discovery.candidates(
        session=session,
        designation=designation,
        park_id=permissions.park_scope(user, None),
        today=china_today(),
        limit=DISCOVER_SHOWN,
    )
    return render(
        request,
        "designations/detail.html",
        {
            "designation": designation,
            "as_of": day.isoformat(),
            "by_park": by_park,
            "by_chain": by_chain,
            "stages": list(Stage),
            "stage_labels": STAGE_LABELS,
            "found": found,
            "shown": DISCOVER_SHOWN,
            "criteria": designations.criteria_of(
                session=session, designation_id=require_id(designation)
            ),
            "metric_labels": METRIC_LABELS,
            "can_add": permissions.can_create_enterprise(user),
            "added": added,
            "error": error,
        },
        status_code=status,
    )


@router.post("/{code}/discovered")
def add_discovered(
    code: str, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Put the chosen discovered firms straight into the cultivation pool, all or none."""
    designation = _designation(session, code)
    ids = [int(str(v)) for v in form.getlist("ids") if str(v).isdigit()]
    today = china_today()
    savepoint = session.begin_nested()
    try:
        if not ids:
            raise FieldErrors({"ids": "请至少选择一家企业"})
        for enterprise_id in ids:
            cultivation = pipeline.start(
                session=session,
                actor=user,
                enterprise_id=enterprise_id,
                designation=designation,
                chain_id=None,
                on=today,
                note="按筛选条件发现",
            )
            pool = MoveFields(to_stage=Stage.pool, on=today, note="按筛选条件发现，直接入库培育")
            pipeline.move(session=session, actor=user, cultivation=cultivation, data=pool)
    except DomainError as exc:
        savepoint.rollback()
        message = message_for(exc)
        return _view(request, session, user, designation, "", error=message, status=status_for(exc))
    savepoint.commit()
    return RedirectResponse(f"/designations/{code}?added={len(ids)}", status_code=303)
