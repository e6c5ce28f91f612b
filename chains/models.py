"""Tables of the chains domain and their public schemas."""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

import sqlalchemy as sa
from pydantic import field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core import bounds, versions
from core.db import enum_column, utcnow
from core.validation import Input


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
    weak_threshold: int = Field(
        default=3,
        sa_column_kwargs={"server_default": "3"},
        description="local firms a segment needs before it counts as strong",
    )
    anchor_target: int | None = Field(default=None, description="the chain's share of 链主 target")
    curated_at: datetime | None = Field(
        default=None,
        description="first edit of map or dossier by a user; seeds leave the chain alone after",
    )
    version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": "1"},
        description="optimistic lock of the settings: each change of them increments it",
    )


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
    technology: str | None = Field(
        default=None,
        max_length=40,
        index=True,
        description="shared key: segments of several chains with one technology count one firm set",
    )
    choke_point: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    choke_note: str = Field(default="", sa_column_kwargs={"server_default": ""})
    confirmed_at: datetime | None = None
    confirmed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": "1"},
        description="optimistic lock: each change of name, stream, text or flag increments it",
    )


class SegmentLink(SQLModel, table=True):
    """A directed supply edge: source segment supplies target segment."""

    __tablename__ = "segment_link"
    __table_args__ = (UniqueConstraint("source_id", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(foreign_key="chain.id", index=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="segment.id", ondelete="CASCADE")
    target_id: int = Field(foreign_key="segment.id", ondelete="CASCADE")


class SegmentFields(Input):
    """Fields a chain chief sets on a segment."""

    name: str = Field(min_length=2, max_length=60)
    stream: Stream
    technology: str | None = Field(default=None, max_length=40)
    description: str = Field(default="", max_length=1000)
    position: int = Field(default=0, ge=-bounds.POSITION, le=bounds.POSITION)

    @field_validator("name", "description", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("technology", mode="before")
    @classmethod
    def _blank_technology(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value


SEGMENT_LABELS = {
    "name": "环节名称",
    "stream": "位置",
    "technology": "共性技术",
    "description": "说明",
    "firms_to": "企业转入",
    "target_id": "下游环节",
    "source_id": "上游环节",
    "choke_note": "卡脖子说明",
}


class ChainSettings(Input):
    """A chain's threshold for strong segments and its share of the zone's anchor-firm target."""

    weak_threshold: int = Field(default=3, ge=1, le=100)
    anchor_target: int | None = Field(default=None, ge=0, le=1000)


SETTINGS_LABELS = {
    "weak_threshold": "强链标准（家）",
    "anchor_target": "链主企业目标",
}


class DossierKind(StrEnum):
    """The parts of a chain's dossier beyond its firm table (五个一)."""

    project = "project"
    platform = "platform"
    policy = "policy"
    advisory = "advisory"


DOSSIER_LABELS = {
    DossierKind.project: "重点项目",
    DossierKind.platform: "创新平台",
    DossierKind.policy: "政策工具",
    DossierKind.advisory: "咨询机构",
}


class DossierItemFields(Input):
    """Fields a chain chief sets on a dossier item."""

    web_addresses: ClassVar[frozenset[str]] = frozenset({"url"})

    kind: DossierKind
    name: str = Field(min_length=2, max_length=120)
    issuer: str = Field(default="", max_length=120, description="issuer, host or owner")
    issued_date: date | None = None
    summary: str = Field(default="", max_length=2000)
    url: str = Field(default="", max_length=500)
    position: int = Field(default=0, ge=-bounds.POSITION, le=bounds.POSITION)

    @field_validator("name", "issuer", "summary", "url", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


DOSSIER_FIELD_LABELS = {
    "kind": "类别",
    "name": "名称",
    "issuer": "发布/依托单位",
    "issued_date": "日期",
    "summary": "摘要",
    "url": "链接",
    "position": "排序",
}


class DossierItem(DossierItemFields, table=True):
    """One item of a chain's dossier: a key project, platform, policy or advisory body."""

    __tablename__ = "dossier_item"

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(foreign_key="chain.id", index=True, ondelete="CASCADE")
    kind: DossierKind = Field(sa_type=enum_column(DossierKind, 20))
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": "1"},
        description="optimistic lock: each change increments it",
    )


class SegmentPublic(SQLModel):
    """A segment as the API shows it."""

    id: int
    code: str
    name: str
    stream: Stream
    parent_id: int | None
    from_plan: bool
    technology: str | None
    description: str
    choke_point: bool
    choke_note: str
    confirmed_at: datetime | None
    confirmed_by: str | None = None
    version: int = Field(description="send it with a change, to be refused (409) if stale")
    enterprise_count: int = 0
    anchor_count: int = 0
    above_size_count: int = 0
    hidden_champion_count: int = 0
    high_growth_count: int = 0


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
    weak_threshold: int
    anchor_target: int | None
    version: int = Field(description="of the settings; send it with a change of them")
    segments: list[SegmentPublic]
    links: list[LinkPublic]
    units: list[UnitPublic]


# Chain figures are cached per registry version; these tables feed them.
versions.track(Chain, ChainUnit, Segment, SegmentLink)
