"""A target firm (招商目标企业) and the segments it is suggested for."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import field_validator
from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import enum_column, utcnow
from core.validation import Input
from enterprises.registry import credit_code
from enterprises.registry.char_index import CharsLookup, chars_lookup


class FirmSize(StrEnum):
    """A firm's size as the lists state it (大型/中型/小型/微型)."""

    unknown = "unknown"
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


SIZE_LABELS = {
    FirmSize.unknown: "未知",
    FirmSize.large: "大型",
    FirmSize.medium: "中型",
    FirmSize.small: "小型",
    FirmSize.micro: "微型",
}
SIZE_RANK = {FirmSize.large: 3, FirmSize.medium: 2, FirmSize.small: 1}  # ranking: bigger first


class Listing(StrEnum):
    """Where a firm's shares are listed, if anywhere."""

    none = "none"
    main = "main"
    star = "star"
    gem = "gem"
    bse = "bse"
    neeq = "neeq"
    hk = "hk"
    overseas = "overseas"


LISTING_LABELS = {
    Listing.none: "未上市",
    Listing.main: "沪深主板",
    Listing.star: "科创板",
    Listing.gem: "创业板",
    Listing.bse: "北交所",
    Listing.neeq: "新三板",
    Listing.hk: "港股",
    Listing.overseas: "境外上市",
}
# What people write in a list's 上市 column, beside the labels themselves.
LISTING_WORDS = {
    "主板": Listing.main,
    "上交所": Listing.main,
    "深交所": Listing.main,
    "中小板": Listing.main,
    "科创": Listing.star,
    "创业": Listing.gem,
    "北交": Listing.bse,
    "三板": Listing.neeq,
    "港": Listing.hk,
    "美股": Listing.overseas,
    "纳斯达克": Listing.overseas,
    "纽交所": Listing.overseas,
    "境外": Listing.overseas,
}


class ProspectFields(Input):
    """What a user sets on a target firm."""

    name: str = Field(min_length=2, max_length=100)
    credit_code: str | None = Field(default=None, max_length=18)
    province: str = Field(default="", max_length=20)
    city: str = Field(default="", max_length=30)
    products: str = Field(default="", max_length=2000)
    size: FirmSize = FirmSize.unknown
    listing: Listing = Listing.none
    source_list: str = Field(default="", max_length=100)
    tags: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=1000)

    @field_validator(
        "name", "province", "city", "products", "source_list", "tags", "note", mode="before"
    )
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("credit_code", mode="before")
    @classmethod
    def _blank_code(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().upper() or None
        return value

    @field_validator("credit_code")
    @classmethod
    def _check_code(cls, value: str | None) -> str | None:
        if value is not None and (problem := credit_code.problem(value)):
            raise ValueError(problem)
        return value


PROSPECT_LABELS = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "province": "省份",
    "city": "城市",
    "products": "主营产品/经营范围",
    "size": "企业规模",
    "listing": "上市情况",
    "source_list": "来源名单",
    "tags": "标签",
    "note": "备注",
    "version": "版本号",
}
EDITABLE = list(ProspectFields.model_fields)


# The characters of a target's name, products and tags, lowered, indexed as the registry's
# firms are (enterprises.registry.char_index.CharsLookup): a search for 减速器 reads only the
# targets holding 减, 速 and 器 (PostgreSQL: GIN; SQLite: the FTS5 table prospect_chars,
# migration d4e8a1f7b2c3). Spelled as PostgreSQL prints it back, for the migrations' check.
SEARCH_CHARS = (
    "string_to_array(lower((((name::text || ' '::text) || products::text) || ' '::text) || "
    "tags::text), NULL::text)"
)


class _prospect_holds_chars(CharsLookup):
    inherit_cache = True
    # A condition as it stands: SQLite then reads the targets by the rowids the index gives
    # (50,000 → 380 rows for 减速器: 66 → 3 ms), not `… IN (…) = 1` tested on every row. (The
    # registry's search keeps the row-by-row test: its list stops early in its sort order.)
    _is_implicitly_boolean = True
    table = "prospect"
    search_chars = SEARCH_CHARS


holds_chars = chars_lookup(_prospect_holds_chars)


class Prospect(ProspectFields, table=True):
    """A firm outside the zone that promotion teams may approach."""

    __table_args__ = (
        Index("ix_prospect_province_city", "province", "city"),
        Index("ix_prospect_search_chars", sa.text(SEARCH_CHARS), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    credit_code: str | None = Field(default=None, max_length=18, unique=True)
    name_core: str = Field(default="", max_length=100, index=True)
    size: FirmSize = Field(default=FirmSize.unknown, sa_type=enum_column(FirmSize, 10))
    listing: Listing = Field(default=Listing.none, sa_type=enum_column(Listing, 10))
    import_id: int | None = Field(
        default=None, foreign_key="prospect_import.id", ondelete="SET NULL", index=True
    )
    demo: bool = Field(default=False, description="generated demo data (演示)")
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProspectSegment(SQLModel, table=True):
    """A segment suggested for a target firm, with the words that matched as the reason."""

    __tablename__ = "prospect_segment"
    __table_args__ = (
        UniqueConstraint("prospect_id", "segment_id"),
        # A gap's ranked targets: a segment's rows, best first.
        Index("ix_prospect_segment_rank", "segment_id", "score"),
    )

    id: int | None = Field(default=None, primary_key=True)
    prospect_id: int = Field(foreign_key="prospect.id", ondelete="CASCADE", index=True)
    segment_id: int = Field(foreign_key="segment.id", ondelete="CASCADE")
    chain_id: int = Field(foreign_key="chain.id", ondelete="CASCADE", index=True)
    score: float
    words: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ImportState(StrEnum):
    """A target list upload: waiting for its commit, or committed."""

    pending = "pending"
    committed = "committed"


class ProspectImport(SQLModel, table=True):
    """One uploaded list of target firms, kept until committed, with its counts."""

    __tablename__ = "prospect_import"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    source_list: str = Field(default="", max_length=100)
    mapping: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    actor_name: str = Field(default="", max_length=60)
    status: ImportState = Field(default=ImportState.pending, sa_type=enum_column(ImportState, 10))
    created_at: datetime = Field(default_factory=utcnow)
    committed_at: datetime | None = None
    rows_total: int = 0
    created_count: int = 0
    updated_count: int = 0
    unchanged_count: int = 0
    error_count: int = 0
