"""Deterministic synthetic enterprises, flagged origin=demo so they can be removed in one go."""

import random
import zlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from chains.models import Chain, Segment
from core import bulk
from core.accounts import Role, create_user, get_or_create_team, get_user_by_username
from core.db import require_id
from core.orgs import Park
from enterprises.registry import credit_code
from enterprises.registry.models import Enterprise, MemberRole, Membership, Origin

DIVISIONS = {
    "禅城区": "440604",
    "南海区": "440605",
    "顺德区": "440606",
    "三水区": "440607",
    "高明区": "440608",
}
TOWNS = {
    "禅城区": ["张槎街道", "南庄镇", "石湾镇街道", "祖庙街道"],
    "南海区": ["狮山镇", "桂城街道", "大沥镇", "里水镇", "西樵镇", "丹灶镇", "九江镇"],
    "顺德区": ["北滘镇", "容桂街道", "大良街道", "伦教街道", "勒流街道", "陈村镇", "龙江镇"],
    "高明区": ["荷城街道", "杨和镇", "明城镇", "更合镇"],
    "三水区": ["西南街道", "乐平镇", "白坭镇", "大塘镇", "芦苞镇"],
}
ROADS = ["科技路", "工业大道", "创新路", "兴业路", "智造大道", "环镇路", "科韵路", "发展大道"]
TRADE_NAMES = list("华盛泰恒达鑫源创科宏伟嘉鸿瑞博宇锐拓晟隆骏峰卓越中联远航新星精诚信德")
INDUSTRY_WORDS = {
    "smart-equipment": ["智能装备", "机械", "精密机械", "自动化设备", "环保设备"],
    "automotive": ["汽车零部件", "汽车配件", "精密制造", "汽车电子"],
    "smart-appliances": ["电器", "智能科技", "电子科技", "家电"],
    "polymers": ["新材料", "化工", "高分子材料", "涂料"],
    "robotics": ["机器人", "智能科技", "自动化科技", "传动科技"],
    "medical-devices": ["医疗器械", "医疗科技", "生物科技", "康复设备"],
    "health-food": ["食品", "调味食品", "生物科技", "食品科技"],
    "additive": ["增材制造", "三维科技", "激光科技", "新材料"],
    "integrated-circuits": ["半导体", "微电子", "芯片科技", "电子科技"],
    "hydrogen": ["氢能科技", "新能源", "能源装备", "燃料电池"],
}
# The park each chain clusters in (the lead park of the plan); others get a share too.
HOME_PARK = {
    "smart-equipment": "nanhai",
    "automotive": "nanhai",
    "smart-appliances": "shunde",
    "polymers": "shunde",
    "robotics": "shunde",
    "medical-devices": "nanhai",
    "health-food": "gaoming",
    "additive": "sanshui",
    "integrated-circuits": "shunde",
    "hydrogen": "nanhai",
}
SURNAMES = list("陈李黄张梁林何吴罗郑冯谭邓潘区麦关卢")
GIVEN = list("伟明华强敏芳丽军杰婷志斌辉燕玲鹏俊霞峰")
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

DEMO_PASSWORD = "Demo@2026cp"
BATCH = 20_000  # firms generated per call (the name and code sets stay small)
DEMO_SIZE = 5000


def city_events(enterprises: int) -> int:
    """Cultivation events a dataset of this size should hold: a city's log has about five per
    firm, over several years; the demo of a zone keeps what its firms' take-up gives."""
    return 5 * enterprises if enterprises > DEMO_SIZE else 0


@dataclass(frozen=True)
class DemoUser:
    """A demo account of one role."""

    username: str
    display_name: str
    role: Role
    park: str | None = None
    team: str | None = None
    chains: tuple[str, ...] = ()


DEMO_USERS = [
    DemoUser("admin", "管委会管理员（演示）", Role.admin),
    DemoUser("leader", "区领导（演示）", Role.leader),
    DemoUser("chief", "机器人产业链链长（演示）", Role.chain_chief, chains=("robotics",)),
    DemoUser("promoter", "招商专员（演示）", Role.promotion, team="招商一组"),
    DemoUser("promoter2", "招商二组专员（演示）", Role.promotion, team="招商二组"),
    DemoUser("shunde", "顺德园管理局（演示）", Role.park_bureau, park="shunde"),
    DemoUser("viewer", "查看者（演示）", Role.viewer),
]


def _credit_code(rng: random.Random, district: str, used: set[str]) -> str:
    while True:
        org = "MA" + "".join(rng.choice(ORG_ALPHABET[:10] + "ABCDEFGHJK") for _ in range(6))
        code = credit_code.build("91", DIVISIONS[district], org)
        if code not in used:
            used.add(code)
            return code


def _firm_name(rng: random.Random, chain_code: str, district: str, used: set[str]) -> str:
    """Return an unused plausible firm name; three-character trade names once two run out."""
    words = INDUSTRY_WORDS.get(chain_code, ["科技"])
    for attempt in range(1000):
        trade = "".join(rng.choice(TRADE_NAMES) for _ in range(2 if attempt < 3 else 3))
        place = "佛山市" if rng.random() < 0.7 else f"佛山市{district}"
        name = f"{place}{trade}{rng.choice(words)}有限公司"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("demo firm names exhausted")


def _pick_segment(rng: random.Random, segments: list[Segment]) -> Segment:
    # A long tail with real gaps: about one segment in six has no firm, one in six only a few.
    ordered = sorted(segments, key=lambda s: (zlib.crc32(s.code.encode()) % 7, s.position))
    rarity = {0: 0.0, 1: 0.003}
    weights = [
        rarity.get(zlib.crc32(s.code.encode()) % 6, 1.0) / (1 + i) ** 1.3
        for i, s in enumerate(ordered)
    ]
    return rng.choices(ordered, weights=weights)[0]


