"""Reading and maintaining the enterprise registry: a firm, its places in the chains, its
edits, and the filter every list of firms is narrowed by (its pages are read in search)."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, exists, func, or_
from sqlmodel import Session, col, select

from chains.models import Chain, Segment
from core import audit, figure_cache, locking, permissions, personal
from core.accounts import User
from core.db import contains_text, require_id
from core.errors import FieldErrors, NotFound, PermissionDenied
from core.orgs import Park, park_names
from enterprises.registry import figures
from enterprises.registry.char_index import holds_chars, indexable, narrowing
from enterprises.registry.models import (
    FIELD_LABELS,
    Enterprise,
    EnterpriseCreate,
    EnterpriseFields,
    EnterprisePublic,
    EnterpriseUpdate,
    MemberRole,
    Membership,
    MembershipPublic,
    MembershipReview,
    Origin,
    counted,
)

EDITABLE = list(EnterpriseFields.model_fields)


@dataclass(frozen=True)
class EnterpriseFilter:
    """What an enterprise list is narrowed by; every field optional."""

    q: str = ""
    park_id: int | None = None
    chain_id: int | None = None
    segment_id: int | None = None
    above_size: bool | None = None
    include_demo: bool = True


def filter_conditions(
    flt: EnterpriseFilter, *, by_characters: bool = True, counts: dict[str, int] | None = None
) -> list[Any]:
    """Return the WHERE conditions of an enterprise filter.

    `by_characters`: narrow a search by the index of characters first (PostgreSQL: GIN, SQLite:
    FTS5), asked for the term's rarest characters by `counts` (char_index.narrowing; for all of
    them without counts). Only for terms with a Chinese (non-ASCII) character: the digits and
    Latin letters every credit code is made of narrow little (at 200,000 firms "91440" took
    1.1 s through PostgreSQL's index and 0.1 s scanning; "a" 1.2 s and 0.4 s), and credit codes
    are not in the index; and only for terms with a letter or digit (the index holds no
    punctuation).
    """
    conds: list[Any] = []
    if flt.q.strip():
        term = flt.q.strip()
        narrowed = term if counts is None else narrowing(term, counts)
        if by_characters and indexable(narrowed):
            conds.append(holds_chars(narrowed))
        conds.append(
            or_(
                contains_text(Enterprise.name, term),
                contains_text(Enterprise.main_products, term),
                contains_text(Enterprise.credit_code, term),
            )
        )
    if flt.park_id is not None:
        conds.append(Enterprise.park_id == flt.park_id)
    if flt.above_size is not None:
        conds.append(Enterprise.above_size == flt.above_size)
    if not flt.include_demo:
        conds.append(Enterprise.origin != Origin.demo)
    if flt.segment_id is not None or flt.chain_id is not None:
        # As the chain map counts: places the chain chief confirmed (not those 待确认).
        member = select(Membership.id).where(Membership.enterprise_id == Enterprise.id, counted())
        if flt.segment_id is not None:
            member = member.where(Membership.segment_id == flt.segment_id)
        if flt.chain_id is not None:
            member = member.join(Segment, col(Segment.id) == Membership.segment_id).where(
                Segment.chain_id == flt.chain_id
            )
        conds.append(exists(member))
    return conds


def get(*, session: Session, enterprise_id: int) -> Enterprise:
    """Return an enterprise or raise NotFound."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("企业不存在")
    return enterprise


def memberships(
    *, session: Session, enterprise_ids: list[int]
) -> dict[int, list[MembershipPublic]]:
    """Return each enterprise's chain memberships, in one query (of the columns shown only:
    a page's ~80 memberships as whole rows of three tables took a third of its JSON's time)."""
    if not enterprise_ids:
        return {}
    rows = session.execute(
        sa.select(
            col(Membership.enterprise_id),
            col(Membership.role),
            col(Membership.review),
            col(Segment.id),
            col(Segment.name),
            col(Chain.code),
            col(Chain.name),
        )
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .join(Chain, col(Chain.id) == Segment.chain_id)
        .where(col(Membership.enterprise_id).in_(enterprise_ids))
        .order_by(col(Chain.position), col(Segment.position))
    )
    result: dict[int, list[MembershipPublic]] = {i: [] for i in enterprise_ids}
    for enterprise_id, role, review, segment_id, segment_name, chain_code, chain_name in rows:
        result[enterprise_id].append(
            MembershipPublic(
                segment_id=segment_id,
                segment_name=segment_name,
                chain_code=chain_code,
                chain_name=chain_name,
                role=MemberRole(role),
                review=MembershipReview(review),
            )
        )
    return result


def _validate(session: Session, data: EnterpriseFields, enterprise_id: int | None) -> None:
    errors: dict[str, str] = {}
    if data.credit_code:
        clash = session.exec(
            select(Enterprise.id, Enterprise.name).where(
                Enterprise.credit_code == data.credit_code, Enterprise.id != enterprise_id
            )
        ).first()
        if clash:
            errors["credit_code"] = f"{FIELD_LABELS['credit_code']}已被“{clash[1]}”使用"
    if data.park_id is not None and session.get(Park, data.park_id) is None:
        errors["park_id"] = f"{FIELD_LABELS['park_id']}不存在"
    if errors:
        raise FieldErrors(errors)


def create(*, session: Session, actor: User, data: EnterpriseCreate) -> Enterprise:
    """Create an enterprise in a park the actor maintains."""
    permissions.ensure_can_edit_enterprise(actor, data.park_id)
    _validate(session, data, None)
    enterprise = Enterprise(**data.model_dump(), origin=Origin.manual)
    session.add(enterprise)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=enterprise,
        label=enterprise.name,
        after=audit.snapshot(enterprise, EDITABLE),
    )
    return enterprise


