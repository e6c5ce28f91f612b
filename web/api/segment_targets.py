"""按图招商 as JSON: a segment's words (read; the chief edits them) and its ranked targets."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from chainmaps import word_edits
from chains import service as chain_service
from chains.segment_words import WORD_MAX, WORDS_MAX, WordSource, words_of
from core import permissions
from enterprises.prospects import outreach
from enterprises.prospects.models import FirmSize, Listing
from web.api.match_reason import MatchReason
from web.deps import ChainDep, CurrentUser, EditableChain, PathId, SessionDep, Version

router = APIRouter(tags=["prospects"])
_SEGMENT = "/chains/{code}/segments/{segment_id:int}"


class WordOut(BaseModel):
    """One word of a segment and where it came from (plan: derived from the plan's text)."""

    word: str
    source: WordSource


class WordsOut(BaseModel):
    """A segment's words and its version (send it with an edit)."""

    segment_id: int
    version: int
    words: list[WordOut]


class WordsIn(BaseModel):
    """The segment's words, all of them; send the version you read."""

    words: list[str] = Field(max_length=WORDS_MAX, description=f"each 2–{WORD_MAX} characters")
    version: Version


class WordsEditedOut(WordsOut):
    """The words after an edit, with the suggestions and targets recomputed for the segment."""

    changed: bool
    firm_suggestions: int
    targets: int


class TargetOut(MatchReason):
    """A target firm for the segment, with why: the match's reason, size, listing, region."""

    prospect_id: int
    name: str
    province: str
    city: str
    size: FirmSize
    listing: Listing
    lead_id: int | None


class CoverageOut(BaseModel):
    """How far promotion got with the segment's targets."""

    targets: int
    projects: int
    contacted: int
    negotiating: int
    signed: int
    landed: int


class SegmentTargetsOut(BaseModel):
    """A segment's ranked targets and the outreach coverage."""

    segment_id: int
    coverage: CoverageOut
    targets: list[TargetOut]


def _words(session: SessionDep, segment_id: int, version: int) -> WordsOut:
    rows = words_of(session=session, segment_ids=[segment_id])[segment_id]
    words = [WordOut(word=w.word, source=w.source) for w in rows]
    return WordsOut(segment_id=segment_id, version=version, words=words)


@router.get(f"{_SEGMENT}/words")
def get_words(
    chain: ChainDep, segment_id: PathId, session: SessionDep, user: CurrentUser
) -> WordsOut:
    """A segment's words (with its name, what firms' products are matched against)."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    return _words(session, segment_id, segment.version)


@router.put(f"{_SEGMENT}/words")
def put_words(
    chain: EditableChain, segment_id: PathId, session: SessionDep, user: CurrentUser, data: WordsIn
) -> WordsEditedOut:
    """Set a segment's words (its chief or an admin); its suggestions and targets follow."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    done = word_edits.edit_words(
        session=session,
        actor=user,
        chain=chain,
        segment=segment,
        text="\n".join(data.words),
        version=data.version,
    )
    shown = _words(session, segment_id, segment.version)
    return WordsEditedOut(
        **shown.model_dump(),
        changed=done.changed,
        firm_suggestions=done.firm_suggestions,
        targets=done.targets,
    )


@router.get(f"{_SEGMENT}/prospects")
def segment_targets(
    chain: ChainDep,
    segment_id: PathId,
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SegmentTargetsOut:
    """The segment's target firms, best first, and how far promotion got with them."""
    permissions.ensure_sees_prospects(user)
    chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    ranked = outreach.ranked(session=session, segment_id=segment_id, limit=limit)
    covered = outreach.coverage(session=session, segment_ids=[segment_id])[segment_id]
    return SegmentTargetsOut(
        segment_id=segment_id,
        coverage=CoverageOut(
            targets=covered.targets,
            projects=covered.projects,
            contacted=covered.contacted,
            negotiating=covered.negotiating,
            signed=covered.signed,
            landed=covered.landed,
        ),
        targets=[
            TargetOut(
                prospect_id=t.prospect.id or 0,
                name=t.prospect.name,
                score=t.score,
                words=list(t.words),
                province=t.prospect.province,
                city=t.prospect.city,
                size=t.prospect.size,
                listing=t.prospect.listing,
                lead_id=t.lead_id,
            )
            for t in ranked
        ],
    )