def generate(*, session: Session, count: int = 5000, seed: int = 2023) -> int:
    """Insert count demo enterprises with memberships; return how many were added."""
    rng = random.Random(seed)
    parks = {p.code: p for p in session.exec(select(Park))}
    chains = list(session.exec(select(Chain).order_by(col(Chain.position))))
    segments = {
        c.id: list(session.exec(select(Segment).where(Segment.chain_id == c.id))) for c in chains
    }
    used_codes = {c for c in session.exec(select(Enterprise.credit_code)) if c}
    used_names = set(session.exec(select(Enterprise.name)).all())
    chain_weights = [5, 3, 5, 3, 3, 2, 2, 1, 1, 1][: len(chains)]
    rows: list[dict[str, object]] = []
    picks: list[tuple[Chain, list[Segment]]] = []
    while len(rows) < count:
        chain = rng.choices(chains, weights=chain_weights)[0]
        home = HOME_PARK.get(chain.code, "nanhai")
        park_code = (
            home
            if rng.random() < 0.55
            else rng.choice(["chancheng", "nanhai", "shunde", "gaoming", "sanshui"])
        )
        park = parks[park_code]
        name = _firm_name(rng, chain.code, park.district, used_names)
        revenue = round(rng.lognormvariate(7.8, 1.4), 1)  # 万元, median about 2,400
        founded = date(
            rng.choices(range(1985, 2025), weights=[i for i in range(1, 41)])[0],
            rng.randint(1, 12),
            rng.randint(1, 28),
        )
        town = rng.choice(TOWNS[park.district])
        rows.append(
            {
                "name": name,
                "credit_code": _credit_code(rng, park.district, used_codes),
                "kind": "enterprise",
                "park_id": park.id,
                "district": park.district,
                "address": f"佛山市{park.district}{town}{rng.choice(ROADS)}{rng.randint(1, 200)}号",
                "founded_date": founded,
                "above_size": revenue >= 2000,
                "main_products": "、".join(rng.sample([s.name for s in segments[chain.id]], k=2)),
                "figures_year": 2025,
                "annual_revenue": revenue,
                "annual_output": round(revenue * rng.uniform(0.85, 1.1), 1),
                "employees": max(5, int(revenue / rng.uniform(60, 140))),
                "rd_spend": round(revenue * rng.uniform(0.01, 0.07), 1),
                "contact_person": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "contact_phone": f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
                "origin": Origin.demo,
                "version": 1,
            }
        )
        picks.append(
            (
                chain,
                [
                    _pick_segment(rng, segments[chain.id])
                    for _ in range(1 if rng.random() < 0.8 else 2)
                ],
            )
        )
    ids = bulk.reserve_ids(session, Enterprise, len(rows))
    bulk.insert_rows(
        session, Enterprise, [row | {"id": i} for row, i in zip(rows, ids, strict=True)]
    )
    memberships = []
    for enterprise_id, row, (chain, segs) in zip(ids, rows, picks, strict=True):
        for seg in {s.id: s for s in segs}.values():
            memberships.append(
                {
                    "enterprise_id": enterprise_id,
                    "segment_id": seg.id,
                    "role": MemberRole.member,
                    "_output": row["annual_output"],
                    "_chain": chain.code,
                }
            )
    _assign_roles(memberships)
    bulk.insert_rows(
        session,
        Membership,
        [{k: v for k, v in m.items() if not k.startswith("_")} for m in memberships],
    )
    session.flush()
    return len(rows)


def _assign_roles(memberships: list[dict[str, object]]) -> None:
    """Mark the biggest demo firms of each chain as key firms, and three as anchor firms."""
    by_chain: dict[object, list[dict[str, object]]] = {}
    for m in memberships:
        by_chain.setdefault(m["_chain"], []).append(m)
    for rank, chain_code in enumerate(by_chain):
        ranked = sorted(by_chain[chain_code], key=lambda m: -float(m["_output"]))  # type: ignore[arg-type]
        for m in ranked[: max(1, len(ranked) // 25)]:
            m["role"] = MemberRole.key
        if rank < 3:
            ranked[0]["role"] = MemberRole.anchor


def remove(*, session: Session) -> int:
    """Delete every demo enterprise (and its memberships); return how many went."""
    demo_ids = select(Enterprise.id).where(Enterprise.origin == Origin.demo)
    count = session.exec(select(func.count()).select_from(demo_ids.subquery())).one()
    session.execute(delete(Membership).where(col(Membership.enterprise_id).in_(demo_ids)))
    session.execute(delete(Enterprise).where(col(Enterprise.origin) == Origin.demo))
    return count


def ensure_demo_users(*, session: Session) -> list[DemoUser]:
    """Create the demo account of each role that does not exist yet; return all of them."""
    parks = {p.code: p.id for p in session.exec(select(Park))}
    chains = {c.code: require_id(c) for c in session.exec(select(Chain))}
    for demo in DEMO_USERS:
        if get_user_by_username(session=session, username=demo.username):
            continue
        team = get_or_create_team(session=session, name=demo.team) if demo.team else None
        create_user(
            session=session,
            username=demo.username,
            password=DEMO_PASSWORD,
            role=demo.role,
            display_name=demo.display_name,
            park_id=parks[demo.park] if demo.park else None,
            team_id=team.id if team else None,
            chain_ids=[chains[c] for c in demo.chains],
        )
    return DEMO_USERS
