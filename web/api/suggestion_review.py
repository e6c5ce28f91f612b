"""Suggested memberships as JSON: a chain's open ones, and the chief's 采纳 / 不采纳."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from chainmaps import suggestion_review
from core import permissions
from core.db import require_id
from web.api.match_reason import MatchReason
from web.deps import ChainDep, CurrentUser, PathId, SessionDep

router = APIRouter(prefix="/chains/{code}/suggestions", tags=["chain editing"])


class SuggestionOut(MatchReason):
    """A segment suggested for a zone firm, with why (the words found, else shared n-grams)."""

    id: int
    enterprise_id: int
    enterprise_name: str
    segment_id: int
    segment_name: str


class SuggestionPageOut(BaseModel):
    """One page of a chain's open suggestions, best first."""

    total: int
    page: int
    items: list[SuggestionOut]


class DecisionOut(BaseModel):
    """What became of a suggestion (accepted: the membership that confirms it)."""

    id: int
    status: str
    membership_id: int | None = None


@router.get("")
def open_suggestions(
    chain: ChainDep,
    session: SessionDep,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> SuggestionPageOut:
    """The chain's suggestions waiting for its chief (the chief and admins)."""
    permissions.ensure_can_review_chain(session=session, user=user, chain_id=require_id(chain))
    total, rows = suggestion_review.open_for_chain(
        session=session, chain_id=require_id(chain), page=page
    )
    items = [
        SuggestionOut(
            id=require_id(r.suggestion),
            enterprise_id=require_id(r.enterprise),
            enterprise_name=r.enterprise.name,
            segment_id=require_id(r.segment),
            segment_name=r.segment.name,
            score=r.suggestion.score,
            words=r.suggestion.words,
        )
        for r in rows
    ]
    return SuggestionPageOut(total=total, page=page, items=items)


@router.post("/{suggestion_id:int}/accept")
def accept(
    chain: ChainDep, suggestion_id: PathId, session: SessionDep, user: CurrentUser
) -> DecisionOut:
    """Accept: the firm joins the segment, confirmed; 409 if someone decided it already."""
    member = suggestion_review.accept(
        session=session, actor=user, chain=chain, suggestion_id=suggestion_id
    )
    return DecisionOut(id=suggestion_id, status="accepted", membership_id=member.id)


@router.post("/{suggestion_id:int}/reject")
def reject(
    chain: ChainDep, suggestion_id: PathId, session: SessionDep, user: CurrentUser
) -> DecisionOut:
    """Reject: the firm is not suggested for the segment again."""
    suggestion_review.reject(session=session, actor=user, chain=chain, suggestion_id=suggestion_id)
    return DecisionOut(id=suggestion_id, status="rejected")
