"""Correcting the effective date of a stage move (更正移动日期).

A move is dated by the day it took effect, which the mover states; the time it was recorded
is kept apart (LeadMove.recorded_at). A wrong date is corrected by an admin with a reason,
within the dates of the moves either side of it, and the lead's clocks follow: the stay the
move ends and the one it starts, the day the lead entered its stage, the day it landed.
"""

from datetime import date

from sqlmodel import Field, Session, col, select

from core import audit, permissions
from core.accounts import User
from core.db import china_today, utcnow
from core.errors import FieldErrors, NotFound
from core.validation import Input
from enterprises.projects.lead_stages import LeadMove
from enterprises.projects.leads import LEAD_STAGE_LABELS, Lead, LeadStage, take


class MoveDateFields(Input):
    """A corrected date and why."""

    on: date
    reason: str = Field(min_length=2, max_length=200)


MOVE_DATE_LABELS = {"on": "生效日期", "reason": "更正原因", "version": "版本号"}


def _title(move: LeadMove) -> str:
    start = LEAD_STAGE_LABELS[LeadStage(move.from_stage)] if move.from_stage else "新建"
    return f"{start} → {LEAD_STAGE_LABELS[LeadStage(move.to_stage)]}"


def bounds(lead: Lead, ordered: list[LeadMove], index: int) -> tuple[date, date]:
    """The earliest and latest date the move at `index` of the lead's moves may take."""
    earliest = ordered[index - 1].on if index > 0 else lead.created_on
    latest = ordered[index + 1].on if index + 1 < len(ordered) else china_today()
    return earliest, min(latest, china_today())


def correct_date(
    *,
    session: Session,
    actor: User,
    lead: Lead,
    move_id: int,
    data: MoveDateFields,
    version: int | None = None,
) -> LeadMove:
    """Set a move's effective date to `data.on`, audited with the reason."""
    permissions.ensure_can_correct_move_dates(actor)
    take(session, lead, version)
    ordered = list(
        session.exec(select(LeadMove).where(LeadMove.lead_id == lead.id).order_by(col(LeadMove.id)))
    )
    index = next((i for i, m in enumerate(ordered) if m.id == move_id), None)
    if index is None:
        raise NotFound(f"阶段移动记录 {move_id} 不存在")
    move = ordered[index]
    earliest, latest = bounds(lead, ordered, index)
    if data.on > china_today():
        raise FieldErrors({"on": "生效日期不能晚于今天"})
    if data.on < earliest:
        what = "上一次移动" if index > 0 else "项目登记"
        raise FieldErrors({"on": f"生效日期不能早于{what}的日期 {earliest.isoformat()}"})
    if data.on > latest:
        raise FieldErrors({"on": f"生效日期不能晚于下一次移动的日期 {latest.isoformat()}"})
    before = move.on
    reason = data.reason.strip()
    move.on, move.date_corrected_at, move.date_correction = data.on, utcnow(), reason
    if index + 1 < len(ordered):
        ordered[index + 1].since = data.on
    else:
        lead.stage_since = data.on
    if move.to_stage == LeadStage.registered and lead.registered_on == before:
        lead.registered_on = data.on
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="correct_date",
        obj=move,
        label=f"{lead.name} · {_title(move)}",
        before={"on": before.isoformat()},
        after={"on": data.on.isoformat(), "reason": reason},
    )
    return move
