"""Benchmark: segment suggestions for 200,000 firms and 50,000 targets, their quality, pages.

Targets (issue 22): suggestions for 200,000 registry firms and 50,000 target firms over all
segments in ≤ 60 s, incrementally when a segment's words change; pages ≤ 100 ms at 50,000
targets. Quality: precision and recall against the registry's memberships (random in the
demo: its firms' products are two segment names of their chain, their segment drawn apart)
and against a hand-labelled sample of product descriptions written as firms write them.
Run: `python -m tests.benchmarks.matching [--enterprises N] [--prospects N] [--runs N]`;
CHAINPLAN_DATABASE_URL picks the database kind (a scratch database is made and dropped).
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, col, select

from chainmaps import suggestions
from chains.matching import MIN_SCORE, SegmentMatcher, load_matcher
from chains.models import Chain, Segment
from core import accounts, migrate
from core.accounts import Role
from core.db import make_engine
from core.settings import Settings
from enterprises.prospects import matching
from enterprises.registry.models import Enterprise, Membership
from seeds import demo, demo_prospects
from seeds.load import load_all
from tests.benchmarks.chain_map import _report, _timings
from tests.databases import drop_scratch, scratch_url
from tests.factories import bearer
from web.app import create_app, freeze_startup_objects

TARGET_S = 60.0
THRESHOLDS = (0.2, 0.25, 0.3, MIN_SCORE, 0.4, 0.45)
# The word-list matcher (pyahocorasick over each segment's words, before n-gram TF-IDF replaced
# it; its code is gone): its last figures on LABELLED, from this benchmark on 2026-12-05.
WORD_LISTS = (
    "hand-labelled sample, word lists (last measured 2026-12-05, code removed): "
    "precision 64 %, recall 52 %, top-1 right 50 %, none suggested 42 %"
)
TARGET_MS = 100.0
# Products as firms describe them, and the segment a person would file each under.
LABELLED: list[tuple[str, str, str]] = [
    ("RV减速器、谐波减速器及精密传动部件", "robotics", "精密减速器"),
    ("六轴协作机器人、机器人关节模组", "robotics", "协作机器人"),
    ("交流伺服电机、伺服驱动器", "robotics", "伺服系统"),
    ("焊接机器人、搬运码垛机器人", "robotics", "工业机器人"),
    ("激光导航AGV、叉车式AGV", "robotics", "AGV"),
    ("商用清洁服务机器人、送餐机器人", "robotics", "服务机器人"),
    ("变频空调、中央空调", "smart-appliances", "空调"),
    ("对开门冰箱、冷柜", "smart-appliances", "冰箱"),
    ("滚筒洗衣机、干衣机", "smart-appliances", "洗衣机"),
    ("电饭煲、空气炸锅、破壁机", "smart-appliances", "厨房小家电"),
    ("变频压缩机、无刷直流电机", "smart-appliances", "压缩机与电机"),
    ("OLED显示模组", "smart-appliances", "OLED面板"),
    ("PC/ABS合金、改性尼龙等工程塑料", "polymers", "高端工程塑料"),
    ("水性木器漆、水性工业漆", "polymers", "水性涂料"),
    ("防水卷材、刚性防水砂浆", "polymers", "刚性防水材料"),
    ("活性染料、分散染料", "polymers", "纺织染料"),
    ("纺织印染助剂、柔软剂", "polymers", "纺织助剂"),
    ("PVC给水管、PE燃气管道", "polymers", "管道与型材制品"),
    ("牙科综合治疗椅", "medical-devices", "牙科综合治疗台"),
    ("高速涡轮牙科手机", "medical-devices", "牙科手机"),
    ("LED光固化灯", "medical-devices", "牙科光固化机"),
    ("藻酸盐敷料、水胶体敷料", "medical-devices", "高值医用敷料"),
    ("半导体激光治疗仪", "medical-devices", "激光治疗设备"),
    ("酱油、蚝油、低盐调味品", "health-food", "健康调味品"),
    ("自热火锅、自热米饭", "health-food", "自热食品"),
    ("无糖饮料、代糖烘焙食品", "health-food", "低糖/零糖食品"),
    ("坚果、果干等休闲零食", "health-food", "健康休闲食品"),
    ("3D打印铝合金粉末、AlSi10Mg粉末", "additive", "铝合金金属粉末"),
    ("PLA线材、3D打印耗材", "additive", "PLA材料"),
    ("激光扫描振镜系统", "additive", "扫描振镜"),
    ("金属3D打印机（SLM）", "additive", "选区激光熔化成型（SLM）"),
    ("LED固晶机", "integrated-circuits", "半导体固晶机"),
    ("全自动金线焊线机", "integrated-circuits", "高密度焊线机"),
    ("SoC芯片设计、MCU设计", "integrated-circuits", "芯片设计"),
    ("集成电路测试机、分立器件测试系统", "integrated-circuits", "大规模集成电路测试系统"),
    ("光纤激光打标机", "integrated-circuits", "工业激光打标机"),
    ("碱性电解水制氢设备、PEM电解槽", "hydrogen", "制氢"),
    ("高压储氢瓶、储氢罐", "hydrogen", "储氢"),
    ("燃料电池电堆、膜电极", "hydrogen", "氢燃料电池"),
    ("加氢站成套设备、加氢机", "hydrogen", "加氢站与加氢装备"),
    ("陶瓷压砖机、陶瓷窑炉", "smart-equipment", "陶瓷机械"),
    ("注塑机、吹塑机", "smart-equipment", "塑料机械"),
    ("冷室压铸机、压铸岛", "smart-equipment", "压铸设备"),
    ("UHF RFID电子标签、读写器", "smart-equipment", "射频识别（RFID）"),
    ("汽车盘式制动器、刹车片", "automotive", "制动器"),
    ("双离合变速箱、自动变速器", "automotive", "变速器"),
    ("减震器、空气悬架", "automotive", "悬挂系统"),
    ("动力电池电芯、电驱总成", "automotive", "动力电池与电驱系统"),
]


def _populate(url: str, firms: int, targets: int) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with Session(engine) as session:
        load_all(session=session)
        accounts.create_user(
            session=session, username="bench-admin", password="Bench@pass123", role=Role.admin
        )
        session.commit()
    for batch, start in enumerate(range(0, firms, demo.BATCH)):
        with Session(engine) as session:
            demo.generate(session=session, count=min(demo.BATCH, firms - start), seed=2023 + batch)
            session.commit()
    with Session(engine) as session:
        segments = len(session.exec(select(Segment.id)).all())
        per_segment = max(1, round(targets / segments))
        demo_prospects.generate(session=session, per_segment=per_segment, suggest=False)
        session.commit()
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()
    return time.perf_counter() - started


def _quality(label: str, pairs: list[tuple[set[int], list[int]]]) -> None:
    """Precision of the suggestions and recall of the expected segments, top 1 and top 5."""
    suggested = sum(len(found) for _, found in pairs)
    right = sum(len(set(found) & wanted) for wanted, found in pairs)
    wanted_total = sum(len(wanted) for wanted, _ in pairs)
    first = sum(1 for wanted, found in pairs if found and found[0] in wanted)
    none = sum(1 for _, found in pairs if not found)
    n = max(1, len(pairs))
    print(
        f"{label:<44} precision {right / max(1, suggested):5.1%}   "
        f"recall {right / max(1, wanted_total):5.1%}   top-1 right {first / n:5.1%}   "
        f"none suggested {none / n:5.1%}   ({len(pairs):,} firms)"
    )


def _found(matcher: SegmentMatcher, text_: str, min_score: float = MIN_SCORE) -> list[int]:
    return [
        m.segment_id for m in matcher.match(text_, limit=suggestions.PER_FIRM, min_score=min_score)
    ]


def _measure_quality(session: Session, matcher: SegmentMatcher, sample: int) -> None:
    members: dict[int, set[int]] = {}
    rows = session.exec(
        select(Membership.enterprise_id, Membership.segment_id).order_by(
            col(Membership.enterprise_id)
        )
    )
    for enterprise_id, segment_id in rows:
        if len(members) >= sample and enterprise_id not in members:
            break
        members.setdefault(enterprise_id, set()).add(segment_id)
    texts = dict(
        session.exec(
            select(Enterprise.id, Enterprise.main_products).where(
                col(Enterprise.id).in_(list(members))
            )
        ).all()
    )
    _quality(
        "registry memberships (demo: random)",
        [(members[i], _found(matcher, texts.get(i) or "")) for i in members],
    )
    segment_of = {
        (code, name): sid
        for sid, name, code in session.exec(
            select(Segment.id, Segment.name, Chain.code).join(
                Chain, col(Chain.id) == Segment.chain_id
            )
        )
    }
    for threshold in THRESHOLDS:
        chosen = " (chosen)" if threshold == MIN_SCORE else ""
        _quality(
            f"hand-labelled sample, score ≥ {threshold}{chosen}",
            [({segment_of[(c, n)] or 0}, _found(matcher, t, threshold)) for t, c, n in LABELLED],
        )
    print(WORD_LISTS)
    names = {sid: name for (_, name), sid in segment_of.items()}
    for text_, _, wanted in LABELLED[:2]:
        best = matcher.match(text_)[0]
        print(
            f"  e.g. {text_} → {names[best.segment_id]} ({best.score:.2f}) by "
            f"{'、'.join(best.words)}; wanted {wanted}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--prospects", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sample", type=int, default=20_000, help="firms for the quality")
    args = parser.parse_args()
    base = os.environ.get("CHAINPLAN_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(base, Path(tmp)) if base else f"sqlite:///{tmp}/bench.db"
        try:
            seconds = _populate(url, args.enterprises, args.prospects)
            engine = make_engine(url)
            with Session(engine) as session:
                firms = len(session.exec(select(Enterprise.id)).all())
                print(
                    f"database: {engine.url.get_backend_name()}; {firms:,} firms, "
                    f"{args.prospects:,} targets asked, loaded in {seconds:.1f} s"
                )
                started, cpu = time.perf_counter(), time.process_time()
                matcher = load_matcher(session=session)
                loaded = time.perf_counter() - started
                started = time.perf_counter()
                firm_rows = suggestions.compute_all(session=session, matcher=matcher)
                firm_s = time.perf_counter() - started
                started = time.perf_counter()
                target_rows = matching.compute_all(session=session, matcher=matcher)
                target_s = time.perf_counter() - started
                session.commit()
                total = loaded + firm_s + target_s
                cpu = time.process_time() - cpu  # the machine is shared: wall time waits too
                verdict = "ok" if total <= TARGET_S else "OVER TARGET"
                print(
                    f"all suggestions: matcher {loaded:.2f} s, firms {firm_s:.1f} s "
                    f"({firm_rows:,} open), targets {target_s:.1f} s ({target_rows:,}); "
                    f"total {total:.1f} s wall, {cpu:.1f} s CPU of this process   "
                    f"[{verdict}: ≤ {TARGET_S:.0f} s]"
                )
                segment = session.exec(select(Segment).where(Segment.name == "精密减速器")).first()
                assert segment is not None
                started = time.perf_counter()
                suggestions.refresh_segment(session=session, segment_id=segment.id or 0)
                matching.refresh_segment(session=session, segment_id=segment.id or 0)
                spent = time.perf_counter() - started
                print(f"one segment's words changed: both refreshed in {spent:.1f} s")
                one = session.exec(select(Enterprise.id).limit(1)).one()
                started = time.perf_counter()
                suggestions.refresh_firms(session=session, enterprise_ids=[one or 0])
                spent = (time.perf_counter() - started) * 1000
                print(f"one firm's products changed: refreshed in {spent:.0f} ms")
                session.commit()
                # As autovacuum would after such a write: the statistics taken at loading saw
                # no suggestion, and would plan the review list for an empty table.
                session.execute(text("ANALYZE"))
                session.commit()
                _measure_quality(session, matcher, args.sample)
                segment_id = segment.id
            engine.dispose()
            app = create_app(Settings(database_url=url, secret_key="bench-" + "k" * 32))
            freeze_startup_objects()
            with TestClient(app) as client, Session(app.state.engine) as session:
                user = accounts.get_user_by_username(session=session, username="bench-admin")
                assert user is not None
                headers = bearer(session, user)
                session.commit()
                for path in [
                    "/prospects",
                    "/prospects?q=减速器",
                    f"/prospects?segment={segment_id}",
                    "/prospects?province=江苏省&size=large",
                    "/prospects/gaps?chain=robotics",
                    f"/chains/robotics/segments/{segment_id}",
                    "/api/v1/prospects?q=机器人",
                    f"/api/v1/chains/robotics/segments/{segment_id}/prospects",
                    "/chains/robotics/suggestions",
                ]:
                    extra = (
                        {"HX-Request": "true"}
                        if "/segments/" in path and "/api/" not in path
                        else {}
                    )
                    _report(
                        f"GET {path}"[:44],
                        _timings(
                            lambda p=path, h=headers | extra: client.get(
                                p, headers=h
                            ).raise_for_status(),
                            args.runs,
                        ),
                        TARGET_MS,
                    )
            app.state.engine.dispose()
        finally:
            if base:
                drop_scratch(url, base)


if __name__ == "__main__":
    main()
