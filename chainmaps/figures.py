"""A chain's figures: the zone's firms per segment and per chain, the chain's summary and
detail as the map draws them, and its gaps.

They read the chain's structure (chains) and the registry and cultivation (enterprises).
"""

from typing import Any, NamedTuple

import networkx as nx
import sqlalchemy as sa
from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from chains.graph import SegmentFacts, SegmentGap, analyse
from chains.models import (
    Chain,
    ChainDetail,
    ChainGroup,
    ChainSummary,
    LinkPublic,
    Segment,
    SegmentPublic,
)
from chains.service import (
    chief_names,
    confirmer_names,
    get_all,
    get_by_code,
    links_of,
    segments_of,
    units_of,
)
from core import figure_cache
from core.db import china_today, listed_in, require_id
from enterprises.cultivation import standing
from enterprises.registry.models import Enterprise, MemberRole, Membership, counted


class SegmentCounts(NamedTuple):
    """Local firms of one segment, counting firms of segments that share its technology."""

    firms: int
    anchors: int
    above_size: int
    hidden_champions: int
    high_growth: int


EMPTY = SegmentCounts(0, 0, 0, 0, 0)


def pooled_with(own: Any, pooled: Any) -> Any:
    """Join condition: segment `pooled` shares its firms with segment `own` (same or same tech)."""
    return or_(
        col(pooled.id) == own.id,
        and_(col(own.technology).is_not(None), col(pooled.technology) == own.technology),
    )


def segment_counts(*, session: Session, chain_id: int | None = None) -> dict[int, SegmentCounts]:
    """Return {segment id: counts of firms, anchor, above-size, hidden-champion, high-growth}.

    High-growth firms hold a valid recognition of a designation marked high-growth. Only places
    the chain chief confirmed count (a pending one, 待确认, counts nowhere).

    A segment with a technology also counts the firms of other segments with that technology
    (a sensor maker counts for every chain's sensor segment); roles count only where held.
    Counted for every chain at once and cached per registry version: after a write one pass
    serves all ten maps (a pass per chain cost twice as much in all). Do not modify the result.
    """
    counts = figure_cache.cached(session=session, what="segment-counts", compute=_count_segments)
    if chain_id is None:
        return counts
    ids = session.exec(select(Segment.id).where(Segment.chain_id == chain_id)).all()
    return {i: counts[i] for i in ids if i is not None and i in counts}


def _count_segments(session: Session) -> dict[int, SegmentCounts]:
    firm = col(Membership.enterprise_id)
    above = col(Enterprise.above_size)
    recognised = standing.recognised_firms(china_today(), high_growth_only=True)
    high_growth = listed_in(session, firm, recognised)
    growing = high_growth.held
    # A firm sits in a segment at most once, so plain counts per segment need no DISTINCT.
    own = (
        sa.select(
            col(Membership.segment_id),
            func.count(),
            func.sum(case((col(Membership.role) == MemberRole.anchor, 1), else_=0)),
            func.sum(case((above, 1), else_=0)),
            func.sum(case((col(Membership.hidden_champion), 1), else_=0)),
            func.sum(case((growing, 1), else_=0)),
        )
        .join(Enterprise, col(Enterprise.id) == firm)
        .where(counted())
        .group_by(col(Membership.segment_id))
    )
    target, pooled = aliased(Segment), aliased(Segment)
    shared = (
        select(
            col(target.id),
            func.count(func.distinct(firm)),
            func.count(func.distinct(case((above, firm)))),
            func.count(func.distinct(case((growing, firm)))),
        )
        .join(pooled, col(pooled.technology) == target.technology)
        .join(Membership, and_(col(Membership.segment_id) == pooled.id, counted()))
        .join(Enterprise, col(Enterprise.id) == firm)
        .where(col(target.technology).is_not(None))
        .group_by(col(target.id))
    )
    own, shared = high_growth.joined(own), high_growth.joined(shared)
    # Six columns: beyond what SQLModel's typed select() covers, so plain SQLAlchemy here.
    counts = {
        seg: SegmentCounts(int(n), int(a), int(b), int(h), int(g))
        for seg, n, a, b, h, g in session.execute(own)
    }
    for seg, n, b, g in session.exec(shared):
        counts[seg] = counts.get(seg, EMPTY)._replace(
            firms=int(n), above_size=int(b), high_growth=int(g)
        )
    return counts


def chain_counts(
    *, session: Session, chain_id: int | None = None
) -> dict[int, tuple[int, int, int]]:
    """Return {chain id: (segments, distinct enterprises, distinct anchor firms)}.

    Counted for every chain at once and cached per registry version; do not modify the result.
    """
    counts = figure_cache.cached(session=session, what="chain-counts", compute=_count_chains)
    if chain_id is None:
        return counts
    return {chain_id: counts[chain_id]} if chain_id in counts else {}


