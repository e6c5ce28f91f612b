"""Reading and maintaining the enterprise registry."""

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, exists, func, literal_column, or_
from sqlmodel import Session, col, select

from chains.models import Chain, Segment
from core import audit, bounds, figure_cache, locking, paging, permissions, personal
from core.accounts import User
from core.db import contains_text, count_up_to, require_id
from core.errors import FieldErrors, NotFound, PermissionDenied
from core.orgs import Park, park_names
from core.paging import Page
from enterprises.registry import figures, tallies
from enterprises.registry.char_index import (
    char_counts,
    chars_estimate,
    holds_chars,
    indexable,
    matching_ids,
    narrowing,
)
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
    sampled_estimate,
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


# Largest output first, firms without figures last (outputs are never negative); the order
# of the index ix_enterprise_list_order, which both databases can read a page from.
# A literal, not a parameter: SQLite matches an ORDER BY to an index expression by its text.
LIST_KEY = func.coalesce(Enterprise.annual_output, literal_column("-1"))
LIST_ORDER = (LIST_KEY.desc(), col(Enterprise.id))


# The same order, written so that no index matches it: the matches are found, then sorted.
SORTED_KEY = LIST_KEY + 0
SORTED_ORDER = (SORTED_KEY.desc(), col(Enterprise.id))


def parse_after(text: str) -> paging.After | None:
    """Where the previous page of the list ended, as its 下一页 link carries it (none: "")."""
    return paging.After.parse(text, -1, bounds.MONEY_WAN) if text else None


def _position(enterprise: Enterprise) -> paging.After:
    """Where a firm stands in the list's order (LIST_KEY, then id)."""
    output = enterprise.annual_output
    return paging.After(-1.0 if output is None else float(output), require_id(enterprise))


# Walking the list's index costs per firm read about four times what the index of characters
# costs per match on PostgreSQL (a random heap read against a bitmap's sequential one: page 200
# of 精密 at 1,000,000 firms walked 95,000 firms in 350-510 ms, sorted its 106,000 matches in
# 240 ms); on SQLite walking is the cheaper of the two. Read as: walk while firms walked ×
# WALK_COST ≤ matches × 2.
WALK_COST = {"postgresql": 4}


def search(
    *,
    session: Session,
    flt: EnterpriseFilter,
    page: int = 1,
    page_size: int = 50,
    cap: int | None = None,
    after: paging.After | None = None,
) -> Page[Enterprise]:
    """Return one page of enterprises matching the filter, largest output first.

    A search counts its matches up to `cap` only ("1,000+" beyond): a common term no longer
    reads all its matches to count them. With `after` (where the previous page ended, from its
    next link) the page is the firms after it, read as page 1 is: page 200 of a common term
    costs what page 1 does; `page` then only numbers it.
    """
    cap = paging.COUNT_CAP if cap is None else cap
    registry = tallies.total(session=session)
    counts = figure_cache.cached(session=session, what="char-counts", compute=char_counts)
    conds = filter_conditions(flt, counts=counts)
    walking = filter_conditions(flt, by_characters=False)
    narrowed = narrowing(flt.q.strip(), counts)
    by_index = len(walking) < len(conds)  # the index of characters can find the matches
    dialect = session.get_bind().dialect.name
    walk_cost = WALK_COST.get(dialect, 1)
    # The estimate decides only whether to walk the list's index (below): counted as far as
    # it takes to decide for this page, no further.
    walked = walk_cost * page * page_size * registry
    enough = max(-(-registry // 100), math.isqrt(walked // 2) + 1)
    share = None
    if by_index:
        share = chars_estimate(session, narrowed, enough)
        if share is None:
            share = sampled_estimate(session, walking, registry)
    found_ids = (
        matching_ids(session, narrowed, walking)
        if by_index
        else select(Enterprise.id).where(*conds)
    )
    probe = 0
    if flt.q.strip() or (flt.chain_id is not None and flt.segment_id is not None):
        # Without an estimate, counted as far as one firm in a hundred: the plan needs that.
        probe = cap if share is not None else max(cap, registry // 100)
        counted_ids = found_ids
        if share is not None and share * 20 >= registry and dialect != "sqlite":
            # One firm in twenty or more: the first cap + 1 come sooner reading the table in
            # its order than through the index of characters, which reads every firm holding
            # the characters before the first row (精密, one in ten of 1,000,000: 4 against
            # 45 ms).
            counted_ids = select(Enterprise.id).where(*walking)
        matches = count_up_to(session, counted_ids, probe)
        tally = paging.Tally.of(matches, cap)
    else:
        matches = tallies.total(
            session=session,
            park_id=flt.park_id,
            above_size=flt.above_size,
            include_demo=flt.include_demo,
            chain_id=flt.chain_id,
            segment_id=flt.segment_id,
        )
        tally = paging.Tally(matches, False)
    if not tally.is_lower_bound:
        # Counted exactly: truer than any estimate (at 200,000 firms 3,147 hold the characters
        # of 精信, 228 the term; walking for them read 45,000 firms: 129 against 13 ms).
        share = matches
    elif share is None and 0 < probe < matches:
        # No estimate, and more match than the count read: a term this common is taken to be
        # held by one firm in twenty (精密: one in ten), so that the pages near the top still
        # walk (page 20 of 精密 at 200,000 firms: 26 ms walking, 170 ms sorting every match).
        share = max(matches, registry // 20)
    share = matches if share is None else max(share, matches)
    page = paging.clamp(page, tally, page_size)
    offset = 0 if after is not None else (page - 1) * page_size
    # Walking the list's index in order reads about (offset + page) × registry / share firms;
    # the index of characters reads every match (~share) and sorts them.
    near_top = offset == 0 or (offset + page_size) * registry * walk_cost <= 2 * share * share
    if not conds or (share * 100 >= registry and (near_top or not by_index)):
        # One firm in a hundred or more matches and the page is near the top: reading the
        # list's index in order finds it at once.
        from_after = [] if after is None else [after.beyond(LIST_KEY, col(Enterprise.id))]
        stmt = select(Enterprise).where(*walking, *from_after).order_by(*LIST_ORDER)
        found = list(session.exec(stmt.offset(offset).limit(page_size + 1)))
    else:
        # Few match, or the page is deep: walking that index would read most of the registry
        # (a firm's name on SQLite: 540 ms); the matches are found first, their ids sorted
        # (narrow rows), and only the page's firms read.
        if after is not None:
            found_ids = found_ids.where(after.beyond(SORTED_KEY, col(Enterprise.id)))
        ids = found_ids.order_by(*SORTED_ORDER).offset(offset).limit(page_size + 1)
        stmt = select(Enterprise).where(col(Enterprise.id).in_(ids)).order_by(*SORTED_ORDER)
        found = list(session.exec(stmt))
    return paging.page_of(found, tally, page, page_size, _position)


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
