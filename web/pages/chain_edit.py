"""Maintaining a chain's map from the browser: segments, links, thresholds, flags, roles.

Each form posts here; success redirects back (post/redirect/get), a refused change renders
the edit page again with the messages beside the form that caused them. The forms that change
a segment or the settings carry the version they were drawn from; a change made meanwhile by
someone else refuses them (409) and the page shows what is there now.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from chainmaps import figures as chain_figures
from chainmaps import membership, overview, word_edits
from chains import editing
from chains import service as chain_service
from chains.models import (
    SEGMENT_LABELS,
    SETTINGS_LABELS,
    Chain,
    ChainSettings,
    Segment,
    SegmentFields,
    Stream,
)
from core.accounts import User
from core.errors import Conflict, FieldErrors
from core.validation import parse
from enterprises.registry.models import MemberRole
from web.deps import CurrentUser, EditableChain, FormDep, SessionDep
from web.pages.chains import panel_context
from web.render import is_htmx, render

router = APIRouter(prefix="/chains/{code}")


def _edit_page(
    request: Request,
    session: Session,
    chain: Chain,
    failed: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 422,
) -> Response:
    view = chain_figures.detail(session=session, code=chain.code)
    # Read afresh, not from the cached detail, which others may see a moment late after a write.
    segments = chain_service.segments_of(session=session, chain_id=view.id)
    versions = {s.id: s.version for s in segments}
    names = {s.id: s.name for s in view.segments}
    technologies = session.exec(
        select(Segment.technology).where(col(Segment.technology).is_not(None)).distinct()
    ).all()
    return render(
        request,
        "chains/edit.html",
        {
            "chain": view,
            "tab": "edit",
            "can_edit": True,
            "streams": [(st, [s for s in view.segments if s.stream == st]) for st in Stream],
            "links": sorted(
                ((link, names[link.source_id], names[link.target_id]) for link in view.links),
                key=lambda row: (row[1], row[2]),
            ),
            "technologies": sorted(t for t in technologies if t),
            "changes": overview.recent_changes(session=session, chain=chain),
            "failed": failed,
            "errors": errors or {},
            "values": values or {},
            "labels": SEGMENT_LABELS | SETTINGS_LABELS,
            "chain_version": chain.version,
            "segment_versions": versions,
        },
        status_code=status if errors else 200,
    )


def _back(chain: Chain, anchor: str = "") -> Response:
    return RedirectResponse(f"/chains/{chain.code}/edit{anchor}", status_code=303)


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def _version(form: FormData) -> int | None:
    """The version a form was drawn from (none: the change is not tested against one)."""
    value = _text(form, "version")
    return int(value) if value.isdigit() else None


@router.get("/edit")
def edit(chain: EditableChain, request: Request, session: SessionDep) -> Response:
    """The map maintenance page of a chain."""
    return _edit_page(request, session, chain)


@router.post("/settings")
def update_settings(
    chain: EditableChain, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Save the weak threshold and the chain's anchor-firm target."""
    values = {k: _text(form, k) or None for k in ChainSettings.model_fields}
    try:
        data = parse(ChainSettings, values, SETTINGS_LABELS)
        editing.update_settings(
            session=session, actor=user, chain=chain, data=data, version=_version(form)
        )
    except FieldErrors as exc:
        return _edit_page(request, session, chain, "settings", exc.errors, values)
    except Conflict as exc:
        errors = {"version": exc.message}
        return _edit_page(request, session, chain, "settings", errors, values, 409)
    return _back(chain, "#settings")


def _segment_values(form: FormData) -> dict[str, Any]:
    return {k: _text(form, k) for k in ("name", "stream", "technology", "description")}


