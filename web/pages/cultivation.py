"""The park bureau's cultivation work page and the moves made from pages."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from chains import service as chain_service
from core import permissions
from core.accounts import User
from core.db import china_today
from core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from core.orgs import list_parks
from core.validation import parse
from enterprises.cultivation import designations, pipeline, roster
from enterprises.cultivation.pipeline import MOVE_LABELS, STAGE_LABELS, MoveFields, Stage
from enterprises.spreadsheets import export as enterprise_export
from web.deps import CurrentUser, FormDep, SessionDep
from web.downloads import table_download
from web.filters import RosterQuery, RosterQueryDep
from web.pages.enterprises import detail_page
from web.render import render
from web.statuses import message_for, status_for

router = APIRouter()


def move_values(form: FormData) -> dict[str, Any]:
    """Read a move form; blank optional fields are left out."""
    values = {k: str(form.get(k) or "").strip() for k in MoveFields.model_fields}
    return {k: v for k, v in values.items() if v}


def _work_page(
    request: Request,
    session: Session,
    user: User,
    query: RosterQuery,
    errors: dict[str, str] | None = None,
    moved: int = 0,
    page: int = 1,
    status: int = 0,
) -> Response:
    flt = query.to_filter(session, user)
    today = china_today()
    total, rows = roster.search(session=session, flt=flt, today=today, page=page)
    catalogue = designations.get_all(session=session)
    park_id = flt.park_id
    chain_id = flt.chain_id
    context = {
        "params": query.params(),
        "query_string": urlencode({k: v for k, v in query.params().items() if v}),
        "total": total,
        "rows": rows,
        "board": {stage: [r for r in rows if r.stage == stage] for stage in Stage},
        "view": request.query_params.get("view", "table"),
        "designations": catalogue,
        "counts": roster.stage_counts(session=session, today=today, park_id=park_id),
        "stages": list(Stage),
        "stage_labels": STAGE_LABELS,
        "parks": list_parks(session=session),
        "chains": chain_service.get_all(session=session),
        "segments": (
            chain_service.segments_of(session=session, chain_id=chain_id) if chain_id else []
        ),
        "fixed_park": permissions.park_scope(user, None) is not None,
        "errors": errors or {},
        "moved": moved,
        "today": today.isoformat(),
        "page": page,
        "pages": max(1, -(-total // roster.PAGE_SIZE)),
    }
    return render(
        request,
        "cultivation/work.html",
        context,
        fragment="cultivation/_roster.html",
        status_code=status or (422 if errors else 200),
    )


@router.get("/cultivation")
def work(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    query: RosterQueryDep,
    moved: int = 0,
    page: int = 1,
) -> Response:
    """Firms by designation and stage, filters, bulk moves (a park bureau: its own park)."""
    return _work_page(request, session, user, query, moved=moved, page=page)


@router.get("/cultivation/export.{fmt}")
def export(fmt: str, session: SessionDep, user: CurrentUser, query: RosterQueryDep) -> Response:
    """The filtered cultivation list as .xlsx or .csv."""
    _, rows = enterprise_export.roster_rows(
        session=session, flt=query.to_filter(session, user), today=china_today()
    )
    return table_download(
        fmt,
        f"培育名单-{china_today():%Y%m%d}",
        enterprise_export.ROSTER_HEADERS,
        rows,
        enterprise_export.ROSTER_WIDTHS,
        session=session,
        actor=user,
    )


@router.post("/cultivation/bulk-move")
def bulk_move(
    request: Request, session: SessionDep, user: CurrentUser, query: RosterQueryDep, form: FormDep
) -> Response:
    """Move the selected firms with one note; if one is refused, none moves."""
    ids = [int(str(v)) for v in form.getlist("ids") if str(v).isdigit()]
    try:
        data = parse(MoveFields, move_values(form), MOVE_LABELS)
        moved = pipeline.bulk_move(session=session, actor=user, cultivation_ids=ids, data=data)
    except FieldErrors as exc:
        return _work_page(request, session, user, query, errors=exc.errors)
    except (PermissionDenied, Conflict) as exc:  # beside the selection, as a refusal (403, 409)
        errors = {"ids": exc.message}
        return _work_page(request, session, user, query, errors=errors, status=status_for(exc))
    params = {k: v for k, v in query.params().items() if v} | {"moved": moved}
    return RedirectResponse(f"/cultivation?{urlencode(params)}", status_code=303)


@router.post("/enterprises/{enterprise_id}/cultivations")
def start(enterprise_id: int, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Make the firm a candidate for a designation."""
    designation = designations.get_by_code(session=session, code=str(form.get("designation")))
    chain_code = str(form.get("chain") or "")
    chain_id = (
        chain_service.get_by_code(session=session, code=chain_code).id if chain_code else None
    )
    try:
        on = date.fromisoformat(str(form.get("on") or china_today().isoformat()))
    except ValueError as exc:
        raise FieldErrors({"on": "日期格式应为 2024-01-31"}) from exc
    pipeline.start(
        session=session,
        actor=user,
        enterprise_id=enterprise_id,
        designation=designation,
        chain_id=chain_id,
        on=on,
        note=str(form.get("note") or "").strip(),
    )
    return RedirectResponse(f"/enterprises/{enterprise_id}#cultivation", status_code=303)


@router.post("/cultivations/{cultivation_id}/move")
def move(
    cultivation_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Move one cultivation from the enterprise page; a refusal shows beside its form."""
    cultivation = pipeline.get(session=session, cultivation_id=cultivation_id)
    version = str(form.get("version") or "")
    try:
        data = parse(MoveFields, move_values(form), MOVE_LABELS)
        pipeline.move(
            session=session,
            actor=user,
            cultivation=cultivation,
            data=data,
            version=int(version) if version.isdigit() else None,
        )
    except DomainError as exc:
        error = (cultivation_id, message_for(exc))
        return detail_page(
            request, session, user, cultivation.enterprise_id, error, status_for(exc)
        )
    return RedirectResponse(
        f"/enterprises/{cultivation.enterprise_id}#cultivation-{cultivation_id}", status_code=303
    )
