"""Where firms stand on a day: stages as of a date (recomputed from the event log), valid
recognitions, a firm's titles, a designation's pipeline members.
"""

from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from enterprises.cultivation.designations import Designation, Tier
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, Stage, effective_stage


def events_of(*, session: Session, cultivation_ids: list[int]) -> dict[int, list[CultivationEvent]]:
    """Return each cultivation's events, oldest first."""
    grouped: dict[int, list[CultivationEvent]] = {cid: [] for cid in cultivation_ids}
    if not cultivation_ids:
        return grouped
    stmt = (
        select(CultivationEvent)
        .where(col(CultivationEvent.cultivation_id).in_(cultivation_ids))
        .order_by(col(CultivationEvent.on), col(CultivationEvent.id))
    )
    for event in session.exec(stmt):
        grouped[event.cultivation_id].append(event)
    return grouped


def stages_on(
    *, session: Session, day: date, designation_ids: list[int] | None = None
) -> dict[int, tuple[Stage, int | None]]:
    """Return {cultivation id: (stage, tier id)} as it stood at the end of `day`.

    Recomputed from the event log alone; a recognition whose validity had ended by then
    counts as lapsed even if its lapse event was written later.
    """
    stmt = (
        select(CultivationEvent)
        .where(col(CultivationEvent.on) <= day)
        .order_by(col(CultivationEvent.on), col(CultivationEvent.id))
    )
    if designation_ids is not None:
        stmt = stmt.join(Cultivation, col(Cultivation.id) == CultivationEvent.cultivation_id).where(
            col(Cultivation.designation_id).in_(designation_ids)
        )
    state: dict[int, tuple[Stage, int | None, date | None]] = {}
    for event in session.exec(stmt):
        state[event.cultivation_id] = (Stage(event.to_stage), event.tier_id, event.valid_until)
    result = {}
    for cid, (stage, tier, until) in state.items():
        if stage == Stage.recognised and until is not None and until < day:
            stage = Stage.lapsed
        result[cid] = (stage, tier)
    return result


def recognised_firms(today: date, high_growth_only: bool = False) -> Any:
    """A subquery of the ids of firms holding a recognition that is still valid today."""
    stmt = (
        select(Cultivation.enterprise_id)
        .join(Designation, col(Designation.id) == Cultivation.designation_id)
        .where(
            Cultivation.stage == Stage.recognised,
            or_(col(Cultivation.valid_until).is_(None), col(Cultivation.valid_until) >= today),
        )
    )
    if high_growth_only:
        stmt = stmt.where(col(Designation.high_growth))
    return stmt


def recognitions(
    *, session: Session, enterprise_ids: list[int], today: date
) -> dict[int, list[str]]:
    """Return {enterprise id: names of its valid recognitions (with tier)}."""
    found: dict[int, list[str]] = {}
    if not enterprise_ids:
        return found
    stmt = (
        select(Cultivation, Designation.name, Tier.name)
        .join(Designation, col(Designation.id) == Cultivation.designation_id)
        .outerjoin(Tier, col(Tier.id) == Cultivation.tier_id)
        .where(col(Cultivation.enterprise_id).in_(enterprise_ids))
        .order_by(col(Designation.position))
    )
    for cultivation, name, tier in session.exec(stmt):
        if effective_stage(cultivation, today) == Stage.recognised:
            found.setdefault(cultivation.enterprise_id, []).append(tier or name)
    return found


def enterprise_ids_in(*, session: Session, designation: Designation) -> set[int]:
    """Return the firms already in a designation's pipeline, at any stage."""
    stmt = select(Cultivation.enterprise_id).where(Cultivation.designation_id == designation.id)
    return set(session.exec(stmt))
