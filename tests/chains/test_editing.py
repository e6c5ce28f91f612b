import pytest
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chains import editing
from chains import service as chain_service
from chains.models import ChainSettings, SegmentFields, Stream
from core.accounts import Role
from core.audit import history
from core.errors import FieldErrors
from seeds.load import load_all
from tests.factories import join_segment, make_chain, make_enterprise, make_user

UP, MID, DOWN = Stream.upstream, Stream.midstream, Stream.downstream


def test_a_link_that_would_close_a_cycle_is_refused_naming_the_cycle(session: Session) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(
        session,
        [("电芯", UP), ("电池包", MID), ("整车", DOWN)],
        [("电芯", "电池包"), ("电池包", "整车")],
        actor=admin,
    )
    with pytest.raises(FieldErrors) as refused:
        editing.add_link(
            session=session,
            actor=admin,
            chain=chain,
            source_id=seg["整车"].id or 0,
            target_id=seg["电芯"].id or 0,
        )
    assert (
        refused.value.errors["target_id"]
        == "会形成循环：整车 → 电芯 → 电池包 → 整车，供应关系必须单向"
    )
    links = chain_service.links_of(session=session, chain_id=chain.id or 0)
    assert len(links) == 2


def test_self_links_and_repeated_links_are_refused(session: Session) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("甲环节", UP), ("乙环节", MID)], [("甲环节", "乙环节")])
    a, b = seg["甲环节"].id or 0, seg["乙环节"].id or 0
    with pytest.raises(FieldErrors, match="不能供给自身"):
        editing.add_link(session=session, actor=admin, chain=chain, source_id=a, target_id=a)
    with pytest.raises(FieldErrors, match="已存在"):
        editing.add_link(session=session, actor=admin, chain=chain, source_id=a, target_id=b)


def test_rename_to_a_taken_name_is_refused_and_a_stream_move_goes_to_the_end(
    session: Session,
) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("甲环节", UP), ("乙环节", MID), ("丙环节", MID)])
    with pytest.raises(FieldErrors, match="本链已有名为“乙环节”的环节"):
        editing.update_segment(
            session=session,
            actor=admin,
            chain=chain,
            segment=seg["甲环节"],
            data=SegmentFields(name="乙环节", stream=UP),
        )
    editing.update_segment(
        session=session,
        actor=admin,
        chain=chain,
        segment=seg["甲环节"],
        data=SegmentFields(name="甲环节（改）", stream=MID),
    )
    mid = [s.name for s in chain_service.segments_of(session=session, chain_id=chain.id or 0)]
    assert mid == ["乙环节", "丙环节", "甲环节（改）"]
    entries = history(session=session, object_type="segment", object_id=seg["甲环节"].id or 0)
    assert entries[0].before == {"name": "甲环节", "stream": "upstream", "position": 1}
    assert entries[0].after == {"name": "甲环节（改）", "stream": "midstream", "position": 3}
    assert entries[0].actor_id == admin.id


def test_shift_reorders_within_the_stream(session: Session) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("一号", UP), ("二号", UP), ("三号", UP)])
    editing.shift_segment(session=session, actor=admin, chain=chain, segment=seg["三号"], offset=-1)
    names = [s.name for s in chain_service.segments_of(session=session, chain_id=chain.id or 0)]
    assert names == ["一号", "三号", "二号"]


def test_choke_point_needs_a_note_and_raises_the_priority(session: Session) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("轴承", UP), ("主机", MID)], [("轴承", "主机")])
    with pytest.raises(FieldErrors, match="请说明原因"):
        editing.set_choke_point(
            session=session, actor=admin, chain=chain, segment=seg["轴承"], flag=True, note=" "
        )
    before = {g.name: g.score for g in chain_figures.gaps(session=session, code=chain.code)}
    editing.set_choke_point(
        session=session,
        actor=admin,
        chain=chain,
        segment=seg["轴承"],
        flag=True,
        note="高端轴承依赖进口",
    )
    after = {g.name: g for g in chain_figures.gaps(session=session, code=chain.code)}
    assert after["轴承"].score == min(100.0, before["轴承"] + 20)
    assert after["轴承"].explanation.endswith("卡脖子环节")


def test_threshold_is_per_chain(session: Session) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("整机", MID)])
    for _ in range(2):
        join_segment(session, make_enterprise(session), seg["整机"])
    assert chain_figures.gaps(session=session, code=chain.code)[0].status == "weak"
    editing.update_settings(
        session=session, actor=admin, chain=chain, data=ChainSettings(weak_threshold=2)
    )
    assert chain_figures.gaps(session=session, code=chain.code)[0].status == "strong"
    entry = history(session=session, object_type="chain", object_id=chain.id or 0)[0]
    assert entry.before == {"weak_threshold": 3} and entry.after == {"weak_threshold": 2}


def test_confirmation_records_who_and_when(session: Session) -> None:
    chief = make_user(session, Role.chain_chief)
    chain = chain_service.get_by_code(session=session, code="robotics")
    segment = chain_service.segments_of(session=session, chain_id=chain.id or 0)[0]
    editing.confirm_segment(session=session, actor=chief, chain=chain, segment=segment)
    view = chain_figures.detail(session=session, code="robotics")
    confirmed = next(s for s in view.segments if s.id == segment.id)
    assert confirmed.confirmed_by == chief.display_name and confirmed.confirmed_at is not None


def test_seeding_again_leaves_a_maintained_map_alone(session: Session) -> None:
    admin = make_user(session, Role.admin)
    chain = chain_service.get_by_code(session=session, code="hydrogen")
    segment = next(
        s
        for s in chain_service.segments_of(session=session, chain_id=chain.id or 0)
        if s.code == "storage"
    )
    editing.update_segment(
        session=session,
        actor=admin,
        chain=chain,
        segment=segment,
        data=SegmentFields(name="高压储氢", stream=UP),
    )
    load_all(session=session)
    names = [s.name for s in chain_service.segments_of(session=session, chain_id=chain.id or 0)]
    assert "高压储氢" in names and "储氢" not in names
