"""Reading and maintaining chains, their segments, links and responsible units."""

from collections import defaultdict
from datetime import date
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
    ChainUnit,
    LinkPublic,
    Segment,
    SegmentLink,
    SegmentPublic,
    Stream,
    UnitPublic,
    UnitRole,
)
from core import figure_cache, locking
from core.accounts import User, UserChain
from core.db import listed_in, require_id
from core.errors import NotFound
from core.orgs import OrgUnit
from enterprises import pipeline
from enterprises.models import Enterprise, MemberRole, Membership

STREAM_ORDER = {Stream.upstream: 0, Stream.midstream: 1, Stream.downstream: 2}


def get_all(*, session: Session) -> list[Chain]:
    """Return the chains in plan order."""
    return list(session.exec(select(Chain).order_by(col(Chain.position))))


def get_by_code(*, session: Session, code: str) -> Chain:
    """Return the chain with this code or raise NotFound."""
    chain = session.exec(select(Chain).where(Chain.code == code)).first()
    if chain is None:
        raise NotFound(f"产业链“{code}”不存在")
    return chain


def hold_for_edit(*, session: Session, chain: Chain) -> None:
    """Hold the chain for this transaction's change of its map, dossier or settings.

    Edits of one chain then run one after another (core.locking.lock), so that what one checks
    — a segment name free, a link closing no cycle, the order of a stream — still holds when
    it writes. Take it before reading any of the chain's segments, links or dossier.
    """
    locking.lock(session, chain)


def get_segment(*, session: Session, chain: Chain, segment_id: int) -> Segment:
    """Return the chain's segment with this id or raise NotFound."""
    segment = session.get(Segment, segment_id)
    if segment is None or segment.chain_id != chain.id:
        raise NotFound(f"{chain.name}产业链没有编号为 {segment_id} 的环节")
    return segment


def _in_order(segment: Segment) -> tuple[int, int, int]:
    return STREAM_ORDER[Stream(segment.stream)], segment.position, segment.id or 0


def segments_of(*, session: Session, chain_id: int) -> list[Segment]:
    """Return a chain's segments, upstream first, in their stated order."""
    return sorted(session.exec(select(Segment).where(Segment.chain_id == chain_id)), key=_in_order)


def segments_by_chain(*, session: Session) -> list[tuple[Chain, list[Segment]]]:
    """Every chain with its segments in order (one query for all of them)."""
    grouped: dict[int, list[Segment]] = {}
    for segment in sorted(session.exec(select(Segment)), key=_in_order):
        grouped.setdefault(segment.chain_id, []).append(segment)
    return [(c, grouped.get(require_id(c), [])) for c in get_all(session=session)]


def technology_peers(*, session: Session, segment: Segment) -> list[tuple[str, str, str]]:
    """Return (chain code, chain name, segment name) of other segments with the same technology."""
    if not segment.technology:
        return []
    stmt = (
        select(Chain.code, Chain.name, Segment.name)
        .join(Chain, col(Chain.id) == Segment.chain_id)
        .where(Segment.technology == segment.technology, Segment.id != segment.id)
        .order_by(col(Chain.position))
    )
    return [(code, chain, name) for code, chain, name in session.exec(stmt)]


def links_of(*, session: Session, chain_id: int) -> list[SegmentLink]:
    """Return a chain's supply links."""
    return list(session.exec(select(SegmentLink).where(SegmentLink.chain_id == chain_id)))


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

    High-growth firms hold a valid recognition of a designation marked high-growth.

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
    recognised = pipeline.recognised_firms(date.today(), high_growth_only=True)
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
        .join(Membership, col(Membership.segment_id) == pooled.id)
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
        .group_by(col(Segment.chain_id))
    )
    found = {cid: (int(n), int(a)) for cid, n, a in session.exec(firms)}
    return {cid: (int(n), *found.get(cid, (0, 0))) for cid, n in session.exec(segs)}


def chief_names(*, session: Session, chain_id: int | None = None) -> dict[int, list[str]]:
    """Return {chain id: display names of its chain chiefs}; empty means the post is vacant."""
    stmt = select(UserChain.chain_id, User.display_name).join(
        User, col(User.id) == UserChain.user_id
    )
    if chain_id is not None:
        stmt = stmt.where(UserChain.chain_id == chain_id)
    names: dict[int, list[str]] = defaultdict(list)
    for cid, name in session.exec(stmt):
        names[cid].append(name)
    return names


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


def units_of(*, session: Session, chain_id: int) -> list[UnitPublic]:
    """Return a chain's lead units, then its co-operating units, in plan order."""
    rows = session.exec(
        select(OrgUnit.name, ChainUnit.role)
        .join(ChainUnit, col(ChainUnit.unit_id) == OrgUnit.id)
        .where(ChainUnit.chain_id == chain_id)
        .order_by(col(ChainUnit.role).desc(), col(ChainUnit.position))
    )
    return [UnitPublic(name=name, role=UnitRole(role)) for name, role in rows]


def confirmer_names(*, session: Session, segments: list[Segment]) -> dict[int, str]:
    """Return {user id: display name} of the users who confirmed these segments."""
    ids = {s.confirmed_by_id for s in segments if s.confirmed_by_id is not None}
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids)))
    return {uid: name for uid, name in rows if uid is not None}


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
