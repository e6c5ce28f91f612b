"""Follow-ups and the watch lists (stalled, overdue next steps, stale leads) on fixed dates."""

from datetime import date

import pytest
from sqlmodel import Session

from core.accounts import Role, User
from core.errors import FieldErrors, PermissionDenied
from core.orgs import get_park_by_code
from enterprises.projects import carriers, followups, lead_stages, lead_watch
from enterprises.projects.carriers import CarrierFields, CarrierKind
from enterprises.projects.followups import FollowUpFields
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage
from tests.factories import landing_values, make_lead, make_user

S = LeadStage


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session, Role.promotion)


def _walk(session: Session, owner: User, lead: Lead, *steps: tuple[LeadStage, date]) -> None:
    for stage, on in steps:
        data = LeadMoveFields(to_stage=stage, on=on, **landing_values(stage))
        lead_stages.move(session=session, actor=owner, lead=lead, data=data)


def test_the_newest_follow_up_sets_the_open_next_step(session: Session, owner: User) -> None:
    lead = make_lead(session, owner, on=date(2025, 1, 1))
    followups.log(
        session=session,
        actor=owner,
        lead=lead,
        data=FollowUpFields(
            on=date(2025, 2, 1), notes="电话沟通", next_step="寄送资料", next_due=date(2025, 2, 10)
        ),
    )
    followups.log(
        session=session,
        actor=owner,
        lead=lead,
        data=FollowUpFields(on=date(2025, 1, 15), notes="补记：首次接触"),
    )
    assert lead.last_followup_on == date(2025, 2, 1) and lead.next_step == "寄送资料"
    entries = followups.of_lead(session=session, lead_id=lead.id or 0)
    assert [e.on for e in entries] == [date(2025, 2, 1), date(2025, 1, 15)]
    with pytest.raises(PermissionDenied):
        followups.log(
            session=session,
            actor=make_user(session, Role.leader),
            lead=lead,
            data=FollowUpFields(on=date(2025, 2, 2), notes="x"),
        )


def test_a_due_date_needs_a_next_step_not_before_the_follow_up() -> None:
    with pytest.raises(FieldErrors) as refused:
        FollowUpFields(on=date(2025, 2, 1), notes="x", next_step="回访", next_due=date(2025, 1, 1))
    assert "next_due" in refused.value.errors
    with pytest.raises(FieldErrors) as refused:
        FollowUpFields(on=date(2025, 2, 1), notes="x", next_due=date(2025, 3, 1))
    assert "next_step" in refused.value.errors


def test_overdue_next_steps_and_stale_leads_on_a_fixed_day(session: Session, owner: User) -> None:
    quiet = make_lead(session, owner, name="久未跟进项目", on=date(2025, 1, 1))
    busy = make_lead(session, owner, name="跟进中项目", on=date(2025, 1, 1))
    followups.log(
        session=session,
        actor=owner,
        lead=busy,
        data=FollowUpFields(
            on=date(2025, 1, 20), notes="见面", next_step="发送方案", next_due=date(2025, 1, 25)
        ),
    )
    today = date(2025, 2, 5)  # a lead may go 30 days without a follow-up
    overdue = lead_watch.overdue_steps(session=session, user=owner, today=today, owner_id=owner.id)
    assert [(f.lead.name, f.days_over) for f in overdue] == [("跟进中项目", 11)]
    stale = lead_watch.stale(session=session, user=owner, today=today, owner_id=owner.id)
    assert [(f.lead.name, f.days_over) for f in stale] == [("久未跟进项目", 5)]
    assert quiet.id != busy.id


def test_stalled_projects_per_milestone_with_days_overdue(session: Session, owner: User) -> None:
    unregistered = make_lead(session, owner, name="签约未注册", on=date(2024, 1, 1))
    _walk(session, owner, unregistered, (S.signed, date(2024, 1, 10)))
    no_site = make_lead(session, owner, name="注册未供地", on=date(2024, 1, 1))
    _walk(session, owner, no_site, (S.signed, date(2024, 1, 2)), (S.registered, date(2024, 2, 1)))
    in_time = make_lead(session, owner, name="按期推进", on=date(2024, 1, 1))
    _walk(session, owner, in_time, (S.signed, date(2024, 5, 1)))
    today = date(2024, 6, 1)
    found = lead_watch.stalled(session=session, user=owner, today=today)
    mine = [(f.lead.name, f.reason, f.days_over) for f in found if f.lead.owner_id == owner.id]
    # 签约 2024-01-10 + 90 days = 2024-04-09, overdue 53 days by 6-01; 注册 2-01 + 180: not yet
    assert mine == [("签约未注册", "签约未注册", 53)]
    lead_watch.set_limits(
        session=session,
        actor=make_user(session, Role.admin),
        values={"stall:registered_no_site": 60},
    )
    names = {f.lead.name for f in lead_watch.stalled(session=session, user=owner, today=today)}
    assert "注册未供地" in names and "按期推进" not in names


def test_a_reserved_carrier_secures_the_site(session: Session, owner: User) -> None:
    lead = make_lead(session, owner, name="供地未开工", on=date(2024, 1, 1))
    _walk(session, owner, lead, (S.signed, date(2024, 1, 2)), (S.registered, date(2024, 1, 3)))
    park = get_park_by_code(session=session, code="nanhai")
    carrier = carriers.create(
        session=session,
        actor=make_user(session, Role.admin),
        data=CarrierFields(
            park_id=park.id or 0,
            name="测试标准厂房",
            kind=CarrierKind.factory,
            total_area=5000,
            available_area=5000,
        ),
    )
    carriers.reserve(session=session, actor=owner, carrier=carrier, lead=lead, on=date(2024, 1, 5))
    assert lead.site_on == date(2024, 1, 5) and carrier.reserved_lead_id == lead.id
    found = lead_watch.stalled(session=session, user=owner, today=date(2024, 12, 1))
    assert [(f.reason, f.days_over) for f in found if f.lead.id == lead.id] == [("供地未开工", 151)]


def test_limits_are_admin_only_and_checked(session: Session) -> None:
    with pytest.raises(PermissionDenied):
        lead_watch.set_limits(
            session=session, actor=make_user(session, Role.promotion), values={"stale:lead": 10}
        )
    with pytest.raises(FieldErrors) as refused:
        lead_watch.set_limits(
            session=session,
            actor=make_user(session, Role.admin),
            values={"stale:lead": 0, "stall:nonsense": 5},
        )
    assert set(refused.value.errors) == {"stale:lead", "stall:nonsense"}
