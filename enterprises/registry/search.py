"""One page of the registry's list, largest output first, and the plan that reads it.

A page is read either by walking the list's index in its order or by finding the matches first
(through the index of characters) and sorting them; which is cheaper depends on how many firms
match, so the search estimates that only as far as the choice needs.
"""

import math
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, literal_column
from sqlmodel import Session, col, select

from core import bounds, figure_cache, paging
from core.db import count_up_to, require_id
from core.errors import DomainError
from core.paging import Page
from enterprises.registry import tallies
from enterprises.registry.char_index import char_counts, chars_estimate, matching_ids, narrowing
from enterprises.registry.models import Enterprise
from enterprises.registry.service import EnterpriseFilter, filter_conditions

# Firms sampled for an estimate on PostgreSQL: those on the table's first pages (~27 firms a
# page), which a TID range scan reads without touching the others.
SAMPLE_PAGES = 200


def sampled_estimate(session: Session, conds: list[Any], registry: int) -> int:
    """How many of the registry's firms meet conds, estimated from the firms stored on the
    table's first SAMPLE_PAGES pages (PostgreSQL: ~5,000 firms read, a few ms; its index of
    characters answers no count without reading the rows). Exact on a registry that small."""
    in_sample = sa.text(f"enterprise.ctid < '({SAMPLE_PAGES},0)'::tid")
    seen, held = session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(sa.and_(sa.true(), *conds)))
        .select_from(Enterprise)
        .where(in_sample)
    ).one()
    return held if seen >= registry else held * registry // max(seen, 1)


# The list's key in paging.keyset_order: largest output first, firms without figures last
# (outputs are never negative); the order of the index ix_enterprise_list_order, which both
# databases can read a page from, forwards or backwards. A literal, not a parameter: SQLite
# matches an ORDER BY to an index expression by its text.
LIST_KEY = func.coalesce(Enterprise.annual_output, literal_column("-1"))


# The same key, written so that no index matches its order: the matches are found, then sorted.
SORTED_KEY = LIST_KEY + 0


def parse_position(text: str, name: str) -> paging.Position | None:
    """A position in the list as a link carries it (none: ""): `after`, where the previous
    page ended (its 下一页 link), or `before`, where the next page began (its 上一页 link)."""
    return paging.Position.parse(text, -1, bounds.MONEY_WAN, name) if text else None


def _position(enterprise: Enterprise) -> paging.Position:
    """Where a firm stands in the list's order (LIST_KEY, then id)."""
    output = enterprise.annual_output
    return paging.Position(-1.0 if output is None else float(output), require_id(enterprise))


def _from_position(
    key: Any, after: paging.Position | None, before: paging.Position | None
) -> list[Any]:
    """The condition of reading from a position (none without one), on the order's key."""
    if after is not None:
        return [after.following(key, col(Enterprise.id))]
    if before is not None:
        return [before.preceding(key, col(Enterprise.id))]
    return []


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
    after: paging.Position | None = None,
    before: paging.Position | None = None,
) -> Page[Enterprise]:
    """Return one page of enterprises matching the filter, largest output first.

    A search counts its matches up to `cap` only ("1,000+" beyond): a common term no longer
    reads all its matches to count them. With `after` (where the previous page ended, from its
    next link) the page is the firms after it, read as page 1 is: page 200 of a common term
    costs what page 1 does; `page` then only numbers it. With `before` (where the next page
    began, from its previous link) the page is the firms before it, read backwards from there
    as cheaply; reading back to the list's top gives page 1.
    """
    if after is not None and before is not None:
        raise DomainError(paging.BOTH_POSITIONS)
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
    backwards = before is not None
    offset = 0 if after is not None or backwards else (page - 1) * page_size
    # Walking the list's index in order reads about (offset + page) × registry / share firms;
    # the index of characters reads every match (~share) and sorts them.
    near_top = offset == 0 or (offset + page_size) * registry * walk_cost <= 2 * share * share
    if not conds or (share * 100 >= registry and (near_top or not by_index)):
        # One firm in a hundred or more matches and the page is near the top (or read from a
        # position): reading the list's index in order, or back, finds it at once.
        order = paging.keyset_order(LIST_KEY, col(Enterprise.id), backwards)
        from_position = _from_position(LIST_KEY, after, before)
        stmt = select(Enterprise).where(*walking, *from_position).order_by(*order)
        found = list(session.exec(stmt.offset(offset).limit(page_size + 1)))
    else:
        # Few match, or the page is deep: walking that index would read most of the registry
        # (a firm's name on SQLite: 540 ms); the matches are found first, their ids sorted
        # (narrow rows), and only the page's firms read.
        order = paging.keyset_order(SORTED_KEY, col(Enterprise.id), backwards)
        found_ids = found_ids.where(*_from_position(SORTED_KEY, after, before))
        ids = found_ids.order_by(*order).offset(offset).limit(page_size + 1)
        stmt = select(Enterprise).where(col(Enterprise.id).in_(ids)).order_by(*order)
        found = list(session.exec(stmt))
    if backwards:
        if len(found) <= page_size:
            # Read back to the list's top: this is page 1, whatever the link numbered it (the
            # firms at and after the position fill it when fewer than a page came before).
            return search(session=session, flt=flt, page=1, page_size=page_size, cap=cap)
        page = max(page, 2)  # a page with firms before it is not the first
    return paging.page_of(found, tally, page, page_size, _position, backwards)
