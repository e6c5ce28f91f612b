"""Views across a chain or across chains: headline figures, firm lists, freshness, the matrix."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from chainmaps.figures import pooled_with, segment_counts
from chains.models import Chain, Segment, SegmentPublic, Stream
from core.audit import AuditEntry
from core.db import china_today, require_id
from core.orgs import park_names
from enterprises.cultivation import standing
from enterprises.registry.models import (
    ROLE_RANK,
    Enterprise,
    EnterpriseKind,
    MemberRole,
    Membership,
    MembershipReview,
    counted,
)

STALE_AFTER_DAYS = 90
PANEL_FIRMS = 60


@dataclass(frozen=True)
class Headline:
    """A chain's figures for its chief's page."""

    firms: int
    above_size: int
    above_size_output: float
    anchors: int
    hidden_champions: int
    high_growth: int


def headline(*, session: Session, chain_id: int) -> Headline:
    """Return the chain's distinct firms, above-size firms and their output (万元), anchor,
    hidden-champion and high-growth firms."""
    members = (
        select(
            Membership.enterprise_id,
            func.max(case((col(Membership.role) == MemberRole.anchor, 1), else_=0)).label("anchor"),
            func.max(case((col(Membership.hidden_champion), 1), else_=0)).label("hidden"),
        )
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(Segment.chain_id == chain_id, counted())
        .group_by(col(Membership.enterprise_id))
        .subquery()
    )
    above = col(Enterprise.above_size)
    growing = col(Enterprise.id).in_(
        standing.recognised_firms(china_today(), high_growth_only=True)
    )
    row = session.execute(
        sa.select(
            func.count(),
            func.coalesce(func.sum(case((above, 1), else_=0)), 0),
            func.coalesce(func.sum(case((above, Enterprise.annual_output), else_=0)), 0),
            func.coalesce(func.sum(members.c.anchor), 0),
            func.coalesce(func.sum(members.c.hidden), 0),
            func.coalesce(func.sum(case((growing, 1), else_=0)), 0),
        ).join(members, members.c.enterprise_id == Enterprise.id)
    ).one()
    return Headline(int(row[0]), int(row[1]), float(row[2]), int(row[3]), int(row[4]), int(row[5]))


def unconfirmed(
    segments: list[SegmentPublic], now: datetime, days: int = STALE_AFTER_DAYS
) -> list[SegmentPublic]:
    """Return the segments not confirmed within `days`, never-confirmed first."""
    limit = now - timedelta(days=days)
    stale = [s for s in segments if s.confirmed_at is None or s.confirmed_at < limit]
    return sorted(stale, key=lambda s: (s.confirmed_at is not None, s.confirmed_at or now))


@dataclass(frozen=True)
class PanelFirm:
    """A firm in a segment's panel."""

    id: int
    name: str
    park: str
    above_size: bool
    annual_output: float | None
    role: MemberRole
    hidden_champion: bool
    via: str | None  # the other chain's segment it comes from, for shared technologies
    recognitions: list[str]
    pending: bool = False  # waiting for the chain chief's review (待确认): not counted


