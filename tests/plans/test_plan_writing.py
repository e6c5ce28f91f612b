"""Writing plans: create, add targets with milestones, copy into a new period, import a sheet."""

from datetime import date

import pytest
from sqlmodel import Session, select

from core.accounts import Role
from core.audit import AuditEntry
from core.db import china_today
from core.errors import FieldErrors, PermissionDenied
from core.spreadsheet import Sheet, write_workbook
from plans import plan_writing, target_import, target_status
from plans.plan_writing import PlanFields, TargetFields
from plans.targets import Comparator, Plan, TargetKind
from tests.factories import make_user


def make_plan(session: Session, start: int = 2024, end: int = 2026, **values: object) -> Plan:
    """A plan written by an admin through the service."""
    admin = make_user(session, Role.admin)
    fields = {"name": f"行动计划{start}", "period_start_year": start, "period_end_year": end}
    data = PlanFields.model_validate(fields | values)
    return plan_writing.create(session=session, actor=admin, data=data)


def _target(**values: object) -> TargetFields:
    return TargetFields.model_validate({"name": "高企", "target_value": 100} | values)


def test_a_leader_creates_a_plan_in_force_this_year(session: Session) -> None:
    leader = make_user(session, Role.leader)
    data = PlanFields(
        name="佛山高新区<b>行动计划</b>",
        issuer="管委会",
        period_start_year=2024,
        period_end_year=2026,
        source_text="到2026年，高新技术企业达到4000家。",
    )
    plan = plan_writing.create(session=session, actor=leader, data=data)
    assert plan.period_start == date(2024, 1, 1) and plan.period_end == date(2026, 12, 31)
    assert plan.in_force(date(2026, 12, 5)) and not plan.in_force(date(2027, 1, 1))
    assert plan.name == "佛山高新区<b>行动计划</b>"  # kept as typed; pages escape it
    logged = session.exec(select(AuditEntry).where(AuditEntry.object_type == "plan")).all()
    assert any(e.object_id == str(plan.id) for e in logged)
    assert plan_writing.get(session=session, plan_id=plan.id or 0).code == plan.code


@pytest.mark.parametrize("role", [Role.viewer, Role.park_bureau, Role.promotion, Role.chain_chief])
def test_other_roles_may_not_write_plans(session: Session, role: Role) -> None:
    user = make_user(session, role)
    data = PlanFields(name="x", period_start_year=2024, period_end_year=2026)
    with pytest.raises(PermissionDenied):
        plan_writing.create(session=session, actor=user, data=data)
    plan = make_plan(session)
    with pytest.raises(PermissionDenied):
        plan_writing.add_target(session=session, actor=user, plan=plan, data=_target())
    with pytest.raises(PermissionDenied):
        plan_writing.copy(session=session, actor=user, plan=plan, start_year=2027)


def test_a_period_ending_before_it_starts_is_refused(session: Session) -> None:
    with pytest.raises(FieldErrors) as caught:
        make_plan(session, start=2026, end=2024)
    assert "截止年份" in caught.value.errors["period_end_year"]


def test_a_missing_plan_is_not_found(session: Session) -> None:
    from core.errors import NotFound

    with pytest.raises(NotFound):
        plan_writing.get(session=session, plan_id=987654)


def test_a_computed_target_uses_a_figure_and_is_judged(session: Session) -> None:
    admin = make_user(session, Role.admin)
    plan = make_plan(session)
    target = plan_writing.add_target(
        session=session,
        actor=admin,
        plan=plan,
        data=_target(kind="computed", figure="high-tech", milestones={2024: 40, 2025: 70}),
    )
    assert target.kind == TargetKind.computed
    assert target.definition == {"measure": "holding", "designations": ["high-tech"]}
    assert target.deadline == date(2026, 12, 31)
    assert target.milestones == {"2024": 40, "2025": 70}
    progress = target_status.assess(session=session, target=target, plan=plan, today=china_today())
    assert progress.value is not None


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"kind": "computed"}, "figure", "计算口径"),
        ({"kind": "computed", "figure": "no-such"}, "figure", "计算口径"),
        ({"figure": "high-tech"}, "figure", "填报目标"),
        ({"deadline_year": 2030}, "deadline_year", "2024—2026"),
        ({"milestones": {2023: 5}}, "milestones", "2023"),
    ],
)
def test_a_target_that_does_not_fit_is_refused_naming_the_field(
    session: Session, values: dict[str, object], field: str, words: str
) -> None:
    admin = make_user(session, Role.admin)
    plan = make_plan(session)
    with pytest.raises(FieldErrors) as caught:
        plan_writing.add_target(session=session, actor=admin, plan=plan, data=_target(**values))
    assert words in caught.value.errors[field]


