"""How many firms each combination of the list's filters picks out, counted once per version.

The enterprise list shows how many firms match. Without a search term its filters (park, size,
demo rows, a chain or a segment) only combine groups of firms, so the total is a sum of cached
group counts instead of a count over the registry for every page (the chain + park + size
filter counted 350 ms a page at 1,000,000 firms on PostgreSQL).
"""

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func

from chains.models import Segment
from core import figure_cache
from enterprises.registry.models import Enterprise, Membership, Origin, counted

# (park id, above size, demo row) → firms; a firm sits in one park, so the groups add up.
Groups = list[tuple[int | None, bool, bool, int]]
# ("all" | "chain" | "segment", its id or None) → groups.
Tallies = dict[tuple[str, int | None], Groups]


def total(
    *,
    session: Session,
    park_id: int | None = None,
    above_size: bool | None = None,
    include_demo: bool = True,
    chain_id: int | None = None,
    segment_id: int | None = None,
) -> int:
    """Firms matching the filters (a segment's filter wins over its chain's: pass one)."""
    if segment_id is not None:
        scope: tuple[str, int | None] = ("segment", segment_id)
    elif chain_id is not None:
        scope = ("chain", chain_id)
    else:
        scope = ("all", None)
    return sum(
        n
        for park, above, demo, n in _tallies(session).get(scope, [])
        if park_id in (None, park) and above_size in (None, above) and (include_demo or not demo)
    )


def _tallies(session: Session) -> Tallies:
    """The groups counted for the registry (cached per registry version).

    A new version takes seconds at a million firms: meanwhile the lists of other users show the
    totals of the previous one (core.figure_cache).
    """
    return figure_cache.cached(session=session, what="firm-tallies", compute=_count)


def _count(session: Session) -> Tallies:
    firm: list[Any] = [
        col(Enterprise.park_id),
        col(Enterprise.above_size),
        col(Enterprise.origin) == Origin.demo,
    ]
    member = col(Membership.enterprise_id)
    # Five columns: beyond what SQLModel's typed select() covers, so plain SQLAlchemy here.
    queries: list[tuple[str, Any]] = [
        ("all", sa.select(sa.null(), *firm, func.count()).group_by(*firm)),
        (
            "segment",
            sa.select(col(Membership.segment_id), *firm, func.count())
            .join(Enterprise, col(Enterprise.id) == member)
            .where(counted())
            .group_by(col(Membership.segment_id), *firm),
        ),
        (
            # A firm in several segments of a chain counts once for the chain.
            "chain",
            sa.select(col(Segment.chain_id), *firm, func.count(func.distinct(member)))
            .select_from(Segment)
            .join(Membership, col(Membership.segment_id) == Segment.id)
            .join(Enterprise, col(Enterprise.id) == member)
            .where(counted())
            .group_by(col(Segment.chain_id), *firm),
        ),
    ]
    tallies: Tallies = defaultdict(list)
    for scope, query in queries:
        for scope_id, park, above, demo, n in session.execute(query):
            tallies[(scope, scope_id)].append((park, bool(above), bool(demo), int(n)))
    return dict(tallies)
