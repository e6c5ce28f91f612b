"""The carrier library (载体库): factories, offices, land parcels and incubator space."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import model_validator
from sqlmodel import Field, Session, col, select

from core import audit, bounds, locking, permissions
from core.accounts import User
from core.db import MAX_ID, china_today, enum_column, utcnow
from core.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from core.orgs import Landmark, Park
from core.validation import Input
from enterprises.projects.lead_stages import SIGNED
from enterprises.projects.leads import SQUARE_METRES, Lead, LeadStage, SpaceKind, SpaceUnit, take


class CarrierKind(StrEnum):
    """What kind of space a carrier offers."""

    factory = "factory"
    office = "office"
    land = "land"
    incubator = "incubator"


CARRIER_KIND_LABELS = {
    CarrierKind.factory: "标准厂房",
    CarrierKind.office: "写字楼/研发楼",
    CarrierKind.land: "产业用地",
    CarrierKind.incubator: "孵化器/加速器空间",
}


class CarrierStatus(StrEnum):
    """Whether a carrier can take a project now."""

    planned = "planned"
    available = "available"
    reserved = "reserved"
    occupied = "occupied"


CARRIER_STATUS_LABELS = {
    CarrierStatus.planned: "在建/规划中",
    CarrierStatus.available: "可招商",
    CarrierStatus.reserved: "已预留",
    CarrierStatus.occupied: "已入驻",
}


class CarrierFields(Input):
    """What a user sets on a carrier; areas in m² (land parcels are shown in 亩 as well)."""

    park_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(min_length=2, max_length=100)
    kind: CarrierKind = CarrierKind.factory
    total_area: float = Field(gt=0, le=bounds.AREA)
    available_area: float = Field(ge=0, le=bounds.AREA)
    floor_load: float | None = Field(default=None, ge=0, le=bounds.FLOOR_LOAD)
    land_use: str = Field(default="", max_length=40)
    rent: float | None = Field(default=None, ge=0, le=bounds.RENT)
    price: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    status: CarrierStatus = CarrierStatus.available
    landmark_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    address: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _available_within_total(self) -> "CarrierFields":
        if self.available_area > self.total_area:
            raise FieldErrors({"available_area": "可用面积不能大于总面积"})
        return self


CARRIER_LABELS = {
    "park_id": "所在园区",
    "name": "载体名称",
    "kind": "载体类型",
    "total_area": "总面积（m²）",
    "available_area": "可用面积（m²）",
    "floor_load": "楼面荷载（kN/m²）",
    "land_use": "用地性质",
    "rent": "租金（元/m²·月）",
    "price": "售价/地价（万元）",
    "status": "状态",
    "landmark_id": "所属产业地标",
    "address": "地址",
    "note": "备注",
    "version": "版本号",
}
EDITABLE = list(CarrierFields.model_fields)


class Carrier(CarrierFields, table=True):
    """A site that can host projects."""

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    name: str = Field(max_length=100, unique=True)
    kind: CarrierKind = Field(default=CarrierKind.factory, sa_type=enum_column(CarrierKind, 10))
    status: CarrierStatus = Field(
        default=CarrierStatus.available, sa_type=enum_column(CarrierStatus, 10), index=True
    )
    landmark_id: int | None = Field(default=None, foreign_key="landmark.id")
    reserved_lead_id: int | None = Field(default=None, foreign_key="lead.id", index=True)
    reserved_on: date | None = None
    demo: bool = Field(default=False, description="generated demo data, removable")
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)


def get(*, session: Session, carrier_id: int) -> Carrier:
    """Return a carrier or raise NotFound."""
    carrier = session.get(Carrier, carrier_id)
    if carrier is None:
        raise NotFound(f"载体 {carrier_id} 不存在")
    return carrier


def get_all(
    *,
    session: Session,
    park_id: int | None = None,
    kind: CarrierKind | None = None,
    status: CarrierStatus | None = None,
) -> list[Carrier]:
    """Carriers by park and name, optionally of one park, kind or status."""
    stmt = select(Carrier).order_by(col(Carrier.park_id), col(Carrier.name))
    if park_id is not None:
        stmt = stmt.where(Carrier.park_id == park_id)
    if kind is not None:
        stmt = stmt.where(Carrier.kind == kind)
    if status is not None:
        stmt = stmt.where(Carrier.status == status)
    return list(session.exec(stmt))


def _check(session: Session, data: CarrierFields, carrier_id: int | None) -> None:
    errors: dict[str, str] = {}
    if session.get(Park, data.park_id) is None:
        errors["park_id"] = "所在园区不存在"
    if data.landmark_id is not None and session.get(Landmark, data.landmark_id) is None:
        errors["landmark_id"] = "产业地标不存在"
    clash = session.exec(
        select(Carrier.id).where(Carrier.name == data.name, col(Carrier.id) != (carrier_id or 0))
    ).first()
    if clash is not None:
        errors["name"] = f"已有名为“{data.name}”的载体"
    if errors:
        raise FieldErrors(errors)


def create(*, session: Session, actor: User, data: CarrierFields) -> Carrier:
    """Add a carrier to the library."""
    permissions.ensure_can_edit_carrier(actor, data.park_id)
    _check(session, data, None)
    carrier = Carrier(**data.model_dump())
    session.add(carrier)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=carrier,
        label=carrier.name,
        after=audit.snapshot(carrier, EDITABLE),
    )
    return carrier


def update(
    *, session: Session, actor: User, carrier: Carrier, data: CarrierFields, version: int
) -> Carrier:
    """Edit a carrier read at `version`; it may not move to a park the actor does not keep."""
    permissions.ensure_can_edit_carrier(actor, carrier.park_id)
    locking.claim(session, carrier, version, label=f"载体“{carrier.name}”", current=EDITABLE)
    permissions.ensure_can_edit_carrier(actor, carrier.park_id)  # as it is now
    permissions.ensure_can_edit_carrier(actor, data.park_id)
    _check(session, data, carrier.id)
    audit.update(
        session=session, actor=actor, obj=carrier, label=carrier.name, values=data.model_dump()
    )
    session.flush()
    return carrier


def need_in_square_metres(lead: Lead) -> float | None:
    """The lead's space need in m²."""
    if lead.space_need is None:
        return None
    return lead.space_need * SQUARE_METRES[SpaceUnit(lead.space_unit)]