def _count_chains(session: Session) -> dict[int, tuple[int, int, int]]:
    firm = col(Membership.enterprise_id)
    segs = select(Segment.chain_id, func.count()).group_by(col(Segment.chain_id))
    firms = (
        select(
            Segment.chain_id,
            func.count(func.distinct(firm)),
            func.count(func.distinct(case((col(Membership.role) == MemberRole.anchor, firm)))),
        )
        .join(Membership, col(Membership.segment_id) == Segment.id)
        .where(counted())
        .group_by(col(Segment.chain_id))
    )
    found = {cid: (int(n), int(a)) for cid, n, a in session.exec(firms)}
    return {cid: (int(n), *found.get(cid, (0, 0))) for cid, n in session.exec(segs)}


def _summary(chain: Chain, counts: tuple[int, int, int], chiefs: list[str]) -> ChainSummary:
    return ChainSummary(
        id=require_id(chain),
        code=chain.code,
        name=chain.name,
        group=ChainGroup(chain.group),
        segment_count=counts[0],
        enterprise_count=counts[1],
        anchor_count=counts[2],
        chief_names=chiefs,
    )


def summaries(*, session: Session) -> list[ChainSummary]:
    """Return every chain with its counts, in plan order."""
    counts = chain_counts(session=session)
    chiefs = chief_names(session=session)
    return [
        _summary(c, counts.get(require_id(c), (0, 0, 0)), chiefs.get(require_id(c), []))
        for c in get_all(session=session)
    ]


def summary_of(*, session: Session, chain: Chain) -> ChainSummary:
    """Return one chain's summary, counting only that chain."""
    chain_id = require_id(chain)
    counts = chain_counts(session=session, chain_id=chain_id).get(chain_id, (0, 0, 0))
    chiefs = chief_names(session=session, chain_id=chain_id).get(chain_id, [])
    return _summary(chain, counts, chiefs)


def detail(*, session: Session, code: str) -> ChainDetail:
    """Return a chain with segments (and their firm counts), links and units.

    Cached until the registry changes (core.figure_cache); callers must not modify the result.
    """
    return figure_cache.cached(
        session=session,
        what=f"chain-detail:{code}",
        compute=lambda own: _compute_detail(session=own, code=code),
    )


def _compute_detail(*, session: Session, code: str) -> ChainDetail:
    chain = get_by_code(session=session, code=code)
    chain_id = require_id(chain)
    summary = summary_of(session=session, chain=chain)
    counts = segment_counts(session=session, chain_id=chain_id)
    rows = segments_of(session=session, chain_id=chain_id)
    confirmers = confirmer_names(session=session, segments=rows)
    segments = [
        SegmentPublic(
            **s.model_dump(),
            enterprise_count=counts.get(require_id(s), EMPTY).firms,
            anchor_count=counts.get(require_id(s), EMPTY).anchors,
            above_size_count=counts.get(require_id(s), EMPTY).above_size,
            hidden_champion_count=counts.get(require_id(s), EMPTY).hidden_champions,
            high_growth_count=counts.get(require_id(s), EMPTY).high_growth,
            confirmed_by=confirmers.get(s.confirmed_by_id or 0),
        )
        for s in rows
    ]
    links = [
        LinkPublic(source_id=link.source_id, target_id=link.target_id)
        for link in links_of(session=session, chain_id=chain_id)
    ]
    return ChainDetail(
        **summary.model_dump(),
        description=chain.description,
        weak_threshold=chain.weak_threshold,
        anchor_target=chain.anchor_target,
        version=chain.version,
        segments=segments,
        links=links,
        units=units_of(session=session, chain_id=chain_id),
    )


def gap_report(chain: ChainDetail) -> list[SegmentGap]:
    """Rank a chain's segments by gap priority (see chains.graph); no database work."""
    graph = nx.DiGraph()
    graph.add_nodes_from(s.id for s in chain.segments)
    graph.add_edges_from((link.source_id, link.target_id) for link in chain.links)
    facts = [
        SegmentFacts(
            segment_id=s.id,
            name=s.name,
            stream=s.stream,
            firms=s.enterprise_count,
            above_size=s.above_size_count,
            anchors=s.anchor_count,
            high_growth=s.high_growth_count,
            choke_point=s.choke_point,
        )
        for s in chain.segments
    ]
    return analyse(graph, facts, chain.weak_threshold)


def gaps(*, session: Session, code: str) -> list[SegmentGap]:
    """Return the chain's segments ranked by gap priority."""
    return gap_report(detail(session=session, code=code))
