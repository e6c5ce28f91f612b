from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from chainmaps import figures as chain_figures
from chainmaps import membership, overview
from chains import service as chain_service
from chains.models import SegmentPublic, Stream
from core.accounts import Role
from core.db import china_today
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.pipeline import Cultivation, MoveFields, Stage
from enterprises.registry.models import MemberRole
from tests.factories import join_segment, make_chain, make_enterprise, make_user

UP, MID, DOWN = Stream.upstream, Stream.midstream, Stream.downstream


def test_a_shared_technology_pools_firms_across_chains(session: Session) -> None:
    tech = {"压力传感器": "测试共性技术", "传感单元": "测试共性技术"}
    first, a = make_chain(session, [("压力传感器", UP), ("控制柜", MID)], technology=tech)
    second, b = make_chain(session, [("传感单元", UP)], technology=tech)
    maker = make_enterprise(session, above_size=True)
    other = make_enterprise(session)
    join_segment(session, maker, a["压力传感器"], MemberRole.anchor)
    join_segment(session, other, b["传感单元"])
    counts = chain_figures.segment_counts(session=session, chain_id=second.id)
    pooled = counts[b["传感单元"].id or 0]
    # Both firms count for the second chain's segment; the anchor role stays with its chain.
    assert (pooled.firms, pooled.above_size, pooled.anchors) == (2, 1, 0)
    assert chain_figures.segment_counts(session=session, chain_id=first.id)[
        a["压力传感器"].id or 0
    ] == (2, 1, 1, 0, 0)
    total, firms = overview.segment_firms(session=session, segment=b["传感单元"])
    assert total == 2
    assert [f.via for f in firms] == [None, f"{first.name}·压力传感器"]
    peers = chain_service.technology_peers(session=session, segment=b["传感单元"])
    assert peers == [(first.code, first.name, "压力传感器")]
    shared = {t.technology: t for t in overview.shared_technologies(session=session)}
    assert shared["测试共性技术"].firms == 2


def test_matrix_counts_segments_missing_segments_and_firms(session: Session) -> None:
    chain, seg = make_chain(session, [("原料", UP), ("零件", UP), ("整机", MID)])
    firm = make_enterprise(session)
    join_segment(session, firm, seg["原料"])
    join_segment(session, firm, seg["整机"])
    cells = overview.matrix(session=session)[chain.id or 0]
    assert vars(cells[UP]) == {"segments": 2, "missing": 1, "firms": 1}
    assert vars(cells[MID]) == {"segments": 1, "missing": 0, "firms": 1}
    assert DOWN not in cells


def _segment(name: str, confirmed_at: datetime | None) -> SegmentPublic:
    return SegmentPublic(
        id=len(name),
        code=name,
        name=name,
        stream=UP,
        parent_id=None,
        from_plan=False,
        technology=None,
        description="",
        choke_point=False,
        choke_note="",
        confirmed_at=confirmed_at,
        version=1,
    )


def test_segments_unconfirmed_for_ninety_days_are_listed_never_confirmed_first() -> None:
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    segments = [
        _segment("新核实", now - timedelta(days=89)),
        _segment("已过期的", now - timedelta(days=91)),
        _segment("从未核实过的", None),
        _segment("刚好九十天", now - timedelta(days=90)),
    ]
    stale = overview.unconfirmed(segments, now)
    assert [s.name for s in stale] == ["从未核实过的", "已过期的"]


def test_headline_counts_each_firm_once(session: Session) -> None:
    chain, seg = make_chain(session, [("原料", UP), ("整机", MID)])
    big = make_enterprise(session, above_size=True, annual_output=5000)
    small = make_enterprise(session, annual_output=800)
    join_segment(session, big, seg["原料"], MemberRole.anchor)
    join_segment(session, big, seg["整机"])
    join_segment(session, small, seg["整机"])
    figures = overview.headline(session=session, chain_id=chain.id or 0)
    assert figures == overview.Headline(
        firms=2,
        above_size=1,
        above_size_output=5000.0,
        anchors=1,
        hidden_champions=0,
        high_growth=0,
    )


def test_dossier_firm_table_lists_anchors_key_firms_and_hidden_champions(
    session: Session,
) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("部件", UP), ("整机", MID)])
    anchor, champion, plain = (make_enterprise(session) for _ in range(3))
    join_segment(session, anchor, seg["整机"], MemberRole.anchor)
    join_segment(session, anchor, seg["部件"], MemberRole.member)
    join_segment(session, champion, seg["部件"])
    join_segment(session, plain, seg["部件"])
    membership.update_membership(
        session=session,
        actor=admin,
        chain=chain,
        segment=seg["部件"],
        enterprise_id=champion.id or 0,
        role=MemberRole.member,
        hidden_champion=True,
    )
    firms = overview.leading_firms(session=session, chain_id=chain.id or 0)
    assert [(f.name, f.role, f.hidden_champion) for f in firms] == [
        (anchor.name, MemberRole.anchor, False),
        (champion.name, MemberRole.member, True),
    ]
    assert firms[0].segments == ["整机"]
    changes = overview.recent_changes(session=session, chain=chain)
    assert changes[0].object_type == "membership" and changes[0].after == {"hidden_champion": True}


def _recognise(session: Session, firm_id: int, code: str, on: date) -> Cultivation:
    admin = make_user(session, Role.admin)
    designation = designations.get_by_code(session=session, code=code)
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=firm_id,
        designation=designation,
        chain_id=None,
        on=on,
    )
    for stage in (Stage.pool, Stage.applied, Stage.recognised):
        pipeline.move(
            session=session,
            actor=admin,
            cultivation=cultivation,
            data=MoveFields(to_stage=stage, on=on),
            today=on,
        )
    return cultivation


def test_high_growth_firms_count_while_their_recognition_is_valid(session: Session) -> None:
    chain, seg = make_chain(session, [("整机", MID)])
    gazelle, tech, plain = (make_enterprise(session) for _ in range(3))
    for firm in (gazelle, tech, plain):
        join_segment(session, firm, seg["整机"])
    _recognise(session, gazelle.id or 0, "gazelle", china_today() - timedelta(days=30))
    # High-tech status is no high-growth designation, and this one has lapsed anyway.
    _recognise(session, tech.id or 0, "high-tech", china_today() - timedelta(days=4 * 366))
    counts = chain_figures.segment_counts(session=session, chain_id=chain.id)
    assert counts[seg["整机"].id or 0].high_growth == 1
    gap = chain_figures.gaps(session=session, code=chain.code)[0]
    assert gap.high_growth == 1 and "高成长企业 1 家" in gap.explanation
    assert overview.headline(session=session, chain_id=chain.id or 0).high_growth == 1
    _, firms = overview.segment_firms(session=session, segment=seg["整机"])
    held = {f.name: f.recognitions for f in firms}
    assert held[gazelle.name] == ["瞪羚企业"] and held[tech.name] == []
