"""The gap list as a spreadsheet."""

from chains.graph import ACTION_LABELS, STATUS_LABELS, SegmentGap
from chains.models import STREAM_LABELS, ChainDetail
from core.spreadsheet import write_xlsx

GAP_HEADERS = [
    "序号",
    "环节",
    "位置",
    "状态",
    "建议",
    "优先级",
    "本地企业",
    "规上企业",
    "链主企业",
    "高成长企业",
    "下游依赖环节",
    "卡脖子",
    "原因",
]
GAP_WIDTHS = [6, 24, 8, 8, 8, 8, 10, 10, 10, 10, 12, 8, 60]


def gaps_xlsx(chain: ChainDetail, gaps: list[SegmentGap]) -> bytes:
    """Return the chain's gap list, highest priority first, as .xlsx."""
    choke = {s.id: s.choke_point for s in chain.segments}
    rows = [
        [
            rank,
            g.name,
            STREAM_LABELS[g.stream],
            STATUS_LABELS[g.status],
            ACTION_LABELS[g.action],
            g.score,
            g.firms,
            g.above_size,
            g.anchors,
            g.high_growth,
            g.reach,
            "是" if choke[g.segment_id] else "",
            g.explanation,
        ]
        for rank, g in enumerate(gaps, start=1)
    ]
    return write_xlsx(f"{chain.name}补链强链清单", GAP_HEADERS, rows, GAP_WIDTHS)
