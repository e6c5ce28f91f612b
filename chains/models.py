"""Tables of the chains domain and their public schemas."""

from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import enum_column


class ChainGroup(StrEnum):
    """The plan's three groups of chains."""

    leading = "leading"
    advantage = "advantage"
    future = "future"


GROUP_LABELS = {
    ChainGroup.leading: "四大主导产业链",
    ChainGroup.advantage: "三大优势产业链",
    ChainGroup.future: "三大未来产业链",
}


class Stream(StrEnum):
    """Where a segment sits in its chain (上游 / 中游 / 下游)."""

    upstream = "upstream"
    midstream = "midstream"
    downstream = "downstream"


STREAM_LABELS = {Stream.upstream: "上游", Stream.midstream: "中游", Stream.downstream: "下游"}


class UnitRole(StrEnum):
    """A unit's role for a chain: lead (牵头单位) or co-operating (配合单位)."""

    lead = "lead"
    cooperating = "cooperating"


class Chain(SQLModel, table=True):
    """An industrial chain (产业链)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=60, unique=True)
    group: ChainGroup = Field(sa_type=enum_column(ChainGroup, 20))
    description: str = ""
    position: int = 0


class ChainUnit(SQLModel, table=True):
    """A lead or co-operating unit of a chain."""

    __tablename__ = "chain_unit"

    chain_id: int = Field(foreign_key="chain.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    role: UnitRole = Field(sa_type=enum_column(UnitRole, 20))
    position: int = 0


class Segment(SQLModel, table=True):
    """A link of a chain (环节)."""

    __table_args__ = (UniqueConstraint("chain_id", "name"), UniqueConstraint("chain_id", "code"))

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(foreign_key="chain.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=60, description="stable within the chain; used by seeds")
    name: str = Field(max_length=60)
    stream: Stream = Field(sa_type=enum_column(Stream, 20))
    parent_id: int | None = Field(default=None, foreign_key="segment.id")
    from_plan: bool = Field(default=False, description="named in the plan text, not added by us")
    description: str = ""
    position: int = 0


class SegmentLink(SQLModel, table=True):
    """A directed supply edge: source segment supplies target segment."""

    __tablename__ = "segment_link"
    __table_args__ = (UniqueConstraint("source_id", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(foreign_key="chain.id", index=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="segment.id", ondelete="CASCADE")
    target_id: int = Field(foreign_key="segment.id", ondelete="CASCADE")


class SegmentPublic(SQLModel):
    """A segment as the API shows it."""

    id: int
    code: str
    name: str
    stream: Stream
    parent_id: int | None
    from_plan: bool
    enterprise_count: int = 0
    anchor_count: int = 0
    above_size_count: int = 0


class LinkPublic(SQLModel):
    """A supply link as the API shows it."""

    source_id: int
    target_id: int


class UnitPublic(SQLModel):
    """A responsible unit of a chain."""

    name: str
    role: UnitRole


class ChainSummary(SQLModel):
    """A chain in the chain list, with counts."""

    id: int
    code: str
    name: str
    group: ChainGroup
    segment_count: int
    enterprise_count: int
    anchor_count: int
    chief_names: list[str]


class ChainDetail(ChainSummary):
    """A chain with its segments, links and units."""

    description: str
    segments: list[SegmentPublic]
    links: list[LinkPublic]
    units: list[UnitPublic]
