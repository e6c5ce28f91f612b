"""A generated list of target firms (招商目标库) marked 演示, deterministic by seed.

Each target makes what some segment of a chain names — its products are built from the
segment's words with other trade words around them — so that every gap of the demo map has
firms to approach; some of the demo projects are tied to a target of their segment, so the
coverage ("目标企业 12 家，已接触 3，洽谈 1") has something to count. Removable as a whole.
"""

import random

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from chains.models import Chain, Segment
from chains.segment_words import SegmentWord
from core import bulk
from core.db import utcnow
from enterprises.projects.leads import Lead
from enterprises.prospects import matching
from enterprises.prospects.models import FirmSize, Listing, Prospect, ProspectSegment
from enterprises.prospects.service import name_key
from enterprises.registry import credit_code

PER_SEGMENT = 6  # targets per segment on average: about 800 for the ten chains
PLACES = [
    ("江苏省", "苏州市", "320500"),
    ("江苏省", "常州市", "320400"),
    ("江苏省", "无锡市", "320200"),
    ("浙江省", "宁波市", "330200"),
    ("浙江省", "杭州市", "330100"),
    ("上海市", "上海市", "310100"),
    ("广东省", "深圳市", "440300"),
    ("广东省", "东莞市", "441900"),
    ("山东省", "青岛市", "370200"),
    ("湖北省", "武汉市", "420100"),
    ("安徽省", "合肥市", "340100"),
    ("北京市", "北京市", "110100"),
]
TRADE = list("恒瑞博宇锐拓晟隆骏峰卓越联远航星精诚信德通汇鼎泰华科")
FORMS = ["科技有限公司", "股份有限公司", "智能装备有限公司", "精密机械有限公司", "新材料有限公司"]
EXTRAS = ["研发制造", "系统集成", "关键零部件", "整机", "检测服务", "技术开发"]
SOURCES = [
    "第五批专精特新“小巨人”企业名单（演示）",
    "A股上市公司按行业名单（演示）",
    "中国机器人产业联盟会员名单（演示）",
    "2024 中国国际工业博览会展商名录（演示）",
]
TAGS = ["专精特新小巨人", "高新技术企业", "单项冠军", "瞪羚企业", "独角兽"]
SIZES = [FirmSize.large] * 2 + [FirmSize.medium] * 4 + [FirmSize.small] * 3 + [FirmSize.micro]
LISTINGS = [Listing.none] * 12 + [Listing.main, Listing.star, Listing.gem, Listing.bse, Listing.hk]
TIED_LEADS = 60  # demo projects tied to a target of their segment


def _words(session: Session) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for segment_id, word in session.exec(select(SegmentWord.segment_id, SegmentWord.word)):
        found.setdefault(segment_id, []).append(word)
    return found


def generate(
    *, session: Session, seed: int = 2023, per_segment: int = PER_SEGMENT, suggest: bool = True
) -> int:
    """Write the demo targets, suggest their segments, tie demo projects; return how many.

    Without `suggest` the targets are written alone (the benchmark times the matching apart).
    """
    rng = random.Random(seed)
    words = _words(session)
    segments = session.exec(
        select(Segment).join(Chain, col(Chain.id) == Segment.chain_id).order_by(col(Segment.id))
    ).all()
    taken_names = set(session.exec(select(Prospect.name_core)))
    taken_codes = set(session.exec(select(Prospect.credit_code)))
    now = utcnow()
    rows = []
    for segment in segments:
        own = words.get(segment.id or 0) or [segment.name]
        for _ in range(rng.randint(per_segment // 2, per_segment * 3 // 2)):
            province, city, division = rng.choice(PLACES)
            name = ""
            while not name or name_key(name) in taken_names:
                brand = "".join(rng.sample(TRADE, rng.choice((2, 2, 3))))  # 3: large lists
                name = f"{city.removesuffix('市')}{brand}{rng.choice(FORMS)}"
            taken_names.add(name_key(name))
            code = ""
            while not code or code in taken_codes:
                body = f"{rng.randrange(10**8):08d}"
                code = credit_code.build("91", division, body)
            taken_codes.add(code)
            products = "、".join(
                [*rng.sample(own, k=min(len(own), rng.randint(1, 2))), rng.choice(EXTRAS)]
            )
            rows.append(
                {
                    "name": name,
                    "name_core": name_key(name),
                    "credit_code": code,
                    "province": province,
                    "city": city,
                    "products": products,
                    "size": rng.choice(SIZES),
                    "listing": rng.choice(LISTINGS),
                    "source_list": rng.choice(SOURCES),
                    "tags": "、".join(rng.sample(TAGS, k=rng.randint(0, 2))),
                    "note": "",
                    "demo": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    ids = bulk.reserve_ids(session, Prospect, len(rows))
    bulk.insert_rows(session, Prospect, [r | {"id": i} for r, i in zip(rows, ids, strict=True)])
    if suggest:
        matching.refresh_prospects(session=session, prospect_ids=ids)
        _tie_leads(session, rng)
    session.flush()
    return len(rows)


def _tie_leads(session: Session, rng: random.Random) -> None:
    """Tie some demo projects to a demo target of their segment, as if made from it."""
    leads = session.exec(
        select(Lead)
        .where(col(Lead.demo), col(Lead.segment_id).is_not(None), col(Lead.prospect_id).is_(None))
        .order_by(col(Lead.id))
        .limit(TIED_LEADS * 3)
    ).all()
    used: set[int] = set()
    tied = 0
    for lead in rng.sample(list(leads), k=len(leads)):
        if tied >= TIED_LEADS:
            break
        candidates = session.exec(
            select(ProspectSegment.prospect_id)
            .join(Prospect, col(Prospect.id) == ProspectSegment.prospect_id)
            .where(ProspectSegment.segment_id == lead.segment_id, col(Prospect.demo))
            .limit(10)
        ).all()
        free = [c for c in candidates if c not in used]
        if not free:
            continue
        lead.prospect_id = free[0]
        used.add(free[0])
        tied += 1


def remove(*, session: Session) -> int:
    """Delete every demo target (projects made from them lose the link); return how many."""
    demo = select(Prospect.id).where(col(Prospect.demo))
    session.execute(update(Lead).where(col(Lead.prospect_id).in_(demo)).values(prospect_id=None))
    removed = len(session.exec(demo).all())
    session.execute(delete(ProspectSegment).where(col(ProspectSegment.prospect_id).in_(demo)))
    session.execute(delete(Prospect).where(col(Prospect.demo)))
    return removed
