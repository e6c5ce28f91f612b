from sqlalchemy import func
from sqlmodel import Session, select

from core.accounts import Role, User
from enterprises.registry.credit_code import problem
from enterprises.registry.models import Enterprise, Membership, Origin
from seeds import demo


def _demo(session: Session) -> list[Enterprise]:
    stmt = select(Enterprise).where(Enterprise.origin == Origin.demo).order_by(Enterprise.id)
    return list(session.exec(stmt))


def test_generates_valid_flagged_firms_in_segments(session: Session) -> None:
    assert demo.generate(session=session, count=120, seed=7) == 120
    firms = _demo(session)
    assert len(firms) == 120
    assert all(problem(f.credit_code or "") is None for f in firms)
    assert all(f.above_size == (f.annual_revenue >= 2000) for f in firms)
    members = session.exec(
        select(func.count(func.distinct(Membership.enterprise_id))).where(
            Membership.enterprise_id.in_([f.id for f in firms])
        )
    ).one()
    assert members == 120


def test_same_seed_same_population_and_removal_is_complete(session: Session) -> None:
    demo.generate(session=session, count=30, seed=11)
    first = [(f.name, f.credit_code, f.annual_output) for f in _demo(session)]
    assert demo.remove(session=session) == 30
    assert _demo(session) == []
    demo.generate(session=session, count=30, seed=11)
    assert [(f.name, f.credit_code, f.annual_output) for f in _demo(session)] == first


def test_demo_users_cover_every_role_and_two_promotion_teams(session: Session) -> None:
    demo.ensure_demo_users(session=session)
    demo.ensure_demo_users(session=session)
    users = session.exec(
        select(User).where(User.username.in_([u.username for u in demo.DEMO_USERS]))
    ).all()
    assert len(users) == len(demo.DEMO_USERS)  # the second run added nobody
    assert {u.role for u in users} == set(Role)
    assert len({u.team_id for u in users if u.role == Role.promotion}) == 2
