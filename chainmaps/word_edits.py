"""A chain chief edits a segment's words, and what the words decide follows at once.

The words decide which registry firms are suggested for the segment (chainmaps.suggestions,
for the chief's review) and which target firms are ranked for it (enterprises.prospects): both
are recomputed for that segment alone, with one matcher read after the edit.
"""

from dataclasses import dataclass

from sqlmodel import Session

from chainmaps import suggestions
from chains.matching import load_matcher
from chains.models import Chain, Segment
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
    matcher = load_matcher(session=session)
    segment_id = require_id(segment)
    firms = suggestions.refresh_segment(session=session, segment_id=segment_id, matcher=matcher)
    targets = prospect_matching.refresh_segment(
        session=session, segment_id=segment_id, matcher=matcher
    )
    return WordsEdited(changed=True, firm_suggestions=firms, targets=targets)
