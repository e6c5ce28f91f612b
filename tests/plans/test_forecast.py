"""Forecasting a target from the pipeline and planning the pool entries backwards."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from core.accounts import Role, User
from core.db import china_today
from core.orgs import get_park_by_code
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.pipeline import MoveFields, Stage
from plans import forecast
from plans.targets import Plan, Target, TargetKind
from tests.factories import make_enterprise, make_user

START = date(2024, 1, 1)


def _path(session: Session, admin: User, park: str, stages: list[Stage], gaps: list[int]) -> None:
    firm = make_enterprise(session, park=park)
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=firm.id or 0,
        designation=designations.get_by_code(session=session, code="gazelle"),
        chain_id=None,
        on=START,
    )
    day = START
    for stage, gap in zip(stages, gaps, strict=True):
        day += timedelta(days=gap)
        data = MoveFields(to_stage=stage, on=day)
        pipeline.move(session=session, actor=admin, cultivation=cultivation, data=data)


@pytest.fixture
def target(session: Session) -> tuple[Target, Plan]:
    admin = make_user(session, Role.admin)
    full = [Stage.pool, Stage.applied, Stage.recognised]
    _path(session, admin, "shunde", full, [10, 30, 30])  # recognised
    _path(session, admin, "shunde", [Stage.pool, Stage.applied, Stage.rejected], [10, 30, 30])
    _path(session, admin, "shunde", [Stage.pool], [10])  # waiting in the pool
    _path(session, admin, "nanhai", [], [])  # a candidate
    plan = Plan(code="f", name="预测测试", period_start=START, period_end=START)
    session.add(plan)
    session.flush()
    goal = Target(
        plan_id=plan.id or 0,
        code="f-gazelle",
        name="瞪羚企业",
        target_value=10,
        deadline=china_today() + timedelta(days=400),
        kind=TargetKind.computed,
        definition={"measure": "recognised", "designations": ["gazelle"]},
    )
    session.add(goal)
    session.flush()
    return goal, plan


def _parks(session: Session) -> dict[int | None, str]:
    return {get_park_by_code(session=session, code=c).id: c for c in ("shunde", "nanhai")}


def test_forecast_from_observed_steps_and_the_plan_backwards(
    session: Session, target: tuple[Target, Plan]
) -> None:
    goal, plan = target
    result = forecast.forecast(
        session=session, target=goal, plan=plan, today=china_today(), parks=_parks(session)
    )
    steps = {s.stage: (s.rate, s.days) for s in result.steps}
    assert steps == {
        Stage.candidate: (0.75, 10.0),
        Stage.pool: (0.667, 30.0),
        Stage.applied: (0.5, 30.0),
    }
    assert result.current == 1
    # In the pool: 0.667 × 0.5; a candidate: 0.75 × 0.667 × 0.5.
    assert result.expected_new == pytest.approx(0.6)  # 0.583, rounded
    assert result.forecast == pytest.approx(1.6, abs=0.05)
    assert result.needed_pool == 26  # (10 − 1.58) / (0.667 × 0.5), rounded up
    assert result.pool_by == goal.deadline - timedelta(days=60)
    assert sorted(p.needed_pool for p in result.parks) == [13, 13]


def test_assumptions_can_be_overridden(session: Session, target: tuple[Target, Plan]) -> None:
    goal, plan = target
    result = forecast.forecast(
        session=session,
        target=goal,
        plan=plan,
        today=china_today(),
        parks=_parks(session),
        overrides={Stage.applied: (1.0, None)},
    )
    assert result.needed_pool == 12  # (10 − 2.17) / 0.667 = 11.7
    late = forecast.forecast(
        session=session,
        target=goal,
        plan=plan,
        today=goal.deadline - timedelta(days=30),
        parks=_parks(session),
    )
    assert late.expected_new == 0  # the remaining steps no longer fit before the deadline


def test_a_park_with_enough_history_uses_its_own_shares(
    session: Session, target: tuple[Target, Plan]
) -> None:
    goal, plan = target
    result = forecast.forecast(
        session=session,
        target=goal,
        plan=plan,
        today=china_today(),
        parks=_parks(session),
        min_sample=1,
    )
    by_name = {p.name: p for p in result.parks}
    # 顺德: all three of its candidates entered the pool; 南海: its one candidate has not.
    assert by_name["shunde"].own_steps == [Stage.candidate, Stage.pool, Stage.applied]
    assert by_name["nanhai"].expected == 0
    assert result.expected_new == pytest.approx(0.3)  # only 顺德's pool firm: 0.667 × 0.5
