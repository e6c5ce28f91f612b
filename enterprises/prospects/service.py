"""Target firms: find, list, create and edit them (every change audited, with its history)."""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from core import audit, locking, permissions
from core.accounts import User
from core.db import contains_text, utcnow
from core.errors import FieldErrors, NotFound
from enterprises.prospects import matching
from enterprises.prospects.models import (
    EDITABLE,
    FirmSize,
    Listing,
    Prospect,
    ProspectFields,
    ProspectSegment,
    holds_chars,
)
from enterprises.registry.char_index import indexable
from enterprises.registry.names import core_name

COUNT_CAP = 1000  # a search counts its matches up to here, then says 1,000+


# Target firms come from the whole country: a province's name before the trade name varies
# between lists (江苏恒立 / 恒立) as the zone's own place names do for its firms.
PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_PROVINCE = re.compile(rf"^({PROVINCES})(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?")


def name_key(name: str) -> str:
    """A name as duplicates are found by: without place prefixes, brackets and company form."""
    return core_name(_PROVINCE.sub("", name.replace(" ", "")))[:100]


def get(*, session: Session, prospect_id: int) -> Prospect:
    """Return a target firm or raise NotFound."""
    prospect = session.get(Prospect, prospect_id)
    if prospect is None:
        raise NotFound(f"目标企业 {prospect_id} 不存在")
    return prospect


def find_duplicate(
    *, session: Session, credit_code: str | None, name: str, other_than: int | None = None
) -> Prospect | None:
    """The target firm with this credit code, else with the same normalised name."""
    conditions = [col(Prospect.name_core) == name_key(name)]
    if credit_code:
        conditions.append(col(Prospect.credit_code) == credit_code)
    stmt = select(Prospect).where(or_(*conditions))
    if other_than is not None:
        stmt = stmt.where(col(Prospect.id) != other_than)
    found = list(session.exec(stmt.limit(5)))
    by_code = [p for p in found if credit_code and p.credit_code == credit_code]
    chosen = by_code or found
    return chosen[0] if chosen else None


@dataclass
class ProspectFilter:
    """What the list of target firms is narrowed by."""

    q: str = ""
    province: str = ""
    size: FirmSize | None = None
    listing: Listing | None = None
    segment_id: int | None = None
    demo: bool | None = None


@dataclass
class ProspectPage:
    """One page of target firms and how many match (exact up to COUNT_CAP)."""

    rows: list[Prospect]
    total: int
    capped: bool
    page: int
    page_size: int
    segments: dict[int, list[ProspectSegment]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """How many pages the counted matches fill."""
        return max(1, -(-self.total // self.page_size))


def _conditions(flt: ProspectFilter) -> list[Any]:
    conditions: list[Any] = []
    if term := flt.q.strip():
        text = or_(
            contains_text(Prospect.name, term),
            contains_text(Prospect.products, term),
            contains_text(Prospect.tags, term),
        )
        if indexable(term):
            # The index of characters first, not a LIKE over every target (a credit code is
            # ASCII, which such a term is not: 380 of 50,000 targets read for 减速器).
            conditions += [holds_chars(term), text]
        else:
            conditions.append(or_(text, col(Prospect.credit_code) == term.upper()))
    if flt.province:
        conditions.append(col(Prospect.province) == flt.province)
    if flt.size is not None:
        conditions.append(col(Prospect.size) == flt.size)
    if flt.listing is not None:
        conditions.append(col(Prospect.listing) == flt.listing)
    if flt.demo is not None:
        conditions.append(col(Prospect.demo).is_(flt.demo))
    if flt.segment_id is not None:
        conditions.append(
            col(Prospect.id).in_(
                select(ProspectSegment.prospect_id).where(
                    ProspectSegment.segment_id == flt.segment_id
                )
            )
        )
    return conditions


def search(
    *, session: Session, flt: ProspectFilter, page: int = 1, page_size: int = 50
) -> ProspectPage:
    """A page of target firms, newest first, with their suggested segments."""
    conditions = _conditions(flt)
    counted = select(Prospect.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    total = session.exec(select(func.count()).select_from(counted)).one()
    rows = list(
        session.exec(
            select(Prospect)
            .where(*conditions)
            .order_by(col(Prospect.id).desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    result = ProspectPage(
        rows=rows,
        total=min(total, COUNT_CAP),
        capped=total > COUNT_CAP,
        page=page,
        page_size=page_size,
    )
    result.segments = segments_of(session=session, prospect_ids=[p.id or 0 for p in rows])
    return result


def segments_of(*, session: Session, prospect_ids: list[int]) -> dict[int, list[ProspectSegment]]:
    """The suggested segments of each given target firm, best first."""
    found: dict[int, list[ProspectSegment]] = {i: [] for i in prospect_ids}
    if not prospect_ids:
        return found
    stmt = (
        select(ProspectSegment)
        .where(col(ProspectSegment.prospect_id).in_(prospect_ids))
        .order_by(col(ProspectSegment.score).desc())
    )
    for row in session.exec(stmt):
        found[row.prospect_id].append(row)
    return found


def provinces(*, session: Session) -> list[str]:
    """The provinces the library holds firms of, for the filter."""
    stmt = select(Prospect.province).where(col(Prospect.province) != "").distinct()
    return sorted(session.exec(stmt))


def _refuse_duplicate(session: Session, data: ProspectFields, other_than: int | None) -> None:
    twin = find_duplicate(
        session=session, credit_code=data.credit_code, name=data.name, other_than=other_than
    )
    if twin is None:
        return
    if data.credit_code and twin.credit_code == data.credit_code:
        raise FieldErrors(
            {"credit_code": f"统一社会信用代码已属于目标企业“{twin.name}”（编号 {twin.id}）"}
        )
    raise FieldErrors({"name": f"目标库已有同名企业“{twin.name}”（编号 {twin.id}）"})


def create(*, session: Session, actor: User, data: ProspectFields, demo: bool = False) -> Prospect:
    """Add a target firm; a credit code or normalised name already held is refused."""
    permissions.ensure_can_edit_prospects(actor)
    _refuse_duplicate(session, data, None)
    prospect = Prospect(**data.model_dump(), name_core=name_key(data.name), demo=demo)
    session.add(prospect)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=prospect,
        label=prospect.name,
        after=audit.snapshot(prospect, EDITABLE),
    )
    matching.refresh_prospects(session=session, prospect_ids=[prospect.id or 0])
    return prospect


def update(
    *, session: Session, actor: User, prospect: Prospect, data: ProspectFields, version: int
) -> bool:
    """Apply an edit made from `version` (Conflict when stale); return whether it changed."""
    permissions.ensure_can_edit_prospects(actor)
    locking.claim(session, prospect, version, label=f"目标企业“{prospect.name}”")
    _refuse_duplicate(session, data, prospect.id)
    before = audit.snapshot(prospect, EDITABLE)
    for key, value in data.model_dump().items():
        if getattr(prospect, key) != value:
            setattr(prospect, key, value)
    prospect.name_core = name_key(prospect.name)
    old, new = audit.changed(before, audit.snapshot(prospect, EDITABLE))
    if not new:
        return False
    prospect.updated_at = utcnow()
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="update",
        obj=prospect,
        label=prospect.name,
        before=old,
        after=new,
    )
    if {"name", "products", "tags"} & new.keys():
        matching.refresh_prospects(session=session, prospect_ids=[prospect.id or 0])
    return True


def history(*, session: Session, prospect: Prospect) -> list[audit.AuditEntry]:
    """The target firm's audited changes, newest first."""
    return audit.history(session=session, object_type="prospect", object_id=prospect.id or 0)