@router.post("/segments")
def create_segment(
    chain: EditableChain, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add a segment."""
    values = _segment_values(form)
    try:
        data = parse(SegmentFields, values, SEGMENT_LABELS)
        segment = word_edits.add_segment(session=session, actor=user, chain=chain, data=data)
    except FieldErrors as exc:
        return _edit_page(request, session, chain, "new-segment", exc.errors, values)
    return _back(chain, f"#segment-{segment.id}")


@router.post("/segments/{segment_id}")
def update_segment(
    segment_id: int,
    chain: EditableChain,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: FormDep,
) -> Response:
    """Rename a segment, move it to another stream, or change its technology."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    values = _segment_values(form)
    try:
        data = parse(SegmentFields, values, SEGMENT_LABELS)
        word_edits.edit_segment(
            session=session,
            actor=user,
            chain=chain,
            segment=segment,
            data=data,
            version=_version(form),
        )
    except FieldErrors as exc:
        return _edit_page(request, session, chain, f"segment-{segment_id}", exc.errors, values)
    except Conflict as exc:
        errors = {"version": exc.message}
        return _edit_page(request, session, chain, f"segment-{segment_id}", errors, values, 409)
    return _back(chain, f"#segment-{segment_id}")


@router.post("/segments/{segment_id}/shift")
def shift_segment(
    segment_id: int, chain: EditableChain, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Move a segment up or down within its stream."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    offset = -1 if form.get("offset") == "-1" else 1
    editing.shift_segment(session=session, actor=user, chain=chain, segment=segment, offset=offset)
    return _back(chain, f"#segment-{segment_id}")


@router.post("/segments/{segment_id}/delete")
def delete_segment(
    segment_id: int,
    chain: EditableChain,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: FormDep,
) -> Response:
    """Delete a segment, moving its firms where the form says."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    choice = _text(form, "firms_to")
    try:
        membership.delete_segment(
            session=session,
            actor=user,
            chain=chain,
            segment=segment,
            firms_to=int(choice) if choice.isdigit() else None,
            detach_firms=choice == "detach",
        )
    except FieldErrors as exc:
        values = {"firms_to": choice}
        return _edit_page(request, session, chain, f"segment-{segment_id}", exc.errors, values)
    return _back(chain)


@router.post("/segments/{segment_id}/choke")
def set_choke_point(
    segment_id: int,
    chain: EditableChain,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: FormDep,
) -> Response:
    """Flag or clear a choke point."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    flag, note = form.get("choke_point") == "on", _text(form, "choke_note")
    try:
        editing.set_choke_point(
            session=session,
            actor=user,
            chain=chain,
            segment=segment,
            flag=flag,
            note=note,
            version=_version(form),
        )
    except FieldErrors as exc:
        values = {"choke_point": flag, "choke_note": note}
        return _edit_page(request, session, chain, f"segment-{segment_id}", exc.errors, values)
    except Conflict as exc:
        values = {"choke_point": flag, "choke_note": note}
        errors = {"version": exc.message}
        return _edit_page(request, session, chain, f"segment-{segment_id}", errors, values, 409)
    return _back(chain, f"#segment-{segment_id}")


def _panel(
    request: Request, session: Session, user: User, chain: Chain, segment_id: int
) -> Response:
    """After a change made from the segment panel: the panel again, or the map page."""
    if not is_htmx(request):
        target = f"/chains/{chain.code}?segment={segment_id}#segment-panel"
        return RedirectResponse(target, status_code=303)
    view = chain_figures.detail(session=session, code=chain.code)
    gaps = chain_figures.gap_report(view)
    context = panel_context(session, user, chain, view, gaps, segment_id)
    context |= {"chain": view, "can_edit": True}
    return render(request, "chains/_segment_panel.html", context)


@router.post("/segments/{segment_id}/confirm")
def confirm_segment(
    segment_id: int, chain: EditableChain, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Record that the segment's firm list was checked."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    editing.confirm_segment(session=session, actor=user, chain=chain, segment=segment)
    return _panel(request, session, user, chain, segment_id)


@router.post("/segments/{segment_id}/firms/{enterprise_id}")
def update_membership(
    segment_id: int,
    enterprise_id: int,
    chain: EditableChain,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: FormDep,
) -> Response:
    """Set a firm's role in the segment and its hidden-champion mark."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    try:
        role = MemberRole(str(form.get("role")))
    except ValueError as exc:
        raise FieldErrors({"role": "角色须为链主、重点企业或成员"}) from exc
    membership.update_membership(
        session=session,
        actor=user,
        chain=chain,
        segment=segment,
        enterprise_id=enterprise_id,
        role=role,
        hidden_champion=form.get("hidden_champion") == "on",
    )
    return _panel(request, session, user, chain, segment_id)


def _segment_id(form: FormData, name: str) -> int:
    value = _text(form, name)
    if not value.isdigit():
        raise FieldErrors({name: f"请选择{SEGMENT_LABELS[name]}"})
    return int(value)


@router.post("/links")
def add_link(
    chain: EditableChain, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Add a supply link; a cycle is refused with the cycle named."""
    values = {"source_id": _text(form, "source_id"), "target_id": _text(form, "target_id")}
    try:
        editing.add_link(
            session=session,
            actor=user,
            chain=chain,
            source_id=_segment_id(form, "source_id"),
            target_id=_segment_id(form, "target_id"),
        )
    except FieldErrors as exc:
        return _edit_page(request, session, chain, "new-link", exc.errors, values)
    return _back(chain, "#links")


@router.post("/links/delete")
def remove_link(
    chain: EditableChain, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Remove a supply link."""
    editing.remove_link(
        session=session,
        actor=user,
        chain=chain,
        source_id=_segment_id(form, "source_id"),
        target_id=_segment_id(form, "target_id"),
    )
    return _back(chain, "#links")
