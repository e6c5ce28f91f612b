import networkx as nx
import pytest

from chains.graph import GapAction, GapStatus, SegmentFacts, analyse
from chains.models import Stream


def _facts(segment_id: int, firms: int, stream: Stream = Stream.midstream, **kw) -> SegmentFacts:
    return SegmentFacts(
        segment_id=segment_id,
        name=f"环节{segment_id}",
        stream=stream,
        firms=firms,
        above_size=kw.pop("above_size", 0),
        anchors=kw.pop("anchors", 0),
        **kw,
    )


def _by_id(gaps):
    return {g.segment_id: g for g in gaps}


def test_chain_of_four_known_answers() -> None:
    # 1 → 2 → 3 → 4: segment 1 feeds three others, 4 feeds none.
    graph = nx.DiGraph([(1, 2), (2, 3), (3, 4)])
    gaps = _by_id(
        analyse(
            graph,
            [
                _facts(1, 0, Stream.upstream),
                _facts(2, 1),
                _facts(3, 5, above_size=2),
                _facts(4, 4, Stream.downstream),
            ],
            threshold=3,
        )
    )
    assert (gaps[1].status, gaps[1].reach, gaps[1].action) == (GapStatus.missing, 3, GapAction.fill)
    # missing: severity 1, importance 4/4 → 100 * 1 * (0.4 + 0.6) = 100
    assert gaps[1].score == 100.0
    assert gaps[1].explanation == "无本地企业；下游 3 个环节依赖"
    # weak with one firm: severity 0.5 + 0.5 * (2/3), importance 3/4 → 100 * 0.8333 * 0.85
    assert gaps[2].status == GapStatus.weak and gaps[2].single_point
    assert gaps[2].score == pytest.approx(70.8, abs=0.05)
    assert gaps[2].action == GapAction.strengthen
    assert (gaps[3].status, gaps[3].score, gaps[3].action) == (
        GapStatus.strong,
        0.0,
        GapAction.maintain,
    )
    assert gaps[4].action == GapAction.extend


def test_ranking_puts_the_most_depended_on_gap_first() -> None:
    graph = nx.DiGraph([(1, 3), (2, 3), (1, 4)])
    ranked = analyse(graph, [_facts(1, 0), _facts(2, 0), _facts(3, 3), _facts(4, 3)], threshold=3)
    assert [g.segment_id for g in ranked[:2]] == [1, 2]
    assert ranked[0].score > ranked[1].score


def test_choke_point_raises_priority_and_is_explained() -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from([1, 2])
    gaps = _by_id(analyse(graph, [_facts(1, 1, choke_point=True), _facts(2, 1)], threshold=2))
    assert gaps[1].score == pytest.approx(gaps[2].score + 20)
    assert gaps[1].explanation.endswith("卡脖子环节")


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        analyse(nx.DiGraph(), [], threshold=0)
