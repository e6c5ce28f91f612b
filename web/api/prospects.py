"""The target library (招商目标库) as JSON: list, read, add, edit, turn into a project."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from core import permissions
from core.accounts import User
from enterprises.prospects import outreach, service
from enterprises.prospects.models import FirmSize, Listing, Prospect, ProspectFields
from web.api.match_reason import MatchReason
from web.deps import CurrentUser, Id, PathId, SessionDep, Version


def prospect_reader(user: CurrentUser) -> User:
    """The user, if the target library is for their role (403 for viewers)."""
    permissions.ensure_sees_prospects(user)
    return user


Reader = Annotated[User, Depends(prospect_reader)]
router = APIRouter(prefix="/prospects", tags=["prospects"])


class SuggestedSegment(MatchReason):
    """A segment suggested for a target, with why (the words found, else shared n-grams)."""

    segment_id: int
    chain_id: int


class ProspectOut(ProspectFields):
    """A target firm with its suggested segments and the project made from it, if any."""

    checks_input = False  # shows what is stored (see core.validation.Input)

    id: int
    demo: bool
    version: int
    created_at: datetime
    updated_at: datetime
    segments: list[SuggestedSegment] = []
    lead_id: int | None = None


class ProspectPageOut(BaseModel):
    """One page of target firms; total is exact unless capped (then it is the cap)."""

    items: list[ProspectOut]
    total: int
    capped: bool
    page: int
    page_size: int


class ProspectUpdateIn(ProspectFields):
    """An edit; send the version you read."""

    version: Version


class ProjectIn(BaseModel):
    """The segment the project aims at (default: the target's best suggested segment)."""

    segment_id: Id | None = None


class ProjectOut(BaseModel):
    """The project a target became (created: made now, else it already was one)."""

    lead_id: int
    created: bool


def _out(session: SessionDep, prospect: Prospect) -> ProspectOut:
    pid = prospect.id or 0
    segments = service.segments_of(session=session, prospect_ids=[pid])[pid]
    out = ProspectOut.model_validate(prospect, from_attributes=True)
    out.segments = [SuggestedSegment.model_validate(s, from_attributes=True) for s in segments]
    out.lead_id = outreach.lead_of(session=session, prospect_ids=[pid]).get(pid)
    return out


@router.get("")
def list_prospects(
    session: SessionDep,
    user: Reader,
    q: Annotated[str, Query(max_length=100)] = "",
    province: Annotated[str, Query(max_length=20)] = "",
    size: FirmSize | None = None,
    listing: Listing | None = None,
    segment_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProspectPageOut:
    """Target firms, newest first, by name/products/tags/code, province, size, listing, segment."""
    flt = service.ProspectFilter(
        q=q, province=province, size=size, listing=listing, segment_id=segment_id
    )
    found = service.search(session=session, flt=flt, page=page, page_size=page_size)
    leads = outreach.lead_of(session=session, prospect_ids=[p.id or 0 for p in found.rows])
    items = []
    for p in found.rows:
        out = ProspectOut.model_validate(p, from_attributes=True)
        out.segments = [
            SuggestedSegment.model_validate(s, from_attributes=True)
            for s in found.segments.get(p.id or 0, [])
        ]
        out.lead_id = leads.get(p.id or 0)
        items.append(out)
    return ProspectPageOut(
        items=items, total=found.total, capped=found.capped, page=page, page_size=page_size
    )


@router.post("", status_code=201)
def create_prospect(session: SessionDep, user: Reader, data: ProspectFields) -> ProspectOut:
    """Add a target firm (promotion staff and admins); a held code or name is refused."""
    return _out(session, service.create(session=session, actor=user, data=data))


@router.get("/{prospect_id:int}")
def get_prospect(prospect_id: PathId, session: SessionDep, user: Reader) -> ProspectOut:
    """One target firm."""
    return _out(session, service.get(session=session, prospect_id=prospect_id))


@router.put("/{prospect_id:int}")
def update_prospect(
    prospect_id: PathId, session: SessionDep, user: Reader, data: ProspectUpdateIn
) -> ProspectOut:
    """Edit a target firm from the version you read (409 if it changed since)."""
    prospect = service.get(session=session, prospect_id=prospect_id)
    fields = ProspectFields.model_validate(data.model_dump(exclude={"version"}))
    service.update(
        session=session, actor=user, prospect=prospect, data=fields, version=data.version
    )
    return _out(session, prospect)


@router.post("/{prospect_id:int}/project")
def make_project(
    prospect_id: PathId, session: SessionDep, user: Reader, body: ProjectIn
) -> ProjectOut:
    """Turn the target into a project with its data, or name the project it already is."""
    prospect = service.get(session=session, prospect_id=prospect_id)
    lead, created = outreach.make_project(
        session=session, actor=user, prospect=prospect, segment_id=body.segment_id
    )
    return ProjectOut(lead_id=lead.id or 0, created=created)
