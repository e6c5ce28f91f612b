from datetime import date

from sqlmodel import Session, select

from core.accounts import Role, User
from core.db import china_today
from enterprises.cultivation import designations, pipeline, roster
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import MoveFields, Stage
from enterprises.registry.models import Enterprise
from tests.factories import make_enterprise, make_user


def _walk(
    session: Session,
    admin: User,
    firm: Enterprise,
    designation: Designation,
    started: date,
    stage: Stage,
    moved: date,
) -> None:
    """Make the firm a candidate on `started`, then move it on to `stage` on `moved`."""
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=firm.id or 0,
        designation=designation,
        chain_id=None,
        on=started,
    )
    path = [Stage.pool, Stage.applied, Stage.recognised]
    for step in path[: path.index(stage) + 1] if stage in path else []:
        pipeline.move(
            session=session,
            actor=admin,
            cultivation=cultivation,
            data=MoveFields(to_stage=step, on=moved),
            today=moved,
        )


def test_counts_and_lists_treat_an_ended_validity_as_lapsed(session: Session) -> None:
    admin = make_user(session, Role.admin)
    high_tech = designations.get_by_code(session=session, code="high-tech")
    firm = make_enterprise(session, park="gaoming", name="佛山市到期计数测试有限公司")
    _walk(session, admin, firm, high_tech, date(2019, 1, 1), Stage.recognised, date(2019, 6, 1))
    park = firm.park_id
    today = china_today()
    counts = roster.stage_counts(session=session, today=today, park_id=park)
    assert counts.get((high_tech.id or 0, Stage.lapsed)) == 1
    assert (high_tech.id or 0, Stage.recognised) not in counts
    back_then = roster.stage_counts(session=session, today=date(2020, 1, 1), park_id=park)
    assert back_then.get((high_tech.id or 0, Stage.recognised)) == 1
    _, rows = roster.search(
        session=session, flt=roster.RosterFilter(stage=Stage.lapsed, q="到期计数"), today=today
    )
    assert [r.enterprise_name for r in rows] == [firm.name]


def test_totals_match_the_rows_whether_counted_from_the_cache_or_live(session: Session) -> None:
    admin = make_user(session, Role.admin)
    high_tech = designations.get_by_code(session=session, code="high-tech")
    gazelle = designations.get_by_code(session=session, code="gazelle")
    for n, (park, designation, stage, on) in enumerate(
        [
            ("gaoming", high_tech, Stage.recognised, date(2019, 6, 1)),  # lapsed by now
            ("gaoming", high_tech, Stage.recognised, china_today()),
            ("gaoming", gazelle, Stage.applied, china_today()),
            ("sanshui", gazelle, Stage.candidate, china_today()),
            ("sanshui", high_tech, Stage.applied, china_today()),
        ]
    ):
        firm = make_enterprise(session, park=park, name=f"佛山市合计核对{n}有限公司")
        _walk(session, admin, firm, designation, on, stage, on)
    parks = {f.park_id for f in session.exec(select(Enterprise))}
    filters = [
        roster.RosterFilter(designation_id=d, stage=s, park_id=p, q=q)
        for d in (None, high_tech.id, gazelle.id)
        for s in (None, Stage.applied, Stage.recognised, Stage.lapsed)
        for p in (None, *parks)
        for q in ("", "合计核对")
    ]
    for flt in filters:
        total, rows = roster.search(session=session, flt=flt, today=china_today(), page_size=10**6)
        assert total == len(rows), flt
    everything, _ = roster.search(session=session, flt=roster.RosterFilter(), today=china_today())
    assert everything >= 5