def test_a_plan_is_copied_into_a_new_period_with_milestones_shifted(session: Session) -> None:
    admin = make_user(session, Role.admin)
    plan = make_plan(session, start=2021, end=2023)
    plan_writing.add_target(
        session=session,
        actor=admin,
        plan=plan,
        data=_target(milestones={2021: 10, 2022: 50}, deadline_year=2023, unit="家"),
    )
    plan_writing.add_target(
        session=session, actor=admin, plan=plan, data=_target(kind="computed", figure="anchor")
    )
    copied = plan_writing.copy(session=session, actor=admin, plan=plan, start_year=2024)
    assert (copied.period_start, copied.period_end) == (date(2024, 1, 1), date(2026, 12, 31))
    assert copied.code != plan.code and "2024—2026" in copied.name
    first, second = plan_writing.targets_of(session=session, plan=copied)
    assert first.milestones == {"2024": 10, "2025": 50} and first.deadline == date(2026, 12, 31)
    assert first.unit == "家" and first.kind == TargetKind.reported
    assert second.definition == {"measure": "holding", "designations": ["anchor"]}
    assert len(plan_writing.targets_of(session=session, plan=plan)) == 2  # the original stays
    with pytest.raises(FieldErrors):
        plan_writing.copy(session=session, actor=admin, plan=plan, start_year=2021)


def _sheet(rows: list[list[object]]) -> bytes:
    return write_workbook([Sheet("目标", [], rows, [])])


def test_targets_are_imported_from_a_sheet_under_a_title(session: Session) -> None:
    admin = make_user(session, Role.admin)
    plan = make_plan(session)
    content = _sheet(
        [
            ["2024—2026年目标分解表"],
            ["目标名称", "单位", "目标值", "比较方式", "期限", "计算口径", "2024年", "2025年"],
            ["高新技术企业", "家", 4000, "不少于", "2026", "高新技术企业（有效）", 3000, 3500],
            ["省重点实验室", "家", 20, "≥", 2026, "", None, 18],
        ]
    )
    added = target_import.import_targets(
        session=session, actor=admin, plan=plan, filename="目标.xlsx", content=content
    )
    assert [t.name for t in added] == ["高新技术企业", "省重点实验室"]
    assert added[0].kind == TargetKind.computed and added[0].comparator == Comparator.ge
    assert added[0].milestones == {"2024": 3000, "2025": 3500}
    assert added[1].kind == TargetKind.reported and added[1].milestones == {"2025": 18}


def test_a_csv_with_wrong_rows_is_refused_whole_naming_row_and_column(session: Session) -> None:
    admin = make_user(session, Role.admin)
    plan = make_plan(session)
    content = (
        "目标名称,目标值,比较方式,期限,2025\n好目标,10,≥,2026,5\n坏目标,很多,大约,2031,x\n"
    ).encode()
    with pytest.raises(FieldErrors) as caught:
        target_import.import_targets(
            session=session, actor=admin, plan=plan, filename="t.csv", content=content
        )
    messages = list(caught.value.errors.values())
    assert any(m.startswith("第 3 行“目标值”") for m in messages)
    assert any(m.startswith("第 3 行“比较方式”") for m in messages)
    assert any(m.startswith("第 3 行“2025年”") for m in messages)
    assert plan_writing.targets_of(session=session, plan=plan) == []


def test_a_row_outside_the_period_is_refused_naming_its_row(session: Session) -> None:
    admin = make_user(session, Role.admin)
    plan = make_plan(session)
    content = "目标名称,目标值,期限\n甲,1,2026\n乙,2,2031\n".encode()
    with pytest.raises(FieldErrors) as caught:
        target_import.import_targets(
            session=session, actor=admin, plan=plan, filename="t.csv", content=content
        )
    assert list(caught.value.errors.values()) == ["第 3 行“期限”：期限须在规划期 2024—2026 年内"]
    assert plan_writing.targets_of(session=session, plan=plan) == []


def test_a_sheet_without_the_needed_headers_is_refused(session: Session) -> None:
    admin = make_user(session, Role.admin)
    plan = make_plan(session)
    with pytest.raises(FieldErrors) as caught:
        target_import.import_targets(
            session=session, actor=admin, plan=plan, filename="t.csv", content=b"a,b\n1,2\n"
        )
    assert "目标名称" in caught.value.errors["file"]


def test_a_viewer_may_not_import(session: Session) -> None:
    plan = make_plan(session)
    with pytest.raises(PermissionDenied):
        target_import.import_targets(
            session=session,
            actor=make_user(session, Role.viewer),
            plan=plan,
            filename="t.csv",
            content="目标名称,目标值\n甲,1\n".encode(),
        )