def update(
    *, session: Session, actor: User, enterprise_id: int, data: EnterpriseUpdate
) -> Enterprise:
    """Apply an edit made from version data.version; a stale version raises Conflict."""
    enterprise = get(session=session, enterprise_id=enterprise_id)
    # Checked before the claim too, so that a stranger's stale version learns nothing.
    permissions.ensure_can_edit_enterprise(actor, enterprise.park_id)
    label = f"“{enterprise.name}”"
    locking.claim(session, enterprise, data.version, label=label, current=EDITABLE)
    # Both the current and the new park must be the actor's: no moving firms out of reach.
    permissions.ensure_can_edit_enterprise(actor, enterprise.park_id)
    permissions.ensure_can_edit_enterprise(actor, data.park_id)
    _validate(session, data, enterprise_id)
    before = audit.snapshot(enterprise, EDITABLE)
    submitted = data.model_dump(exclude={"version"})
    # The form and the API show the phone masked: sent back as shown, it stays as it is.
    submitted["contact_phone"] = personal.keep_unless_changed(
        submitted["contact_phone"], enterprise.contact_phone
    )
    # Only what changed is written: an edit of a phone number must not count as a change of
    # the figures cached from the registry (core.versions).
    for key, value in submitted.items():
        if getattr(enterprise, key) != value:
            setattr(enterprise, key, value)
    if enterprise.credit_code:  # a landed project's firm whose code was pending has it now
        enterprise.credit_code_pending = False
    session.flush()
    old, new = audit.changed(before, audit.snapshot(enterprise, EDITABLE))
    audit.record(
        session=session,
        actor=actor,
        action="update",
        obj=enterprise,
        label=enterprise.name,
        before=old,
        after=new,
    )
    if set(new) & {"figures_year", *figures.SUMMARY}:
        figures.follow_summary(session=session, actor=actor, enterprise=enterprise)
    return enterprise


def reveal_phone(*, session: Session, actor: User, enterprise: Enterprise) -> str:
    """The whole contact phone, for those who maintain the firm; each look is logged.

    Pages, lists and the API show phones masked; seeing one whole is a deliberate act on
    personal information, recorded like a change.
    """
    if not permissions.can_see_contact(actor, enterprise.park_id):
        raise PermissionDenied("只有维护该企业的用户可以查看完整联系电话")
    personal.record_reveal(
        session=session,
        actor=actor,
        object_type="enterprise",
        object_id=require_id(enterprise),
        label=enterprise.name,
    )
    return enterprise.contact_phone


def public_views(
    *, session: Session, user: User, enterprises: list[Enterprise]
) -> list[EnterprisePublic]:
    """Return the API view of enterprises as this user may see them."""
    ids = [e.id for e in enterprises if e.id is not None]
    members = memberships(session=session, enterprise_ids=ids)
    parks = park_names(session=session)
    # Built from stored rows without validating them again: the view shows what is stored
    # (EnterprisePublic.checks_input), and validating 50 firms' fields cost ~3 ms a page.
    return [
        EnterprisePublic.model_construct(
            **e.model_dump()
            | {
                "contact_phone": personal.mask_phone(e.contact_phone),
                "park_name": parks.get(e.park_id) if e.park_id else None,
                "memberships": members.get(e.id, []),
            }
        )
        for e in enterprises
        if e.id is not None
    ]


def leading_members(
    *, session: Session, chain_id: int, per_segment: int = 5
) -> dict[int, list[tuple[Enterprise, MemberRole]]]:
    """Return each segment's first firms: anchor firms, then key firms, then by output."""
    rank_role = case(
        (col(Membership.role) == MemberRole.anchor, 0),
        (col(Membership.role) == MemberRole.key, 1),
        else_=2,
    )
    ranked = (
        select(
            Membership.segment_id.label("segment_id"),  # type: ignore[attr-defined]
            Membership.enterprise_id.label("enterprise_id"),  # type: ignore[attr-defined]
            Membership.role.label("role"),  # type: ignore[attr-defined]
            func.row_number()
            .over(
                partition_by=col(Membership.segment_id),
                order_by=(
                    rank_role,
                    col(Enterprise.annual_output).desc().nulls_last(),
                    col(Enterprise.id),
                ),
            )
            .label("rn"),
        )
        .join(Enterprise, col(Enterprise.id) == Membership.enterprise_id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(Segment.chain_id == chain_id, counted())
        .subquery()
    )
    rows = session.exec(
        select(ranked.c.segment_id, ranked.c.role, Enterprise)
        .join(Enterprise, col(Enterprise.id) == ranked.c.enterprise_id)
        .where(ranked.c.rn <= per_segment)
        .order_by(ranked.c.segment_id, ranked.c.rn)
    )
    result: dict[int, list[tuple[Enterprise, MemberRole]]] = {}
    for segment_id, role, enterprise in rows:
        result.setdefault(segment_id, []).append((enterprise, MemberRole(role)))
    return result


def count_by_park(*, session: Session) -> dict[int | None, tuple[int, int]]:
    """Return {park id: (enterprises, above-size enterprises)}."""

    def compute(own: Session) -> dict[int | None, tuple[int, int]]:
        rows = own.exec(
            select(
                Enterprise.park_id,
                func.count(),
                func.sum(case((col(Enterprise.above_size), 1), else_=0)),
            ).group_by(col(Enterprise.park_id))
        )
        return {park_id: (int(n), int(above or 0)) for park_id, n, above in rows}

    return figure_cache.cached(session=session, what="firms-by-park", compute=compute)
