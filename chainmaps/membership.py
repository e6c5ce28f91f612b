"""Edits of a chain map that move the zone's firms: deleting a segment (its firms and projects
go to another segment, or its firms leave the chain) and a firm's role in a segment.

As chains.editing: no permission checks (callers ask core.permissions), flushes, never
commits, audits each change; callers hold the chain first.
"""

from typing import Any

from sqlalchemy import update as sql_update
from sqlmodel import Session, col, func, select

from chains import service as chain_service
from chains.editing import SEGMENT_FIELDS, mark_curated
from chains.models import (
    Chain,
    Segment,
    SegmentLink,
)
from core import audit
from core.accounts import User
from core.db import require_id
from core.errors import FieldErrors, NotFound
from enterprises.projects.leads import Lead
from enterprises.registry.models import Enterprise, MemberRole, Membership, fold_membership


def delete_segment(
    *,
    session: Session,
    actor: User,
    chain: Chain,
    segment: Segment,
    firms_to: int | None,
    detach_firms: bool = False,
) -> int:
    """Delete a segment; its firms move to segment firms_to, or leave the chain if detached.

    Return how many firms were moved. A segment with firms and neither choice is refused.
    """
    members = list(session.exec(select(Membership).where(Membership.segment_id == segment.id)))
    if members and firms_to is None and not detach_firms:
        raise FieldErrors(
            {"firms_to": f"“{segment.name}”有 {len(members)} 家企业，请选择把它们转入哪个环节"}
        )
    target = None
    if members and firms_to is not None:
        target = chain_service.get_segment(session=session, chain=chain, segment_id=firms_to)
        if target.id == segment.id:
            raise FieldErrors({"firms_to": "不能转入将被删除的环节本身"})
        _move_members(session, members, require_id(target))
    if target is not None:  # leads aimed at the segment follow its firms
        session.execute(
            sql_update(Lead).where(col(Lead.segment_id) == segment.id).values(segment_id=target.id)
        )
    links = session.exec(
        select(func.count())
        .select_from(SegmentLink)
        .where((SegmentLink.source_id == segment.id) | (SegmentLink.target_id == segment.id))
    ).one()
    before: dict[str, Any] = audit.snapshot(segment, SEGMENT_FIELDS)
    before |= {"firms": len(members), "links": int(links)}
    after = {"firms_to": target.name if target else None, "firms_detached": detach_firms}
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        obj=segment,
        label=f"{chain.name}/{segment.name}",
        before=before,
        after=after,
    )
    session.delete(segment)
    mark_curated(chain)
    session.flush()
    return len(members) if target else 0


def _move_members(session: Session, members: list[Membership], target_id: int) -> None:
    """Move memberships to another segment; a firm already there keeps its stronger role."""
    existing = {
        m.enterprise_id: m
        for m in session.exec(select(Membership).where(Membership.segment_id == target_id))
    }
    for member in members:
        there = existing.get(member.enterprise_id)
        if there is None:
            member.segment_id = target_id
            continue
        fold_membership(there, member)
        session.delete(member)
    session.flush()


def update_membership(
    *,
    session: Session,
    actor: User,
    chain: Chain,
    segment: Segment,
    enterprise_id: int,
    role: MemberRole,
    hidden_champion: bool,
) -> Membership:
    """Set a firm's role in a segment (链主 / 重点 / 成员) and its hidden-champion mark."""
    member = session.exec(
        select(Membership).where(
            Membership.segment_id == segment.id, Membership.enterprise_id == enterprise_id
        )
    ).first()
    if member is None:
        raise NotFound(f"该企业不在“{segment.name}”环节")
    firm = session.get(Enterprise, enterprise_id)
    label = f"{chain.name}/{segment.name}/{firm.name if firm else enterprise_id}"
    values = {"role": role, "hidden_champion": hidden_champion}
    audit.update(session=session, actor=actor, obj=member, label=label, values=values)
    return member
