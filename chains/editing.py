"""Changing a chain's map: segments, supply links, thresholds, choke points, confirmations.

Every function checks nothing about who may act (callers ask core.permissions first), keeps the
link graph acyclic, flushes but never commits, and records each change in the audit log.
Callers hold the chain first (chain_service.hold_for_edit), so that edits of one chain run one
after another; a change of a segment or of the settings made from a `version` is refused with
Conflict if someone changed them since.
"""

import uuid

import networkx as nx
from sqlmodel import Session, col, func, select

from chains import service as chain_service
from chains.models import (
    SEGMENT_LABELS,
    Chain,
    ChainSettings,
    Segment,
    SegmentFields,
    SegmentLink,
    Stream,
)
from core import audit, locking
from core.accounts import User
from core.db import require_id, utcnow
from core.errors import FieldErrors, NotFound
from core.text import refuse_control

SEGMENT_FIELDS = ["name", "stream", "technology", "description", "position"]


def mark_curated(chain: Chain) -> None:
    """Mark the chain as maintained by people, so seed runs leave its map alone."""
    if chain.curated_at is None:
        chain.curated_at = utcnow()


def _name_taken(session: Session, chain_id: int, name: str, exclude: int | None) -> bool:
    stmt = select(Segment.id).where(Segment.chain_id == chain_id, Segment.name == name)
    if exclude is not None:
        stmt = stmt.where(Segment.id != exclude)
    return session.exec(stmt).first() is not None


def _next_position(session: Session, chain_id: int, stream: Stream) -> int:
    stmt = select(func.max(Segment.position)).where(
        Segment.chain_id == chain_id, Segment.stream == stream
    )
    return int(session.exec(stmt).one() or 0) + 1


def create_segment(*, session: Session, actor: User, chain: Chain, data: SegmentFields) -> Segment:
    """Add a segment at the end of its stream."""
    chain_id = require_id(chain)
    if _name_taken(session, chain_id, data.name, None):
        raise FieldErrors({"name": f"本链已有名为“{data.name}”的环节"})
    segment = Segment(
        chain_id=chain_id,
        code=f"user-{uuid.uuid4().hex[:10]}",
        **data.model_dump(exclude={"position"}),
        position=_next_position(session, chain_id, data.stream),
    )
    session.add(segment)
    mark_curated(chain)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=segment,
        label=f"{chain.name}/{segment.name}",
        after=audit.snapshot(segment, SEGMENT_FIELDS),
    )
    return segment


def update_segment(
    *,
    session: Session,
    actor: User,
    chain: Chain,
    segment: Segment,
    data: SegmentFields,
    version: int | None = None,
) -> Segment:
    """Rename a segment, move it to another stream, or change its technology or description."""
    locking.claim(session, segment, version, label=f"环节“{segment.name}”", current=SEGMENT_FIELDS)
    if _name_taken(session, chain.id or 0, data.name, segment.id):
        raise FieldErrors({"name": f"本链已有名为“{data.name}”的环节"})
    values = data.model_dump(exclude={"position"})
    if values["stream"] != segment.stream:
        values["position"] = _next_position(session, chain.id or 0, data.stream)
    label = f"{chain.name}/{data.name}"
    if audit.update(session=session, actor=actor, obj=segment, label=label, values=values):
        mark_curated(chain)
    return segment


def shift_segment(
    *, session: Session, actor: User, chain: Chain, segment: Segment, offset: int
) -> None:
    """Move a segment up (-1) or down (+1) among the segments of its stream."""
    stmt = select(Segment).where(Segment.chain_id == chain.id, Segment.stream == segment.stream)
    ordered = sorted(session.exec(stmt), key=lambda s: (s.position, s.id or 0))
    index = next(i for i, s in enumerate(ordered) if s.id == segment.id)
    target = min(max(index + offset, 0), len(ordered) - 1)
    if target == index:
        return
    ordered.insert(target, ordered.pop(index))
    for position, row in enumerate(ordered):
        row.position = position
    mark_curated(chain)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="reorder",
        obj=segment,
        label=f"{chain.name}/{segment.name}",
        before={"order": index + 1},
        after={"order": target + 1},
    )


def _graph(session: Session, chain_id: int) -> nx.DiGraph:
    graph = nx.DiGraph()
    for link in session.exec(select(SegmentLink).where(SegmentLink.chain_id == chain_id)):
        graph.add_edge(link.source_id, link.target_id)
    return graph