def fitting(*, session: Session, lead: Lead, limit: int = 20) -> list[Carrier]:
    """Available carriers in the lead's park of the kind and size it needs, tightest first."""
    land = col(Carrier.kind) == CarrierKind.land
    conditions: list[Any] = [
        col(Carrier.status) == CarrierStatus.available,
        land if lead.space_kind == SpaceKind.land else ~land,
    ]
    if lead.park_id is not None:
        conditions.append(col(Carrier.park_id) == lead.park_id)
    need = need_in_square_metres(lead)
    if need:
        conditions.append(col(Carrier.available_area) >= need)
    stmt = select(Carrier).where(*conditions).order_by(col(Carrier.available_area)).limit(limit)
    return list(session.exec(stmt))


def reserve(*, session: Session, actor: User, carrier: Carrier, lead: Lead, on: date) -> Carrier:
    """Hold an available carrier for a signed project; the project's site is then secured.

    The carrier is claimed first (core.locking): of projects reserving it at once, the first
    gets it and the others find it reserved.
    """
    permissions.ensure_can_edit_lead(actor, lead.owner_id)
    locking.claim(session, carrier, label=f"载体“{carrier.name}”")
    take(session, lead)
    permissions.ensure_can_edit_lead(actor, lead.owner_id)  # as it is now
    if lead.reached < SIGNED or lead.stage == LeadStage.dropped:
        raise FieldErrors({"carrier_id": "只有已签约、未终止的项目可以预留载体"})
    if carrier.status != CarrierStatus.available:
        raise Conflict(
            f"载体“{carrier.name}”当前不可预留（{CARRIER_STATUS_LABELS[carrier.status]}）"
        )
    if on > china_today():
        raise FieldErrors({"on": "预留日期不能晚于今天"})
    values = {"status": CarrierStatus.reserved, "reserved_lead_id": lead.id, "reserved_on": on}
    audit.update(session=session, actor=actor, obj=carrier, label=carrier.name, values=values)
    if lead.site_on is None:
        audit.update(
            session=session, actor=actor, obj=lead, label=lead.name, values={"site_on": on}
        )
    lead.updated_at = utcnow()  # its carriers are part of it
    session.flush()
    return carrier


def release(*, session: Session, actor: User, carrier: Carrier, lead: Lead) -> Carrier:
    """Give a reserved carrier back to the market."""
    if not (
        permissions.can_edit_lead(actor, lead.owner_id)
        or permissions.can_edit_carrier(actor, carrier.park_id)
    ):
        raise PermissionDenied("只有项目负责人、载体所在园区和管理员可以取消预留")
    locking.claim(session, carrier, label=f"载体“{carrier.name}”")
    if carrier.reserved_lead_id != lead.id:
        raise FieldErrors({"carrier_id": f"载体“{carrier.name}”并未为该项目预留"})
    values = {"status": CarrierStatus.available, "reserved_lead_id": None, "reserved_on": None}
    audit.update(session=session, actor=actor, obj=carrier, label=carrier.name, values=values)
    return carrier


def reserved_for(*, session: Session, lead_id: int) -> list[Carrier]:
    """The carriers reserved for a lead."""
    return list(session.exec(select(Carrier).where(Carrier.reserved_lead_id == lead_id)))
