"""The projects, platforms, carriers and zones plan 003 names under its six landmarks (五)."""

from sqlalchemy import func
from sqlmodel import Session, select

from core import provenance
from core.orgs import LandmarkItem, LandmarkItemKind, landmark_views
from core.provenance import Basis
from seeds import load

# A few of what the issue lists, each with the landmark the plan names it under.
NAMED = {
    "华为云": "lighthouse",
    "广东省生产力促进中心佛山分中心": "jujin",
    "大江片区103亩土地合作开发项目": "jujin",
    "风梅岭、黄牛牯村级工业园连片改造": "nanhai-accelerator",
    "东北大学佛山研究生院": "robot-valley",
    "荷兰穆勒科技": "xinchuang-ai",
    "武汉大学空间信息研究院": "xinchuang-ai",
    "高校科技成果转化三水基地": "sanshui-wanmu",
    "“1+4”主导产业专区": "sanshui-wanmu",
    "大同湖生态示范区": "sanshui-wanmu",
}


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LandmarkItem)).one()


def test_every_landmark_has_its_named_items_with_the_plan_s_sentence(session: Session) -> None:
    views = landmark_views(session=session)
    assert len(views) == 6
    assert all(v.items for v in views), [v.landmark.code for v in views if not v.items]
    where = {i.item.name: v.landmark.code for v in views for i in v.items}
    assert {name: where.get(name) for name in NAMED} == NAMED
    assert len(where) == 39
    for view in views:
        section = f"五({'一二三四五六'[view.landmark.position]})"
        for item in view.items:
            stated = item.basis
            assert stated is not None and stated.basis == Basis.plan, item.item.name
            assert (stated.document, stated.section) == ("003", section), item.item.name
            # The name is the plan's own words (full-width brackets aside), inside its sentence.
            name = item.item.name.replace("（", "(").replace("）", ")")
            assert name in stated.quote and len(name) < 40, item.item.name
    kinds = {i.item.kind for v in views for i in v.items}
    assert kinds == set(LandmarkItemKind)


def test_a_park_sees_only_its_own_landmarks(session: Session) -> None:
    nanhai = landmark_views(session=session)[0].landmark.park_id
    codes = [v.landmark.code for v in landmark_views(session=session, park_id=nanhai)]
    assert codes == ["lighthouse", "nanhai-accelerator"]


def test_a_second_load_adds_no_item_and_no_basis(session: Session) -> None:
    items = _count(session)
    bases = len(provenance.of(session=session, object_type="landmark_item"))
    load.load_all(session=session)
    assert _count(session) == items == bases
    assert len(provenance.of(session=session, object_type="landmark_item")) == bases
