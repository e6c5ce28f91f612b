"""Layered drawing of a chain map: upstream left, midstream centre, downstream right.

Within a stream, a segment sits one column right of every same-stream segment that supplies
it (longest path), so arrows run left to right. A column taller than MAX_ROWS wraps into the
next. Rows are ordered by a few barycentre sweeps to shorten and uncross the arrows.
Pure computation: segment ids, streams and links in, coordinates out.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from statistics import fmean

import networkx as nx

from chains.models import Stream

NODE_WIDTH = 168
NODE_HEIGHT = 64
COLUMN_GAP = 60
ROW_GAP = 16
MARGIN = 24
HEADER = 44
LEGEND = 40
MAX_ROWS = 10
LABEL_CHARS = 11
SWEEPS = 4
MIN_WIDTH = 800  # room for the legend under a short chain


@dataclass(frozen=True)
class Placed:
    """A segment's box on the map."""

    segment_id: int
    x: float
    y: float
    column: int


@dataclass(frozen=True)
class Arrow:
    """A supply link drawn as a cubic curve, with the SVG path."""

    source_id: int
    target_id: int
    path: str


@dataclass(frozen=True)
class Band:
    """The background band of one stream."""

    stream: Stream
    x: float
    width: float


@dataclass(frozen=True)
class MapLayout:
    """Coordinates of a whole chain map."""

    width: float
    height: float
    nodes: dict[int, Placed]
    arrows: list[Arrow]
    bands: list[Band]


def label_lines(name: str, width: int = LABEL_CHARS) -> list[str]:
    """Split a segment name into at most two lines; a longer name ends in an ellipsis."""
    if len(name) <= width:
        return [name]
    if len(name) <= 2 * width:
        return [name[:width], name[width:]]
    return [name[:width], name[width : 2 * width - 1] + "…"]


def _depths(members: list[int], graph: nx.DiGraph) -> dict[int, int]:
    inner = graph.subgraph(members)
    depth: dict[int, int] = {}
    for node in nx.topological_sort(inner):
        depth[node] = max((depth[p] + 1 for p in inner.predecessors(node)), default=0)
    return depth


def _columns(order: list[tuple[int, Stream]], graph: nx.DiGraph) -> list[tuple[Stream, list[int]]]:
    """Return the columns left to right, each with its stream and segments in initial order."""
    columns: list[tuple[Stream, list[int]]] = []
    for stream in Stream:
        members = [sid for sid, st in order if st == stream]
        depth = _depths(members, graph)
        for level in range(max(depth.values(), default=-1) + 1):
            layer = [sid for sid in members if depth[sid] == level]
            for start in range(0, len(layer), MAX_ROWS):
                columns.append((stream, layer[start : start + MAX_ROWS]))
    return columns


def _centred(column: list[int]) -> dict[int, float]:
    middle = (len(column) - 1) / 2
    return {sid: i - middle for i, sid in enumerate(column)}


def _reorder(
    column: list[int], neighbours: Callable[[int], Iterator[int]], row: dict[int, float]
) -> None:
    """Sort a column by the mean row of each segment's neighbours (its own row if it has none)."""
    own = _centred(column)

    def key(sid: int) -> float:
        near = [row[n] for n in neighbours(sid) if n in row]
        return fmean(near) if near else own[sid]

    column.sort(key=key)


def _sweep(columns: list[list[int]], graph: nx.DiGraph) -> None:
    """Reorder columns by their suppliers left to right, then by their customers back."""
    for turn in range(SWEEPS):
        forward = turn % 2 == 0
        indices = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for index in indices:
            row: dict[int, float] = {}
            for column in columns:
                row |= _centred(column)
            neighbours = graph.predecessors if forward else graph.successors
            _reorder(columns[index], neighbours, row)


def _curve(*points: float) -> str:
    x1, y1, c1x, c1y, c2x, c2y, x2, y2 = (round(p) for p in points)
    return f"M{x1},{y1} C{c1x},{c1y} {c2x},{c2y} {x2},{y2}"


def _arrow(source: Placed, target: Placed) -> str:
    if target.x > source.x:
        x1, y1 = source.x + NODE_WIDTH, source.y + NODE_HEIGHT / 2
        x2, y2 = target.x, target.y + NODE_HEIGHT / 2
        bend = max(24.0, (x2 - x1) / 2)
        return _curve(x1, y1, x1 + bend, y1, x2 - bend, y2, x2, y2)
    # A link against the stream order (e.g. downstream supplies upstream) loops underneath.
    x1, y1 = source.x + NODE_WIDTH / 2, source.y + NODE_HEIGHT
    x2, y2 = target.x + NODE_WIDTH / 2, target.y + NODE_HEIGHT
    drop = NODE_HEIGHT + ROW_GAP
    return _curve(x1, y1, x1, y1 + drop, x2, y2 + drop, x2, y2)


def layered(segments: list[tuple[int, Stream]], links: list[tuple[int, int]]) -> MapLayout:
    """Lay out segments (id, stream, in display order) and links (source, target)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sid for sid, _ in segments)
    graph.add_edges_from(links)
    columns = _columns(segments, graph)
    rows = [ids for _, ids in columns]
    _sweep(rows, graph)
    tallest = max((len(ids) for ids in rows), default=0)
    pitch = NODE_HEIGHT + ROW_GAP
    nodes: dict[int, Placed] = {}
    for index, ids in enumerate(rows):
        x = MARGIN + index * (NODE_WIDTH + COLUMN_GAP)
        top = HEADER + (tallest - len(ids)) * pitch / 2
        for row, sid in enumerate(ids):
            nodes[sid] = Placed(sid, x, top + row * pitch, index)
    bands = []
    for stream in Stream:
        used = [i for i, (st, _) in enumerate(columns) if st == stream]
        if used:
            left = MARGIN + used[0] * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP / 3
            width = len(used) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP / 3
            bands.append(Band(stream, left, width))
    arrows = [Arrow(s, t, _arrow(nodes[s], nodes[t])) for s, t in links]
    width = max(MIN_WIDTH, 2 * MARGIN + len(rows) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP)
    height = HEADER + max(1, tallest) * pitch + LEGEND + MARGIN
    return MapLayout(width, height, nodes, arrows, bands)
