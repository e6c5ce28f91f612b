"""Reading and maintaining chains, their segments, links and responsible units."""

from collections import defaultdict
from typing import NamedTuple

import networkx as nx
from sqlalchemy import case, func
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
from core.accounts import User, UserChain
from core.errors import NotFound
from core.orgs import OrgUnit
from enterprises.models import Enterprise, MemberRole, Membership

STREAM_ORDER = {Stream.upstream: 0, Stream.midstream: 1, Stream.downstream: 2}
# Firms a segment needs locally before it counts as strong; per-chain thresholds come later.
DEFAULT_WEAK_THRESHOLD = 3


def get_all(*, session: Session) -> list[Chain]:
    """Return the chains in plan order."""
    return list(session.exec(select(Chain).order_by(col(Chain.position))))


def get_by_code(*, session: Session, code: str) -> Chain:
    """Return the chain with this code or raise NotFound."""
    chain = session.exec(select(Chain).where(Chain.code == code)).first()
    if chain is None:
        raise NotFound(f"产业链“{code}”不存在")
    return chain


def segments_of(*, session: Session, chain_id: int) -> list[Segment]:
    """Return a chain's segments, upstream first, in their stated order."""
    rows = session.exec(select(Segment).where(Segment.chain_id == chain_id))
    return sorted(rows, key=lambda s: (STREAM_ORDER[Stream(s.stream)], s.position, s.id or 0))


def links_of(*, session: Session, chain_id: int) -> list[SegmentLink]:
    """Return a chain's supply links."""
    return list(session.exec(select(SegmentLink).where(SegmentLink.chain_id == chain_id)))


class SegmentCounts(NamedTuple):
    """Local firms of one segment."""

    firms: int
    anchors: int
    above_size: int


EMPTY = SegmentCounts(0, 0, 0)


def segment_counts(*, session: Session, chain_id: int | None = None) -> dict[int, SegmentCounts]:
    """Return {segment id: counts of firms, anchor firms and above-size firms} in one query."""
    anchors = func.sum(case((col(Membership.role) == MemberRole.anchor, 1), else_=0))
    above = func.sum(case((col(Enterprise.above_size), 1), else_=0))
    stmt = (
        select(Membership.segment_id, func.count(col(Membership.id)), anchors, above)
        .join(Enterprise, col(Enterprise.id) == Membership.enterprise_id)
        .group_by(col(Membership.segment_id))
    )
    if chain_id is not None:
        stmt = stmt.join(Segment, col(Segment.id) == Membership.segment_id).where(
            Segment.chain_id == chain_id
        )
    return {
        seg: SegmentCounts(int(n), int(a or 0), int(b or 0)) for seg, n, a, b in session.exec(stmt)
    }


def chain_counts(*, session: Session) -> dict[int, tuple[int, int, int]]:
    """Return {chain id: (segments, distinct enterprises, distinct anchor firms)}."""
    segs = dict(
        session.exec(select(Segment.chain_id, func.count()).group_by(col(Segment.chain_id))).all()
    )
    firm_rows = session.exec(
        select(Segment.chain_id, func.count(func.distinct(Membership.enterprise_id)))
        .join(Membership, col(Membership.segment_id) == Segment.id)
        .group_by(col(Segment.chain_id))
    )
    anchor_rows = session.exec(
        select(Segment.chain_id, func.count(func.distinct(Membership.enterprise_id)))
        .join(Membership, col(Membership.segment_id) == Segment.id)
        .where(Membership.role == MemberRole.anchor)
        .group_by(col(Segment.chain_id))
    )
    firms, anchors = dict(firm_rows.all()), dict(anchor_rows.all())
    return {cid: (n, firms.get(cid, 0), anchors.get(cid, 0)) for cid, n in segs.items()}


def chief_names(*, session: Session) -> dict[int, list[str]]:
    """Return {chain id: display names of its chain chiefs}; empty means the post is vacant."""
    rows = session.exec(
        select(UserChain.chain_id, User.display_name).join(User, col(User.id) == UserChain.user_id)
    )
    names: dict[int, list[str]] = defaultdict(list)
    for chain_id, name in rows:
        names[chain_id].append(name)
    return names


def summaries(*, session: Session) -> list[ChainSummary]:
    """Return every chain with its counts, in plan order."""
    counts = chain_counts(session=session)
    chiefs = chief_names(session=session)
    return [
        ChainSummary(
            id=c.id,
            code=c.code,
            name=c.name,
            group=ChainGroup(c.group),
            segment_count=counts.get(c.id, (0, 0, 0))[0],
            enterprise_count=counts.get(c.id, (0, 0, 0))[1],
            anchor_count=counts.get(c.id, (0, 0, 0))[2],
            chief_names=chiefs.get(c.id, []),
        )
        for c in get_all(session=session)
        if c.id is not None
    ]


def units_of(*, session: Session, chain_id: int) -> list[UnitPublic]:
    """Return a chain's lead units, then its co-operating units, in plan order."""
    rows = session.exec(
        select(OrgUnit.name, ChainUnit.role)
        .join(ChainUnit, col(ChainUnit.unit_id) == OrgUnit.id)
        .where(ChainUnit.chain_id == chain_id)
        .order_by(col(ChainUnit.role).desc(), col(ChainUnit.position))
    )
    return [UnitPublic(name=name, role=UnitRole(role)) for name, role in rows]


def detail(*, session: Session, code: str, summary: ChainSummary | None = None) -> ChainDetail:
    """Return a chain with segments (and their firm counts), links and units."""
    chain = get_by_code(session=session, code=code)
    assert chain.id is not None
    if summary is None:
        summary = next(s for s in summaries(session=session) if s.id == chain.id)
    counts = segment_counts(session=session, chain_id=chain.id)
    segments = [
        SegmentPublic(
            id=s.id,
            code=s.code,
            name=s.name,
            stream=Stream(s.stream),
            parent_id=s.parent_id,
            from_plan=s.from_plan,
            enterprise_count=counts.get(s.id, EMPTY).firms,
            anchor_count=counts.get(s.id, EMPTY).anchors,
            above_size_count=counts.get(s.id, EMPTY).above_size,
        )
        for s in segments_of(session=session, chain_id=chain.id)
        if s.id is not None
    ]
    links = [
        LinkPublic(source_id=link.source_id, target_id=link.target_id)
        for link in links_of(session=session, chain_id=chain.id)
    ]
    return ChainDetail(
        **summary.model_dump(),
        description=chain.description,
        segments=segments,
        links=links,
        units=units_of(session=session, chain_id=chain.id),
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
        )
        for s in chain.segments
    ]
    return analyse(graph, facts, DEFAULT_WEAK_THRESHOLD)


def gaps(*, session: Session, code: str) -> list[SegmentGap]:
    """Return the chain's segments ranked by gap priority."""
    return gap_report(detail(session=session, code=code))
