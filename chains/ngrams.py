"""Character n-gram TF-IDF: how much of what a segment's profile says a text says too.

Pure code over numpy. Each profile (a segment's name, plan text and words) becomes a vector of
its character bigrams and trigrams (within runs of letters, digits and Chinese: 精密减速器 →
精密, 密减, 减速, 速器, 精密减, …), each weighted (1 + log tf) · idf, idf = log(1 + N / df) over
the N profiles, and scaled to unit length. A text is read for the profiles' grams only, in one
Aho-Corasick pass (a gram no profile holds adds nothing to any score, and a long 经营范围 is not
diluted by what no segment is about), weighted alike and scaled to unit length; its scores are
the cosines with every profile at once, a sparse-by-dense product. Scores lie in 0..1.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import ahocorasick
import numpy as np
import numpy.typing as npt

GRAM_SIZES = (2, 3)
_RUN = re.compile(r"[^\W_]+")
# Texts scored at once: their scores are summed in one array of (texts × profiles) floats.
_BATCH = 10_000

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]


def grams(text: str) -> Counter[str]:
    """The text's character bigrams and trigrams, counted (the text already normalised)."""
    found: Counter[str] = Counter()
    for run in _RUN.findall(text):
        for n in GRAM_SIZES:
            found.update(run[i : i + n] for i in range(len(run) - n + 1))
    return found


@dataclass(frozen=True)
class GramIndex:
    """The profiles as vectors: gram i's weight in profile j is profiles[i, j].

    Also as an inverted index (postings), since a gram is in few profiles: gram i's are
    posted_profile[posted_start[i]:posted_start[i + 1]], with their weights in posted_weight.
    """

    grams: tuple[str, ...]
    idf: Floats  # (grams,)
    profiles: Floats  # (grams, profiles), unit columns
    posted_start: Ints  # (grams + 1,)
    posted_profile: Ints
    posted_weight: Floats
    automaton: ahocorasick.Automaton | None  # gram → its index


@dataclass(frozen=True)
class Queries:
    """Texts as unit vectors over the index's grams, row by row (CSR-like)."""

    starts: Ints  # row r's grams are grams[starts[r]:starts[r + 1]]
    grams: Ints
    weights: Floats


def build_index(profiles: Sequence[str]) -> GramIndex:
    """Vectors of the given (normalised) profile texts, column j for profile j."""
    counts = [grams(p) for p in profiles]
    vocabulary = sorted({g for c in counts for g in c})
    position = {g: i for i, g in enumerate(vocabulary)}
    df = np.zeros(len(vocabulary), dtype=np.float32)
    for c in counts:
        df[[position[g] for g in c]] += 1
    n = max(1, len(profiles))
    idf = np.log1p(n / np.maximum(df, 1)).astype(np.float32)
    matrix = np.zeros((len(vocabulary), len(profiles)), dtype=np.float32)
    for j, c in enumerate(counts):
        rows = [position[g] for g in c]
        matrix[rows, j] = (1 + np.log([c[g] for g in c])) * idf[rows]
    norms = np.linalg.norm(matrix, axis=0)
    matrix /= np.where(norms > 0, norms, 1)
    gram_of, profile_of = np.nonzero(matrix)  # row-major: by gram, then profile
    posted_start = np.searchsorted(gram_of, np.arange(len(vocabulary) + 1)).astype(np.int64)
    automaton = None
    if vocabulary:
        automaton = ahocorasick.Automaton()
        for g, i in position.items():
            automaton.add_word(g, i)
        automaton.make_automaton()
    return GramIndex(
        grams=tuple(vocabulary),
        idf=idf,
        profiles=matrix,
        posted_start=posted_start,
        posted_profile=profile_of.astype(np.int64),
        posted_weight=matrix[gram_of, profile_of],
        automaton=automaton,
    )


def vectorise(index: GramIndex, texts: Sequence[str]) -> Queries:
    """The (normalised) texts as unit tf-idf vectors over the index's grams."""
    rows: list[int] = []
    found: list[int] = []
    if index.automaton is not None:
        for r, text in enumerate(texts):
            hits = [i for _end, i in index.automaton.iter(text)] if text else []
            found.extend(hits)
            rows.extend([r] * len(hits))
    size = max(1, len(index.grams))
    keys, counts = np.unique(
        np.array(rows, dtype=np.int64) * size + np.array(found, dtype=np.int64), return_counts=True
    )
    row_of, gram_of = np.divmod(keys, size)
    weights = ((1 + np.log(counts)) * index.idf[gram_of]).astype(np.float32)
    norms = np.sqrt(np.bincount(row_of, weights=weights * weights, minlength=len(texts)))
    weights /= norms[row_of].astype(np.float32)
    starts = np.searchsorted(row_of, np.arange(len(texts) + 1)).astype(np.int64)
    return Queries(starts, gram_of, weights)


def scores(index: GramIndex, queries: Queries) -> Floats:
    """Cosine of every text with every profile: (texts, profiles).

    Through the postings: each gram a text holds adds to the few profiles holding it.
    """
    n, width = len(queries.starts) - 1, index.profiles.shape[1]
    out = np.zeros((n, width), dtype=np.float32)
    posted = np.diff(index.posted_start)
    for first in range(0, n, _BATCH):
        last = min(n, first + _BATCH)
        lo, hi = queries.starts[first], queries.starts[last]
        found = queries.grams[lo:hi]
        counts = posted[found]
        total = int(counts.sum())
        if not total:
            continue
        rows = np.repeat(np.arange(last - first), np.diff(queries.starts[first : last + 1]))
        # the postings of each gram found, one after the other
        at = np.repeat(index.posted_start[found] - (np.cumsum(counts) - counts), counts)
        at += np.arange(total)
        keys = np.repeat(rows, counts) * width + index.posted_profile[at]
        parts = np.repeat(queries.weights[lo:hi], counts) * index.posted_weight[at]
        summed = np.bincount(keys, weights=parts, minlength=(last - first) * width)
        out[first:last] = summed.reshape(last - first, width)
    return out


def shared_spans(
    index: GramIndex, queries: Queries, row: int, column: int, text: str, count: int = 3
) -> list[tuple[int, int]]:
    """Where `text` (row `row`) holds grams profile `column` shares: (start, end), strongest first.

    Overlapping shared grams are read as one stretch (减速 + 速器 → 减速器), weighing what its
    grams add to the cosine; a stretch said twice counts once; at most `count` stretches.
    """
    lo, hi = queries.starts[row], queries.starts[row + 1]
    ids = queries.grams[lo:hi]
    parts = (queries.weights[lo:hi] * index.profiles[ids, column]).tolist()
    spans: list[tuple[int, int, float]] = []
    for gram_id, part in zip(ids.tolist(), parts, strict=True):
        if part <= 0:
            continue
        gram = index.grams[gram_id]
        at = text.find(gram)
        while at >= 0:
            spans.append((at, at + len(gram), part))
            at = text.find(gram, at + 1)
    merged: list[tuple[int, int, float]] = []  # (start, end, weight)
    for start, end, weight in sorted(spans):
        if merged and start < merged[-1][1]:
            first, last, total = merged[-1]
            merged[-1] = (first, max(last, end), total + weight)
        else:
            merged.append((start, end, weight))
    best: dict[str, tuple[float, int, int]] = {}
    for start, end, weight in merged:
        piece = text[start:end]
        if piece not in best or weight > best[piece][0]:
            best[piece] = (weight, start, end)
    ranked = sorted(best.values(), key=lambda b: (-b[0], b[1]))
    return [(start, end) for _, start, end in ranked[:count]]
