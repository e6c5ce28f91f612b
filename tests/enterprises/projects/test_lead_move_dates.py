"""Dated moves: the effective date apart from the time recorded, and an admin's correction."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core.accounts import Role, User
from core.audit import AuditEntry
from core.db import china_today
from core.errors import FieldErrors, NotFound, PermissionDenied
from enterprises.projects import followups, lead_move_dates, lead_stages, lead_watch
from enterprises.projects.lead_move_dates import MoveDateFields
from enterprises.projects.lead_stages import LeadMove, LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage
from tests.factories import landing_values, make_lead, make_user

TODAY = china_today()
START = TODAY - timedelta(days=400)
S = LeadStage


def _move(session: Session, actor: User, lead: Lead, to: LeadStage, days: int) -> LeadMove:
    data = LeadMoveFields(to_stage=to, on=START + timedelta(days=days), **landing_values(to))
    return lead_stages.move(session=session, actor=actor, lead=lead, data=data)


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session, Role.promotion)


@pytest.fixture
def admin(session: Session) -> User:
    return make_user(session, Role.admin)


@pytest.fixture
def lead(session: Session, owner: User) -> Lead:
    lead = make_lead(session, owner, on=START)
    _move(session, owner, lead, S.negotiation, 10)
    _move(session, owner, lead, S.signed, 50)
    _move(session, owner, lead, S.registered, 90)
    return lead


def _moves(session: Session, lead: Lead) -> list[LeadMove]:
    return list(session.exec(select(LeadMove).where(LeadMove.lead_id == lead.id)))


def test_a_move_keeps_its_effective_date_apart_from_when_it_was_recorded(
    session: Session, lead: Lead
) -> None:
    signed = _moves(session, lead)[1]
    assert signed.on == START + timedelta(days=50)
    assert signed.recorded_at.date() >= TODAY - timedelta(days=1)
    assert lead.stage_since == START + timedelta(days=90)
    assert lead.registered_on == START + timedelta(days=90)


def test_a_lead_registered_in_an_earlier_month_is_marked_back_entered(
    session: Session, owner: User
) -> None:
    old = make_lead(session, owner, on=START)
    new = make_lead(session, owner)
    assert old.created_on == START and old.backfilled
    assert new.created_on == TODAY and not new.backfilled
    with pytest.raises(FieldErrors) as caught:
        make_lead(session, owner, on=TODAY + timedelta(days=1))
    assert "登记日期不能晚于今天" in caught.value.errors["created_on"]


def test_an_admin_corrects_a_date_and_the_clocks_follow(
    session: Session, admin: User, lead: Lead
) -> None:
    negotiation, signed, registered = _moves(session, lead)
    fixed = START + timedelta(days=40)
    data = MoveDateFields(on=fixed, reason="台账记录签约日期为 40 天后")
    lead_move_dates.correct_date(
        session=session, actor=admin, lead=lead, move_id=signed.id or 0, data=data
    )
    assert signed.on == fixed and signed.date_correction == "台账记录签约日期为 40 天后"
    assert signed.date_corrected_at is not None
    assert registered.since == fixed  # the stay in 签约 now starts at the corrected date
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "correct_date")).one()
    assert entry.before == {"on": (START + timedelta(days=50)).isoformat()}
    assert entry.after == {"on": fixed.isoformat(), "reason": "台账记录签约日期为 40 天后"}
    # The last move carries the lead's stage clock and its landing date.
    last = START + timedelta(days=95)
    data = MoveDateFields(on=last, reason="以营业执照日期为准")
    lead_move_dates.correct_date(
        session=session, actor=admin, lead=lead, move_id=registered.id or 0, data=data
    )
    assert lead.stage_since == last and lead.registered_on == last
    timeline = followups.timeline(session=session, lead=lead)
    assert [h.on for h in timeline if h.kind == "move"][:2] == [last, fixed]


@pytest.mark.parametrize(
    ("index", "days", "message"),
    [
        (1, 5, "不能早于上一次移动的日期"),
        (1, 95, "不能晚于下一次移动的日期"),
        (0, -3, "不能早于项目登记的日期"),
        (2, 500, "不能晚于今天"),
    ],
)
def test_a_corrected_date_stays_between_its_neighbours(
    session: Session, admin: User, lead: Lead, index: int, days: int, message: str
) -> None:
    move = _moves(session, lead)[index]
    data = MoveDateFields(on=START + timedelta(days=days), reason="更正")
    with pytest.raises(FieldErrors) as caught:
        lead_move_dates.correct_date(
            session=session, actor=admin, lead=lead, move_id=move.id or 0, data=data
        )
    assert message in caught.value.errors["on"]


def test_only_an_admin_corrects_and_only_moves_of_that_lead(
    session: Session, owner: User, admin: User, lead: Lead
) -> None:
    signed = _moves(session, lead)[1]
    data = MoveDateFields(on=START + timedelta(days=45), reason="更正日期")
    with pytest.raises(PermissionDenied):
        lead_move_dates.correct_date(
            session=session, actor=owner, lead=lead, move_id=signed.id or 0, data=data
        )
    other = make_lead(session, owner, on=START)
    with pytest.raises(NotFound):
        lead_move_dates.correct_date(
            session=session, actor=admin, lead=other, move_id=signed.id or 0, data=data
        )
    with pytest.raises(NotFound):
        lead_move_dates.correct_date(
            session=session, actor=admin, lead=lead, move_id=10**9, data=data
        )


def test_stalled_alerts_read_the_effective_dates(session: Session, owner: User) -> None:
    lead = make_lead(session, owner, on=START)
    _move(session, owner, lead, S.signed, 10)
    flagged = lead_watch.stalled(session=session, user=owner, today=TODAY)
    assert [f.since for f in flagged if f.lead.id == lead.id] == [START + timedelta(days=10)]
