"""Tables of the enterprise registry and their input and output schemas."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import field_validator
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core import bounds, versions
from core.db import MAX_ID, enum_column, utcnow
from core.validation import Input
from enterprises.registry import credit_code


class EnterpriseKind(StrEnum):
    """Firms, research institutes and platforms/bases all sit in chain maps."""

    enterprise = "enterprise"
    institute = "institute"
    platform = "platform"


KIND_LABELS = {
    EnterpriseKind.enterprise: "企业",
    EnterpriseKind.institute: "科研机构",
    EnterpriseKind.platform: "平台/基地",
}


class MemberRole(StrEnum):
    """A firm's role in a segment: anchor firm (链主), key firm (重点企业) or member."""

    anchor = "anchor"
    key = "key"
    member = "member"


ROLE_LABELS = {MemberRole.anchor: "链主", MemberRole.key: "重点企业", MemberRole.member: "成员"}
ROLE_RANK = {MemberRole.anchor: 0, MemberRole.key: 1, MemberRole.member: 2}  # strongest first


class MembershipReview(StrEnum):
    """Whether the chain chief has confirmed a firm's place in a segment (确认) or not yet (待确认).

    Only confirmed places count in the chain map's figures: gaps, counts and anchor firms.
    """

    confirmed = "confirmed"
    pending = "pending"


class MembershipSource(StrEnum):
    """What brought a firm into a segment: a landed project, an import, a firm's edit, a
    suggestion from its products, or the seed data."""

    project = "project"
    imported = "import"
    edit = "edit"
    suggestion = "suggestion"
    seed = "seed"


SOURCE_LABELS = {
    MembershipSource.project: "项目落地",
    MembershipSource.imported: "名单导入",
    MembershipSource.edit: "企业信息编辑",
    MembershipSource.suggestion: "产品建议",
    MembershipSource.seed: "规划数据",
}


class Origin(StrEnum):
    """Where a registry row came from; demo rows are removable and labelled in exports."""

    plan = "plan"
    manual = "manual"
    demo = "demo"


FIELD_LABELS = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "kind": "类型",
    "park_id": "所属园区",
    "district": "所属区",
    "address": "地址",
    "founded_date": "成立日期",
    "above_size": "规上企业",
    "main_products": "主营产品",
    "figures_year": "数据年度",
    "annual_output": "年工业总产值（万元）",
    "annual_revenue": "年营业收入（万元）",
    "employees": "从业人数",
    "rd_spend": "研发投入（万元）",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "version": "版本号",
}


