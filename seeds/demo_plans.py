"""A demo plan of the current period (十五五, 2026—2030), marked 演示, with targets.

Its computed targets are set from the demo registry as it stands, so their status varies
(some on track, some behind); its reported targets get one value each, dated this year.
"""

import math
from datetime import date

from sqlmodel import Session, col, select

from core.accounts import Role, User
from core.db import china_today
from plans import figures, plan_writing, target_values, targets
from plans.plan_writing import PlanFields, TargetFields
from plans.targets import Comparator, Plan, ReportFields, Target, TargetKind

NAME = "佛山高新区“十五五”产业链高质量发展规划（演示）"
FIRST, LAST = 2026, 2030
SOURCE = (
    "演示数据，不是真实规划。到2030年，十大智能制造产业链规上工业总产值占比达到75%左右，"
    "高新技术企业数量较2025年增长四成，规划期内累计认定瞪羚、单打冠军、独角兽企业持续增加，"
    "培育一批“链主”企业，省级以上新型研发机构达到35家，国家级孵化器达到25家。"
)
# (name, figure, growth by the end, comparator): computed targets, set from today's value.
COMPUTED = [
    ("十大智能制造产业链规上工业总产值占比", "output-share", None, Comparator.approx),
    ("高新技术企业数量", "high-tech", 1.4, Comparator.ge),
    ("规上高新技术企业数量", "high-tech-above", 1.4, Comparator.ge),
    ("规划期内累计认定瞪羚、单打冠军、独角兽企业", "high-growth-recognised", 5.5, Comparator.gt),
    ("“链主”企业", "anchor", 1.6, Comparator.ge),
]
# (name, unit, target, value reported this year): reported targets.
REPORTED = [
    ("省级以上新型研发机构", "家", 35, 27),
    ("国家级科技企业孵化器", "家", 25, 19),
]


def _now_value(session: Session, plan: Plan, figure: str, today: date) -> float:
    probe = Target(
        plan_id=plan.id or 0,
        code="probe",
        name="probe",
        target_value=0,
        deadline=plan.period_end,
        kind=TargetKind.computed,
        definition=figures.get(figure).definition,
    )
    return target_values.value_on(session=session, target=probe, plan=plan, day=today) or 0.0


def _milestones(start: float, end: float) -> dict[int, float]:
    """A straight line from today's value to the target, one point a year before the last."""
    steps = LAST - FIRST + 1
    return {
        FIRST + i: float(math.ceil(start + (end - start) * (i + 1) / steps))
        for i in range(steps - 1)
    }


def generate(*, session: Session, today: date | None = None) -> int:
    """Add the demo plan unless it is there; return the targets added."""
    today = today or china_today()
    if session.exec(select(Plan.id).where(col(Plan.demo), Plan.name == NAME)).first():
        return 0
    admin = session.exec(select(User).where(User.role == Role.admin)).first()
    if admin is None:
        return 0
    plan = plan_writing.create(
        session=session,
        actor=admin,
        data=PlanFields(
            name=NAME,
            issuer="佛山高新区管委会（演示）",
            period_start_year=FIRST,
            period_end_year=LAST,
            source_text=SOURCE,
        ),
        demo=True,
    )
    added = 0
    for name, figure, growth, comparator in COMPUTED:
        now = _now_value(session, plan, figure, today)
        if growth is None:
            goal = 75.0
            milestones = {}
        else:
            # A cumulative count starts at this year's recognitions: five more years like it.
            goal = float(max(5, math.ceil(now * growth / 5) * 5))
            milestones = _milestones(now if figure != "high-growth-recognised" else 0, goal)
        data = TargetFields(
            name=name,
            unit=figures.get(figure).unit,
            kind=TargetKind.computed,
            figure=figure,
            target_value=goal,
            comparator=comparator,
            milestones=milestones,
            lead_units="佛山高新区管委会",
            headline=True,
        )
        plan_writing.add_target(session=session, actor=admin, plan=plan, data=data)
        added += 1
    for name, unit, goal_value, reported in REPORTED:
        target = plan_writing.add_target(
            session=session,
            actor=admin,
            plan=plan,
            data=TargetFields(
                name=name,
                unit=unit,
                target_value=goal_value,
                milestones=_milestones(reported, goal_value),
                lead_units="市科技局",
            ),
        )
        targets.report(
            session=session,
            actor=admin,
            target=target,
            data=ReportFields(
                value=reported,
                as_of=max(date(FIRST, 1, 1), min(today, date(today.year, 6, 30))),
                source="牵头单位年度报送（演示）",
            ),
        )
        added += 1
    return added


def remove(*, session: Session) -> int:
    """Delete the demo plans (their targets and reported values go with them)."""
    plans = list(session.exec(select(Plan).where(col(Plan.demo))))
    for plan in plans:
        for target in plan_writing.targets_of(session=session, plan=plan):
            session.delete(target)
        session.flush()
        session.delete(plan)
    session.flush()
    return len(plans)
