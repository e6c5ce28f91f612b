"""The segments each target firm is suggested for (chains.matching over its products).

Kept in prospect_segment, a firm's best few with their matched words and score, so that a
gap's ranked targets are one indexed read. Recomputed for the firms an edit or an import
touched (`refresh_prospects`), for one segment after its words change (`refresh_segment`),
or for all (`compute_all`, the `chainplan suggest` step and the benchmark).
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from chains.matching import SegmentMatcher, load_matcher
from chains.models import Segment
from core import bulk, collector
from enterprises.prospects.models import Prospect, ProspectSegment

PER_FIRM = 5
_READ_CHUNK = 20_000


def prospect_text(name: str, products: str, tags: str) -> str:
    """What a target firm is matched on: its products, its tags, then its name."""
    return f"{products}\n{tags}\n{name}"


def _texts(
    session: Session, prospect_ids: Sequence[int] | None = None
) -> Iterator[list[tuple[int, str]]]:
    stmt = select(Prospect.id, Prospect.name, Prospect.products, Prospect.tags).order_by(
        col(Prospect.id)
    )
    if prospect_ids is None:
        last = 0
        while True:
            rows = session.exec(stmt.where(col(Prospect.id) > last).limit(_READ_CHUNK)).all()
            if not rows:
                return
            yield [(i or 0, prospect_text(n, p, t)) for i, n, p, t in rows]
            last = rows[-1][0] or 0
    else:
        for condition in bulk.among(session, Prospect.id, prospect_ids):
            yield [
                (i or 0, prospect_text(n, p, t))
                for i, n, p, t in session.exec(stmt.where(condition))
            ]


def _chain_of(session: Session) -> dict[int, int]:
    return {s: c for s, c in session.exec(select(Segment.id, Segment.chain_id)) if s is not None}


def _rows(
    matcher: SegmentMatcher,
    texts: Sequence[tuple[int, str]],
    chain_of: dict[int, int],
    only_segment: int | None = None,
) -> list[dict[str, Any]]:
    rows = []
    found = matcher.match_all([text for _, text in texts], limit=PER_FIRM)
    for (prospect_id, _), matches in zip(texts, found, strict=True):
        for match in matches:
            if match.segment_id not in chain_of:
                continue
            if only_segment is not None and match.segment_id != only_segment:
                continue
            rows.append(
                {
                    "prospect_id": prospect_id,
                    "segment_id": match.segment_id,
                    "chain_id": chain_of[match.segment_id],
                    "score": match.score,
                    "words": list(match.words),
                }
            )
    return rows


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    ids = bulk.reserve_ids(session, ProspectSegment, len(rows))
    bulk.insert_rows(
        session, ProspectSegment, [row | {"id": i} for row, i in zip(rows, ids, strict=True)]
    )


@collector.paused()
def compute_all(*, session: Session, matcher: SegmentMatcher | None = None) -> int:
    """Recompute every target firm's segments; return how many suggestions there are."""
    matcher = matcher or load_matcher(session=session)
    chain_of = _chain_of(session)
    session.execute(sa.delete(ProspectSegment))
    total = 0
    for chunk in _texts(session):
        rows = _rows(matcher, chunk, chain_of)
        _insert(session, rows)
        total += len(rows)
    session.flush()
    return total


@collector.paused()
def refresh_prospects(
    *, session: Session, prospect_ids: Sequence[int], matcher: SegmentMatcher | None = None
) -> int:
    """Recompute the segments of the given target firms (after an edit or an import)."""
    if not prospect_ids:
        return 0
    matcher = matcher or load_matcher(session=session)
    for condition in bulk.among(session, ProspectSegment.prospect_id, prospect_ids):
        session.execute(sa.delete(ProspectSegment).where(condition))
    chain_of = _chain_of(session)
    total = 0
    for chunk in _texts(session, prospect_ids):
        rows = _rows(matcher, chunk, chain_of)
        _insert(session, rows)
        total += len(rows)
    session.flush()
    return total


@collector.paused()
def refresh_segment(
    *, session: Session, segment_id: int, matcher: SegmentMatcher | None = None
) -> int:
    """Recompute one segment's target firms (after its words changed).

    Only firms whose text shares an n-gram with the segment's profile are scored, with the
    whole matcher so that a firm's best segments are chosen as in a full run.
    """
    matcher = matcher or load_matcher(session=session)
    session.execute(sa.delete(ProspectSegment).where(col(ProspectSegment.segment_id) == segment_id))
    chain_of = _chain_of(session)
    total = 0
    for chunk in _texts(session):
        hits = [chunk[k] for k in matcher.touching(segment_id, [t for _, t in chunk])]
        rows = _rows(matcher, hits, chain_of, only_segment=segment_id)
        _insert(session, rows)
        total += len(rows)
    session.flush()
    return total
