"""The chain map: the layered layout joined with each segment's figures and gap."""

from datetime import datetime

from pydantic import BaseModel

from chains.graph import GapAction, GapStatus, SegmentGap
from chains.layout import NODE_HEIGHT, NODE_WIDTH, label_lines, layered
from chains.models import ChainDetail, Stream


class MapNode(BaseModel):
    """A segment on the map, with its box, figures and gap."""

    id: int
    name: str
    lines: list[str]
    stream: Stream
    x: float
    y: float
    width: float
    height: float
    firms: int
    above_size: int
    anchors: int
    hidden_champions: int
    high_growth: int
    technology: str | None
    choke_point: bool
    choke_note: str
    single_point: bool
    reach: int
    status: GapStatus
    action: GapAction
    score: float
    explanation: str
    confirmed_at: datetime | None
    confirmed_by: str | None


class MapEdge(BaseModel):
    """A supply link with its drawn path."""

    source_id: int
    target_id: int
    path: str
    inferred: bool = False  # seeded as an inference and not yet confirmed (chains/basis.py)


class MapBand(BaseModel):
    """The background band of a stream."""

    stream: Stream
    x: float
    width: float


class ChainMap(BaseModel):
    """Everything needed to draw a chain map."""

    code: str
    name: str
    weak_threshold: int
    width: float
    height: float
    bands: list[MapBand]
    nodes: list[MapNode]
    edges: list[MapEdge]


def chain_map(
    chain: ChainDetail, gaps: list[SegmentGap], inferred: set[tuple[int, int]] | None = None
) -> ChainMap:
    """Lay out the chain and attach every segment's figures and gap; no database work.

    `inferred` names the links drawn as inferences (dashed), from chains.basis.
    """
    layout = layered(
        [(s.id, s.stream) for s in chain.segments],
        [(link.source_id, link.target_id) for link in chain.links],
    )
    gap_of = {g.segment_id: g for g in gaps}
    nodes = []
    for s in chain.segments:
        box, gap = layout.nodes[s.id], gap_of[s.id]
        nodes.append(
            MapNode(
                id=s.id,
                name=s.name,
                lines=label_lines(s.name),
                stream=s.stream,
                x=box.x,
                y=box.y,
                width=NODE_WIDTH,
                height=NODE_HEIGHT,
                firms=s.enterprise_count,
                above_size=s.above_size_count,
                anchors=s.anchor_count,
                hidden_champions=s.hidden_champion_count,
                high_growth=s.high_growth_count,
                technology=s.technology,
                choke_point=s.choke_point,
                choke_note=s.choke_note,
                single_point=gap.single_point,
                reach=gap.reach,
                status=gap.status,
                action=gap.action,
                score=gap.score,
                explanation=gap.explanation,
                confirmed_at=s.confirmed_at,
                confirmed_by=s.confirmed_by,
            )
        )
    return ChainMap(
        code=chain.code,
        name=chain.name,
        weak_threshold=chain.weak_threshold,
        width=layout.width,
        height=layout.height,
        bands=[MapBand(stream=b.stream, x=b.x, width=b.width) for b in layout.bands],
        nodes=nodes,
        edges=[
            MapEdge(
                source_id=a.source_id,
                target_id=a.target_id,
                path=a.path,
                inferred=(a.source_id, a.target_id) in (inferred or set()),
            )
            for a in layout.arrows
        ],
    )
