"""Target forms: a range is met from its lower bound, a relative target needs its base, a
milestone is done or not by its deadline; each is shown as the plan states it."""

from datetime import date

import pytest
from sqlmodel import Session

from core.accounts import Role
from core.errors import FieldErrors
from plans import target_status, targets
from plans.target_status import Status
from plans.targets import Plan, ReportFields, Target, TargetForm
from tests.factories import make_user


def _target(session: Session, code: str) -> tuple[Target, Plan]:
    target = targets.get_by_code(session=session, code=code)
    plan = session.get(Plan, target.plan_id)
    assert plan is not None
    return target, plan


def _report(session: Session, target: Target, value: float, on: date) -> None:
    admin = make_user(session, Role.admin)
    data = ReportFields(value=value, as_of=on, source="测试")
    targets.report(session=session, actor=admin, target=target, data=data)


def test_a_range_is_shown_whole_and_met_from_its_lower_bound(session: Session) -> None:
    target, plan = _target(session, "003-national-labs")
    assert targets.goal_text(target) == "1—2 家"
    _report(session, target, 1, date(2023, 6, 30))
    progress = target_status.assess(
        session=session, target=target, plan=plan, today=date(2023, 7, 1)
    )
    assert progress.status == Status.achieved


def test_a_relative_target_waits_for_its_base_then_multiplies_it(session: Session) -> None:
    target, plan = _target(session, "002-doubling")
    assert target.form == TargetForm.relative and targets.goal(target) is None
    assert "2015-12-31" in targets.goal_text(target) and "2 倍" in targets.goal_text(target)
    _report(session, target, 150, date(2020, 6, 30))
    day = date(2020, 7, 1)
    assert target_status.assess(session=session, target=target, plan=plan, today=day).status == (
        Status.no_data
    )
    target.baseline_value = 100  # the base year's value, once someone supplies it
    assert targets.goal(target) == 200
    progress = target_status.assess(session=session, target=target, plan=plan, today=day)
    assert progress.status != Status.achieved and progress.reached == pytest.approx(0.75)
    _report(session, target, 201, date(2020, 9, 30))
    later = target_status.assess(session=session, target=target, plan=plan, today=date(2020, 10, 1))
    assert later.status == Status.achieved


def test_a_milestone_is_done_or_not_by_its_deadline(session: Session) -> None:
    target, plan = _target(session, "002-centre-2025")
    assert targets.goal_text(target) == "2025-12-31 前完成"
    with pytest.raises(FieldErrors):
        _report(session, target, 0.5, date(2024, 1, 1))
    _report(session, target, 0, date(2024, 1, 1))
    before = target_status.assess(session=session, target=target, plan=plan, today=date(2024, 6, 1))
    assert before.status == Status.on_track and before.projection is None
    after = target_status.assess(session=session, target=target, plan=plan, today=date(2026, 1, 5))
    assert after.status == Status.behind
    _report(session, target, 1, date(2025, 11, 30))
    done = target_status.assess(session=session, target=target, plan=plan, today=date(2026, 1, 5))
    assert done.status == Status.achieved


def test_about_targets_keep_their_tolerance(session: Session) -> None:
    target, plan = _target(session, "003-corporate-universities")
    assert targets.goal_text(target) == "≈ 15 家"
    _report(session, target, 14.5, date(2023, 6, 30))
    progress = target_status.assess(
        session=session, target=target, plan=plan, today=date(2023, 7, 1)
    )
    assert progress.status == Status.achieved
