"""Designations, cultivation stages and moves, and annual figures as JSON."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from chains import service as chain_service
from core import permissions
from core.db import china_today, require_id
from core.validation import Input
from enterprises.cultivation import designations, discovery, pipeline, roster, standing
from enterprises.cultivation.designations import Metric
from enterprises.cultivation.pipeline import MoveFields, Stage
from enterprises.registry import figures
from enterprises.registry import service as enterprise_service
from enterprises.registry.figures import FigureFields
from enterprises.spreadsheets import export as enterprise_export
from web.deps import CurrentUser, Id, PathId, SessionDep, Version
from web.downloads import table_download
from web.filters import RosterQueryDep

router = APIRouter(tags=["cultivation"])


class TierOut(BaseModel):
    """A rung of a designation."""

    id: int
    code: str
    name: str
    rank: int


class DesignationOut(BaseModel):
    """A designation with its tiers and screening criteria."""

    id: int
    code: str
    name: str
    description: str
    validity_years: int | None
    remind_days: int
    high_growth: bool
    per_chain: bool
    active: bool
    tiers: list[TierOut]
    criteria: dict[Metric, float]


class StartIn(Input):
    """Make a firm a candidate for a designation."""

    enterprise_id: Id
    designation: str = Field(description="designation code")
    chain: str | None = Field(default=None, description="chain code, for per-chain designations")
    on: date
    note: str = Field(default="", max_length=1000)


class MoveIn(MoveFields):
    """A move; send the version you read to be refused (409) if someone moved it since."""

    version: Version | None = None


class BulkMoveIn(MoveFields):
    """One move for several cultivations, all or none."""

    ids: list[Id] = Field(min_length=1, max_length=1000)


class RosterRowOut(BaseModel):
    """A firm's cultivation toward one designation."""

    cultivation_id: int
    version: int
    enterprise_id: int
    enterprise_name: str
    park: str
    designation: str
    designation_code: str
    tier: str | None
    stage: Stage
    batch: str
    recognised_on: date | None
    valid_until: date | None
    due_soon: bool


class RosterOut(BaseModel):
    """Cultivations matching a filter: the total and the first rows."""

    total: int
    items: list[RosterRowOut]


class EventOut(BaseModel):
    """One move of a cultivation."""

    on: date
    actor_name: str
    from_stage: Stage | None
    to_stage: Stage
    tier_id: int | None
    batch: str
    valid_until: date | None
    note: str
    document_number: str
    evidence_url: str
    forced: bool


class CountsOut(BaseModel):
    """Firms of a designation by stage as of a date, per park and per chain."""

    designation: str
    as_of: date
    by_park: dict[str, dict[Stage, int]]
    by_chain: dict[str, dict[Stage, int]]


class QualifyingOut(BaseModel):
    """A firm that meets a designation's criteria, with the values that qualify it."""

    enterprise_id: int
    name: str
    values: dict[Metric, float]


def _designation_out(session: Session, d: designations.Designation) -> DesignationOut:
    did = require_id(d)
    return DesignationOut(
        **d.model_dump(exclude={"position"}),
        tiers=[
            TierOut.model_validate(t, from_attributes=True)
            for t in designations.tiers_of(session=session, designation_id=did)
        ],
        criteria={
            Metric(c.metric): c.value
            for c in designations.criteria_of(session=session, designation_id=did)
        },
    )


@router.get("/designations", response_model=list[DesignationOut])
def list_designations(session: SessionDep, user: CurrentUser) -> list[DesignationOut]:
    """Every designation, with tiers and screening criteria."""
    return [_designation_out(session, d) for d in designations.get_all(session=session)]


@router.get("/designations/{code}/counts", response_model=CountsOut)
def designation_counts(
    code: str, session: SessionDep, user: CurrentUser, as_of: date | None = None
) -> CountsOut:
    """Firms by stage on a date (default today), recomputed from the event log."""
    designation = designations.get_by_code(session=session, code=code)
    day = as_of or china_today()
    by_park, by_chain = roster.breakdown(session=session, designation=designation, day=day)
    return CountsOut(
        designation=designation.code,
        as_of=day,
        by_park={k: dict(v) for k, v in by_park.items()},
        by_chain={k: dict(v) for k, v in by_chain.items()},
    )


