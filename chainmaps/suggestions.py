"""Suggested memberships: segments a registry firm's products match, for the chain chief to review.

A suggestion never changes the map: only the chief's 确认 makes a membership
(chainmaps.suggestion_review). Computed from the firm's name and main products by
chains.matching; a firm is not suggested for a segment it is already in, nor again for one the
chief rejected (or accepted) — those rows stay, the open ones are recomputed:
- `compute_all`: every firm (the `chainplan suggest` command);
- `refresh_firms`: after a firm's products or name change;
- `refresh_segment`: after a segment's words change — that segment only.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from chains.matching import SegmentMatcher, load_matcher
from chains.models import Segment
from core import bulk, collector
from core.db import enum_column, utcnow
from enterprises.registry.models import Enterprise, Membership

PER_FIRM = 5  # a firm's best segments; more would bury the review list
_READ_CHUNK = 20_000


class SuggestionStatus(StrEnum):
    """open: waiting for the chief; accepted: made a membership; rejected: never again."""

    open = "open"
    accepted = "accepted"
    rejected = "rejected"


STATUS_LABELS = {
    SuggestionStatus.open: "待审核",
    SuggestionStatus.accepted: "已确认",
    SuggestionStatus.rejected: "不采纳",
}


class MembershipSuggestion(SQLModel, table=True):
    """A segment suggested for a registry firm, with the matched words as its reason."""

    __tablename__ = "membership_suggestion"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "segment_id"),
        # The review list: a chain's open suggestions, best first.
        Index("ix_membership_suggestion_review", "chain_id", "status", "score"),
        Index("ix_membership_suggestion_segment", "segment_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", ondelete="CASCADE")
    segment_id: int = Field(foreign_key="segment.id", ondelete="CASCADE")
    chain_id: int = Field(foreign_key="chain.id", ondelete="CASCADE")
    score: float
    words: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: SuggestionStatus = Field(
        default=SuggestionStatus.open, sa_type=enum_column(SuggestionStatus, 10)
    )
    computed_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")


def firm_text(name: str, main_products: str) -> str:
    """What a registry firm is matched on: its products, then its name (华创电池 says 电池)."""
    return f"{main_products}\n{name}"


def _chain_of(session: Session) -> dict[int, int]:
    return {s: c for s, c in session.exec(select(Segment.id, Segment.chain_id)) if s is not None}


def _firm_texts(
    session: Session, enterprise_ids: Sequence[int] | None = None
) -> Iterator[list[tuple[int, str]]]:
    """(firm id, text) in chunks, all firms or the given ones."""
    stmt = select(Enterprise.id, Enterprise.name, Enterprise.main_products).order_by(
        col(Enterprise.id)
    )
    if enterprise_ids is None:
        last = 0
        while True:
            rows = session.exec(stmt.where(col(Enterprise.id) > last).limit(_READ_CHUNK)).all()
            if not rows:
                return
            yield [(i or 0, firm_text(n, p)) for i, n, p in rows]
            last = rows[-1][0] or 0
    else:
        for condition in bulk.among(session, Enterprise.id, enterprise_ids):
            yield [(i or 0, firm_text(n, p)) for i, n, p in session.exec(stmt.where(condition))]


def _taken(
    session: Session, enterprise_ids: Sequence[int] | None, segment_id: int | None = None
) -> set[tuple[int, int]]:
    """(firm, segment) pairs not to suggest: memberships, and suggestions already decided."""
    member = select(Membership.enterprise_id, Membership.segment_id)
    decided = select(MembershipSuggestion.enterprise_id, MembershipSuggestion.segment_id).where(
        MembershipSuggestion.status != SuggestionStatus.open
    )
    if segment_id is not None:
        member = member.where(Membership.segment_id == segment_id)
        decided = decided.where(MembershipSuggestion.segment_id == segment_id)
    if enterprise_ids is None:
        return set(session.exec(member)) | set(session.exec(decided))
    pairs: set[tuple[int, int]] = set()
    for condition in bulk.among(session, Membership.enterprise_id, enterprise_ids):
        pairs |= set(session.exec(member.where(condition)))
    for condition in bulk.among(session, MembershipSuggestion.enterprise_id, enterprise_ids):
        pairs |= set(session.exec(decided.where(condition)))
    return pairs


def _rows(
    matcher: SegmentMatcher,
    texts: Sequence[tuple[int, str]],
    taken: set[tuple[int, int]],
    chain_of: dict[int, int],
    only_segment: int | None = None,
) -> list[dict[str, Any]]:
    now = utcnow()
    rows = []
    found = matcher.match_all([text for _, text in texts], limit=PER_FIRM)
    for (enterprise_id, _), matches in zip(texts, found, strict=True):
        for match in matches:
            if (enterprise_id, match.segment_id) in taken:
                continue
            if only_segment is not None and match.segment_id != only_segment:
                continue
            if match.segment_id not in chain_of:
                continue  # words of a segment deleted since the matcher was read
            rows.append(
                {
                    "enterprise_id": enterprise_id,
                    "segment_id": match.segment_id,
                    "chain_id": chain_of[match.segment_id],
                    "score": match.score,
                    "words": list(match.words),
                    "status": SuggestionStatus.open,
                    "computed_at": now,
                }
            )
    return rows


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    ids = bulk.reserve_ids(session, MembershipSuggestion, len(rows))
    bulk.insert_rows(
        session, MembershipSuggestion, [row | {"id": i} for row, i in zip(rows, ids, strict=True)]
    )


@collector.paused()
def compute_all(*, session: Session, matcher: SegmentMatcher | None = None) -> int:
    """Recompute every firm's open suggestions; return how many there are now."""
    matcher = matcher or load_matcher(session=session)
    chain_of = _chain_of(session)
    taken = _taken(session, None)
    session.execute(
        sa.delete(MembershipSuggestion).where(
            col(MembershipSuggestion.status) == SuggestionStatus.open
        )
    )
    total = 0
    for chunk in _firm_texts(session):
        rows = _rows(matcher, chunk, taken, chain_of)
        _insert(session, rows)
        total += len(rows)
    session.flush()
    return total


