"""The follow-up log of a lead (跟进记录): what was done, and the next step with its due date."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import model_validator
from sqlmodel import Field, Session, col, select

from core import audit, permissions
from core.accounts import User
from core.db import china_today, enum_column, require_id, utcnow
from core.errors import FieldErrors
from core.validation import Input
from enterprises.projects import lead_stages
from enterprises.projects.lead_stages import DROP_REASON_LABELS, DropReason
from enterprises.projects.leads import LEAD_STAGE_LABELS, Lead, LeadStage, take


class FollowUpKind(StrEnum):
    """What kind of contact a follow-up was."""

    visit = "visit"
    call = "call"
    meeting = "meeting"
    event = "event"
    internal = "internal"


FOLLOW_UP_KIND_LABELS = {
    FollowUpKind.visit: "拜访",
    FollowUpKind.call: "电话",
    FollowUpKind.meeting: "会谈",
    FollowUpKind.event: "活动",
    FollowUpKind.internal: "内部研究",
}


class FollowUpFields(Input):
    """What a user writes in the log."""

    kind: FollowUpKind = FollowUpKind.call
    on: date
    people: str = Field(default="", max_length=200)
    notes: str = Field(min_length=1, max_length=2000)
    next_step: str = Field(default="", max_length=200)
    next_due: date | None = None

    @model_validator(mode="after")
    def _due_after(self) -> "FollowUpFields":
        if self.next_due is not None and self.next_due < self.on:
            raise FieldErrors({"next_due": "下一步截止日期不能早于跟进日期"})
        if self.next_due is not None and not self.next_step.strip():
            raise FieldErrors({"next_step": "填写了截止日期，请写明下一步做什么"})
        return self


FOLLOW_UP_LABELS = {
    "kind": "跟进方式",
    "on": "跟进日期",
    "people": "参与人员",
    "notes": "跟进情况",
    "next_step": "下一步",
    "next_due": "下一步截止日期",
}


class FollowUp(FollowUpFields, table=True):
    """One entry of a lead's follow-up log."""

    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True, ondelete="CASCADE")
    kind: FollowUpKind = Field(default=FollowUpKind.call, sa_type=enum_column(FollowUpKind, 10))
    notes: str = Field(max_length=2000)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=60)
    recorded_at: datetime = Field(default_factory=utcnow)


def log(*, session: Session, actor: User, lead: Lead, data: FollowUpFields) -> FollowUp:
    """Add a follow-up; the newest entry's next step becomes the lead's open next step."""
    permissions.ensure_can_edit_lead(actor, lead.owner_id)
    if data.on > china_today():
        raise FieldErrors({"on": "跟进日期不能晚于今天"})
    take(session, lead)  # the next step below is compared with the lead as it now is
    entry = FollowUp(
        lead_id=require_id(lead),
        actor_id=actor.id,
        actor_name=actor.display_name or actor.username,
        **data.model_dump(),
    )
    session.add(entry)
    if lead.last_followup_on is None or data.on >= lead.last_followup_on:
        lead.last_followup_on = data.on
        lead.next_step, lead.next_due = data.next_step.strip(), data.next_due
    lead.updated_at = utcnow()  # a follow-up is a change of the lead, whatever its date
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=entry,
        label=f"{lead.name} 跟进",
        after=audit.snapshot(entry, list(FollowUpFields.model_fields)),
    )
    return entry


def of_lead(*, session: Session, lead_id: int) -> list[FollowUp]:
    """The lead's follow-ups, newest first."""
    stmt = (
        select(FollowUp)
        .where(FollowUp.lead_id == lead_id)
        .order_by(col(FollowUp.on).desc(), col(FollowUp.id).desc())
    )
    return list(session.exec(stmt))


@dataclass(frozen=True)
class Happening:
    """One line of a lead's timeline."""

    on: date
    kind: str
    title: str
    detail: str
    actor: str
    recorded_at: datetime


def _reason(code: str) -> str:
    return DROP_REASON_LABELS[DropReason(code)] if code else ""


def timeline(*, session: Session, lead: Lead) -> list[Happening]:
    """Moves, follow-ups and capital arrivals of a lead in one list, newest first."""
    lead_id = require_id(lead)
    items = [
        Happening(
            m.on,
            "move",
            f"{LEAD_STAGE_LABELS[LeadStage(m.from_stage)] if m.from_stage else '新建'} → "
            f"{LEAD_STAGE_LABELS[LeadStage(m.to_stage)]}",
            " · ".join(x for x in (_reason(m.drop_reason), m.note) if x),
            m.actor_name,
            m.recorded_at,
        )
        for m in lead_stages.moves(session=session, lead_id=lead_id)
    ]
    items += [
        Happening(
            f.on,
            "followup",
            f"跟进（{FOLLOW_UP_KIND_LABELS[FollowUpKind(f.kind)]}）",
            f.notes
            + (f"；下一步：{f.next_step}" if f.next_step else "")
            + (f"（{f.next_due.isoformat()} 前）" if f.next_due else ""),
            f.actor_name,
            f.recorded_at,
        )
        for f in of_lead(session=session, lead_id=lead_id)
    ]
    items += [
        Happening(a.arrived_on, "arrival", f"到资 {a.amount:,.2f} 万元", a.note, "", a.recorded_at)
        for a in lead_stages.arrivals(session=session, lead_id=lead_id)
    ]
    items.append(Happening(lead.created_on, "created", "登记项目", "", "", lead.created_at))
    return sorted(items, key=lambda h: (h.on, h.recorded_at), reverse=True)
