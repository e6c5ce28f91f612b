"""Matching a firm's products to chain segments by the segments' words (按图招商).

Pure code: `build_matcher` takes each segment's words and returns a matcher; `load_matcher`
reads them from SegmentWord. One Aho-Corasick automaton holds every word of every segment, so
a text is read once whatever the number of segments (250,000 texts over ~150 segments in a few
seconds).

The score of a segment for a text is 1 - Π(1 - s(w)) over the distinct words w of the segment
found in the text (a word inside a longer matched word of the same segment counts once, as the
longer one), where s(w) = 0.85 · length(w) · idf(w):
- length: a longer word is more specific (机器人 < 协作机器人): min(1, (chars + 1) / 5), an ASCII
  letter or digit counting half a character (RFID says about as much as 射频识别);
- idf: a word that many segments hold says little about any one of them:
  log(1 + N / df) / log(1 + N), N segments, df of them holding the word.
So one full, specific word scores about 0.85, two such words about 0.98, and scores are
comparable across firms and segments (0..1).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import log

import ahocorasick
from sqlmodel import Session, select

from chains.segment_words import SegmentWord

# A word's weight multiplies its specificity; 0.85 keeps one word's score below two words'.
WORD_STRENGTH = 0.85


@dataclass(frozen=True)
class SegmentMatch:
    """One segment a text matches, with the words that matched as the reason."""

    segment_id: int
    score: float  # 0..1, comparable across firms
    words: tuple[str, ...]  # the words that matched: shown as the reason


def normalise(text: str) -> str:
    """Fold case and full-width ASCII, so that ＲＦＩＤ, rfid and RFID are one word."""
    folded = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text)
    return folded.lower()


def _length_factor(word: str) -> float:
    chars = sum(0.5 if c.isascii() else 1.0 for c in word)
    return min(1.0, (chars + 1) / 5)


class SegmentMatcher:
    """Finds the segments whose words occur in a text."""

    def __init__(self, segment_words: Mapping[int, Sequence[str]]) -> None:
        # word → the segments holding it; the same word twice in a segment counts once
        holders: dict[str, set[int]] = {}
        self._shown: dict[str, str] = {}  # normalised word → the word as the chief wrote it
        for segment_id, words in segment_words.items():
            for word in words:
                key = normalise(word.strip())
                if len(key) < 2 and not key.isascii():
                    continue  # one Chinese character matches far too much
                if not key:
                    continue
                holders.setdefault(key, set()).add(segment_id)
                self._shown.setdefault(key, word.strip())
        n = max(1, len(segment_words))
        self._segments: dict[str, tuple[int, ...]] = {
            w: tuple(sorted(s)) for w, s in holders.items()
        }
        self._strength: dict[str, float] = {
            w: WORD_STRENGTH * _length_factor(w) * log(1 + n / len(s)) / log(1 + n)
            for w, s in holders.items()
        }
        self._automaton: ahocorasick.Automaton | None = None
        if holders:
            automaton = ahocorasick.Automaton()
            for word in holders:
                automaton.add_word(word, word)
            automaton.make_automaton()
            self._automaton = automaton

    @property
    def segment_ids(self) -> frozenset[int]:
        """The segments that hold at least one word."""
        return frozenset(s for ids in self._segments.values() for s in ids)

    def strength(self, word: str) -> float:
        """What one occurrence of the word adds (0 for a word no segment holds)."""
        return self._strength.get(normalise(word), 0.0)

    def match(self, text: str, *, limit: int = 5) -> list[SegmentMatch]:
        """The segments the text matches, best first (ties by segment id), at most `limit`."""
        if self._automaton is None or not text:
            return []
        found = {word for _end, word in self._automaton.iter(normalise(text))}
        if not found:
            return []
        per_segment: dict[int, list[str]] = {}
        for word in found:
            for segment_id in self._segments[word]:
                per_segment.setdefault(segment_id, []).append(word)
        matches = []
        for segment_id, words in per_segment.items():
            if len(words) > 1:  # 传感器 inside 工业传感器: the longer word is the reason
                words = [w for w in words if not any(w != o and w in o for o in words)]
            words.sort(key=lambda w: (-self._strength[w], w))
            miss = 1.0
            for word in words:
                miss *= 1.0 - self._strength[word]
            matches.append(
                SegmentMatch(
                    segment_id=segment_id,
                    score=round(1.0 - miss, 4),
                    words=tuple(self._shown[w] for w in words),
                )
            )
        matches.sort(key=lambda m: (-m.score, m.segment_id))
        return matches[:limit]


def build_matcher(segment_words: Mapping[int, Sequence[str]]) -> SegmentMatcher:
    """A matcher over the given words of each segment (segment id → words)."""
    return SegmentMatcher(segment_words)


def load_matcher(*, session: Session) -> SegmentMatcher:
    """A matcher over the words of every segment, as SegmentWord holds them."""
    words: dict[int, list[str]] = {}
    for segment_id, word in session.exec(select(SegmentWord.segment_id, SegmentWord.word)):
        words.setdefault(segment_id, []).append(word)
    return build_matcher(words)
