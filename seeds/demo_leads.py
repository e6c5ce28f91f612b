"""Demo investment projects and carriers, built through the services and deterministic by seed.

Leads are logged from early 2024 on by the demo promotion staff and walked through their
stages with follow-ups, contacts and capital arrivals, so the board, the watch lists and the
evaluation all have something to show. Everything is marked demo and removable.
"""

import random
from datetime import date, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from chains.models import Segment
from core.accounts import Role, User
from core.db import china_today
from core.orgs import Park
from enterprises.projects import carriers, followups, lead_contacts, lead_stages, leads
from enterprises.projects.carriers import Carrier, CarrierFields, CarrierKind
from enterprises.projects.followups import FollowUpFields, FollowUpKind
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_stages import ArrivalFields, DropReason, LeadMoveFields
from enterprises.projects.leads import (
    FLOW,
    Lead,
    LeadFields,
    LeadStage,
    Source,
    SpaceKind,
    SpaceUnit,
)
from enterprises.registry import credit_code
from enterprises.registry.models import Enterprise, Origin

CITIES = ["深圳市", "广州市", "东莞市", "上海市", "苏州市", "杭州市", "北京市", "宁波市", "香港"]
TRADE = list("华瑞博宇锐拓晟隆骏峰卓越中联远航新星精诚信德恒通")
BUSINESS = ["智能装备", "新能源科技", "精密制造", "机器人", "新材料", "医疗器械", "汽车零部件"]
PROJECTS = ["生产基地项目", "研发中心项目", "华南总部项目", "智能工厂项目", "扩产项目"]
PEOPLE = list("陈李黄张梁林何吴罗郑冯谭邓")
SERVICE_LEADS = 400  # walked through the services; a larger demo is written in bulk
FURTHEST = [(0, 8), (1, 8), (2, 6), (3, 6), (4, 4), (5, 3), (6, 2), (7, 2), (8, 1)]
DEMO_CARRIERS = [
    ("shunde", "顺德机器人谷标准厂房A区", CarrierKind.factory, 24000),
    ("shunde", "北滘智造园二期厂房", CarrierKind.factory, 12000),
    ("nanhai", "狮山科技园研发楼", CarrierKind.office, 8000),
    ("nanhai", "南海加速器中试车间", CarrierKind.incubator, 3000),
    ("chancheng", "张槎智能制造产业园厂房", CarrierKind.factory, 15000),
    ("gaoming", "鑫创智谷孵化器", CarrierKind.incubator, 2000),
    ("gaoming", "沧江工业园地块", CarrierKind.land, 80000),
    ("sanshui", "三水万亩产业园地块一", CarrierKind.land, 133000),
    ("sanshui", "云东海标准厂房", CarrierKind.factory, 30000),
]


def _carriers(session: Session, admin: User, parks: dict[str, int]) -> None:
    for park, name, kind, area in DEMO_CARRIERS:
        data = CarrierFields(
            park_id=parks[park],
            name=name,
            kind=kind,
            total_area=area,
            available_area=area,
            rent=None if kind == CarrierKind.land else 18.0,
            price=area / 666.67 * 60 if kind == CarrierKind.land else None,
            floor_load=None if kind == CarrierKind.land else 8.0,
            land_use="M1 工业用地" if kind == CarrierKind.land else "",
        )
        carriers.create(session=session, actor=admin, data=data).demo = True


def _day(rng: random.Random, after: date, spread: int, today: date) -> date:
    return min(today, after + timedelta(days=rng.randint(1, spread)))


def _lead(
    session: Session,
    rng: random.Random,
    owner: User,
    segments: list[Segment],
    parks: list[int],
    today: date,
) -> None:
    segment = rng.choice(segments)
    business = rng.choice(BUSINESS)
    trade = "".join(rng.sample(TRADE, 2))
    investor = f"{rng.choice(CITIES)}{trade}{business}有限公司"
    land = rng.random() < 0.25
    data = LeadFields(
        name=f"{trade}{business}{rng.choice(PROJECTS)}",
        investor_name=investor,
        source=rng.choice(list(Source)),
        segment_id=segment.id,
        planned_investment=round(rng.lognormvariate(9, 1.1), -1),
        expected_output=round(rng.lognormvariate(9.5, 1), -1),
        expected_tax=round(rng.lognormvariate(6.5, 1), -1),
        space_need=rng.choice([30, 50, 80, 120]) if land else rng.choice([2000, 5000, 10000]),
        space_unit=SpaceUnit.mu if land else SpaceUnit.m2,
        space_kind=SpaceKind.land if land else SpaceKind.building,
        park_id=rng.choice(parks),
        confidential=rng.random() < 0.08,
    )
    created = today - timedelta(days=rng.randint(20, 1000))
    lead = leads.create(session=session, actor=owner, data=data, on=created)
    lead.demo = True
    lead_contacts.add_contact(
        session=session,
        actor=owner,
        lead=lead,
        data=ContactFields(
            name=f"{rng.choice(PEOPLE)}总",
            title=rng.choice(["总经理", "董事长", "投资总监"]),
            phone=f"13{rng.randint(100000000, 999999999)}",
        ),
    )
    _walk(session, rng, owner, lead, today)


