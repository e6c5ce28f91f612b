"""A chain chief edits a segment's words (or adds a segment, or changes its name or text), and
what they decide follows.

They make the segment's profile (chains.matching), which decides which registry firms are
suggested for the segment (chainmaps.suggestions, for the chief's review) and which target
firms are ranked for it (enterprises.prospects): both are recomputed for that segment alone,
with one matcher read after the edit.
"""

from dataclasses import dataclass

from sqlmodel import Session

from chainmaps import suggestions
from chains import editing
from chains.matching import load_matcher
from chains.models import Chain, Segment, SegmentFields
from chains.segment_words import parse_words, set_words
from core import permissions
from core.accounts import User
from core.db import require_id
from enterprises.prospects import matching as prospect_matching


@dataclass(frozen=True)
class WordsEdited:
    """What an edit changed: whether the words did, and the suggestions now open."""

    changed: bool
    firm_suggestions: int = 0
    targets: int = 0


def edit_words(
    *,
    session: Session,
    actor: User,
    chain: Chain,
    segment: Segment,
    text: str,
    version: int | None = None,
) -> WordsEdited:
    """Set a segment's words from the chief's text (one a line, or separated by 、,;).

    Only the chief of the chain (or an admin) may; a stale version is refused (Conflict).
    """
    permissions.ensure_can_edit_chain(session=session, user=actor, chain_id=require_id(chain))
    words = parse_words(text)
    changed = set_words(
        session=session, actor=actor, chain=chain, segment=segment, words=words, version=version
    )
    if not changed:
        return WordsEdited(changed=False)
    return _rematch(session, require_id(segment))


def add_segment(*, session: Session, actor: User, chain: Chain, data: SegmentFields) -> Segment:
    """Add a segment (chains.editing); its name and text match firms and targets at once."""
    segment = editing.create_segment(session=session, actor=actor, chain=chain, data=data)
    _rematch(session, require_id(segment))
    return segment


def edit_segment(
    *,
    session: Session,
    actor: User,
    chain: Chain,
    segment: Segment,
    data: SegmentFields,
    version: int | None = None,
) -> Segment:
    """Edit a segment (chains.editing); a new name or text re-matches its firms at once."""
    profile = (segment.name, segment.description)
    editing.update_segment(
        session=session, actor=actor, chain=chain, segment=segment, data=data, version=version
    )
    if (segment.name, segment.description) != profile:
        _rematch(session, require_id(segment))
    return segment


def _rematch(session: Session, segment_id: int) -> WordsEdited:
    matcher = load_matcher(session=session)
    firms = suggestions.refresh_segment(session=session, segment_id=segment_id, matcher=matcher)
    targets = prospect_matching.refresh_segment(
        session=session, segment_id=segment_id, matcher=matcher
    )
    return WordsEdited(changed=True, firm_suggestions=firms, targets=targets)
