"""Plans and targets: seeded numbers, computed values on past dates, status at its edges."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.accounts import Role, User
from core.errors import FieldErrors, PermissionDenied
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.pipeline import MoveFields, Stage
from enterprises.registry import figures
from enterprises.registry.figures import FigureFields
from plans import target_series, target_status, targets
from plans.target_status import Status
from plans.target_values import value_on
from plans.targets import Comparator, Plan, ReportFields, Target, TargetForm
from tests.factories import make_enterprise, make_user


def _plain(text: str) -> str:
    """Only the characters and digits, so full- and half-width punctuation compare equal."""
    return re.sub(r"[^\w]", "", text)


def _target(session: Session, code: str) -> tuple[Target, Plan]:
    target = targets.get_by_code(session=session, code=code)
    plan = session.get(Plan, target.plan_id)
    assert plan is not None
    return target, plan


PLANS = Path(__file__).parents[2] / "seeds" / "data" / "plans"
SOURCES = next(
    (p / "shared" / "source-docs" for p in Path(__file__).parents if (p / "shared").is_dir()),
    Path("/nonexistent"),
)
NUMERALS = {1: "一", 2: "两", 3: "三"}
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")  # glosses in plan 002


@pytest.mark.parametrize(
    ("plan_code", "count"), [("000", 37), ("001", 7), ("002", 36), ("003", 29), ("004", 15)]
)
def test_every_quantified_target_is_seeded_with_the_source_documents_number(
    session: Session, plan_code: str, count: int
) -> None:
    plan = session.exec(select(Plan).where(Plan.code == plan_code)).one()
    seeded = session.exec(select(Target).where(Target.plan_id == plan.id)).all()
    assert len(seeded) == count
    source = SOURCES / plan.source
    raw = source.read_text(encoding="utf-8") if source.exists() else ""
    text = _plain(PINYIN.sub("", raw))
    for target in seeded:
        quote = target.quote.replace(",", "")
        number = f"{target.target_value:g}"
        if target.form in (TargetForm.milestone, TargetForm.relative):
            number = ""  # done by a date, or 翻一番: no number of its own to find
        assert (
            not number or number in quote or NUMERALS.get(int(target.target_value), "?") in quote
        ), target.code
        if text:
            assert _plain(PINYIN.sub("", target.quote)) in text, target.code


def test_computed_targets_carry_their_definitions(session: Session) -> None:
    by_code = {t.code: t for t in session.exec(select(Target)).all()}
    assert by_code["003-high-growth"].target_value == 300
    assert by_code["003-high-growth"].comparator == Comparator.gt
    assert by_code["003-high-tech-above"].definition == {
        "measure": "holding",
        "designations": ["high-tech"],
        "above_size": True,
    }
    assert by_code["004-national-hightech"].baseline_value == 9
    assert "市科技局" in by_code["000-tech-progress"].lead_units
    assert by_code["002-hightech"].milestones == {"2018": 1, "2019": 1.1}


def _recognise(session: Session, admin: User, code: str, on: date, **firm: object) -> None:
    enterprise = make_enterprise(session, **firm)  # type: ignore[arg-type]
    designation = designations.get_by_code(session=session, code=code)
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=enterprise.id or 0,
        designation=designation,
        chain_id=None,
        on=date(2020, 6, 1),
    )
    for stage in (Stage.pool, Stage.applied, Stage.recognised):
        data = MoveFields(to_stage=stage, on=on)
        pipeline.move(session=session, actor=admin, cultivation=cultivation, data=data)


def test_cumulative_recognitions_count_from_the_plan_start_on_any_date(session: Session) -> None:
    admin = make_user(session, Role.admin)
    target, plan = _target(session, "003-high-growth")
    before = value_on(session=session, target=target, plan=plan, day=date(2022, 3, 1))
    _recognise(session, admin, "gazelle", date(2022, 3, 2))
    _recognise(session, admin, "unicorn", date(2022, 5, 1))
    _recognise(session, admin, "gazelle", date(2020, 12, 1))  # before the plan: not counted
    _recognise(session, admin, "high-tech", date(2022, 3, 2))  # not a high-growth title

    def on(day: date) -> float | None:
        return value_on(session=session, target=target, plan=plan, day=day)

    assert on(date(2022, 3, 1)) == before
    assert on(date(2022, 3, 2)) == before + 1
    assert on(date(2023, 12, 31)) == before + 2
    assert on(date(2026, 1, 1)) == before + 2  # cumulative: lapsing later changes nothing


def test_holding_counts_valid_recognitions_and_above_size(session: Session) -> None:
    admin = make_user(session, Role.admin)
    target, plan = _target(session, "003-high-tech")
    above, _ = _target(session, "003-high-tech-above")
    base = value_on(session=session, target=target, plan=plan, day=date(2021, 6, 1)) or 0
    base_above = value_on(session=session, target=above, plan=plan, day=date(2021, 6, 1))
    _recognise(session, admin, "high-tech", date(2021, 6, 2), above_size=True)
    _recognise(session, admin, "high-tech", date(2021, 6, 2), above_size=False)
    assert value_on(session=session, target=target, plan=plan, day=date(2021, 6, 2)) == (base + 2)
    assert value_on(session=session, target=above, plan=plan, day=date(2021, 6, 2)) == (
        (base_above or 0) + 1
    )
    # Valid three years: through 2024-06-01, lapsed from 2024-06-02.
    assert value_on(session=session, target=target, plan=plan, day=date(2024, 6, 1)) == (base + 2)
    assert value_on(session=session, target=target, plan=plan, day=date(2024, 6, 2)) == base


def test_output_share_of_the_chains_among_above_size_firms(session: Session) -> None:
    admin = make_user(session, Role.admin)
    target, plan = _target(session, "003-output-share")
    in_chain = make_enterprise(session, segment=("robotics", "servo"))
    outside = make_enterprise(session)
    small = make_enterprise(session, segment=("robotics", "servo"))
    for firm, revenue, output in (
        (in_chain, 9000, 300.0),
        (outside, 5000, 100.0),
        (small, 100, 50.0),
    ):
        figures.put(
            session=session,
            actor=admin,
            enterprise=firm,
            data=FigureFields(year=2031, revenue=revenue, output=output),
        )
    assert value_on(session=session, target=target, plan=plan, day=date(2031, 12, 31)) == 75.0


START = date(2030, 1, 1)
MIDWAY = START + timedelta(days=100)


def _reported(session: Session, code: str) -> tuple[Target, Plan]:
    """A reported target of 100 from 0, due 200 days after its start."""
    plan = Plan(code=code, name="测试规划", period_start=START, period_end=START)
    session.add(plan)
    session.flush()
    target = Target(
        plan_id=plan.id or 0,
        code=code,
        name="测试目标",
        target_value=100,
        deadline=START + timedelta(days=200),
        baseline_value=0,
        baseline_on=START,
    )
    session.add(target)
    session.flush()
    return target, plan


def _report(session: Session, target: Target, value: float, on: date) -> None:
    session.add(targets.ReportedValue(target_id=target.id or 0, value=value, as_of=on))
    session.flush()


@pytest.mark.parametrize(
    ("value", "status"),
    # Half-way through the time: 50 projects to exactly 100, 45 to 90 (within 10 %), 44 to 88.
    [(100, Status.achieved), (50, Status.on_track), (45, Status.at_risk), (44, Status.behind)],
)
def test_status_rule_at_its_edges(session: Session, value: float, status: Status) -> None:
    target, plan = _reported(session, f"edge-{value}")
    assert target_status.assess(session=session, target=target, plan=plan, today=MIDWAY).status == (
        Status.no_data
    )
    _report(session, target, value, MIDWAY)
    progress = target_status.assess(session=session, target=target, plan=plan, today=MIDWAY)
    assert progress.status == status
    assert progress.elapsed == 0.5


def test_after_the_deadline_a_miss_is_behind(session: Session) -> None:
    target, plan = _reported(session, "late")
    _report(session, target, 99, START + timedelta(days=199))
    later = START + timedelta(days=400)
    progress = target_status.assess(session=session, target=target, plan=plan, today=later)
    assert progress.status == Status.behind and progress.judged_on == target.deadline


def test_comparators() -> None:
    assert target_status.meets(70, 70, Comparator.ge) and not target_status.meets(
        70, 70, Comparator.gt
    )
    assert target_status.meets(66.5, 70, Comparator.approx) and not target_status.meets(
        66.4, 70, Comparator.approx
    )
    assert target_status.meets(100, 70, Comparator.approx)  # 左右: more is also met
    assert target_status.meets(3, 3, Comparator.le) and not target_status.meets(
        3.1, 3, Comparator.le
    )


def test_reported_values_are_entered_by_admins_only(session: Session) -> None:
    target, _ = _target(session, "003-key-labs")
    data = ReportFields(value=12, as_of=date(2023, 6, 30), source="省科技厅公布名单")
    with pytest.raises(PermissionDenied):
        targets.report(
            session=session, actor=make_user(session, Role.leader), target=target, data=data
        )
    targets.report(session=session, actor=make_user(session, Role.admin), target=target, data=data)
    assert [r.value for r in targets.history(session=session, target=target)] == [12]
    computed, _ = _target(session, "003-anchor")
    with pytest.raises(FieldErrors):
        targets.report(
            session=session, actor=make_user(session, Role.admin), target=computed, data=data
        )


@pytest.mark.parametrize("code", ["003-high-growth", "003-high-tech", "003-high-tech-above"])
def test_series_agrees_with_the_value_on_each_day(session: Session, code: str) -> None:
    admin = make_user(session, Role.admin)
    _recognise(session, admin, "high-tech", date(2021, 6, 2), above_size=True)
    _recognise(session, admin, "high-tech", date(2022, 1, 10))
    _recognise(session, admin, "gazelle", date(2022, 3, 2))
    _recognise(session, admin, "unicorn", date(2020, 12, 1))
    target, plan = _target(session, code)
    days = [date(2020, 12, 31), date(2021, 6, 1), date(2021, 6, 2), date(2022, 3, 2)]
    days += [date(2024, 6, 1), date(2024, 6, 2), date(2025, 1, 10), date(2026, 1, 1)]
    expected = [value_on(session=session, target=target, plan=plan, day=d) for d in days]
    assert target_series.series(session=session, target=target, plan=plan, days=days) == expected
