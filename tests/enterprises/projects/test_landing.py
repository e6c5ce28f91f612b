"""Landing a project (注册落地) with its registered firm, and filling in a pending code."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from chains import service as chain_service
from core import audit
from core.accounts import Role, User
from core.db import china_today
from core.errors import Conflict, FieldErrors, PermissionDenied
from enterprises.projects import landing, lead_duplicates, lead_stages
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import (
    Enterprise,
    EnterpriseUpdate,
    Membership,
    MembershipReview,
    MembershipSource,
)
from tests.factories import make_enterprise, make_lead, make_user, valid_code

START = china_today() - timedelta(days=100)


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session, Role.promotion)


def _signed(session: Session, owner: User, **values: object) -> Lead:
    lead = make_lead(session, owner, on=START, **values)
    data = LeadMoveFields(to_stage=LeadStage.signed, on=START + timedelta(days=1))
    lead_stages.move(session=session, actor=owner, lead=lead, data=data)
    return lead


def _land(session: Session, owner: User, lead: Lead, **given: object) -> None:
    data = LeadMoveFields(to_stage=LeadStage.registered, on=START + timedelta(days=2), **given)  # type: ignore[arg-type]
    lead_stages.move(session=session, actor=owner, lead=lead, data=data)


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({}, "registered_name", "注册落地须指明注册企业"),
        ({"registered_name": "佛"}, "registered_name", "至少 2 个字"),
        ({"registered_name": "佛山新设有限公司"}, "registered_credit_code", "代码待补"),
        (
            {"registered_name": "佛山新设有限公司", "registered_credit_code": "91440604MA4UABC12"},
            "registered_credit_code",
            "应为 18 位",
        ),
        ({"enterprise_id": 999_999}, "enterprise_id", "没有编号为 999999 的企业"),
    ],
)
def test_landing_needs_its_registered_firm(
    session: Session, owner: User, given: dict[str, object], field: str, message: str
) -> None:
    lead = _signed(session, owner)
    with pytest.raises(FieldErrors) as refused:
        _land(session, owner, lead, **given)
    assert message in refused.value.errors[field]


def test_a_wrong_check_character_is_named(session: Session, owner: User) -> None:
    lead = _signed(session, owner)
    code = valid_code(5)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(FieldErrors, match="校验位错误"):
        _land(
            session, owner, lead, registered_name="佛山新设有限公司", registered_credit_code=wrong
        )


def test_landing_with_the_code_pending_enters_the_segment_for_review(
    session: Session, owner: User
) -> None:
    robotics = chain_service.get_by_code(session=session, code="robotics")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[0]
    lead = _signed(session, owner, segment_id=segment.id, investor_name="深圳母公司有限公司")
    _land(session, owner, lead, registered_name="佛山子公司有限公司", registered_code_pending=True)
    firm = session.get_one(Enterprise, lead.enterprise_id)
    assert firm.name == "佛山子公司有限公司" and firm.credit_code is None
    assert firm.credit_code_pending
    member = session.exec(select(Membership).where(Membership.enterprise_id == firm.id)).one()
    assert member.review == MembershipReview.pending
    assert member.entered_by == MembershipSource.project
    assert lead.name in member.entered_note


def test_landing_chooses_a_registry_firm(session: Session, owner: User) -> None:
    firm = make_enterprise(session, name="佛山已在库企业", credit_code=valid_code(31))
    lead = _signed(session, owner)
    count = len(session.exec(select(Enterprise)).all())
    _land(session, owner, lead, enterprise_id=firm.id)
    assert lead.enterprise_id == firm.id
    assert len(session.exec(select(Enterprise)).all()) == count
    assert landing.firm_choices(session=session, term="已在库") == [firm]
    assert landing.firm_choices(session=session, term=valid_code(31).lower()) == [firm]
    assert landing.firm_choices(session=session, term="佛") == []  # too short to search


def test_the_code_is_filled_in_later(session: Session, owner: User) -> None:
    lead = _signed(session, owner)
    _land(session, owner, lead, registered_name="佛山待补有限公司", registered_code_pending=True)
    taken = make_enterprise(session, name="别家企业", credit_code=valid_code(41))
    with pytest.raises(FieldErrors, match="别家企业"):
        landing.fill_code(session=session, actor=owner, lead=lead, code=valid_code(41))
    with pytest.raises(FieldErrors, match="应为 18 位"):
        landing.fill_code(session=session, actor=owner, lead=lead, code="123")
    stranger = make_user(session, Role.promotion, team="别的小组")
    with pytest.raises(PermissionDenied):
        landing.fill_code(session=session, actor=stranger, lead=lead, code=valid_code(42))
    firm = landing.fill_code(session=session, actor=owner, lead=lead, code=valid_code(42).lower())
    assert firm.credit_code == valid_code(42) and not firm.credit_code_pending
    entry = audit.history(session=session, object_type="enterprise", object_id=firm.id or 0)[0]
    assert entry.after == {"credit_code": valid_code(42), "credit_code_pending": False}
    with pytest.raises(Conflict, match="已有统一社会信用代码"):
        landing.fill_code(session=session, actor=owner, lead=lead, code=valid_code(43))
    assert taken.credit_code == valid_code(41)


def test_filling_a_code_needs_a_landed_firm(session: Session, owner: User) -> None:
    lead = _signed(session, owner)
    with pytest.raises(Conflict, match="尚未注册落地"):
        landing.fill_code(session=session, actor=owner, lead=lead, code=valid_code(44))


def test_the_projects_own_firm_is_no_duplicate(session: Session, owner: User) -> None:
    lead = _signed(session, owner, investor_name="佛山同名科技有限公司")
    _land(
        session, owner, lead, registered_name="佛山同名科技有限公司", registered_code_pending=True
    )

    def firms(own: int | None) -> list[str]:
        found = lead_duplicates.duplicates(
            session=session,
            user=owner,
            investor_name=lead.investor_name,
            credit=None,
            exclude=lead.id,
            own_firm=own,
        )
        return [d.name for d in found if d.kind == "enterprise"]

    assert firms(None) == ["佛山同名科技有限公司"]
    assert firms(lead.enterprise_id) == []


def test_the_code_may_be_filled_in_on_the_firm(session: Session, owner: User) -> None:
    lead = _signed(session, owner)
    _land(
        session, owner, lead, registered_name="佛山企业页补填有限公司", registered_code_pending=True
    )
    firm = session.get_one(Enterprise, lead.enterprise_id)
    fields = EnterpriseUpdate.model_validate(
        firm.model_dump(include=set(EnterpriseUpdate.model_fields))
        | {"credit_code": valid_code(45)}
    )
    enterprise_service.update(
        session=session,
        actor=make_user(session, Role.admin),
        enterprise_id=firm.id or 0,
        data=fields,
    )
    assert firm.credit_code == valid_code(45) and not firm.credit_code_pending