class EnterpriseFields(Input):
    """Fields a user may set on an enterprise."""

    name: str = Field(min_length=2, max_length=100)
    credit_code: str | None = Field(default=None, max_length=18)
    kind: EnterpriseKind = EnterpriseKind.enterprise
    park_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    district: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=200)
    founded_date: date | None = None
    above_size: bool = False
    main_products: str = Field(default="", max_length=500)
    figures_year: int | None = Field(default=None, ge=1949, le=2100)
    annual_output: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    annual_revenue: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    employees: int | None = Field(default=None, ge=0, le=bounds.PEOPLE)
    rd_spend: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    contact_person: str = Field(default="", max_length=40)
    contact_phone: str = Field(default="", max_length=40)

    @field_validator(
        "name",
        "district",
        "address",
        "main_products",
        "contact_person",
        "contact_phone",
        mode="before",
    )
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("credit_code", mode="before")
    @classmethod
    def _blank_code(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            return value or None
        return value

    @field_validator("credit_code")
    @classmethod
    def _check_character(cls, value: str | None) -> str | None:
        if value is not None and (problem := credit_code.problem(value)):
            raise ValueError(problem)
        return value


# The characters of a firm's name and products, lowered. PostgreSQL keeps them in a GIN index,
# so that a search for a Chinese term reads only the firms holding every character of it before
# matching the term itself (part of a firm's name: a page in 190 → 20 ms at 200,000 firms).
# Characters, not pairs of them: a built-in function makes them (pairs cost six times as much
# to write, and an import writes 100,000 firms at once); no credit codes: they are ASCII, which
# such terms are not. SQLite keeps an FTS5 index of the same characters (see char_index).
# Spelled as PostgreSQL prints it back, so that the migrations' check finds the model's index.
SEARCH_CHARS = (
    "string_to_array(lower((name::text || ' '::text) || main_products::text), NULL::text)"
)


class Enterprise(EnterpriseFields, table=True):
    """A firm, institute or platform of the zone's registry."""

    # Chain figures join every membership to its firm for these two columns only; a covering
    # index spares reading the wide rows.
    # Lists run largest output first (no output last): an index in that order lets a page
    # be read off it instead of sorting the registry for every request.
    __table_args__ = (
        Index("ix_enterprise_size_cover", "id", "above_size", "annual_output"),
        # A park bureau's cultivation list runs by firm name within the park.
        Index("ix_enterprise_park_name", "park_id", "name"),
        Index(
            "ix_enterprise_list_order",
            sa.func.coalesce(sa.column("annual_output"), sa.literal_column("-1")).desc(),
            "id",
        ),
        Index("ix_enterprise_search_chars", sa.text(SEARCH_CHARS), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    credit_code: str | None = Field(default=None, max_length=18, unique=True)
    kind: EnterpriseKind = Field(
        default=EnterpriseKind.enterprise, sa_type=enum_column(EnterpriseKind, 20)
    )
    park_id: int | None = Field(default=None, foreign_key="park.id", index=True)
    origin: Origin = Field(default=Origin.manual, sa_type=enum_column(Origin, 10), index=True)
    credit_code_pending: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="registered by a landed project before its credit code was known (待补代码)",
    )
    version: int = Field(default=1, description="optimistic lock: each update increments it")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class EnterpriseCreate(EnterpriseFields):
    """Input for a new enterprise."""


class EnterpriseUpdate(EnterpriseFields):
    """Input for an update: every field, plus the version the editor read."""

    version: int = Field(ge=1, le=MAX_ID)


class Membership(SQLModel, table=True):
    """An enterprise's place in a chain segment, with its role there."""

    __table_args__ = (
        UniqueConstraint("enterprise_id", "segment_id"),
        # Covers the per-segment counts of the chain map, so they never touch the table; they
        # count confirmed places only, hence the review state at its end.
        Index(
            "ix_membership_segment_cover",
            "segment_id",
            "enterprise_id",
            "role",
            "hidden_champion",
            "review",
        ),
        # A chain chief's review list: the few pending places among a city's memberships.
        Index("ix_membership_review", "review", "segment_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    segment_id: int = Field(foreign_key="segment.id", ondelete="CASCADE")
    role: MemberRole = Field(default=MemberRole.member, sa_type=enum_column(MemberRole, 10))
    hidden_champion: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="marked by the chain chief as a hidden champion (隐形冠军) of the segment",
    )
    review: MembershipReview = Field(
        default=MembershipReview.confirmed,
        sa_type=enum_column(MembershipReview, 10),
        sa_column_kwargs={"server_default": MembershipReview.confirmed.value},
    )
    entered_by: MembershipSource | None = Field(
        default=None, sa_type=enum_column(MembershipSource, 12)
    )
    entered_note: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    entered_at: datetime | None = None
    reviewed_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    reviewed_at: datetime | None = None


class MembershipPublic(SQLModel):
    """A membership as the API shows it."""

    segment_id: int
    segment_name: str
    chain_code: str
    chain_name: str
    role: MemberRole
    hidden_champion: bool = False
    review: MembershipReview = MembershipReview.confirmed


class EnterprisePublic(EnterpriseFields):
    """An enterprise as the API shows it; contact phone masked unless the reader may edit it."""

    checks_input = False  # shows what is stored (see core.validation.Input)

    id: int
    origin: Origin
    credit_code_pending: bool = False
    version: int
    park_name: str | None = None
    created_at: datetime
    updated_at: datetime
    memberships: list[MembershipPublic] = []


class EnterprisePage(SQLModel):
    """One page of an enterprise list; `total` is the cap when `total_is_lower_bound`."""

    total: int
    total_is_lower_bound: bool = False
    has_next: bool = False
    page: int
    page_size: int
    items: list[EnterprisePublic]
    next_after: str | None = Field(
        default=None,
        description="where this page ended (its last firm's output and id), when has_next: "
        "pass it as `after` with `page` + 1 to read the next page from there",
    )
    next: str | None = Field(
        default=None,
        description="the next page's address (the same filters, `after` and `page` set), "
        "when has_next",
    )
    prev_before: str | None = Field(
        default=None,
        description="where this page began (its first firm's output and id), from page 3 on: "
        "pass it as `before` with `page` - 1 to read the previous page back from there",
    )
    prev: str | None = Field(
        default=None,
        description="the previous page's address (the same filters, `before` and `page` set; "
        "page 1 without `before`), from page 2 on",
    )


# Cached figures (chain maps, standings, park counts) read a firm's name, kind, park, size
# and origin; edits of its contact details and figures alone keep them.
versions.track(
    Enterprise,
    ignoring={
        "contact_person",
        "contact_phone",
        "address",
        "district",
        "main_products",
        "founded_date",
        "employees",
        "rd_spend",
        "annual_revenue",
        "annual_output",
        "figures_year",
        "credit_code_pending",
        "version",
        "updated_at",
    },
)
versions.track(Membership)


def fold_membership(there: Membership, other: Membership) -> None:
    """Let `there` absorb a duplicate membership: the stronger role and any hidden-champion mark."""
    if ROLE_RANK[MemberRole(other.role)] < ROLE_RANK[MemberRole(there.role)]:
        there.role = other.role
    there.hidden_champion = there.hidden_champion or other.hidden_champion


def counted() -> sa.ColumnElement[bool]:
    """The places a chain map counts (gaps, firms, anchor firms): those the chief confirmed."""
    return sa.and_(Membership.review == MembershipReview.confirmed)  # type: ignore[arg-type]
