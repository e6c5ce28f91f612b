"""Firms entering a chain segment other than by the chain chief's hand, and his review of them.

A landed project, an import's chain columns, a firm's edit by a park bureau or a suggestion
from its products place a firm in a segment as pending (待确认): the chain map lists it as such
but counts it nowhere (gaps, counts, anchor firms) until the chief confirms it (确认) or moves
it out (移出). The chief's own edits and the seed data place firms confirmed.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from chains.models import Chain, Segment
from core import audit, locking, permissions
from core.accounts import User
from core.db import require_id, utcnow
from core.errors import FieldErrors, NotFound
from enterprises.registry.models import (
    SOURCE_LABELS,
    Enterprise,
    MemberRole,
    Membership,
    MembershipReview,
    MembershipSource,
)

# What the audit keeps of a place: enough to put it back by hand after a removal.
MEMBERSHIP_FIELDS = [
    "enterprise_id",
    "segment_id",
    "role",
    "hidden_champion",
    "review",
    "entered_by",
    "entered_note",
]


@dataclass(frozen=True)
class PendingEntry:
    """A firm waiting in a segment for the chief's review, with what brought it there."""

    membership: Membership
    enterprise: Enterprise
    segment: Segment

    @property
    def source_label(self) -> str:
        """The source in words (项目落地, 名单导入, ...)."""
        source = self.membership.entered_by
        return SOURCE_LABELS[MembershipSource(source)] if source else ""


def _label(enterprise: Enterprise, segment: Segment) -> str:
    return f"{enterprise.name} · {segment.name}"


def enter(
    *,
    session: Session,
    actor: User | None,
    enterprise: Enterprise,
    segment_id: int,
    role: MemberRole = MemberRole.member,
    source: MembershipSource,
    note: str = "",
) -> Membership:
    """Place a firm in a segment as pending; a place it already holds is left as it is.

    Callers have checked the actor may change the firm (or land the project); entering asks
    no more, since the chief reviews the result.
    """
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise NotFound(f"环节 {segment_id} 不存在")
    held = session.exec(
        select(Membership).where(
            Membership.enterprise_id == enterprise.id, Membership.segment_id == segment_id
        )
    ).first()
    if held is not None:
        return held
    member = Membership(
        enterprise_id=require_id(enterprise),
        segment_id=segment_id,
        role=role,
        review=MembershipReview.pending,
        entered_by=source,
        entered_note=note.strip()[:200],
        entered_at=utcnow(),
    )
    session.add(member)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=member,
        label=_label(enterprise, segment),
        after=audit.snapshot(member, MEMBERSHIP_FIELDS),
    )
    return member


def enter_by_edit(
    *, session: Session, actor: User, enterprise_id: int, segment_id: int, note: str = ""
) -> Membership:
    """A firm's editor (its park bureau, an admin) places it in a segment, pending review."""
    firm = session.get(Enterprise, enterprise_id)
    if firm is None:
        raise NotFound(f"企业 {enterprise_id} 不存在")
    permissions.ensure_can_edit_enterprise(actor, firm.park_id)
    if session.get(Segment, segment_id) is None:
        raise FieldErrors({"segment_id": f"环节 {segment_id} 不存在"})
    return enter(
        session=session,
        actor=actor,
        enterprise=firm,
        segment_id=segment_id,
        source=MembershipSource.edit,
        note=note,
    )


def _reviewable(
    session: Session, actor: User, chain: Chain, membership_id: int
) -> tuple[Membership, Enterprise, Segment]:
    """The membership in this chain, after the actor's right to review it is checked.

    A membership of another chain is as unknown here as one that does not exist.
    """
    permissions.ensure_can_review_chain(session=session, user=actor, chain_id=require_id(chain))
    row = session.exec(
        select(Membership, Enterprise, Segment)
        .join(Enterprise, col(Enterprise.id) == Membership.enterprise_id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(Membership.id == membership_id, Segment.chain_id == chain.id)
    ).first()
    if row is None:
        raise NotFound("该企业不在本产业链的待确认名单中，可能已被他人处理，请刷新")
    member, enterprise, segment = row
    # Two reviewers at once: the second sees what the first did (confirmed, or gone).
    locking.lock(session, member)
    return member, enterprise, segment


def confirm(*, session: Session, actor: User, chain: Chain, membership_id: int) -> Membership:
    """Confirm a firm's place (确认): from now on the chain map counts it."""
    member, enterprise, segment = _reviewable(session, actor, chain, membership_id)
    if member.review == MembershipReview.confirmed:
        return member
    before = {"review": MembershipReview.pending.value}
    member.review = MembershipReview.confirmed
    member.reviewed_by_id = actor.id
    member.reviewed_at = utcnow()
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="confirm",
        obj=member,
        label=_label(enterprise, segment),
        before=before,
        after={"review": MembershipReview.confirmed.value},
    )
    return member


def remove(*, session: Session, actor: User, chain: Chain, membership_id: int) -> None:
    """Move a firm out of the segment (移出): its place is deleted, the audit keeps it."""
    member, enterprise, segment = _reviewable(session, actor, chain, membership_id)
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        obj=member,
        label=_label(enterprise, segment),
        before=audit.snapshot(member, MEMBERSHIP_FIELDS),
    )
    session.delete(member)
    session.flush()


def describe(*, session: Session, chain: Chain, membership_id: int) -> str:
    """The firm and segment of a place in this chain, in words ("" when there is none)."""
    row = session.exec(
        select(Enterprise, Segment)
        .join(Membership, col(Membership.enterprise_id) == Enterprise.id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(Membership.id == membership_id, Segment.chain_id == chain.id)
    ).first()
    return _label(*row) if row else ""


def pending(
    *, session: Session, chain_id: int, segment_id: int | None = None
) -> list[PendingEntry]:
    """The chain's (or one segment's) pending places, by segment, oldest first."""
    stmt = (
        select(Membership, Enterprise, Segment)
        .join(Enterprise, col(Enterprise.id) == Membership.enterprise_id)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(Membership.review == MembershipReview.pending, Segment.chain_id == chain_id)
    )
    if segment_id is not None:
        stmt = stmt.where(Membership.segment_id == segment_id)
    rows = session.exec(
        stmt.order_by(col(Segment.position), col(Membership.entered_at), col(Membership.id))
    )
    return [PendingEntry(m, e, s) for m, e, s in rows]


def pending_counts(*, session: Session, chain_ids: list[int]) -> dict[int, int]:
    """How many places wait for review in each of these chains (absent: none)."""
    if not chain_ids:
        return {}
    rows = session.exec(
        select(Segment.chain_id, func.count())
        .select_from(Membership)
        .join(Segment, col(Segment.id) == Membership.segment_id)
        .where(Membership.review == MembershipReview.pending, col(Segment.chain_id).in_(chain_ids))
        .group_by(col(Segment.chain_id))
    )
    return {chain_id: int(n) for chain_id, n in rows}
