"""Chain list and chain detail pages."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from chains import service as chain_service
from chains.models import ChainGroup, Stream
from core.orgs import list_landmarks, list_parks
from enterprises import service as enterprise_service
from web.deps import CurrentUser, SessionDep
from web.render import render

router = APIRouter()


@router.get("/")
def home(user: CurrentUser) -> Response:
    """The chain overview is the start page."""
    return RedirectResponse("/chains", status_code=303)


@router.get("/chains")
def chain_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The ten chains grouped leading / advantage / future."""
    summaries = chain_service.summaries(session=session)
    groups = [(g, [s for s in summaries if s.group == g]) for g in ChainGroup]
    return render(request, "chains/list.html", {"groups": groups})


@router.get("/chains/{code}")
def chain_detail(code: str, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """One chain: segments by stream with their firms, supply links, responsible units."""
    chain = chain_service.detail(session=session, code=code)
    by_id = {s.id: s for s in chain.segments}
    streams = [(st, [s for s in chain.segments if s.stream == st]) for st in Stream]
    members = enterprise_service.leading_members(session=session, chain_id=chain.id)
    links = [(by_id[link.source_id], by_id[link.target_id]) for link in chain.links]
    gaps = chain_service.gap_report(chain)
    return render(
        request,
        "chains/detail.html",
        {
            "chain": chain,
            "streams": streams,
            "members": members,
            "links": links,
            "gaps": gaps,
            "gap_of": {g.segment_id: g for g in gaps},
            "threshold": chain_service.DEFAULT_WEAK_THRESHOLD,
        },
    )


@router.get("/parks")
def park_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The committee, the five parks and the six landmarks."""
    return render(
        request,
        "parks.html",
        {
            "parks": list_parks(session=session),
            "counts": enterprise_service.count_by_park(session=session),
            "landmarks": list_landmarks(session=session),
        },
    )
