"""Leads: who sees them, the duplicate check, contacts and their masked phones."""

from datetime import UTC, date, datetime, tzinfo

import pytest
from sqlmodel import Session

import core.db
from chains import service as chain_service
from core.accounts import Role
from core.errors import FieldErrors, NotFound, PermissionDenied
from core.orgs import get_park_by_code
from enterprises.projects import lead_contacts, leads
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import LeadFields, LeadStage
from tests.factories import make_lead, make_user


def test_promotion_staff_own_what_they_log_and_only_admins_assign_others(session: Session) -> None:
    promoter = make_user(session, Role.promotion)
    lead = make_lead(session, promoter)
    assert lead.owner_id == promoter.id and lead.team_id == promoter.team_id
    other = make_user(session, Role.promotion)
    with pytest.raises(FieldErrors) as refused:
        make_lead(session, promoter, owner_id=other.id)
    assert "owner_id" in refused.value.errors
    with pytest.raises(PermissionDenied):
        make_lead(session, make_user(session, Role.park_bureau))
    admin = make_user(session, Role.admin)
    assert make_lead(session, admin, owner_id=other.id).owner_id == other.id


def test_segment_sets_the_chain_and_must_belong_to_it(session: Session) -> None:
    promoter = make_user(session, Role.promotion)
    robotics = chain_service.get_by_code(session=session, code="robotics")
    hydrogen = chain_service.get_by_code(session=session, code="hydrogen")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[0]
    lead = make_lead(session, promoter, segment_id=segment.id)
    assert lead.chain_id == robotics.id
    with pytest.raises(FieldErrors) as refused:
        make_lead(session, promoter, chain_id=hydrogen.id, segment_id=segment.id)
    assert "不属于所选产业链" in refused.value.errors["segment_id"]


@pytest.mark.parametrize(
    ("role", "sees_open", "sees_confidential"),
    [
        (Role.admin, True, True),
        (Role.leader, True, True),
        (Role.promotion, True, False),  # of another team
        (Role.chain_chief, True, False),  # chief of the lead's chain
        (Role.park_bureau, True, False),  # bureau of the lead's park
        (Role.viewer, False, False),
    ],
)
def test_confidential_leads_are_seen_by_the_owners_team_admins_and_leaders(
    session: Session, role: Role, sees_open: bool, sees_confidential: bool
) -> None:
    owner = make_user(session, Role.promotion, team="招商二组")
    teammate = make_user(session, Role.promotion, team="招商二组")
    robotics = chain_service.get_by_code(session=session, code="robotics")
    shunde = get_park_by_code(session=session, code="shunde")
    where = {"chain_id": robotics.id, "park_id": shunde.id}
    open_lead = make_lead(session, owner, **where)
    secret = make_lead(session, owner, confidential=True, **where)
    reader = make_user(session, role)
    for lead, expected in ((open_lead, sees_open), (secret, sees_confidential)):
        if expected:
            assert leads.get(session=session, user=reader, lead_id=lead.id or 0) == lead
        else:
            with pytest.raises(NotFound):
                leads.get(session=session, user=reader, lead_id=lead.id or 0)
    assert leads.get(session=session, user=teammate, lead_id=secret.id or 0) == secret


def test_only_the_owner_and_admins_edit_a_lead(session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner, planned_investment=100)
    data = LeadFields.model_validate(lead.model_dump() | {"planned_investment": 5000})
    with pytest.raises(PermissionDenied):
        leads.update(
            session=session,
            actor=make_user(session, Role.promotion),
            lead=lead,
            data=data,
            version=1,
        )
    leads.update(session=session, actor=owner, lead=lead, data=data, version=1)
    assert lead.planned_investment == 5000 and lead.version == 2


def test_contact_phones_are_whole_only_for_the_owners_team_and_admins(session: Session) -> None:
    owner = make_user(session, Role.promotion, team="招商二组")
    lead = make_lead(session, owner)
    contact = lead_contacts.add_contact(
        session=session,
        actor=owner,
        lead=lead,
        data=ContactFields(name="王总", title="总经理", phone="13812341234"),
    )
    teammate = make_user(session, Role.promotion, team="招商二组")
    for reader, allowed in (
        (teammate, True),
        (make_user(session, Role.admin), True),
        (make_user(session, Role.leader), False),
        (make_user(session, Role.promotion, team="招商三组"), False),
    ):
        if allowed:
            shown = lead_contacts.reveal_phone(
                session=session, actor=reader, lead=lead, contact_id=contact.id or 0
            )
            assert shown == "13812341234"
        else:
            with pytest.raises(PermissionDenied):
                lead_contacts.reveal_phone(
                    session=session, actor=reader, lead=lead, contact_id=contact.id or 0
                )


def test_a_lead_naming_a_chain_that_does_not_exist_is_refused(session: Session) -> None:
    """Found by schemathesis: the database refused it with a 500 before."""
    owner = make_user(session, Role.promotion)
    with pytest.raises(FieldErrors, match="目标产业链不存在"):
        leads.create(
            session=session,
            actor=owner,
            data=LeadFields(name="不存在的链", investor_name="某投资有限公司", chain_id=987654),
        )


def test_a_refused_edit_leaves_the_version_so_the_corrected_form_saves(session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner)
    read = lead.version
    fields = lead.model_dump(include=set(LeadFields.model_fields))
    with pytest.raises(FieldErrors):
        bad = LeadFields(**fields | {"chain_id": 987654})
        leads.update(session=session, actor=owner, lead=lead, data=bad, version=read)
    session.flush()
    assert lead.version == read  # the refusal wrote nothing, the version included
    good = LeadFields(**fields | {"description": "更正后"})
    leads.update(session=session, actor=owner, lead=lead, data=good, version=read)
    assert lead.version == read + 1


def test_a_lead_logged_before_eight_in_the_morning_is_dated_by_china_time(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2025-06-30 23:30 UTC is 07:30 on 1 July in Foshan: the 登记日期 is 1 July, a lead dated
    # 1 July is not refused as "later than today" nor taken as entered after its month (补录).
    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> "Clock":
            moment = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
            return cls.fromtimestamp(moment.timestamp(), tz)

    monkeypatch.setattr(core.db, "datetime", Clock)
    promoter = make_user(session, Role.promotion)
    logged = make_lead(session, promoter)
    assert (logged.created_on, logged.stage_since) == (date(2025, 7, 1), date(2025, 7, 1))
    # A move defaults to that day too (not the UTC one, which its stage_since would refuse).
    assert LeadMoveFields(to_stage=LeadStage.contact).on == date(2025, 7, 1)
    dated = make_lead(session, promoter, on=date(2025, 7, 1))
    assert dated.created_on == date(2025, 7, 1) and not dated.backfilled
    with pytest.raises(FieldErrors) as refused:
        make_lead(session, promoter, on=date(2025, 7, 2))
    assert "created_on" in refused.value.errors
