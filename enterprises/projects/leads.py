"""Investment projects (项目库): a lead from first word to a firm producing in the zone.

This module holds the lead itself, its contacts, who may see it and the duplicate check;
stage moves live in lead_stages.py, the follow-up log in followups.py.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import Index, false, or_
from sqlmodel import Field, Session, col

from chains.models import Chain, Segment
from core import audit, bounds, locking, permissions, versions
from core.accounts import User
from core.db import MAX_ID, china_today, enum_column, utcnow
from core.errors import FieldErrors, NotFound
from core.orgs import Park
from core.permissions import LeadScope
from core.validation import Input
from enterprises.registry import credit_code
from enterprises.registry.names import core_name


class Source(StrEnum):
    """How a lead came to the zone (招商渠道)."""

    business = "business"
    fund = "fund"
    expo = "expo"
    online = "online"
    agency = "agency"
    visit = "visit"
    other = "other"


SOURCE_LABELS = {
    Source.business: "以商招商",
    Source.fund: "基金/投资型招商",
    Source.expo: "展会",
    Source.online: "云招商",
    Source.agency: "中介",
    Source.visit: "上门",
    Source.other: "其他",
}


class LeadStage(StrEnum):
    """Where a project stands, from lead to designed capacity, plus on hold and dropped."""

    lead = "lead"
    contact = "contact"
    visit = "visit"
    negotiation = "negotiation"
    signed = "signed"
    registered = "registered"
    construction = "construction"
    production = "production"
    capacity = "capacity"
    on_hold = "on_hold"
    dropped = "dropped"


LEAD_STAGE_LABELS = {
    LeadStage.lead: "线索",
    LeadStage.contact: "接洽",
    LeadStage.visit: "考察",
    LeadStage.negotiation: "洽谈",
    LeadStage.signed: "签约",
    LeadStage.registered: "注册落地",
    LeadStage.construction: "开工",
    LeadStage.production: "投产",
    LeadStage.capacity: "达产",
    LeadStage.on_hold: "暂缓",
    LeadStage.dropped: "终止",
}
FLOW = list(LeadStage)[:9]
LANDED = FLOW[FLOW.index(LeadStage.registered) :]


class SpaceUnit(StrEnum):
    """The unit a space need is stated in."""

    m2 = "m2"
    mu = "mu"


SPACE_UNIT_LABELS = {SpaceUnit.m2: "平方米", SpaceUnit.mu: "亩"}
SQUARE_METRES = {SpaceUnit.m2: 1.0, SpaceUnit.mu: 2000 / 3}  # one mu is 666.67 m²


class SpaceKind(StrEnum):
    """Whether a project needs land to build on or floor space to move into."""

    land = "land"
    building = "building"


SPACE_KIND_LABELS = {SpaceKind.land: "用地", SpaceKind.building: "厂房/楼宇"}


class LeadFields(Input):
    """What a user sets on a lead."""

    name: str = Field(min_length=2, max_length=100)
    investor_name: str = Field(min_length=2, max_length=100)
    investor_credit_code: str | None = Field(default=None, max_length=18)
    source: Source = Source.other
    chain_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    segment_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    planned_investment: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    expected_output: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    expected_tax: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    space_need: float | None = Field(default=None, ge=0, le=bounds.AREA)
    space_unit: SpaceUnit = SpaceUnit.m2
    space_kind: SpaceKind = SpaceKind.building
    park_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    owner_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    confidential: bool = False
    description: str = Field(default="", max_length=2000)

    @field_validator("name", "investor_name", "description", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("investor_credit_code", mode="before")
    @classmethod
    def _blank_code(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().upper() or None
        return value

    @field_validator("investor_credit_code")
    @classmethod
    def _check_code(cls, value: str | None) -> str | None:
        if value is not None and (problem := credit_code.problem(value)):
            raise ValueError(problem)
        return value


class LeadCreateFields(LeadFields):
    """A new lead, with the day it was registered (登记日期) when that was not today."""

    created_on: date | None = None


LEAD_LABELS = {
    "name": "项目名称",
    "investor_name": "投资方",
    "investor_credit_code": "投资方统一社会信用代码",
    "source": "招商渠道",
    "chain_id": "目标产业链",
    "segment_id": "目标环节",
    "planned_investment": "计划投资额（万元）",
    "expected_output": "预计年产值（万元）",
    "expected_tax": "预计年税收（万元）",
    "space_need": "空间需求",
    "space_unit": "面积单位",
    "space_kind": "空间类型",
    "park_id": "意向园区",
    "owner_id": "项目负责人",
    "confidential": "保密项目",
    "description": "项目简介",
    "created_on": "登记日期",
    "version": "版本号",
}


class Lead(LeadFields, table=True):
    """An investment project (招商项目) in the project library."""

    # The board reads each stage's most recently changed leads, and counts every stage within
    # what a user may see: the second index covers that count, sparing the wide rows.
    __table_args__ = (
        Index("ix_lead_stage_updated", "stage", "updated_at"),
        Index(
            "ix_lead_board_cover",
            "stage",
            "confidential",
            "team_id",
            "owner_id",
            "park_id",
            "chain_id",
            "planned_investment",
        ),
        # A chain's map counts the open leads aimed at each of its segments.
        Index("ix_lead_chain_segment", "chain_id", "segment_id", "stage"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    investor_name: str = Field(max_length=100)
    investor_credit_code: str | None = Field(default=None, max_length=18, index=True)
    investor_core: str = Field(default="", max_length=100, index=True)
    source: Source = Field(default=Source.other, sa_type=enum_column(Source, 20))
    chain_id: int | None = Field(default=None, foreign_key="chain.id", index=True)
    segment_id: int | None = Field(
        default=None, foreign_key="segment.id", index=True, ondelete="SET NULL"
    )
    space_unit: SpaceUnit = Field(default=SpaceUnit.m2, sa_type=enum_column(SpaceUnit, 4))
    space_kind: SpaceKind = Field(default=SpaceKind.building, sa_type=enum_column(SpaceKind, 10))
    park_id: int | None = Field(default=None, foreign_key="park.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    stage: LeadStage = Field(default=LeadStage.lead, sa_type=enum_column(LeadStage, 20))
    stage_since: date = Field(default_factory=china_today)
    reached: int = Field(default=0, description="index in FLOW of the furthest stage reached")
    resume_stage: LeadStage | None = Field(default=None, sa_type=enum_column(LeadStage, 20))
    drop_reason: str = Field(default="", max_length=30)
    drop_note: str = Field(default="", max_length=500)
    site_on: date | None = Field(default=None, description="the day a site or carrier was secured")
    registered_on: date | None = Field(default=None, index=True)
    enterprise_id: int | None = Field(  # indexed: deleting a firm looks its leads up
        default=None, foreign_key="enterprise.id", ondelete="SET NULL", index=True
    )
    prospect_id: int | None = Field(  # the target firm (招商目标库) the project was made from
        default=None, foreign_key="prospect.id", ondelete="SET NULL", index=True
    )
    capital_arrived: float = Field(default=0, description="sum of the recorded arrivals (万元)")
    last_followup_on: date | None = None
    next_step: str = Field(default="", max_length=200)
    next_due: date | None = Field(default=None, index=True)
    created_on: date = Field(default_factory=china_today, index=True)
    demo: bool = Field(default=False, description="generated demo data, removable")
    backfilled: bool = Field(
        default=False,
        description="entered after the fact from a ledger (补录): not new in its month",
        sa_column_kwargs={"server_default": false()},
    )
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


# The evaluation is cached per version of the projects; follow-ups touch only these columns.
versions.track(
    Lead,
    family=versions.PROJECTS,
    ignoring={"last_followup_on", "next_step", "next_due", "description", "version", "updated_at"},
)

EDITABLE = [k for k in LeadFields.model_fields]


def stage_label(lead: Lead) -> str:
    """The stage in Chinese; a held or dropped lead says where it stood."""
    label = LEAD_STAGE_LABELS[LeadStage(lead.stage)]
    if lead.resume_stage is not None:
        return f"{label}（原{LEAD_STAGE_LABELS[LeadStage(lead.resume_stage)]}）"
    return label


def visible(scope: LeadScope) -> Any:
    """The SQL condition selecting the leads a scope admits."""
    if scope.everything:
        return col(Lead.id).is_not(None)
    open_lead = col(Lead.confidential).is_(False)
    conditions = []
    if scope.team_id is not None:
        conditions.append(col(Lead.team_id) == scope.team_id)
    if scope.owner_id is not None:
        conditions.append(col(Lead.owner_id) == scope.owner_id)
    if scope.open_leads:
        conditions.append(open_lead)
    if scope.park_id is not None:
        conditions.append(open_lead & (col(Lead.park_id) == scope.park_id))
    if scope.chain_ids:
        conditions.append(open_lead & col(Lead.chain_id).in_(scope.chain_ids))
    return or_(*conditions) if conditions else false()


def admits(scope: LeadScope, lead: Lead) -> bool:
    """Whether a scope admits one lead (the same rule as visible(), in Python)."""
    if scope.everything:
        return True
    if scope.team_id is not None and lead.team_id == scope.team_id:
        return True
    if scope.owner_id is not None and lead.owner_id == scope.owner_id:
        return True
    if lead.confidential:
        return False
    return (
        scope.open_leads
        or (scope.park_id is not None and lead.park_id == scope.park_id)
        or lead.chain_id in scope.chain_ids
    )


def get(*, session: Session, user: User, lead_id: int) -> Lead:
    """Return a lead the user may see; one they may not see does not exist for them."""
    lead = session.get(Lead, lead_id)
    if lead is None or not admits(permissions.lead_scope(session=session, user=user), lead):
        raise NotFound(f"项目 {lead_id} 不存在或无权查看")
    return lead


def _check_references(session: Session, data: LeadFields) -> None:
    """Fill the chain from the segment and refuse references that do not hold."""
    errors: dict[str, str] = {}
    if data.segment_id is not None:
        segment = session.get(Segment, data.segment_id)
        if segment is None:
            errors["segment_id"] = "目标环节不存在"
        elif data.chain_id not in (None, segment.chain_id):
            errors["segment_id"] = f"环节“{segment.name}”不属于所选产业链"
        else:
            data.chain_id = segment.chain_id
    if data.chain_id is not None and session.get(Chain, data.chain_id) is None:
        errors["chain_id"] = "目标产业链不存在"
    if data.park_id is not None and session.get(Park, data.park_id) is None:
        errors["park_id"] = "意向园区不存在"
    if data.owner_id is not None:
        owner = session.get(User, data.owner_id)
        if owner is None or not permissions.can_create_lead(owner) or not owner.is_active:
            errors["owner_id"] = "项目负责人须为在岗的招商人员"
    if errors:
        raise FieldErrors(errors)


def create(*, session: Session, actor: User, data: LeadFields, on: date | None = None) -> Lead:
    """Log a new lead registered `on` (登记日期, default today); its owner is the actor unless
    an admin names another."""
    permissions.ensure_can_create_lead(actor)
    data = data.model_copy()
    data.owner_id = data.owner_id or actor.id
    if data.owner_id != actor.id and not permissions.can_assign_lead(actor):
        raise FieldErrors({"owner_id": "只有管理员可以登记由他人负责的项目"})
    _check_references(session, data)
    owner = session.get(User, data.owner_id) if data.owner_id else None
    today = on or china_today()
    if today > china_today():
        raise FieldErrors({"created_on": "登记日期不能晚于今天"})
    lead = Lead(
        **data.model_dump(include=set(LeadFields.model_fields)),
        team_id=owner.team_id if owner else None,
        investor_core=core_name(data.investor_name),
        stage_since=today,
        created_on=today,
        # Registered in a month already past: entered after the fact (补录), not new this month.
        backfilled=(today.year, today.month) < (china_today().year, china_today().month),
    )
    session.add(lead)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=lead,
        label=lead.name,
        after=audit.snapshot(lead, EDITABLE),
    )
    return lead


def update(*, session: Session, actor: User, lead: Lead, data: LeadFields, version: int) -> Lead:
    """Apply an edit made from `version`; a stale version raises Conflict."""
    permissions.ensure_can_edit_lead(actor, lead.owner_id)
    take(session, lead, version)
    permissions.ensure_can_edit_lead(actor, lead.owner_id)  # as it is now
    data = data.model_copy()
    data.owner_id = data.owner_id or lead.owner_id  # the owner may hand the lead over
    _check_references(session, data)
    owner = session.get(User, data.owner_id) if data.owner_id else None
    before = audit.snapshot(lead, EDITABLE)
    values = data.model_dump() | {
        "team_id": owner.team_id if owner else lead.team_id,
        "investor_core": core_name(data.investor_name),
    }
    for key, value in values.items():
        if getattr(lead, key) != value:
            setattr(lead, key, value)
    session.flush()
    old, new = audit.changed(before, audit.snapshot(lead, EDITABLE))
    audit.record(
        session=session,
        actor=actor,
        action="update",
        obj=lead,
        label=lead.name,
        before=old,
        after=new,
    )
    return lead


def take(session: Session, lead: Lead, version: int | None = None) -> None:
    """Take a lead for a change (an edit, a move, a follow-up, an arrival, a reservation).

    A writer who read another version gets Conflict, concurrent changes of one lead run one
    after another, and the first change bumps its version (core.locking.claim).
    """
    locking.claim(session, lead, version, label=f"项目“{lead.name}”")
