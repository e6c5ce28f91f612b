from sqlmodel import Session, select

from core.accounts import Role
from plans.targets import ReportedValue
from seeds import demo_targets
from tests.factories import make_user


def test_demo_reports_fill_every_reported_target_once_and_are_removable(session: Session) -> None:
    make_user(session, Role.admin)
    added = demo_targets.generate(session=session)
    assert added >= 16 * 3  # sixteen reported targets of plan 003, 2021–2023
    assert demo_targets.generate(session=session) == 0
    assert demo_targets.remove(session=session) == added
    assert session.exec(select(ReportedValue)).all() == []
