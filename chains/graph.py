"""Gap analysis of a chain's segment graph (补链 / 强链 / 延链), pure computation over networkx.

For each segment, with n the chain's segment count and reach the number of segments downstream
of it over the supply links:

    importance = (reach + 1) / n                  share of the chain that depends on it
    severity   = 1.0                              missing: no local firm
               = 0.5 + 0.5 * (1 - firms / t)      weak: fewer than t local firms
               = 0.0                              strong
    score      = min(100, 100 * severity * (0.4 + 0.6 * importance) + 20 * choke_point)

Missing segments call for 补链 (fill), weak ones for 强链 (strengthen); strong downstream ends
of the chain are where it can be extended (延链).
"""

from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from chains.models import Stream

CHOKE_POINT_BONUS = 20.0


class GapStatus(StrEnum):
    """How well the zone covers a segment."""

    missing = "missing"
    weak = "weak"
    strong = "strong"


class GapAction(StrEnum):
    """What the chain chief should do about a segment."""

    fill = "fill"
    strengthen = "strengthen"
    extend = "extend"
    maintain = "maintain"


STATUS_LABELS = {GapStatus.missing: "缺失", GapStatus.weak: "薄弱", GapStatus.strong: "较强"}
ACTION_LABELS = {
    GapAction.fill: "补链",
    GapAction.strengthen: "强链",
    GapAction.extend: "延链",
    GapAction.maintain: "保持",
}


@dataclass(frozen=True)
class SegmentFacts:
    """What is known locally about one segment."""

    segment_id: int
    name: str
    stream: Stream
    firms: int
    above_size: int
    anchors: int
    high_growth: int = 0
    choke_point: bool = False


@dataclass(frozen=True)
class SegmentGap:
    """The gap analysis of one segment."""

    segment_id: int
    name: str
    stream: Stream
    firms: int
    above_size: int
    anchors: int
    high_growth: int
    reach: int
    single_point: bool
    status: GapStatus
    action: GapAction
    score: float
    explanation: str


def _severity(firms: int, threshold: int) -> float:
    if firms == 0:
        return 1.0
    if firms < threshold:
        return 0.5 + 0.5 * (1 - firms / threshold)
    return 0.0


def _status(firms: int, threshold: int) -> GapStatus:
    if firms == 0:
        return GapStatus.missing
    return GapStatus.weak if firms < threshold else GapStatus.strong


def _action(status: GapStatus, facts: SegmentFacts, reach: int) -> GapAction:
    if status == GapStatus.missing:
        return GapAction.fill
    if status == GapStatus.weak:
        return GapAction.strengthen
    if facts.stream == Stream.downstream and reach == 0:
        return GapAction.extend
    return GapAction.maintain


def _explain(facts: SegmentFacts, reach: int, threshold: int) -> str:
    parts = []
    if facts.firms == 0:
        parts.append("无本地企业")
    elif facts.firms == 1:
        parts.append("仅 1 家本地企业（单点风险）")
    elif facts.firms < threshold:
        parts.append(f"本地企业 {facts.firms} 家，低于强链标准 {threshold} 家")
    else:
        parts.append(f"本地企业 {facts.firms} 家，其中规上 {facts.above_size} 家")
    if facts.anchors:
        parts.append(f"有链主企业 {facts.anchors} 家")
    if facts.high_growth:
        parts.append(f"高成长企业 {facts.high_growth} 家")
    if reach:
        parts.append(f"下游 {reach} 个环节依赖")
    if facts.choke_point:
        parts.append("卡脖子环节")
    return "；".join(parts)


def analyse(graph: nx.DiGraph, facts: list[SegmentFacts], threshold: int) -> list[SegmentGap]:
    """Return every segment's gap, highest priority first (ties by name)."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    count = max(1, len(facts))
    gaps = []
    for f in facts:
        reach = len(nx.descendants(graph, f.segment_id)) if f.segment_id in graph else 0
        status = _status(f.firms, threshold)
        importance = (reach + 1) / count
        score = 100 * _severity(f.firms, threshold) * (0.4 + 0.6 * importance)
        score = min(100.0, score + (CHOKE_POINT_BONUS if f.choke_point else 0.0))
        gaps.append(
            SegmentGap(
                segment_id=f.segment_id,
                name=f.name,
                stream=f.stream,
                firms=f.firms,
                above_size=f.above_size,
                anchors=f.anchors,
                high_growth=f.high_growth,
                reach=reach,
                single_point=f.firms == 1,
                status=status,
                action=_action(status, f, reach),
                score=round(score, 1),
                explanation=_explain(f, reach, threshold),
            )
        )
    return sorted(gaps, key=lambda g: (-g.score, g.name))
