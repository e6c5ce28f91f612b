"""The chain chief's review of suggested memberships (采纳 / 不采纳).

A suggestion (chainmaps.suggestions) never changes the map by itself: accepting one places the
firm in the segment through enterprises.registry.membership_review (source 'suggestion') and
confirms it at once, since the chief has just reviewed it; rejecting one keeps it, so that it
is never suggested again. Either is audited.
"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from chainmaps.suggestions import MembershipSuggestion, SuggestionStatus
from chains.models import Chain, Segment
from core import audit, locking, permissions
from core.accounts import User
from core.db import require_id, utcnow
from core.errors import Conflict, NotFound
from enterprises.registry import membership_review
from enterprises.registry.models import Enterprise, Membership, MembershipSource

PAGE_SIZE = 30


@dataclass(frozen=True)
class OpenSuggestion:
    """A suggestion waiting for the chief, with the firm and the segment it names."""

    suggestion: MembershipSuggestion
    enterprise: Enterprise
    segment: Segment


def open_for_chain(
    *, session: Session, chain_id: int, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[int, list[OpenSuggestion]]:
    """How many suggestions of the chain wait, and one page of them, best first."""
    waiting = (
        col(MembershipSuggestion.chain_id) == chain_id,
        col(MembershipSuggestion.status) == SuggestionStatus.open,
    )
    total = session.exec(
        select(func.count()).select_from(MembershipSuggestion).where(*waiting)
    ).one()
    rows = session.exec(
        select(MembershipSuggestion, Enterprise, Segment)
        .join(Enterprise, col(Enterprise.id) == MembershipSuggestion.enterprise_id)
        .join(Segment, col(Segment.id) == MembershipSuggestion.segment_id)
        .where(*waiting)
        # Both descending: SQLite walks the review index (chain, status, score, rowid) in order.
        .order_by(col(MembershipSuggestion.score).desc(), col(MembershipSuggestion.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return int(total), [OpenSuggestion(s, e, g) for s, e, g in rows]


def _decidable(
    session: Session, actor: User, chain: Chain, suggestion_id: int
) -> tuple[MembershipSuggestion, Enterprise, Segment]:
    permissions.ensure_can_review_chain(session=session, user=actor, chain_id=require_id(chain))
    row = session.exec(
        select(MembershipSuggestion, Enterprise, Segment)
        .join(Enterprise, col(Enterprise.id) == MembershipSuggestion.enterprise_id)
        .join(Segment, col(Segment.id) == MembershipSuggestion.segment_id)
        .where(MembershipSuggestion.id == suggestion_id, MembershipSuggestion.chain_id == chain.id)
    ).first()
    if row is None:
        raise NotFound("该建议不在本产业链的待审核名单中，可能已被重新计算，请刷新")
    suggestion, enterprise, segment = row
    locking.lock(session, suggestion)  # two reviewers at once: the second sees the first's
    if suggestion.status != SuggestionStatus.open:
        raise Conflict(f"“{enterprise.name} · {segment.name}”的建议已被他人处理")
    return suggestion, enterprise, segment


def _decide(
    session: Session,
    actor: User,
    suggestion: MembershipSuggestion,
    status: SuggestionStatus,
    label: str,
) -> None:
    suggestion.status = status
    suggestion.decided_at = utcnow()
    suggestion.decided_by_id = actor.id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="accept" if status == SuggestionStatus.accepted else "reject",
        obj=suggestion,
        label=label,
        before={"status": SuggestionStatus.open.value},
        after={"status": status.value, "words": suggestion.words, "score": suggestion.score},
    )


def accept(*, session: Session, actor: User, chain: Chain, suggestion_id: int) -> Membership:
    """Place the firm in the segment, confirmed (采纳): the chain map counts it from now on."""
    suggestion, enterprise, segment = _decidable(session, actor, chain, suggestion_id)
    member = membership_review.enter(
        session=session,
        actor=actor,
        enterprise=enterprise,
        segment_id=require_id(segment),
        source=MembershipSource.suggestion,
        note=f"主营产品匹配：{'、'.join(suggestion.words)}",
    )
    member = membership_review.confirm(
        session=session, actor=actor, chain=chain, membership_id=require_id(member)
    )
    _decide(
        session, actor, suggestion, SuggestionStatus.accepted, f"{enterprise.name} · {segment.name}"
    )
    return member


def reject(*, session: Session, actor: User, chain: Chain, suggestion_id: int) -> None:
    """Turn the suggestion down (不采纳): the firm is not suggested for the segment again."""
    suggestion, enterprise, segment = _decidable(session, actor, chain, suggestion_id)
    _decide(
        session, actor, suggestion, SuggestionStatus.rejected, f"{enterprise.name} · {segment.name}"
    )
