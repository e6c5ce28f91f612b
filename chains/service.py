"""Reading and maintaining chains, their segments, links and responsible units."""

from collections import defaultdict

from sqlmodel import Session, col, select

from chains.models import (
    Chain,
    ChainUnit,
    Segment,
    SegmentLink,
    Stream,
    UnitPublic,
    UnitRole,
)
from core import locking
from core.accounts import User, UserChain
from core.db import require_id
from core.errors import NotFound
from core.orgs import OrgUnit

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
