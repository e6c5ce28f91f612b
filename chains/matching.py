"""Matching a firm's products to chain segments (按图招商), with the reason shown to the user.

Pure code: `build_matcher` takes each segment's profile (its name, the plan's text for it and its
words, seeded from the plan and edited by the chief) and returns a matcher; `load_matcher` reads
them. The score is the character n-gram TF-IDF cosine of the text with the profile
(chains.ngrams), 0..1 and comparable across firms and segments, so a text that says 谐波减速机
is near 精密减速器 although no word of the segment occurs in it. It was chosen over matching the
word lists alone because it found more of what people file by hand at a better precision
(tests/benchmarks/matching.py prints both on the hand-labelled sample).

The reason is the segment's words found in the text when any are (the chief's vocabulary, one
Aho-Corasick pass), else the strongest shared n-grams, kept in corner brackets (「减速」「速器」) so
that pages and JSON tell the two apart (`by_words`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import ahocorasick
import numpy as np
from sqlmodel import Session, select

from chains import ngrams
from chains.models import Segment
from chains.segment_words import SegmentWord

# Below it a match shares only short or common n-grams with the segment: noise for the chief
# and for a gap's ranked targets (the benchmark prints precision and recall around it).
MIN_SCORE = 0.35
_GRAM_OPEN, _GRAM_CLOSE = "「", "」"
# Full-width ASCII (ＲＦＩＤ) to ASCII, then lower case: ＲＦＩＤ, rfid and RFID are one word.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def normalise(text: str) -> str:
    """Fold case and full-width ASCII, so that ＲＦＩＤ, rfid and RFID are one word."""
    return text.translate(_FOLD).lower()


class MatchedBy(StrEnum):
    """Why a text matched: the segment's words occur in it, or only n-grams are shared."""

    words = "words"
    ngrams = "ngrams"


def is_gram_reason(item: str) -> bool:
    """Whether a reason item is a shared n-gram (「减速」) rather than a segment's word."""
    return item.startswith(_GRAM_OPEN) and item.endswith(_GRAM_CLOSE)


def matched_by(reason: Sequence[str]) -> MatchedBy:
    """What a stored reason (a match's `words`) is made of."""
    return MatchedBy.ngrams if any(is_gram_reason(w) for w in reason) else MatchedBy.words


@dataclass(frozen=True)
class SegmentProfile:
    """What a segment is about: its name, the plan's text for it and its words."""

    name: str
    words: Sequence[str] = ()
    text: str = ""

    def document(self) -> str:
        """The profile as one text, normalised (words each on a line of their own)."""
        return normalise("\n".join([self.name, self.text, *self.words]))


@dataclass(frozen=True)
class SegmentMatch:
    """One segment a text matches, with the reason: the words found, else shared n-grams."""

    segment_id: int
    score: float  # 0..1, comparable across firms
    words: tuple[str, ...]  # the segment's words found, or 「n-grams」 shared

    @property
    def by_words(self) -> bool:
        """Whether the reason is the segment's own words (else shared n-grams)."""
        return matched_by(self.words) is MatchedBy.words


