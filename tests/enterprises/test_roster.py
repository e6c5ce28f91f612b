from datetime import date

from sqlmodel import Session

from core.accounts import Role
from enterprises import designations, pipeline, roster
from enterprises.pipeline import MoveFields, Stage
from tests.factories import make_enterprise, make_user


def test_counts_and_lists_treat_an_ended_validity_as_lapsed(session: Session) -> None:
    admin = make_user(session, Role.admin)
    high_tech = designations.get_by_code(session=session, code="high-tech")
    firm = make_enterprise(session, park="gaoming", name="佛山市到期计数测试有限公司")
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=firm.id or 0,
        designation=high_tech,
        chain_id=None,
        on=date(2019, 1, 1),
    )
    for stage in (Stage.pool, Stage.applied, Stage.recognised):
        pipeline.move(
            session=session,
            actor=admin,
            cultivation=cultivation,
            data=MoveFields(to_stage=stage, on=date(2019, 6, 1)),
            today=date(2019, 6, 1),
        )
    park = firm.park_id
    today = date.today()
    counts = roster.stage_counts(session=session, today=today, park_id=park)
    assert counts.get((high_tech.id or 0, Stage.lapsed)) == 1
    assert (high_tech.id or 0, Stage.recognised) not in counts
    back_then = roster.stage_counts(session=session, today=date(2020, 1, 1), park_id=park)
    assert back_then.get((high_tech.id or 0, Stage.recognised)) == 1
    _, rows = roster.search(
        session=session, flt=roster.RosterFilter(stage=Stage.lapsed, q="到期计数"), today=today
    )
    assert [r.enterprise_name for r in rows] == [firm.name]
