"""Chains and parks as JSON."""

from fastapi import APIRouter
from pydantic import BaseModel

from chains import service as chain_service
from chains.graph import SegmentGap
from chains.models import ChainDetail, ChainSummary
from core.orgs import list_parks
from web.deps import CurrentUser, SessionDep

router = APIRouter(tags=["chains"])


class ParkOut(BaseModel):
    """A park or the zone committee."""

    id: int
    code: str
    name: str
    kind: str
    district: str


@router.get("/chains", response_model=list[ChainDetail])
def list_chains(session: SessionDep, user: CurrentUser) -> list[ChainDetail]:
    """Every chain with its segments, links and units."""
    return [
        chain_service.detail(session=session, code=c.code, summary=c)
        for c in chain_service.summaries(session=session)
    ]


@router.get("/chains/{code}", response_model=ChainDetail)
def get_chain(code: str, session: SessionDep, user: CurrentUser) -> ChainDetail:
    """One chain with its segments, links and units."""
    return chain_service.detail(session=session, code=code)


@router.get("/chains/{code}/gaps", response_model=list[SegmentGap])
def chain_gaps(code: str, session: SessionDep, user: CurrentUser) -> list[SegmentGap]:
    """The chain's segments ranked by gap priority, with status, score and explanation."""
    return chain_service.gaps(session=session, code=code)


@router.get("/chain-summaries", response_model=list[ChainSummary])
def chain_summaries(session: SessionDep, user: CurrentUser) -> list[ChainSummary]:
    """Every chain with its counts only."""
    return chain_service.summaries(session=session)


@router.get("/parks", response_model=list[ParkOut])
def parks(session: SessionDep, user: CurrentUser) -> list[ParkOut]:
    """The zone committee and the five parks."""
    return [ParkOut.model_validate(p, from_attributes=True) for p in list_parks(session=session)]
