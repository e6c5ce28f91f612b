from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage
from enterprises.projects.followups import FollowUp
from enterprises.projects.lead_stages import LeadMove
from enterprises.projects.leads import FLOW, Lead, LeadStage
from seeds import demo, demo_volume


def test_bulk_leads_stand_where_their_recorded_moves_took_them(session: Session) -> None:
    demo.generate(session=session, count=200, seed=5)
    assert demo_volume.leads(session=session, count=600, seed=5) == 600
    leads = list(session.exec(select(Lead).where(col(Lead.demo))))
    assert len(leads) == 600
    assert {lead.stage for lead in leads} == set(LeadStage)
    moves: dict[int, list[LeadMove]] = defaultdict(list)
    for move in session.exec(select(LeadMove).order_by(col(LeadMove.id))):
        moves[move.lead_id].append(move)
    latest = select(FollowUp.lead_id, func.max(FollowUp.on)).group_by(FollowUp.lead_id)
    last_note = dict(session.exec(latest).all())
    for lead in leads:
        history = moves[lead.id or 0]
        stage = history[-1].to_stage if history else LeadStage.lead
        assert lead.stage == stage and lead.stage_since == (
            history[-1].on if history else lead.created_on
        )
        stood = [LeadStage.lead, *(m.to_stage for m in history)]
        assert [m.from_stage for m in history] == stood[: len(history)]
        assert lead.last_followup_on == last_note[lead.id]
        if lead.stage in FLOW:
            assert lead.reached == FLOW.index(lead.stage)
        else:
            assert lead.resume_stage is not None and lead.reached == FLOW.index(lead.resume_stage)
        assert (lead.enterprise_id is not None) == (
            lead.reached >= FLOW.index(LeadStage.registered)
        )


def test_histories_fill_the_event_log_to_the_size_asked(session: Session) -> None:
    demo.generate(session=session, count=300, seed=9)
    before = session.exec(select(func.count()).select_from(CultivationEvent)).one()
    added = demo_volume.histories(session=session, events=before + 2000, seed=9)
    after = session.exec(select(func.count()).select_from(CultivationEvent)).one()
    assert after - before == added and before + 2000 <= after < before + 2000 + 5 * 10
    for cultivation in session.exec(select(Cultivation)):
        events = session.exec(
            select(CultivationEvent)
            .where(CultivationEvent.cultivation_id == cultivation.id)
            .order_by(col(CultivationEvent.on))
        ).all()
        assert events[-1].to_stage == cultivation.stage
        if cultivation.stage == Stage.lapsed:
            assert cultivation.valid_until is not None and events[-1].on > cultivation.valid_until
