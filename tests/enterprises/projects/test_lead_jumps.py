"""A person's move past stages needs a note; history read from a ledger does not."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from core.accounts import Role, User
from core.db import china_today
from enterprises.projects import lead_stages
from enterprises.projects.lead_stages import LeadMoveFields, StageMoveRefused
from enterprises.projects.leads import LeadStage
from tests.factories import landing_values, make_lead, make_user

S = LeadStage
START = china_today() - timedelta(days=60)


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session, Role.promotion)


def test_a_jump_by_hand_needs_a_note(session: Session, owner: User) -> None:
    lead = make_lead(session, owner, on=START)
    data = LeadMoveFields(to_stage=S.negotiation, on=START)
    assert lead_stages.skipped(lead, S.negotiation) == [S.contact, S.visit]
    with pytest.raises(StageMoveRefused) as caught:
        lead_stages.move(session=session, actor=owner, lead=lead, data=data, by_hand=True)
    assert caught.value.message == "一次跨越多个阶段（跳过接洽、考察）须填写说明"
    assert lead.stage == S.lead
    noted = LeadMoveFields(to_stage=S.negotiation, on=START, note="展会上直接进入洽谈")
    lead_stages.move(session=session, actor=owner, lead=lead, data=noted, by_hand=True)
    assert lead.stage == S.negotiation
    # One stage at a time, holding and resuming need no note.
    for stage in (S.signed, S.on_hold, S.signed, S.registered):
        step = LeadMoveFields(to_stage=stage, on=START, **landing_values(stage))
        lead_stages.move(session=session, actor=owner, lead=lead, data=step, by_hand=True)
    assert lead.stage == S.registered


def test_a_held_lead_jumping_on_from_where_it_stood_needs_a_note(
    session: Session, owner: User
) -> None:
    lead = make_lead(session, owner, on=START)
    for stage in (S.contact, S.on_hold):
        data = LeadMoveFields(to_stage=stage, on=START)
        lead_stages.move(session=session, actor=owner, lead=lead, data=data, by_hand=True)
    assert lead_stages.skipped(lead, S.negotiation) == [S.visit]
    with pytest.raises(StageMoveRefused):
        data = LeadMoveFields(to_stage=S.negotiation, on=START)
        lead_stages.move(session=session, actor=owner, lead=lead, data=data, by_hand=True)


def test_history_from_a_ledger_passes_without_a_note(session: Session, owner: User) -> None:
    lead = make_lead(session, owner, on=START)
    data = LeadMoveFields(to_stage=S.signed, on=START + timedelta(days=5))
    lead_stages.move(session=session, actor=owner, lead=lead, data=data)
    assert lead.stage == S.signed
