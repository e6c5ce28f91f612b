"""Stage rules, landing as a firm, capital arrivals."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from chainmaps import figures as chain_figures
from chains import service as chain_service
from core.accounts import Role, User
from core.db import china_today
from core.errors import Conflict, FieldErrors, PermissionDenied
from core.orgs import get_park_by_code
from enterprises.projects import lead_stages
from enterprises.projects.lead_stages import (
    ArrivalFields,
    DropReason,
    LeadMoveFields,
    StageMoveRefused,
)
from enterprises.projects.leads import Lead, LeadStage
from enterprises.registry.models import Enterprise, Membership
from tests.factories import make_enterprise, make_lead, make_user, valid_code

START = china_today() - timedelta(days=400)
S = LeadStage


def _move(
    session: Session, actor: User, lead: Lead, to: LeadStage, days: int = 0, **kw: object
) -> None:
    data = LeadMoveFields(to_stage=to, on=START + timedelta(days=days), **kw)  # type: ignore[arg-type]
    lead_stages.move(session=session, actor=actor, lead=lead, data=data)


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session, Role.promotion)


def test_before_signing_a_lead_may_skip_ahead(session: Session, owner: User) -> None:
    lead = make_lead(session, owner, on=START)
    _move(session, owner, lead, S.negotiation, 5)
    _move(session, owner, lead, S.signed, 9)
    assert lead.stage == S.signed and lead.reached == 4 and lead.stage_since == START + timedelta(9)
    assert [m.to_stage for m in lead_stages.moves(session=session, lead_id=lead.id or 0)] == [
        S.signed,
        S.negotiation,
    ]


@pytest.mark.parametrize(
    ("path", "target", "extra", "message"),
    [
        ([S.signed], S.construction, {}, "签约后须逐级推进：当前为“签约”，下一步应为“注册落地”"),
        ([], S.registered, {}, "签约后须逐级推进"),
        ([S.negotiation], S.contact, {}, "退回到“接洽”须填写说明"),
        ([], S.dropped, {}, "终止项目须选择终止原因"),
        ([], S.lead, {}, "项目已处于“线索”阶段"),
    ],
)
def test_moves_the_rules_refuse(
    session: Session,
    owner: User,
    path: list[LeadStage],
    target: LeadStage,
    extra: dict[str, str],
    message: str,
) -> None:
    lead = make_lead(session, owner, on=START)
    for step, stage in enumerate(path, start=1):
        _move(session, owner, lead, stage, step)
    with pytest.raises(StageMoveRefused) as refused:
        _move(session, owner, lead, target, 20, **extra)
    assert message in refused.value.message


def test_hold_resumes_where_it_stood_and_a_dropped_lead_reopens_only_there(
    session: Session, owner: User
) -> None:
    lead = make_lead(session, owner, on=START)
    _move(session, owner, lead, S.visit, 1)
    _move(session, owner, lead, S.on_hold, 2)
    assert lead.resume_stage == S.visit
    assert lead_stages.next_stages(lead)[0] == S.visit
    _move(session, owner, lead, S.visit, 3)
    assert lead.resume_stage is None
    _move(session, owner, lead, S.dropped, 4, drop_reason=DropReason.elsewhere, note="落户东莞")
    assert lead.drop_reason == "elsewhere" and lead.resume_stage == S.visit
    assert lead_stages.next_stages(lead) == []
    with pytest.raises(StageMoveRefused, match="只能在原阶段“考察”重新启动"):
        _move(session, owner, lead, S.negotiation, 5, note="重新接触")
    with pytest.raises(StageMoveRefused, match="须填写说明"):
        _move(session, owner, lead, S.visit, 5)
    _move(session, owner, lead, S.visit, 5, note="对方重新考虑")
    assert lead.stage == S.visit and lead.resume_stage is None


def test_dates_must_not_be_in_the_future_or_before_the_current_stage(
    session: Session, owner: User
) -> None:
    lead = make_lead(session, owner, on=START)
    _move(session, owner, lead, S.contact, 10)
    with pytest.raises(FieldErrors, match="早于"):
        _move(session, owner, lead, S.visit, 9)
    with pytest.raises(FieldErrors, match="晚于今天"):
        _move(session, owner, lead, S.visit, 500)


def test_only_the_owner_or_an_admin_moves_and_a_stale_version_conflicts(
    session: Session, owner: User
) -> None:
    lead = make_lead(session, owner, on=START)
    with pytest.raises(PermissionDenied):
        _move(session, make_user(session, Role.promotion), lead, S.contact, 1)
    data = LeadMoveFields(to_stage=S.contact, on=START)
    with pytest.raises(Conflict):
        lead_stages.move(session=session, actor=owner, lead=lead, data=data, version=0)
    _move(session, make_user(session, Role.admin), lead, S.contact, 1)


def _signed(session: Session, owner: User, **values: object) -> Lead:
    lead = make_lead(session, owner, on=START, **values)
    _move(session, owner, lead, S.signed, 1)
    return lead


def test_landing_creates_the_firm_in_the_target_segment(session: Session, owner: User) -> None:
    robotics = chain_service.get_by_code(session=session, code="robotics")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[0]
    park = get_park_by_code(session=session, code="nanhai")
    counts = chain_figures.segment_counts(session=session, chain_id=robotics.id)
    assert segment.id not in counts  # no firm there yet
    lead = _signed(
        session, owner, investor_name="深圳某机器人有限公司", segment_id=segment.id, park_id=park.id
    )
    code = valid_code(777)
    _move(
        session,
        owner,
        lead,
        S.registered,
        30,
        registered_name="佛山某机器人有限公司",
        registered_credit_code=code,
    )
    firm = session.get(Enterprise, lead.enterprise_id)
    assert firm is not None and firm.name == "佛山某机器人有限公司"
    assert firm.credit_code == code and firm.park_id == park.id
    assert lead.registered_on == START + timedelta(30)
    # The firm waits for the chain chief's review: the map does not count it yet.
    after = chain_figures.segment_counts(session=session, chain_id=robotics.id)
    assert segment.id not in after
    member = session.exec(select(Membership).where(Membership.enterprise_id == firm.id)).one()
    assert member.segment_id == segment.id and member.review == "pending"


def test_landing_links_an_existing_firm_by_credit_code(session: Session, owner: User) -> None:
    code = valid_code(778)
    firm = make_enterprise(session, name="已登记企业", credit_code=code)
    robotics = chain_service.get_by_code(session=session, code="robotics")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[1]
    lead = _signed(session, owner, segment_id=segment.id)
    count = len(session.exec(select(Enterprise)).all())
    _move(
        session, owner, lead, S.registered, 30, registered_name="别名", registered_credit_code=code
    )
    assert lead.enterprise_id == firm.id
    assert len(session.exec(select(Enterprise)).all()) == count
    assert session.exec(
        select(Membership).where(
            Membership.enterprise_id == firm.id, Membership.segment_id == segment.id
        )
    ).one()


def test_capital_arrives_only_after_signing(session: Session, owner: User) -> None:
    lead = make_lead(session, owner, on=START)
    data = ArrivalFields(amount=500, arrived_on=START + timedelta(40))
    with pytest.raises(FieldErrors, match="签约前"):
        lead_stages.add_arrival(session=session, actor=owner, lead=lead, data=data)
    _move(session, owner, lead, S.signed, 1)
    lead_stages.add_arrival(session=session, actor=owner, lead=lead, data=data)
    lead_stages.add_arrival(
        session=session, actor=owner, lead=lead, data=ArrivalFields(amount=250.5, arrived_on=START)
    )
    assert lead.capital_arrived == 750.5
    assert [a.amount for a in lead_stages.arrivals(session=session, lead_id=lead.id or 0)] == [
        500,
        250.5,
    ]