def _landing(rng: random.Random, lead: Lead, data: LeadMoveFields) -> LeadMoveFields:
    """The firm a demo project registered: a local company, one in five with its code pending."""
    name = f"佛山{lead.name.removesuffix('项目')}有限公司"
    if rng.random() < 0.2:
        return data.model_copy(update={"registered_name": name, "registered_code_pending": True})
    code = credit_code.build("91", "440604", f"LD{lead.id or 0:06d}")
    return data.model_copy(update={"registered_name": name, "registered_credit_code": code})


def _walk(session: Session, rng: random.Random, owner: User, lead: Lead, today: date) -> None:
    furthest = rng.choices([f for f, _ in FURTHEST], [w for _, w in FURTHEST])[0]
    on = lead.created_on
    for stage in FLOW[1 : furthest + 1]:
        step = on + timedelta(days=rng.randint(1, 120 if FLOW.index(stage) > 4 else 45))
        if step > today:  # the project has not got that far yet
            break
        on = step
        data = LeadMoveFields(to_stage=stage, on=on)
        if stage == LeadStage.registered:
            data = _landing(rng, lead, data)
        lead_stages.move(session=session, actor=owner, lead=lead, data=data)
        if stage == LeadStage.registered and lead.enterprise_id:
            firm = session.get(Enterprise, lead.enterprise_id)
            if firm is not None:
                firm.origin = Origin.demo
        if FLOW.index(stage) >= FLOW.index(LeadStage.signed) and rng.random() < 0.6:
            amount = round((lead.planned_investment or 1000) * rng.uniform(0.05, 0.3), 1)
            arrival = ArrivalFields(amount=amount, arrived_on=on)
            lead_stages.add_arrival(session=session, actor=owner, lead=lead, data=arrival)
    ending = rng.random()
    if ending < 0.08 and lead.stage != LeadStage.capacity:
        reason = rng.choice(list(DropReason))
        data = LeadMoveFields(
            to_stage=LeadStage.dropped, on=_day(rng, on, 30, today), drop_reason=reason
        )
        lead_stages.move(session=session, actor=owner, lead=lead, data=data)
    elif ending < 0.14 and lead.stage != LeadStage.capacity:
        data = LeadMoveFields(to_stage=LeadStage.on_hold, on=_day(rng, on, 30, today))
        lead_stages.move(session=session, actor=owner, lead=lead, data=data)
    _follow_ups(session, rng, owner, lead, today)


def _follow_ups(session: Session, rng: random.Random, owner: User, lead: Lead, today: date) -> None:
    """A few follow-ups along the way; most open leads also had one in the last weeks."""
    days = [_day(rng, lead.created_on, 60, today) for _ in range(rng.randint(1, 3))]
    if lead.stage not in (LeadStage.dropped, LeadStage.capacity) and rng.random() < 0.8:
        days.append(max(lead.stage_since, today - timedelta(days=rng.randint(0, 25))))
    for on in sorted(days):
        late = rng.random() < 0.15
        due = on + timedelta(days=rng.randint(3, 10) if late else rng.randint(15, 45))
        data = FollowUpFields(
            kind=rng.choice(list(FollowUpKind)),
            on=on,
            people=owner.display_name,
            notes=rng.choice(
                ["电话了解投资意向", "陪同考察园区载体", "洽谈用地与扶持政策", "对接链主企业配套"]
            ),
            next_step=rng.choice(["发送政策汇编", "安排实地考察", "提交项目方案", "协调供地"]),
            next_due=due,
        )
        followups.log(session=session, actor=owner, lead=lead, data=data)


def generate(*, session: Session, count: int = SERVICE_LEADS, seed: int = 2023) -> int:
    """Create demo carriers and `count` demo leads owned by the demo promotion staff."""
    rng = random.Random(seed)
    owners = list(session.exec(select(User).where(User.role == Role.promotion)))
    admin = session.exec(select(User).where(User.role == Role.admin)).first()
    if not owners or admin is None:
        return 0
    parks = {p.code: p.id or 0 for p in session.exec(select(Park).where(Park.kind == "park"))}
    _carriers(session, admin, parks)
    segments = list(session.exec(select(Segment)))
    today = china_today()
    for _ in range(count):
        _lead(session, rng, rng.choice(owners), segments, list(parks.values()), today)
    session.flush()
    return count


def remove(*, session: Session) -> int:
    """Delete every demo lead and demo carrier; return how many leads went."""
    demo_leads = select(Lead.id).where(col(Lead.demo))
    session.execute(
        update(Carrier)
        .where(col(Carrier.reserved_lead_id).in_(demo_leads))
        .values(reserved_lead_id=None, status="available")
    )
    session.execute(delete(Carrier).where(col(Carrier.demo)))
    removed = len(session.exec(demo_leads).all())
    session.execute(delete(Lead).where(col(Lead.demo)))
    return removed