def add_link(
    *, session: Session, actor: User, chain: Chain, source_id: int, target_id: int
) -> SegmentLink:
    """Add a supply link source → target, refusing one that would close a cycle."""
    source = chain_service.get_segment(session=session, chain=chain, segment_id=source_id)
    target = chain_service.get_segment(session=session, chain=chain, segment_id=target_id)
    if source_id == target_id:
        raise FieldErrors({"target_id": "环节不能供给自身"})
    graph = _graph(session, require_id(chain))
    if graph.has_edge(source_id, target_id):
        raise FieldErrors({"target_id": f"“{source.name} → {target.name}”已存在"})
    if target_id in graph and source_id in graph and nx.has_path(graph, target_id, source_id):
        path = nx.shortest_path(graph, target_id, source_id)
        stmt = select(Segment.id, Segment.name).where(col(Segment.id).in_(path))
        names = dict(session.exec(stmt).all())
        cycle = " → ".join([source.name, *(names[n] for n in path)])
        raise FieldErrors({"target_id": f"会形成循环：{cycle}，供应关系必须单向"})
    link = SegmentLink(chain_id=require_id(chain), source_id=source_id, target_id=target_id)
    session.add(link)
    mark_curated(chain)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=link,
        label=f"{chain.name}/{source.name} → {target.name}",
        after={"source": source.name, "target": target.name},
    )
    return link


def remove_link(
    *, session: Session, actor: User, chain: Chain, source_id: int, target_id: int
) -> None:
    """Remove the supply link source → target."""
    link = session.exec(
        select(SegmentLink).where(
            SegmentLink.chain_id == chain.id,
            SegmentLink.source_id == source_id,
            SegmentLink.target_id == target_id,
        )
    ).first()
    if link is None:
        raise NotFound("该供应关系不存在")
    source = chain_service.get_segment(session=session, chain=chain, segment_id=source_id)
    target = chain_service.get_segment(session=session, chain=chain, segment_id=target_id)
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        obj=link,
        label=f"{chain.name}/{source.name} → {target.name}",
        before={"source": source.name, "target": target.name},
    )
    session.delete(link)
    mark_curated(chain)
    session.flush()


def update_settings(
    *, session: Session, actor: User, chain: Chain, data: ChainSettings, version: int | None = None
) -> Chain:
    """Set the chain's weak threshold and its share of the zone's anchor-firm target."""
    settings = list(ChainSettings.model_fields)
    locking.claim(session, chain, version, label=f"“{chain.name}”的参数", current=settings)
    audit.update(
        session=session, actor=actor, obj=chain, label=chain.name, values=data.model_dump()
    )
    return chain


def set_choke_point(
    *,
    session: Session,
    actor: User,
    chain: Chain,
    segment: Segment,
    flag: bool,
    note: str,
    version: int | None = None,
) -> Segment:
    """Flag or clear a segment as a choke point (卡脖子); flagging needs a note saying why."""
    current = ["choke_point", "choke_note"]
    locking.claim(session, segment, version, label=f"环节“{segment.name}”", current=current)
    note = note.strip()
    refuse_control({"choke_note": note}, SEGMENT_LABELS)
    if flag and not note:
        raise FieldErrors({"choke_note": "标记卡脖子环节时请说明原因（如依赖外部供应的部件）"})
    if len(note) > 500:
        raise FieldErrors({"choke_note": "说明不能超过 500 字"})
    values = {"choke_point": flag, "choke_note": note if flag else ""}
    label = f"{chain.name}/{segment.name}"
    if audit.update(session=session, actor=actor, obj=segment, label=label, values=values):
        mark_curated(chain)
    return segment


def confirm_segment(*, session: Session, actor: User, chain: Chain, segment: Segment) -> Segment:
    """Record that the actor checked the segment and its firm list and found them current."""
    before = audit.snapshot(segment, ["confirmed_at", "confirmed_by_id"])
    segment.confirmed_at, segment.confirmed_by_id = utcnow(), actor.id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="confirm",
        obj=segment,
        label=f"{chain.name}/{segment.name}",
        before=before,
        after=audit.snapshot(segment, ["confirmed_at", "confirmed_by_id"]),
    )
    return segment
