"""The demo's current plan: in force, marked 演示, with targets; idempotent and removable."""

from datetime import date

from sqlmodel import Session, col, select

from core.accounts import Role
from plans import dashboard, plan_writing
from plans.targets import Plan, ReportedValue, Target, TargetKind
from seeds import demo, demo_cultivation, demo_plans
from tests.factories import make_user


def test_the_demo_has_a_current_plan_marked_demo(session: Session) -> None:
    make_user(session, Role.admin)
    demo.generate(session=session, count=80)
    demo_cultivation.generate(session=session)
    today = date(2026, 12, 5)
    added = demo_plans.generate(session=session, today=today)
    assert added == len(demo_plans.COMPUTED) + len(demo_plans.REPORTED)
    assert demo_plans.generate(session=session, today=today) == 0
    plan = session.exec(select(Plan).where(col(Plan.demo))).one()
    assert plan.in_force(today) and "演示" in plan.name
    found = plan_writing.targets_of(session=session, plan=plan)
    computed = [t for t in found if t.kind == TargetKind.computed]
    assert len(computed) == len(demo_plans.COMPUTED) and all(t.headline for t in computed)
    assert all(t.milestones for t in found if t.definition != {"measure": "output_share"})
    standing = [p for p in dashboard.progress(session=session, day=today) if p.plan.id == plan.id]
    assert len(standing) == added and any(p.value for p in standing)
    assert demo_plans.remove(session=session) == 1
    assert session.exec(select(Target).where(Target.plan_id == plan.id)).all() == []
    assert (
        session.exec(select(ReportedValue).where(col(ReportedValue.source).contains("演示"))).all()
        == []
    )
