from datetime import date

import pytest
from sqlmodel import Session, select

from core.accounts import Role
from core.errors import FieldErrors, PermissionDenied
from enterprises import merge
from enterprises.cultivation import designations, pipeline, standing
from enterprises.cultivation.pipeline import Cultivation, MoveFields, Stage
from enterprises.registry import figures
from enterprises.registry.figures import FigureFields
from enterprises.registry.models import Enterprise, MemberRole, Membership
from tests.factories import make_enterprise, make_user


def test_merging_keeps_memberships_recognitions_figures_and_history(session: Session) -> None:
    admin = make_user(session, Role.admin)
    kept = make_enterprise(
        session, name="佛山市合并保留有限公司", credit_code=None, segment=("robotics", "servo")
    )
    absorbed = make_enterprise(
        session,
        name="合并保留（佛山）有限公司",
        address="顺德区北滘镇科技路1号",
        segment=("robotics", "servo"),
        role=MemberRole.key,
    )
    code = absorbed.credit_code
    gazelle = designations.get_by_code(session=session, code="gazelle")
    for firm, stages in (
        (kept, [Stage.pool]),
        (absorbed, [Stage.pool, Stage.applied, Stage.recognised]),
    ):
        cultivation = pipeline.start(
            session=session,
            actor=admin,
            enterprise_id=firm.id or 0,
            designation=gazelle,
            chain_id=None,
            on=date(2022, 1, 1),
        )
        for stage in stages:
            pipeline.move(
                session=session,
                actor=admin,
                cultivation=cultivation,
                data=MoveFields(to_stage=stage, on=date(2022, 6, 1)),
            )
    for firm, year, revenue in (
        (kept, 2023, 100.0),
        (absorbed, 2023, 999.0),
        (absorbed, 2022, 80.0),
    ):
        figures.put(
            session=session,
            actor=admin,
            enterprise=firm,
            data=FigureFields(year=year, revenue=revenue),
        )
    absorbed_id = absorbed.id
    merge.merge(session=session, actor=admin, kept=kept, absorbed=absorbed)
    assert session.get(Enterprise, absorbed_id) is None
    assert kept.credit_code == code and kept.address == "顺德区北滘镇科技路1号"
    roles = session.exec(select(Membership.role).where(Membership.enterprise_id == kept.id)).all()
    assert roles == [MemberRole.key]
    held = session.exec(select(Cultivation).where(Cultivation.enterprise_id == kept.id)).one()
    assert held.stage == Stage.recognised
    events = standing.events_of(session=session, cultivation_ids=[held.id or 0])[held.id or 0]
    assert len(events) == 6  # both histories, in one log
    assert {
        (f.year, f.revenue) for f in figures.of(session=session, enterprise_id=kept.id or 0)
    } == {(2023, 100.0), (2022, 80.0)}
    history = merge.history(session=session, enterprise_id=kept.id or 0)
    assert {e.object_id for e in history} == {str(kept.id), str(absorbed_id)}


def test_merging_is_for_admins_and_the_same_company_only(session: Session) -> None:
    one, other = make_enterprise(session), make_enterprise(session)
    with pytest.raises(PermissionDenied):
        merge.merge(
            session=session, actor=make_user(session, Role.park_bureau), kept=one, absorbed=other
        )
    with pytest.raises(FieldErrors, match="信用代码不同"):
        merge.merge(session=session, actor=make_user(session, Role.admin), kept=one, absorbed=other)
