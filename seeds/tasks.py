"""Load a plan's key tasks (seeds/data/tasks/*.yaml) with their units, in one batch.

A task that exists is left alone: its status and reports belong to the units that report on
it; only new tasks (and their units) are written.
"""

from typing import Any

from sqlmodel import Session, col, select

from core import audit, bulk
from core.db import require_id
from plans.targets import Plan
from plans.tasks import PlanTask, PlanTaskUnit
from seeds import basis
from seeds.basis import Bases


def load(*, session: Session, row: dict[str, Any], units: dict[str, int], bases: Bases) -> None:
    """Create the tasks of one file that do not exist yet; state every task's basis."""
    plan = session.exec(select(Plan).where(Plan.code == row["plan"])).one()
    codes = [item["code"] for item in row["tasks"]]
    existing = {
        t.code: t for t in session.exec(select(PlanTask).where(col(PlanTask.code).in_(codes)))
    }
    new = [
        PlanTask(
            plan_id=require_id(plan),
            code=item["code"],
            section=item.get("section", ""),
            title=item["title"],
            summary=item.get("summary", ""),
            units_note=item.get("units_note", ""),
            deadline=item.get("deadline", row["deadline"]),
            position=position,
        )
        for position, item in enumerate(row["tasks"])
        if item["code"] not in existing
    ]
    session.add_all(new)
    session.flush()
    by_code = existing | {t.code: t for t in new}
    fresh = {t.code for t in new}
    links = [
        {
            "task_id": require_id(by_code[item["code"]]),
            "unit_id": units[code],
            "role": role,
            "position": n,
        }
        for item in row["tasks"]
        if item["code"] in fresh
        for role, key in (("lead", "lead"), ("cooperating", "cooperating"))
        for n, code in enumerate(item.get(key, []))
    ]
    bulk.insert_rows(session, PlanTaskUnit, links)
    audit.record_created(
        session=session,
        actor=None,
        action="seed_create",
        object_type="plan_task",
        rows=[
            (require_id(t), t.title, {"code": t.code, "deadline": t.deadline.isoformat()})
            for t in new
        ],
    )
    for item in row["tasks"]:
        stated = basis.of_row(item, document=plan.code)
        bases.add("plan_task", by_code[item["code"]].id, stated)
