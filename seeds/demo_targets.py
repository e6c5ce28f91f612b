"""Demo reported values for the plans' reported targets, so their pages have a history."""

import random
from datetime import date

from sqlmodel import Session, col, select

from core.accounts import Role, User
from core.db import china_today
from plans import targets
from plans.targets import ReportedValue, ReportFields, Target, TargetForm, TargetKind

SOURCES = ["牵头单位年度报送（演示）", "园区管理局季度报送（演示）", "市科技局公布名单（演示）"]


def generate(*, session: Session, seed: int = 2023) -> int:
    """Report two or three yearly values for every reported target that has none yet."""
    rng = random.Random(seed)
    admin = session.exec(select(User).where(User.role == Role.admin)).first()
    if admin is None:
        return 0
    added = 0
    for target in session.exec(select(Target).where(Target.kind == TargetKind.reported)):
        if targets.history(session=session, target=target):
            continue
        if target.form == TargetForm.relative:
            continue  # a multiple of a base value nobody has entered: nothing to pretend
        share = rng.uniform(0.55, 1.15)
        last = min(target.deadline.year, china_today().year - 1)  # no report dated ahead
        for year in range(2021, last + 1):
            progress = share * (year - 2020) / (target.deadline.year - 2020)
            value = target.target_value * progress
            if target.form == TargetForm.milestone:
                value = 1.0 if progress >= 1 else 0.0
            data = ReportFields(
                value=round(value, 0),
                as_of=date(year, 12, 31),
                source=rng.choice(SOURCES),
            )
            targets.report(session=session, actor=admin, target=target, data=data)
            added += 1
    return added


def remove(*, session: Session) -> int:
    """Delete the demo reported values (their source says 演示)."""
    demo_rows = select(ReportedValue).where(col(ReportedValue.source).contains("（演示）"))
    rows = list(session.exec(demo_rows))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
