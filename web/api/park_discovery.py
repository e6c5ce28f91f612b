"""候选发现 per park: a park's firms that meet a designation's criteria, added as candidates."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core import permissions
from core.db import china_today, require_id
from core.orgs import get_park_by_code
from core.validation import Input
from enterprises.cultivation import designations, discovery
from enterprises.cultivation.designations import Metric
from web.deps import CurrentUser, Id, SessionDep

router = APIRouter(tags=["cultivation"])


class FoundOut(BaseModel):
    """A park's firm that meets the designation's criteria, with the values that qualify it."""

    enterprise_id: int
    name: str
    values: dict[Metric, float]


class ParkDiscoveryOut(BaseModel):
    """A designation's discovered candidates among the park's firms."""

    designation: str
    found: list[FoundOut]


class CandidatesIn(Input):
    """Make discovered firms of the park candidates (候选) of a designation, all or none."""

    designation: str = Field(max_length=40, description="designation code")
    ids: list[Id] = Field(min_length=1, max_length=500)


class AddedOut(BaseModel):
    """How many firms became candidates."""

    added: int


@router.get("/parks/{code}/discovery", response_model=list[ParkDiscoveryOut])
def park_discovery(code: str, session: SessionDep, user: CurrentUser) -> list[ParkDiscoveryOut]:
    """Per active designation, the park's firms meeting its criteria, not yet in its pipeline."""
    park = get_park_by_code(session=session, code=code)
    found = discovery.in_park(session=session, park_id=require_id(park), today=china_today())
    return [
        ParkDiscoveryOut(
            designation=entry.designation.code,
            found=[
                FoundOut(
                    enterprise_id=require_id(q.enterprise), name=q.enterprise.name, values=q.values
                )
                for q in entry.found
            ],
        )
        for entry in found
    ]


@router.post("/parks/{code}/candidates", response_model=AddedOut)
def add_candidates(
    code: str, data: CandidatesIn, session: SessionDep, user: CurrentUser
) -> AddedOut:
    """Add the chosen firms of the park as candidates in one step (park bureau: its own park)."""
    park = get_park_by_code(session=session, code=code)
    permissions.ensure_can_edit_enterprise(user, park.id)
    designation = designations.get_by_code(session=session, code=data.designation)
    added = discovery.add_candidates(
        session=session,
        actor=user,
        designation=designation,
        park_id=require_id(park),
        enterprise_ids=list(data.ids),
        today=china_today(),
    )
    return AddedOut(added=added)
