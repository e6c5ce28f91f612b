"""Chains, their maps, gaps and dossiers, and the parks, as JSON."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from chainmaps import figures as chain_figures
from chainmaps import overview
from chains import dossier as dossier_service
from chains import service as chain_service
from chains.graph import SegmentGap
from chains.maps import ChainMap, chain_map
from chains.models import ChainDetail, ChainSummary, DossierKind, SegmentPublic, Stream
from core.db import utcnow
from core.orgs import list_parks
from enterprises.registry.models import MemberRole
from web.deps import ChainDep, CurrentUser, PathId, SessionDep

router = APIRouter(tags=["chains"])


class ParkOut(BaseModel):
    """A park or the zone committee."""

    id: int
    code: str
    name: str
    kind: str
    district: str


class SegmentFirmOut(BaseModel):
    """A firm of a segment; `via` names the other chain's segment of a shared technology."""

    id: int
    name: str
    park: str
    above_size: bool
    annual_output: float | None
    role: MemberRole
    hidden_champion: bool
    via: str | None
    recognitions: list[str]


class SegmentFirmsOut(BaseModel):
    """A segment's firms: the total and the first ones, anchors and big firms first."""

    total: int
    items: list[SegmentFirmOut]


class DossierItemOut(BaseModel):
    """One item of a chain's dossier."""

    id: int
    kind: DossierKind
    name: str
    issuer: str
    issued_date: date | None
    summary: str
    url: str
    position: int
    updated_at: datetime
    version: int


class MatrixCellOut(BaseModel):
    """One chain's segments in one stream."""

    chain_code: str
    chain_name: str
    stream: Stream
    segments: int
    missing: int
    firms: int


@router.get("/chains", response_model=list[ChainDetail])
def list_chains(session: SessionDep, user: CurrentUser) -> list[ChainDetail]:
    """Every chain with its segments, links and units."""
    return [
        chain_figures.detail(session=session, code=c.code)
        for c in chain_service.get_all(session=session)
    ]


@router.get("/chains/{code}", response_model=ChainDetail)
def get_chain(chain: ChainDep, session: SessionDep) -> ChainDetail:
    """One chain with its segments, links and units."""
    return chain_figures.detail(session=session, code=chain.code)


@router.get("/chains/{code}/map", response_model=ChainMap)
def get_map(chain: ChainDep, session: SessionDep) -> ChainMap:
    """The chain map: nodes with positions, figures and gaps; edges with their drawn paths."""
    view = chain_figures.detail(session=session, code=chain.code)
    return chain_map(view, chain_figures.gap_report(view))


@router.get("/chains/{code}/gaps", response_model=list[SegmentGap])
def chain_gaps(chain: ChainDep, session: SessionDep) -> list[SegmentGap]:
    """The chain's segments ranked by gap priority, with status, score and explanation."""
    return chain_figures.gaps(session=session, code=chain.code)


@router.get("/chains/{code}/unconfirmed", response_model=list[SegmentPublic])
def unconfirmed_segments(chain: ChainDep, session: SessionDep) -> list[SegmentPublic]:
    """Segments whose firm list nobody has confirmed in the last 90 days."""
    view = chain_figures.detail(session=session, code=chain.code)
    return overview.unconfirmed(view.segments, utcnow())


@router.get("/chains/{code}/segments/{segment_id}/firms", response_model=SegmentFirmsOut)
def segment_firms(
    segment_id: PathId,
    chain: ChainDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 60,
) -> SegmentFirmsOut:
    """A segment's firms, including those of other chains' segments of the same technology."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    total, firms = overview.segment_firms(session=session, segment=segment, limit=limit)
    return SegmentFirmsOut(
        total=total, items=[SegmentFirmOut.model_validate(f, from_attributes=True) for f in firms]
    )


@router.get("/chains/{code}/dossier", response_model=list[DossierItemOut])
def chain_dossier(chain: ChainDep, session: SessionDep) -> list[DossierItemOut]:
    """The chain's key projects, innovation platforms, policies and advisory bodies."""
    grouped = dossier_service.items_of(session=session, chain_id=chain.id or 0)
    return [
        DossierItemOut.model_validate(item, from_attributes=True)
        for items in grouped.values()
        for item in items
    ]


@router.get("/chain-matrix", response_model=list[MatrixCellOut])
def chain_matrix(session: SessionDep, user: CurrentUser) -> list[MatrixCellOut]:
    """Zone-wide: every chain × stream with segments, missing segments and firms."""
    cells = overview.matrix(session=session)
    return [
        MatrixCellOut(chain_code=c.code, chain_name=c.name, stream=stream, **vars(cell))
        for c in chain_service.get_all(session=session)
        for stream, cell in cells.get(c.id or 0, {}).items()
    ]


@router.get("/chain-summaries", response_model=list[ChainSummary])
def chain_summaries(session: SessionDep, user: CurrentUser) -> list[ChainSummary]:
    """Every chain with its counts only."""
    return chain_figures.summaries(session=session)


@router.get("/parks", response_model=list[ParkOut])
def parks(session: SessionDep, user: CurrentUser) -> list[ParkOut]:
    """The zone committee and the five parks."""
    return [ParkOut.model_validate(p, from_attributes=True) for p in list_parks(session=session)]