@dataclass
class SegmentMatcher:
    """Scores texts against every segment's profile and says why each match was made."""

    profiles: Mapping[int, SegmentProfile]
    _ids: list[int] = field(init=False)
    _index: ngrams.GramIndex = field(init=False)
    _holders: dict[str, tuple[int, ...]] = field(init=False)  # normalised word → segments
    _shown: dict[str, str] = field(init=False)  # normalised word → as the chief wrote it
    _words: ahocorasick.Automaton | None = field(init=False)

    def __post_init__(self) -> None:
        self._ids = sorted(self.profiles)
        self._index = ngrams.build_index([self.profiles[i].document() for i in self._ids])
        holders: dict[str, set[int]] = {}
        self._shown = {}
        for segment_id, profile in self.profiles.items():
            for word in profile.words:
                key = normalise(word.strip())
                if len(key) < 2 and not key.isascii() or not key:
                    continue  # one Chinese character is no reason
                holders.setdefault(key, set()).add(segment_id)
                self._shown.setdefault(key, word.strip())
        self._holders = {w: tuple(sorted(s)) for w, s in holders.items()}
        self._words = None
        if holders:
            self._words = ahocorasick.Automaton()
            for word in holders:
                self._words.add_word(word, word)
            self._words.make_automaton()

    @property
    def segment_ids(self) -> frozenset[int]:
        """The segments matched against."""
        return frozenset(self._ids)

    def match(
        self, text: str, *, limit: int = 5, min_score: float = MIN_SCORE
    ) -> list[SegmentMatch]:
        """The segments the text matches (score ≥ min_score), best first, at most `limit`."""
        return self.match_all([text], limit=limit, min_score=min_score)[0]

    def match_all(
        self, texts: Sequence[str], *, limit: int = 5, min_score: float = MIN_SCORE
    ) -> list[list[SegmentMatch]]:
        """`match` for many texts at once (one numpy product per batch: the fast way)."""
        normalised = [normalise(t) for t in texts]
        queries = ngrams.vectorise(self._index, normalised)
        table = ngrams.scores(self._index, queries)
        result: list[list[SegmentMatch]] = [[] for _ in texts]
        rows, columns = np.nonzero(table >= min_score)
        values = table[rows, columns].astype(np.float64).round(4).tolist()
        hits: dict[int, list[tuple[float, int, int]]] = {}
        for r, c, score in zip(rows.tolist(), columns.tolist(), values, strict=True):
            hits.setdefault(r, []).append((score, self._ids[c], c))
        for r, found in hits.items():
            found.sort(key=lambda h: (-h[0], h[1]))
            present = self._present(normalised[r])
            words = self._words_of(present, {segment_id for _, segment_id, _ in found})
            matches: list[SegmentMatch] = []
            for score, segment_id, column in found:
                reason = words.get(segment_id) or self._shared(
                    queries, r, column, texts[r], normalised[r], present
                )
                if reason:
                    matches.append(SegmentMatch(segment_id=segment_id, score=score, words=reason))
                if len(matches) == limit:
                    break
            result[r] = matches
        return result

    def _shared(
        self,
        queries: ngrams.Queries,
        row: int,
        column: int,
        text: str,
        normalised: str,
        present: set[str],
    ) -> tuple[str, ...]:
        """The strongest stretches of the text the segment's profile shares, 「bracketed」.

        None when each lies inside a word of another segment found in the text: a firm that
        says 协作机器人 is not also near 服务机器人 for sharing 机器人 with it.
        """
        spans = ngrams.shared_spans(self._index, queries, row, column, normalised)
        if all(any(normalised[start:end] in w for w in present) for start, end in spans):
            return ()
        # As the firm wrote them where folding kept the length (3D打印, not 3d打印)
        shown = text if len(text) == len(normalised) else normalised
        return tuple(f"{_GRAM_OPEN}{shown[start:end]}{_GRAM_CLOSE}" for start, end in spans)

    def touching(self, segment_id: int, texts: Sequence[str]) -> list[int]:
        """The positions of the texts that share an n-gram with the segment's profile.

        Only those can match it: a segment's words changed, only they are scored again.
        """
        column = self._ids.index(segment_id) if segment_id in self.profiles else -1
        if column < 0:
            return []
        own = np.nonzero(self._index.profiles[:, column])[0]
        automaton = ahocorasick.Automaton()
        for i in own.tolist():
            automaton.add_word(self._index.grams[i], i)
        if not len(automaton):
            return []
        automaton.make_automaton()
        return [
            k for k, t in enumerate(texts) if next(automaton.iter(normalise(t)), None) is not None
        ]

    def _present(self, text: str) -> set[str]:
        """The segments' words found in the (normalised) text."""
        if self._words is None:
            return set()
        return {w for _end, w in self._words.iter(text)}

    def _words_of(self, present: set[str], segment_ids: set[int]) -> dict[int, tuple[str, ...]]:
        """The given segments' words among those found, longest first, as the chief wrote them.

        A word inside a longer found word of the same segment is that word (传感器 in 工业传感器).
        """
        per_segment: dict[int, list[str]] = {}
        for word in present:
            for segment_id in self._holders[word]:
                if segment_id in segment_ids:
                    per_segment.setdefault(segment_id, []).append(word)
        shown: dict[int, tuple[str, ...]] = {}
        for segment_id, words in per_segment.items():
            if len(words) > 1:
                words.sort(key=lambda w: (-len(w), w))
                words = [w for w in words if not any(w != o and w in o for o in words)]
            shown[segment_id] = tuple(self._shown[w] for w in words)
        return shown


def build_matcher(profiles: Mapping[int, SegmentProfile]) -> SegmentMatcher:
    """A matcher over the given segments' profiles (segment id → profile)."""
    return SegmentMatcher(profiles)


def load_matcher(*, session: Session) -> SegmentMatcher:
    """A matcher over every segment: its name, description and words as SegmentWord holds them."""
    words: dict[int, list[str]] = {}
    for segment_id, word in session.exec(select(SegmentWord.segment_id, SegmentWord.word)):
        words.setdefault(segment_id, []).append(word)
    return build_matcher(
        {
            segment_id: SegmentProfile(name=name, words=words.get(segment_id, ()), text=text)
            for segment_id, name, text in session.exec(
                select(Segment.id, Segment.name, Segment.description)
            )
            if segment_id is not None
        }
    )
