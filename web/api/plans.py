"""Plans as JSON: list, one plan with its targets, create, add a target, copy, import."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel
from sqlmodel import Field

from core import permissions
from core.db import china_today
from core.validation import Input
from enterprises.spreadsheets import tabular
from plans import figures, plan_writing, target_import
from plans.plan_writing import PlanFields, TargetFields
from plans.targets import Comparator, Plan, Target, TargetKind
from web.deps import CurrentUser, PathId, SessionDep

router = APIRouter(prefix="/plans", tags=["plans"])


class PlanOut(BaseModel):
    """A plan."""

    id: int
    code: str
    name: str
    issuer: str
    document_number: str
    period_start: date
    period_end: date
    in_force: bool
    demo: bool


class PlanTargetOut(BaseModel):
    """A target as the plan sets it (its standing is under /api/v1/targets)."""

    code: str
    name: str
    unit: str
    kind: TargetKind
    figure: str | None
    definition: dict[str, object] | None
    comparator: Comparator
    target_value: float
    deadline: date
    milestones: dict[str, float]
    headline: bool


class PlanDetailOut(PlanOut):
    """A plan with its source text and targets."""

    source_text: str
    targets: list[PlanTargetOut]


class CopyIn(Input):
    """Where a copy of a plan starts, and its name (default: the old name with the period)."""

    start_year: int = Field(ge=plan_writing.FIRST_YEAR, le=plan_writing.LAST_YEAR)
    name: str = Field(default="", max_length=200)


def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.id or 0,
        code=plan.code,
        name=plan.name,
        issuer=plan.issuer,
        document_number=plan.document_number,
        period_start=plan.period_start,
        period_end=plan.period_end,
        in_force=plan.in_force(china_today()),
        demo=plan.demo,
    )


def _target_out(target: Target) -> PlanTargetOut:
    figure = figures.of_definition(target.definition)
    return PlanTargetOut(
        code=target.code,
        name=target.name,
        unit=target.unit,
        kind=TargetKind(target.kind),
        figure=figure.code if figure else None,
        definition=target.definition,
        comparator=Comparator(target.comparator),
        target_value=target.target_value,
        deadline=target.deadline,
        milestones=dict(target.milestones or {}),
        headline=target.headline,
    )


def _detail(session: SessionDep, plan: Plan) -> PlanDetailOut:
    return PlanDetailOut(
        **_plan_out(plan).model_dump(),
        source_text=plan.source_text,
        targets=[_target_out(t) for t in plan_writing.targets_of(session=session, plan=plan)],
    )


@router.get("")
def list_plans(session: SessionDep, user: CurrentUser) -> list[PlanOut]:
    """Every plan, with whether it is in force today."""
    return [_plan_out(p) for p in plan_writing.get_all(session=session)]


@router.get("/{plan_id}")
def get_plan(plan_id: PathId, session: SessionDep, user: CurrentUser) -> PlanDetailOut:
    """A plan with its source text and targets."""
    return _detail(session, plan_writing.get(session=session, plan_id=plan_id))


@router.post("", status_code=201)
def create_plan(data: PlanFields, session: SessionDep, user: CurrentUser) -> PlanDetailOut:
    """Create a plan (admins and leaders)."""
    return _detail(session, plan_writing.create(session=session, actor=user, data=data))


@router.post("/{plan_id}/targets", status_code=201)
def add_target(
    plan_id: PathId, data: TargetFields, session: SessionDep, user: CurrentUser
) -> PlanTargetOut:
    """Add a target: computed from a figure (plans.figures) or reported (admins and leaders)."""
    plan = plan_writing.get(session=session, plan_id=plan_id)
    target = plan_writing.add_target(session=session, actor=user, plan=plan, data=data)
    return _target_out(target)


@router.post("/{plan_id}/copy", status_code=201)
def copy_plan(
    plan_id: PathId, data: CopyIn, session: SessionDep, user: CurrentUser
) -> PlanDetailOut:
    """Copy the plan and its targets into the period starting `start_year`."""
    plan = plan_writing.get(session=session, plan_id=plan_id)
    new = plan_writing.copy(
        session=session, actor=user, plan=plan, start_year=data.start_year, name=data.name
    )
    return _detail(session, new)


# A plain def: parsing a sheet must run off the event loop.
@router.post("/{plan_id}/import", status_code=201)
def import_targets(
    plan_id: PathId,
    file: Annotated[UploadFile, File(description=".xlsx, .xls or .csv")],
    session: SessionDep,
    user: CurrentUser,
) -> list[PlanTargetOut]:
    """Add the sheet's targets to the plan, all rows or none; errors name row and column."""
    permissions.ensure_can_edit_plans(user)  # before the upload is read
    plan = plan_writing.get(session=session, plan_id=plan_id)
    content = file.file.read(tabular.MAX_BYTES + 1)
    added = target_import.import_targets(
        session=session, actor=user, plan=plan, filename=file.filename or "upload", content=content
    )
    return [_target_out(t) for t in added]
