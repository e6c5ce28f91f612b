"""The evaluation figures: funnel, time in stage, landed investment."""

from datetime import date

from sqlmodel import Session

from core.accounts import Role
from core.db import china_today
from enterprises.projects import evaluation, followups, lead_stages
from enterprises.projects.followups import FollowUpFields
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage, Source
from tests.factories import landing_values, make_lead, make_user

S = LeadStage


def test_funnel_conversion_median_days_and_landed_by_source(session: Session) -> None:
    owner = make_user(session, Role.promotion, team="评价小组")

    def walk(lead: Lead, *steps: tuple[LeadStage, date]) -> None:
        for stage, on in steps:
            data = LeadMoveFields(to_stage=stage, on=on, **landing_values(stage))
            lead_stages.move(session=session, actor=owner, lead=lead, data=data)

    jan = date(2025, 1, 1)
    a = make_lead(session, owner, on=jan, planned_investment=1000, source=Source.expo)
    b = make_lead(session, owner, on=jan, planned_investment=3000, source=Source.fund)
    make_lead(session, owner, on=jan, planned_investment=500)
    walk(
        a,
        (S.contact, date(2025, 1, 11)),
        (S.signed, date(2025, 2, 10)),
        (S.registered, date(2025, 3, 1)),
    )
    walk(b, (S.contact, date(2025, 1, 31)), (S.signed, date(2025, 3, 2)))
    result = evaluation.evaluate(
        session=session, user=owner, start=date(2025, 1, 1), end=date(2025, 3, 31)
    )
    funnel = {step.label: step for step in result.funnel}
    assert (funnel["线索"].count, funnel["接洽"].count, funnel["签约"].count) == (3, 2, 2)
    assert funnel["接洽"].conversion == 2 / 3 and funnel["签约"].amount == 4000
    assert funnel["注册落地"].count == 1 and funnel["注册落地"].conversion == 0.5
    median = {label: (days, n) for label, days, n in result.median_days}
    assert median["线索"] == (20.0, 2)  # 10 and 30 days
    assert median["接洽"] == (30.0, 2)
    by_source = {row.name: row for row in result.landed["source"]}
    assert set(by_source) == {"展会"} and by_source["展会"].planned == 1000
    assert [q.name for q in result.landed_by_quarter] == ["2025Q1"]
    rows = evaluation.export_rows(result)
    assert ["落地·按招商渠道", "展会", 1, 1000.0, 0.0] in rows


def test_open_projects_weighted_by_each_stages_landing_rate(session: Session) -> None:
    owner = make_user(session, Role.promotion, team="管道小组")

    def walk(lead: Lead, *steps: tuple[LeadStage, date], **extra: object) -> None:
        for stage, on in steps:
            values = extra | landing_values(stage)
            data = LeadMoveFields(to_stage=stage, on=on, **values)  # type: ignore[arg-type]
            lead_stages.move(session=session, actor=owner, lead=lead, data=data)

    jan = date(2025, 1, 1)
    landed = make_lead(session, owner, on=jan, planned_investment=1000)
    signed = make_lead(session, owner, on=jan, planned_investment=3000)
    fresh = make_lead(session, owner, on=jan, planned_investment=500)
    gone = make_lead(session, owner, on=jan, planned_investment=2000)
    walk(landed, (S.signed, date(2025, 2, 1)), (S.registered, date(2025, 3, 1)))
    walk(signed, (S.signed, date(2025, 2, 1)))
    walk(gone, (S.contact, date(2025, 2, 1)))
    walk(gone, (S.dropped, date(2025, 3, 1)), drop_reason="elsewhere")
    result = evaluation.evaluate(session=session, user=owner, start=jan, end=date(2025, 12, 31))
    rows = {row.label: row for row in result.pipeline}
    # Of resolved projects that were ever leads, one landed and one was dropped: 50 %.
    assert rows["线索"].landing_rate == 0.5 and rows["线索"].expected == 250
    # Every resolved project that reached signing landed.
    assert rows["签约"].landing_rate == 1.0 and rows["签约"].expected == 3000
    assert result.expected_landing == 3250
    assert fresh.stage == S.lead


def test_a_follow_up_keeps_the_cached_evaluation_and_a_move_renews_it(session: Session) -> None:
    owner = make_user(session, Role.promotion, team="缓存小组")
    lead = make_lead(session, owner, on=date(2025, 1, 1), planned_investment=800)
    period = {"start": date(2025, 1, 1), "end": china_today()}
    first = evaluation.evaluate(session=session, user=owner, **period)
    note = FollowUpFields(on=date(2025, 1, 5), notes="电话沟通", next_step="安排考察")
    followups.log(session=session, actor=owner, lead=lead, data=note)
    assert evaluation.evaluate(session=session, user=owner, **period) is first
    data = LeadMoveFields(to_stage=S.contact, on=date(2025, 1, 10))
    lead_stages.move(session=session, actor=owner, lead=lead, data=data)
    renewed = evaluation.evaluate(session=session, user=owner, **period)
    assert renewed is not first
    assert {s.label: s.count for s in renewed.funnel}["接洽"] == 1 + {
        s.label: s.count for s in first.funnel
    }["接洽"]
