"""Parks of the zone (一区五园), organisational units and landmark sites."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from core import provenance, versions
from core.db import enum_column
from core.errors import NotFound


class ParkKind(StrEnum):
    """The zone committee (管委会) or one of its parks (园)."""

    committee = "committee"
    park = "park"


class UnitKind(StrEnum):
    """Kinds of responsible units named in the plans."""

    zone_committee = "zone_committee"
    district_government = "district_government"
    city_bureau = "city_bureau"
    park_bureau = "park_bureau"
    company = "company"
    party_office = "party_office"
    state_agency = "state_agency"
    leading_body = "leading_body"


UNIT_KIND_LABELS = {
    UnitKind.zone_committee: "管委会",
    UnitKind.district_government: "区人民政府",
    UnitKind.city_bureau: "市直部门",
    UnitKind.park_bureau: "园区管理局",
    UnitKind.company: "企业",
    UnitKind.party_office: "市委部门",
    UnitKind.state_agency: "驻佛机构",
    UnitKind.leading_body: "议事协调机构",
}


class Park(SQLModel, table=True):
    """The zone committee or one of the five parks."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=60, unique=True)
    kind: ParkKind = Field(sa_type=enum_column(ParkKind, 20))
    district: str = Field(default="", max_length=40)
    description: str = Field(default="")
    position: int = 0


class OrgUnit(SQLModel, table=True):
    """A government body or company that leads or co-operates on a chain or task."""

    __tablename__ = "org_unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=80, unique=True)
    kind: UnitKind = Field(sa_type=enum_column(UnitKind, 30))
    park_id: int | None = Field(default=None, foreign_key="park.id")
    description: str = Field(
        default="", sa_column_kwargs={"server_default": ""}, description="its duties, as written"
    )
    position: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Landmark(SQLModel, table=True):
    """One of the six industrial landmarks (产业地标) of the plan."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=80, unique=True)
    park_id: int = Field(foreign_key="park.id")
    goal: str = Field(default="", description="the plan's goal for the site, as written")
    position: int = 0


class LandmarkItemKind(StrEnum):
    """What a landmark's named item is: a project, a platform, a carrier or a zone (片区)."""

    project = "project"
    platform = "platform"
    carrier = "carrier"
    zone = "zone"

    @property
    def label(self) -> str:
        return LANDMARK_ITEM_KIND_LABELS[self]


LANDMARK_ITEM_KIND_LABELS = {
    LandmarkItemKind.project: "项目",
    LandmarkItemKind.platform: "平台",
    LandmarkItemKind.carrier: "载体",
    LandmarkItemKind.zone: "片区",
}


class LandmarkItem(SQLModel, table=True):
    """A project, platform, carrier or zone the plan names under one landmark."""

    __tablename__ = "landmark_item"
    __table_args__ = (UniqueConstraint("landmark_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    landmark_id: int = Field(foreign_key="landmark.id", ondelete="CASCADE")
    kind: LandmarkItemKind = Field(sa_type=enum_column(LandmarkItemKind, 20))
    name: str = Field(max_length=120)
    description: str = Field(default="", description="what the plan asks of it, in brief")
    position: int = 0


class LandmarkUnit(SQLModel, table=True):
    """A lead or co-operating unit of a landmark."""

    __tablename__ = "landmark_unit"

    landmark_id: int = Field(foreign_key="landmark.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    role: str = Field(max_length=20, description="lead or cooperating")
    position: int = 0


def list_parks(*, session: Session) -> list[Park]:
    """Return the committee and the parks in plan order."""
    return list(session.exec(select(Park).order_by(col(Park.position))))


def get_park_by_code(*, session: Session, code: str) -> Park:
    """Return the park with this code or raise NotFound."""
    park = session.exec(select(Park).where(Park.code == code)).first()
    if park is None:
        raise NotFound(f"园区“{code}”不存在")
    return park


@dataclass(frozen=True)
class ItemView:
    """A landmark's item with the basis it was seeded on (the plan's sentence)."""

    item: LandmarkItem
    basis: provenance.Provenance | None

    @property
    def kind_label(self) -> str:
        return LandmarkItemKind(self.item.kind).label


@dataclass(frozen=True)
class LandmarkView:
    """A landmark and its named items in plan order."""

    landmark: Landmark
    items: list[ItemView]

    @property
    def groups(self) -> list[list[ItemView]]:
        """Neighbouring items that rest on one sentence, so a page quotes it once."""
        groups: list[list[ItemView]] = []
        for view in self.items:
            quote = view.basis.quote if view.basis else None
            last = groups[-1][0].basis if groups else None
            if groups and quote and last is not None and last.quote == quote:
                groups[-1].append(view)
            else:
                groups.append([view])
        return groups


def landmark_views(*, session: Session, park_id: int | None = None) -> list[LandmarkView]:
    """The landmarks (of one park, if given) with their items and each item's basis."""
    stmt = select(Landmark).order_by(col(Landmark.position))
    if park_id is not None:
        stmt = stmt.where(Landmark.park_id == park_id)
    landmarks = list(session.exec(stmt))
    ids = [m.id for m in landmarks]
    items = session.exec(
        select(LandmarkItem)
        .where(col(LandmarkItem.landmark_id).in_(ids))
        .order_by(col(LandmarkItem.landmark_id), col(LandmarkItem.position), col(LandmarkItem.id))
    ).all()
    bases = provenance.of(
        session=session, object_type="landmark_item", ids=[str(i.id) for i in items]
    )
    by_landmark: dict[int, list[ItemView]] = {}
    for item in items:
        view = ItemView(item=item, basis=bases.get(str(item.id)))
        by_landmark.setdefault(item.landmark_id, []).append(view)
    return [LandmarkView(landmark=m, items=by_landmark.get(m.id or 0, [])) for m in landmarks]


def list_units(*, session: Session) -> list[OrgUnit]:
    """Return the responsible units and named bodies in list order."""
    return list(session.exec(select(OrgUnit).order_by(col(OrgUnit.position), col(OrgUnit.id))))


def get_unit(*, session: Session, unit_id: int) -> OrgUnit:
    """Return the unit with this id or raise NotFound."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound(f"单位 {unit_id} 不存在")
    return unit


def park_names(*, session: Session) -> dict[int, str]:
    """Return {park id: name}."""
    return {p.id: p.name for p in session.exec(select(Park)) if p.id is not None}


versions.track(Park, OrgUnit)
