"""The target library's pages (招商目标库): list and search, one firm, add, edit."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from chains.models import Chain, Segment
from core import permissions
from core.accounts import User
from core.errors import Conflict, FieldErrors
from core.validation import parse
from enterprises.prospects import service
from enterprises.prospects.models import (
    LISTING_LABELS,
    PROSPECT_LABELS,
    SIZE_LABELS,
    FirmSize,
    Listing,
    Prospect,
    ProspectFields,
)
from web.deps import CurrentUser, FormDep, SessionDep
from web.render import render

PAGE_SIZE = 50
LABELS = {"size_labels": SIZE_LABELS, "listing_labels": LISTING_LABELS}


def prospect_reader(user: CurrentUser) -> User:
    """The user, if the target library is for their role (403 for viewers)."""
    permissions.ensure_sees_prospects(user)
    return user


Reader = Annotated[User, Depends(prospect_reader)]
router = APIRouter(prefix="/prospects", dependencies=[Depends(prospect_reader)])


def segment_names(session: Session, segment_ids: set[int]) -> dict[int, str]:
    """'chain · segment' of each given segment, for a suggestion's label."""
    if not segment_ids:
        return {}
    stmt = (
        select(Segment.id, Segment.name, Chain.name)
        .join(Chain, col(Chain.id) == Segment.chain_id)
        .where(col(Segment.id).in_(segment_ids))
    )
    return {i: f"{c} · {s}" for i, s, c in session.exec(stmt) if i is not None}


@router.get("")
def prospect_list(
    request: Request,
    session: SessionDep,
    user: Reader,
    q: Annotated[str, Query(max_length=100)] = "",
    province: Annotated[str, Query(max_length=20)] = "",
    size: FirmSize | None = None,
    listing: Listing | None = None,
    segment: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Target firms by name, products, province, size, listing or suggested segment."""
    flt = service.ProspectFilter(
        q=q, province=province, size=size, listing=listing, segment_id=segment
    )
    found = service.search(session=session, flt=flt, page=page, page_size=PAGE_SIZE)
    ids = {s.segment_id for rows in found.segments.values() for s in rows}
    if segment:
        ids.add(segment)
    context = {
        "found": found,
        "names": segment_names(session, ids),
        "provinces": service.provinces(session=session),
        "params": {
            "q": q,
            "province": province,
            "size": size or "",
            "listing": listing or "",
            "segment": segment or "",
        },
        "can_edit": permissions.can_edit_prospects(user),
        **LABELS,
    }
    return render(request, "prospects/list.html", context, fragment="prospects/_results.html")


def _values(form: FormData) -> dict[str, Any]:
    return {
        k: str(form[k]).strip()
        for k in ProspectFields.model_fields
        if str(form.get(k) or "").strip()
    }


def _form(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    prospect: Prospect | None,
    status: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "prospect": prospect,
        "labels": PROSPECT_LABELS,
        **LABELS,
    }
    return render(request, "prospects/form.html", context, status_code=status)


@router.get("/new")
def new_form(request: Request, user: Reader) -> Response:
    """An empty target form."""
    permissions.ensure_can_edit_prospects(user)
    return _form(request, {}, {}, None)


@router.post("/new")
def create(request: Request, session: SessionDep, user: Reader, form: FormDep) -> Response:
    """Add the target firm."""
    permissions.ensure_can_edit_prospects(user)
    values = _values(form)
    try:
        data = parse(ProspectFields, values, PROSPECT_LABELS)
        prospect = service.create(session=session, actor=user, data=data)
    except FieldErrors as exc:
        return _form(request, values, exc.errors, None, status=422)
    return RedirectResponse(f"/prospects/{prospect.id}", status_code=303)


@router.get("/{prospect_id:int}")
def detail(prospect_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """One target firm: its data, suggested segments with their reasons, project, history."""
    from enterprises.prospects import outreach

    prospect = service.get(session=session, prospect_id=prospect_id)
    suggested = service.segments_of(session=session, prospect_ids=[prospect_id])[prospect_id]
    context = {
        "prospect": prospect,
        "suggested": suggested,
        "names": segment_names(session, {s.segment_id for s in suggested}),
        "projects": outreach.projects_of(session=session, user=user, prospect_id=prospect_id),
        "history": service.history(session=session, prospect=prospect),
        "labels": PROSPECT_LABELS,
        "can_edit": permissions.can_edit_prospects(user),
        "can_make_project": permissions.can_create_lead(user),
        **LABELS,
    }
    return render(request, "prospects/detail.html", context)


@router.get("/{prospect_id:int}/edit")
def edit_form(prospect_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """The target form filled with the firm."""
    permissions.ensure_can_edit_prospects(user)
    prospect = service.get(session=session, prospect_id=prospect_id)
    values = prospect.model_dump(include=set(ProspectFields.model_fields) | {"version"})
    return _form(request, values, {}, prospect)


@router.post("/{prospect_id:int}/edit")
def edit(
    prospect_id: int, request: Request, session: SessionDep, user: Reader, form: FormDep
) -> Response:
    """Save an edit of the target firm (a stale form is refused with the current values)."""
    permissions.ensure_can_edit_prospects(user)
    prospect = service.get(session=session, prospect_id=prospect_id)
    values = _values(form)
    version = str(form.get("version") or "")
    try:
        data = parse(ProspectFields, values, PROSPECT_LABELS)
        service.update(
            session=session,
            actor=user,
            prospect=prospect,
            data=data,
            version=int(version) if version.isdigit() else 0,
        )
    except FieldErrors as exc:
        values["version"] = version
        return _form(request, values, exc.errors, prospect, status=422)
    except Conflict as exc:
        values["version"] = prospect.version
        return _form(request, values, {"version": exc.message}, prospect, status=409)
    return RedirectResponse(f"/prospects/{prospect_id}", status_code=303)


@router.post("/{prospect_id:int}/project")
def make_project(prospect_id: int, session: SessionDep, user: Reader, form: FormDep) -> Response:
    """Turn the target into a project with its data (or open the project it already is)."""
    from enterprises.prospects import outreach

    prospect = service.get(session=session, prospect_id=prospect_id)
    raw = str(form.get("segment_id") or "")
    segment_id = int(raw) if raw.isdigit() and int(raw) <= 2**31 - 1 else None
    lead, _new = outreach.make_project(
        session=session, actor=user, prospect=prospect, segment_id=segment_id
    )
    return RedirectResponse(f"/leads/{lead.id}", status_code=303)
