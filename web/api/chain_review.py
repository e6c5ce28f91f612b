"""The chain chief's review of firms entering his chain (确认 / 移出) as JSON."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from core.db import require_id
from enterprises.registry import membership_review
from enterprises.registry.models import MembershipReview, MembershipSource
from web.deps import ChainDep, CurrentUser, PathId, SessionDep

router = APIRouter(prefix="/chains/{code}/review", tags=["chains"])


class PendingOut(BaseModel):
    """A firm waiting in a segment for the chief's review, with what brought it there."""

    membership_id: int
    enterprise_id: int
    enterprise_name: str
    credit_code_pending: bool
    segment_id: int
    segment_name: str
    source: MembershipSource | None
    source_label: str
    note: str
    entered_at: datetime | None


class ReviewedOut(BaseModel):
    """A place after the chief's review."""

    membership_id: int
    review: MembershipReview


@router.get("")
def pending(chain: ChainDep, session: SessionDep, user: CurrentUser) -> list[PendingOut]:
    """The chain's pending places by segment, oldest first."""
    entries = membership_review.pending(session=session, chain_id=require_id(chain))
    return [
        PendingOut(
            membership_id=require_id(e.membership),
            enterprise_id=require_id(e.enterprise),
            enterprise_name=e.enterprise.name,
            credit_code_pending=e.enterprise.credit_code_pending,
            segment_id=require_id(e.segment),
            segment_name=e.segment.name,
            source=e.membership.entered_by,
            source_label=e.source_label,
            note=e.membership.entered_note,
            entered_at=e.membership.entered_at,
        )
        for e in entries
    ]


@router.post("/{membership_id:int}/confirm")
def confirm(
    membership_id: PathId, chain: ChainDep, session: SessionDep, user: CurrentUser
) -> ReviewedOut:
    """Confirm a firm's place (确认): the chain map counts it from now on. The chain's chief
    or an admin only (403); a place not in this chain is 404."""
    member = membership_review.confirm(
        session=session, actor=user, chain=chain, membership_id=membership_id
    )
    return ReviewedOut(membership_id=require_id(member), review=MembershipReview(member.review))


@router.delete("/{membership_id:int}", status_code=204)
def remove(membership_id: PathId, chain: ChainDep, session: SessionDep, user: CurrentUser) -> None:
    """Move a firm out of the segment (移出); the audit keeps the place."""
    membership_review.remove(session=session, actor=user, chain=chain, membership_id=membership_id)
