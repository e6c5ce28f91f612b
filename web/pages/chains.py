"""Chain list, the cross-chain matrix, a chain's map with its segment panel, and downloads."""

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chainmaps import overview
from chains import basis
from chains import service as chain_service
from chains.export import gaps_xlsx
from chains.graph import SegmentGap
from chains.maps import chain_map
from chains.models import Chain, ChainDetail, ChainGroup, Stream
from core import audit, permissions
from core.accounts import Role, User
from core.orgs import Park, landmark_views, list_parks
from core.spreadsheet import XLSX_TYPE
from enterprises.projects import lead_search
from enterprises.projects.leads import LEAD_STAGE_LABELS
from enterprises.registry import membership_review
from enterprises.registry import service as enterprise_service
from web.deps import ChainDep, CurrentUser, SessionDep
from web.downloads import attachment
from web.pages.segment_targets import panel_extras
from web.render import is_htmx, render, templates

router = APIRouter()


@router.get("/")
def home(session: SessionDep, user: CurrentUser) -> Response:
    """Each role starts where its work is: chain, day, dashboard; others at the chains."""
    homes = {
        Role.chain_chief: "/my-chain",
        Role.promotion: "/leads/mine",
        Role.leader: "/dashboard",
        Role.admin: "/dashboard",
    }
    target = homes.get(user.role, "/chains")
    if user.role == Role.park_bureau and user.park_id is not None:
        park = session.get(Park, user.park_id)
        target = f"/parks/{park.code}" if park else target
    return RedirectResponse(target, status_code=303)


@router.get("/chains")
def chain_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The ten chains grouped leading / advantage / future."""
    summaries = chain_figures.summaries(session=session)
    groups = [(g, [s for s in summaries if s.group == g]) for g in ChainGroup]
    return render(request, "chains/list.html", {"groups": groups})


@router.get("/chains/matrix")
def chain_matrix(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Zone-wide: chains × streams with counts, and the technologies chains share."""
    return render(
        request,
        "chains/matrix.html",
        {
            "chains": chain_service.get_all(session=session),
            "cells": overview.matrix(session=session),
            "streams": list(Stream),
            "shared": overview.shared_technologies(session=session),
        },
    )


def _waiting(session: Session, chain_id: int) -> dict[str, Any]:
    """The chain's firms waiting for the chief's review (待确认): in all, and per segment."""
    entries = membership_review.pending(session=session, chain_id=chain_id)
    per_segment = Counter(e.membership.segment_id for e in entries)
    return {"pending_count": len(entries), "pending_by_segment": per_segment}


@router.get("/chains/{code}")
def chain_detail(
    chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser, segment: int = 0
) -> Response:
    """One chain's map, its gap list and, when a segment is chosen, that segment's panel."""
    view = chain_figures.detail(session=session, code=chain.code)
    gaps = chain_figures.gap_report(view)
    context = {
        "chain": view,
        "map": chain_map(view, gaps, basis.inferred_links(session=session, chain=view)),
        "names": {s.id: s.name for s in view.segments},
        "gaps": gaps,
        "can_edit": permissions.can_edit_chain(session=session, user=user, chain_id=view.id),
        "tab": "map",
        **_waiting(session, view.id),
        "lead_counts": lead_search.open_counts(session=session, user=user, chain_id=view.id),
    }
    if segment:
        context |= panel_context(session, user, chain, view, gaps, segment)
    return render(request, "chains/detail.html", context)


def panel_context(
    session: Session,
    user: User,
    chain: Chain,
    view: ChainDetail,
    gaps: list[SegmentGap],
    segment_id: int,
) -> dict[str, Any]:
    row = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    lead_total, leads = lead_search.targeting(
        session=session, user=user, chain_id=view.id, segment_id=segment_id, limit=10
    )
    total, firms = overview.segment_firms(session=session, segment=row)
    by_park: dict[str, list[overview.PanelFirm]] = {}
    for firm in firms:
        by_park.setdefault(firm.park, []).append(firm)
    shown = next(s for s in view.segments if s.id == segment_id)
    stated = basis.segment_bases(
        session=session,
        segment_id=segment_id,
        firm_ids=[f.id for f in firms],
        confirmed=shown.confirmed_at is not None,
    )
    return {
        "segment": shown,
        "bases": stated,
        "gap": next(g for g in gaps if g.segment_id == segment_id),
        "firm_total": total,
        "firms_by_park": by_park,
        "peers": chain_service.technology_peers(session=session, segment=row),
        "lead_total": lead_total,
        "leads": leads,
        "lead_stage_labels": LEAD_STAGE_LABELS,
        **panel_extras(session, user, view.id, segment_id),
    }


@router.get("/chains/{code}/segments/{segment_id}")
def segment_panel(
    segment_id: int, chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """A segment's panel (htmx); without htmx, the chain page with the panel open."""
    if not is_htmx(request):
        target = f"/chains/{chain.code}?segment={segment_id}#segment-panel"
        return RedirectResponse(target, status_code=303)
    view = chain_figures.detail(session=session, code=chain.code)
    context = panel_context(session, user, chain, view, chain_figures.gap_report(view), segment_id)
    context |= {
        "chain": view,
        "can_edit": permissions.can_edit_chain(session=session, user=user, chain_id=view.id),
    }
    return render(request, "chains/_segment_panel.html", context)


@router.get("/chains/{code}/map.svg")
def map_svg(chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The chain map as a standalone SVG file."""
    view = chain_figures.detail(session=session, code=chain.code)
    context = {
        "m": chain_map(
            view,
            chain_figures.gap_report(view),
            basis.inferred_links(session=session, chain=view),
        ),
        "names": {s.id: s.name for s in view.segments},
        **_waiting(session, view.id),
    }
    body = templates.get_template("chains/_map.svg").render(context)
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        media_type="image/svg+xml",
        headers={"Content-Disposition": attachment(f"{view.name}产业链图谱.svg")},
    )


@router.get("/chains/{code}/gaps.xlsx")
def gaps_download(chain: ChainDep, session: SessionDep, user: CurrentUser) -> Response:
    """The chain's gap list as .xlsx."""
    view = chain_figures.detail(session=session, code=chain.code)
    report = chain_figures.gap_report(view)
    name = f"{view.name}补链强链清单.xlsx"
    audit.record_export(session=session, actor=user, filename=name, rows=len(report))
    return Response(
        gaps_xlsx(view, report),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": attachment(name)},
    )


@router.get("/parks")
def park_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The committee, the five parks and the six landmarks with their named items."""
    return render(
        request,
        "parks.html",
        {
            "parks": list_parks(session=session),
            "counts": enterprise_service.count_by_park(session=session),
            "landmarks": landmark_views(session=session),
        },
    )