@router.get("/designations/{code}/discover", response_model=list[QualifyingOut])
def discover(code: str, session: SessionDep, user: CurrentUser) -> list[QualifyingOut]:
    """Firms meeting every screening criterion that are not yet in the designation's pipeline."""
    designation = designations.get_by_code(session=session, code=code)
    found = discovery.candidates(
        session=session,
        designation=designation,
        park_id=permissions.park_scope(user, None),
        today=china_today(),
    )
    return [
        QualifyingOut(
            enterprise_id=require_id(q.enterprise), name=q.enterprise.name, values=q.values
        )
        for q in found
    ]


@router.get("/cultivations", response_model=RosterOut)
def list_cultivations(
    query: RosterQueryDep,
    session: SessionDep,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = roster.PAGE_SIZE,
) -> RosterOut:
    """Firms in cultivation, filtered and paged (a park bureau sees its own park)."""
    total, rows = roster.search(
        session=session,
        flt=query.to_filter(session, user),
        today=china_today(),
        page=page,
        page_size=page_size,
    )
    return RosterOut(
        total=total, items=[RosterRowOut.model_validate(r, from_attributes=True) for r in rows]
    )


@router.get("/cultivations/export", response_class=Response)
def export_cultivations(
    query: RosterQueryDep,
    session: SessionDep,
    user: CurrentUser,
    format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",
) -> Response:
    """The filtered cultivation list as a .xlsx or .csv file with Chinese headers."""
    _, rows = enterprise_export.roster_rows(
        session=session, flt=query.to_filter(session, user), today=china_today()
    )
    return table_download(
        format,
        f"培育名单-{china_today():%Y%m%d}",
        enterprise_export.ROSTER_HEADERS,
        rows,
        enterprise_export.ROSTER_WIDTHS,
        session=session,
        actor=user,
    )


@router.post("/cultivations", response_model=RosterRowOut, status_code=201)
def start_cultivation(data: StartIn, session: SessionDep, user: CurrentUser) -> RosterRowOut:
    """Make a firm a candidate (admin, or the park bureau of the firm's park)."""
    designation = designations.get_by_code(session=session, code=data.designation)
    chain_id = (
        chain_service.get_by_code(session=session, code=data.chain).id if data.chain else None
    )
    cultivation = pipeline.start(
        session=session,
        actor=user,
        enterprise_id=data.enterprise_id,
        designation=designation,
        chain_id=chain_id,
        on=data.on,
        note=data.note,
    )
    return _row(session, require_id(cultivation))


def _row(session: Session, cultivation_id: int) -> RosterRowOut:
    row = roster.row(session=session, cultivation_id=cultivation_id, today=china_today())
    return RosterRowOut.model_validate(row, from_attributes=True)


@router.post("/cultivations/{cultivation_id}/moves", response_model=RosterRowOut)
def move_cultivation(
    cultivation_id: PathId, data: MoveIn, session: SessionDep, user: CurrentUser
) -> RosterRowOut:
    """Move a cultivation to another stage or tier; out of order needs an admin and a note."""
    cultivation = pipeline.get(session=session, cultivation_id=cultivation_id)
    pipeline.move(
        session=session,
        actor=user,
        cultivation=cultivation,
        data=MoveFields(**data.model_dump(exclude={"version"})),
        version=data.version,
    )
    return _row(session, cultivation_id)


@router.post("/cultivations/bulk-moves")
def bulk_move(data: BulkMoveIn, session: SessionDep, user: CurrentUser) -> dict[str, int]:
    """Move several cultivations with one note; if one is refused, none moves."""
    moved = pipeline.bulk_move(
        session=session,
        actor=user,
        cultivation_ids=data.ids,
        data=MoveFields(**data.model_dump(exclude={"ids"})),
    )
    return {"moved": moved}


@router.get("/cultivations/{cultivation_id}/events", response_model=list[EventOut])
def cultivation_events(
    cultivation_id: PathId, session: SessionDep, user: CurrentUser
) -> list[EventOut]:
    """The cultivation's moves, oldest first."""
    pipeline.get(session=session, cultivation_id=cultivation_id)
    events = standing.events_of(session=session, cultivation_ids=[cultivation_id])
    return [EventOut.model_validate(e, from_attributes=True) for e in events[cultivation_id]]


@router.put("/enterprises/{enterprise_id}/figures", response_model=FigureFields)
def put_figures(
    enterprise_id: PathId, data: FigureFields, session: SessionDep, user: CurrentUser
) -> FigureFields:
    """Enter or correct one year's figures (admin, or the park bureau of the firm's park)."""
    firm = enterprise_service.get(session=session, enterprise_id=enterprise_id)
    row = figures.put(session=session, actor=user, enterprise=firm, data=data)
    return FigureFields.model_validate(row, from_attributes=True)