def refresh_firms(
    *, session: Session, enterprise_ids: Sequence[int], matcher: SegmentMatcher | None = None
) -> int:
    """Recompute the open suggestions of the given firms (after their products changed)."""
    if not enterprise_ids:
        return 0
    matcher = matcher or load_matcher(session=session)
    for condition in bulk.among(session, MembershipSuggestion.enterprise_id, enterprise_ids):
        session.execute(
            sa.delete(MembershipSuggestion).where(
                condition, col(MembershipSuggestion.status) == SuggestionStatus.open
            )
        )
    chain_of = _chain_of(session)
    taken = _taken(session, enterprise_ids)
    total = 0
    for chunk in _firm_texts(session, enterprise_ids):
        rows = _rows(matcher, chunk, taken, chain_of)
        _insert(session, rows)
        total += len(rows)
    session.flush()
    return total


@collector.paused()
def refresh_segment(
    *, session: Session, segment_id: int, matcher: SegmentMatcher | None = None
) -> int:
    """Recompute the open suggestions of one segment (after its words changed).

    Only firms whose text shares an n-gram with the segment's profile are scored (with the
    whole matcher, so that a firm's best segments are chosen as in a full run).
    """
    matcher = matcher or load_matcher(session=session)
    session.execute(
        sa.delete(MembershipSuggestion).where(
            col(MembershipSuggestion.segment_id) == segment_id,
            col(MembershipSuggestion.status) == SuggestionStatus.open,
        )
    )
    chain_of = _chain_of(session)
    taken = _taken(session, None, segment_id)
    total = 0
    for chunk in _firm_texts(session):
        hits = [chunk[k] for k in matcher.touching(segment_id, [t for _, t in chunk])]
        rows = _rows(matcher, hits, taken, chain_of, only_segment=segment_id)
        _insert(session, rows)
        total += len(rows)
    session.flush()
    return total
