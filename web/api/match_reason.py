"""Why a firm was matched to a segment, as every JSON answer that ranks firms gives it."""

from pydantic import BaseModel, Field, computed_field

from chains.matching import MatchedBy, matched_by


class MatchReason(BaseModel):
    """A match's score and reason: the segment's words found, else 「n-grams」 shared."""

    score: float = Field(description="0..1, comparable across firms and segments")
    words: list[str] = Field(
        description="the segment's words found in the products, or, when none is, the stretches "
        "of the products that share character n-grams with the segment, in corner brackets 「」"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def matched_by(self) -> MatchedBy:
        """words: the segment's words occur in the products; ngrams: only n-grams are shared."""
        return matched_by(self.words)