def segment_firms(
    *, session: Session, segment: Segment, limit: int = PANEL_FIRMS
) -> tuple[int, list[PanelFirm]]:
    """Return (confirmed total, first firms) of a segment: confirmed firms first, anchors and
    big firms first among them, then the pending ones (待确认), shown but not counted.

    Firms of other chains' segments with the same technology are included and say where from.
    """
    own = col(Membership.segment_id) == segment.id
    pooled: Any = own
    if segment.technology:
        # Other segments lend their confirmed firms only; this one shows its pending ones too.
        pooled = or_(own, and_(col(Segment.technology) == segment.technology, counted()))
    base = (
        select(Enterprise, Membership, Segment, Chain)
        .join(Membership, col(Membership.enterprise_id) == Enterprise.id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .join(Chain, col(Chain.id) == Segment.chain_id)
        .where(pooled)
    )
    rank = case(
        (col(Membership.role) == MemberRole.anchor, 0),
        (col(Membership.role) == MemberRole.key, 1),
        else_=2,
    )
    stmt = base.order_by(
        col(Membership.segment_id) != segment.id,
        ~counted(),
        rank,
        col(Enterprise.above_size).desc(),
        col(Enterprise.annual_output).desc(),
        col(Enterprise.name),
    )
    total = session.exec(
        select(func.count(func.distinct(Membership.enterprise_id)))
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(pooled, counted())
    ).one()
    firms: dict[int, PanelFirm] = {}
    parks = park_names(session=session)
    rows = list(session.exec(stmt.limit(limit * 2)))
    held = standing.recognitions(
        session=session,
        enterprise_ids=[require_id(firm) for firm, *_ in rows],
        today=china_today(),
    )
    for firm, member, where, chain in rows:
        if firm.id is None or firm.id in firms:
            continue
        firms[firm.id] = PanelFirm(
            id=firm.id,
            name=firm.name,
            park=parks.get(firm.park_id or 0, "未定园区"),
            above_size=firm.above_size,
            annual_output=firm.annual_output,
            role=MemberRole(member.role),
            hidden_champion=member.hidden_champion,
            via=None if where.id == segment.id else f"{chain.name}·{where.name}",
            recognitions=held.get(firm.id, []),
            pending=member.review == MembershipReview.pending,
        )
    return int(total), list(firms.values())[:limit]


@dataclass(frozen=True)
class MatrixCell:
    """One chain's segments in one stream."""

    segments: int
    missing: int
    firms: int


@dataclass(frozen=True)
class SharedTechnology:
    """A technology that several chains' segments share, and the firms it pools."""

    technology: str
    firms: int
    segments: list[tuple[str, str, str]]  # chain code, chain name, segment name


def matrix(*, session: Session) -> dict[int, dict[Stream, MatrixCell]]:
    """Return {chain id: {stream: segments, missing segments, distinct firms}} zone-wide.

    Firms count as on the maps: shared-technology segments pool their firms.
    """
    counts = segment_counts(session=session)
    own, pooled = aliased(Segment), aliased(Segment)
    firm_rows = session.exec(
        select(own.chain_id, own.stream, func.count(func.distinct(Membership.enterprise_id)))
        .join(pooled, pooled_with(own, pooled))
        .join(Membership, and_(col(Membership.segment_id) == pooled.id, counted()))
        .group_by(col(own.chain_id), col(own.stream))
    )
    firms = {(cid, Stream(stream)): int(n) for cid, stream, n in firm_rows}
    tally: dict[tuple[int, Stream], list[int]] = defaultdict(lambda: [0, 0])
    for seg_id, chain_id, stream in session.exec(
        select(Segment.id, Segment.chain_id, Segment.stream)
    ):
        cell = tally[(chain_id, Stream(stream))]
        cell[0] += 1
        cell[1] += 0 if seg_id in counts and counts[seg_id].firms else 1
    result: dict[int, dict[Stream, MatrixCell]] = defaultdict(dict)
    for (chain_id, stream), (n, missing) in tally.items():
        result[chain_id][stream] = MatrixCell(n, missing, firms.get((chain_id, stream), 0))
    return result


def shared_technologies(*, session: Session) -> list[SharedTechnology]:
    """Return the technologies used by segments of two or more chains."""
    rows = session.exec(
        select(Segment, Chain)
        .join(Chain, col(Chain.id) == Segment.chain_id)
        .where(col(Segment.technology).is_not(None))
        .order_by(col(Segment.technology), col(Chain.position))
    )
    grouped: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for segment, chain in rows:
        grouped[str(segment.technology)].append(
            (require_id(segment), chain.code, chain.name, segment.name)
        )
    counts = segment_counts(session=session)
    shared = []
    for tech, segs in grouped.items():
        if len({code for _, code, _, _ in segs}) < 2:
            continue
        pooled = counts.get(segs[0][0])
        shared.append(
            SharedTechnology(
                technology=tech,
                firms=pooled.firms if pooled else 0,
                segments=[(code, chain, name) for _, code, chain, name in segs],
            )
        )
    return shared


@dataclass(frozen=True)
class DossierFirm:
    """A firm in the chain's table of leading firms and hidden champions."""

    id: int
    name: str
    kind: str
    park: str
    above_size: bool
    role: MemberRole
    hidden_champion: bool
    segments: list[str]


def _dossier_firms(session: Session, chain_id: int, condition: Any) -> list[DossierFirm]:
    stmt = (
        select(Enterprise, Membership, Segment.name)
        .join(Membership, col(Membership.enterprise_id) == Enterprise.id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(Segment.chain_id == chain_id, condition, counted())
        .order_by(col(Enterprise.name), col(Segment.position))
    )
    parks = park_names(session=session)
    firms: dict[int, DossierFirm] = {}
    for firm, member, segment_name in session.exec(stmt):
        known = firms.get(firm.id or 0)
        role = MemberRole(member.role)
        if known is not None:
            role = min(role, known.role, key=ROLE_RANK.__getitem__)
        firms[firm.id or 0] = DossierFirm(
            id=firm.id or 0,
            name=firm.name,
            kind=str(firm.kind),
            park=parks.get(firm.park_id or 0, "未定园区"),
            above_size=firm.above_size,
            role=role,
            hidden_champion=member.hidden_champion or bool(known and known.hidden_champion),
            segments=[*(known.segments if known else []), segment_name],
        )
    return sorted(firms.values(), key=lambda f: (ROLE_RANK[f.role], not f.hidden_champion, f.name))


def leading_firms(*, session: Session, chain_id: int) -> list[DossierFirm]:
    """Return the chain's anchor and key firms and its hidden champions (五个一: 一张企业表)."""
    condition = or_(
        col(Membership.role).in_([MemberRole.anchor, MemberRole.key]),
        col(Membership.hidden_champion),
    )
    return [
        f
        for f in _dossier_firms(session, chain_id, condition)
        if f.kind == EnterpriseKind.enterprise
    ]


def innovation_bodies(*, session: Session, chain_id: int) -> list[DossierFirm]:
    """Return the registry's institutes and platforms that serve the chain's segments."""
    condition = col(Enterprise.kind).in_([EnterpriseKind.institute, EnterpriseKind.platform])
    return _dossier_firms(session, chain_id, condition)


def recent_changes(*, session: Session, chain: Chain, limit: int = 20) -> list[AuditEntry]:
    """Return the latest audited changes to the chain, its segments, links and dossier."""
    stmt = (
        select(AuditEntry)
        .where(
            col(AuditEntry.actor_id).is_not(None),
            or_(
                col(AuditEntry.object_label).startswith(f"{chain.name}/", autoescape=True),
                and_(
                    col(AuditEntry.object_type) == "chain",
                    col(AuditEntry.object_id) == str(chain.id),
                ),
            ),
        )
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt))
