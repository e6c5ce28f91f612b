"""Moving a lead through its stages (landing it at 注册落地, see landing.py), and the capital
that arrives.

Before signing a lead may skip forward (a firm met at an expo may come straight to talks; a
person doing so says why in a note); from signing on, every milestone is passed in order, since
each starts the clock of the next (see lead_watch.py). Stepping back needs a note, dropping
needs a reason, a dropped lead can only be reopened where it stood, and a held lead resumes
where it stood or moves on from there.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, bounds, permissions, versions
from core.accounts import User
from core.db import MAX_ID, china_today, enum_column, require_id, utcnow
from core.errors import Conflict, FieldErrors
from core.validation import Input
from enterprises.projects import landing
from enterprises.projects.leads import FLOW, LEAD_STAGE_LABELS, Lead, LeadStage, take

SIGNED = FLOW.index(LeadStage.signed)


class DropReason(StrEnum):
    """Why a project was dropped (终止原因)."""

    elsewhere = "elsewhere"
    no_site = "no_site"
    terms = "terms"
    investor = "investor"
    policy = "policy"
    duplicate = "duplicate"
    other = "other"


DROP_REASON_LABELS = {
    DropReason.elsewhere: "落户外地",
    DropReason.no_site: "无合适载体/用地",
    DropReason.terms: "条件未谈拢",
    DropReason.investor: "投资方自身原因",
    DropReason.policy: "不符合产业政策",
    DropReason.duplicate: "重复项目",
    DropReason.other: "其他",
}


class LeadMove(SQLModel, table=True):
    """One stage move of a lead; rows are only ever added."""

    __tablename__ = "lead_move"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True, ondelete="CASCADE")
    on: date = Field(index=True)
    since: date | None = Field(
        default=None,
        description="the day the lead entered from_stage: the stay ends with this move",
    )
    recorded_at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=60)
    from_stage: LeadStage | None = Field(default=None, sa_type=enum_column(LeadStage, 20))
    to_stage: LeadStage = Field(sa_type=enum_column(LeadStage, 20))
    drop_reason: str = Field(default="", max_length=30)
    note: str = Field(default="", max_length=500)
    date_corrected_at: datetime | None = Field(
        default=None, description="when an admin last corrected `on` (see lead_move_dates)"
    )
    date_correction: str = Field(
        default="", max_length=200, sa_column_kwargs={"server_default": ""}
    )


class CapitalArrival(SQLModel, table=True):
    """Capital that actually arrived (到资) for a signed project."""

    __tablename__ = "capital_arrival"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True, ondelete="CASCADE")
    amount: float = Field(description="万元")
    arrived_on: date
    note: str = Field(default="", max_length=200)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=utcnow)


versions.track(LeadMove, CapitalArrival, family=versions.PROJECTS)


class LeadMoveFields(Input):
    """What a user gives when moving a lead; the landing fields matter at 注册落地 only."""

    to_stage: LeadStage
    on: date = Field(default_factory=china_today)
    note: str = Field(default="", max_length=500)
    drop_reason: DropReason | None = None
    registered_name: str = Field(default="", max_length=100)
    registered_credit_code: str = Field(default="", max_length=18)
    registered_code_pending: bool = False
    enterprise_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    def registered_firm(self) -> landing.RegisteredFirm:
        """The registered firm as given: chosen by id, or a name with its code (or pending)."""
        return landing.RegisteredFirm(
            enterprise_id=self.enterprise_id,
            name=self.registered_name,
            code=self.registered_credit_code,
            code_pending=self.registered_code_pending,
        )


class ArrivalFields(Input):
    """One arrival of capital."""

    amount: float = Field(gt=0, le=bounds.MONEY_WAN)
    arrived_on: date
    note: str = Field(default="", max_length=200)


MOVE_LABELS = {
    "to_stage": "目标阶段",
    "on": "日期",
    "note": "说明",
    "drop_reason": "终止原因",
    "registered_name": "注册企业名称",
    "registered_credit_code": "注册企业统一社会信用代码",
    "registered_code_pending": "代码待补",
    "enterprise_id": "关联企业",
    "version": "版本号",
}
ARRIVAL_LABELS = {"amount": "到资金额（万元）", "arrived_on": "到资日期", "note": "说明"}


class StageMoveRefused(Conflict):
    """A move the stage rules do not allow."""


def _label(stage: LeadStage) -> str:
    return LEAD_STAGE_LABELS[stage]


def _base(lead: Lead) -> LeadStage:
    """The stage in the flow a lead stands at (for a held or dropped one: where it stood)."""
    return LeadStage(lead.resume_stage or lead.stage)


def refusal(lead: Lead, data: LeadMoveFields) -> str:
    """Why the rules refuse this move, or "" when they allow it."""
    current, target, base = LeadStage(lead.stage), data.to_stage, _base(lead)
    if target == current:
        return f"项目已处于“{_label(current)}”阶段"
    if current == LeadStage.dropped:
        if target != base:
            return f"已终止的项目只能在原阶段“{_label(base)}”重新启动"
        return "" if data.note.strip() else "重新启动已终止的项目须填写说明"
    if target == LeadStage.dropped:
        return "" if data.drop_reason else "终止项目须选择终止原因"
    if target == LeadStage.on_hold:
        return "已达产的项目无需暂缓" if current == LeadStage.capacity else ""
    ti, bi = FLOW.index(target), FLOW.index(base)
    if ti < bi and not data.note.strip():
        return f"退回到“{_label(target)}”须填写说明"
    if ti > bi + 1 and ti > SIGNED:
        return f"签约后须逐级推进：当前为“{_label(base)}”，下一步应为“{_label(FLOW[bi + 1])}”"
    return ""


def jump_refusal(lead: Lead, data: LeadMoveFields) -> str:
    """Why a person's move past stages is refused (it needs a note saying why), or ""."""
    passed = skipped(lead, data.to_stage)
    if passed and not data.note.strip():
        names = "、".join(_label(s) for s in passed)
        return f"一次跨越多个阶段（跳过{names}）须填写说明"
    return ""


def skipped(lead: Lead, target: LeadStage) -> list[LeadStage]:
    """The stages of the flow a move onward to `target` passes over (none for other moves)."""
    if target not in FLOW or LeadStage(lead.stage) == LeadStage.dropped:
        return []
    return FLOW[FLOW.index(_base(lead)) + 1 : FLOW.index(target)]


def next_stages(lead: Lead, jumps: bool = True) -> list[LeadStage]:
    """The one-click moves: onward in the flow (with `jumps`, also past stages, which need a
    note), and on hold."""
    current, base = LeadStage(lead.stage), _base(lead)
    if current == LeadStage.dropped:
        return []
    bi = FLOW.index(base)
    onward = FLOW[bi + 1 : SIGNED + 1] if bi < SIGNED and jumps else FLOW[bi + 1 : bi + 2]
    resume = [base] if current == LeadStage.on_hold else []
    hold = [LeadStage.on_hold] if current not in (LeadStage.on_hold, LeadStage.capacity) else []
    return resume + onward + hold


def _check_date(lead: Lead, on: date) -> None:
    if on > china_today():
        raise FieldErrors({"on": "日期不能晚于今天"})
    if on < lead.stage_since:
        raise FieldErrors({"on": f"日期不能早于进入当前阶段的日期 {lead.stage_since.isoformat()}"})


def move(
    *,
    session: Session,
    actor: User,
    lead: Lead,
    data: LeadMoveFields,
    version: int | None = None,
    by_hand: bool = False,
) -> LeadMove:
    """Move a lead as the rules allow, record the event, and land it at 注册落地.

    With `version`, a lead changed since it was read is refused with Conflict; concurrent
    moves run one after another, each judged on the stage the one before left. A move `by_hand`
    (pages, API) past stages needs a note; history read from a ledger passes without one.
    """
    permissions.ensure_can_edit_lead(actor, lead.owner_id)
    take(session, lead, version)
    permissions.ensure_can_edit_lead(actor, lead.owner_id)  # as it is now
    if reason := refusal(lead, data) or (jump_refusal(lead, data) if by_hand else ""):
        raise StageMoveRefused(reason)
    _check_date(lead, data.on)
    before = audit.snapshot(lead, ["stage", "stage_since", "resume_stage", "enterprise_id"])
    current, target, since = LeadStage(lead.stage), data.to_stage, lead.stage_since
    if target == LeadStage.registered and lead.enterprise_id is None:
        firm = landing.land(session=session, actor=actor, lead=lead, given=data.registered_firm())
        lead.enterprise_id = require_id(firm)
    if target == LeadStage.registered and lead.registered_on is None:
        lead.registered_on = data.on
    lead.resume_stage = _base(lead) if target in (LeadStage.on_hold, LeadStage.dropped) else None
    if target == LeadStage.dropped:
        lead.drop_reason, lead.drop_note = str(data.drop_reason), data.note.strip()
    if target in FLOW:
        lead.reached = max(lead.reached, FLOW.index(target))
    lead.stage, lead.stage_since = target, data.on
    event = LeadMove(
        lead_id=require_id(lead),
        on=data.on,
        since=since,
        actor_id=actor.id,
        actor_name=actor.display_name or actor.username,
        from_stage=current,
        to_stage=target,
        drop_reason=str(data.drop_reason or ""),
        note=data.note.strip(),
    )
    session.add(event)
    session.flush()
    after = audit.snapshot(lead, list(before))
    old, new = audit.changed(before, after)
    audit.record(
        session=session,
        actor=actor,
        action="move",
        obj=lead,
        label=lead.name,
        before=old,
        after=new,
    )
    return event


def moves(*, session: Session, lead_id: int) -> list[LeadMove]:
    """The lead's moves, newest first."""
    stmt = (
        select(LeadMove)
        .where(LeadMove.lead_id == lead_id)
        .order_by(col(LeadMove.on).desc(), col(LeadMove.id).desc())
    )
    return list(session.exec(stmt))


def add_arrival(
    *, session: Session, actor: User, lead: Lead, data: ArrivalFields
) -> CapitalArrival:
    """Record capital that arrived for a signed project."""
    permissions.ensure_can_edit_lead(actor, lead.owner_id)
    take(session, lead)  # judged, and its sum added to, as the lead now is
    if lead.reached < SIGNED:
        raise FieldErrors({"amount": "签约前的项目不能登记到资"})
    if data.arrived_on > china_today():
        raise FieldErrors({"arrived_on": "到资日期不能晚于今天"})
    arrival = CapitalArrival(lead_id=require_id(lead), actor_id=actor.id, **data.model_dump())
    session.add(arrival)
    lead.capital_arrived = round(lead.capital_arrived + data.amount, 4)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=arrival,
        label=f"{lead.name} 到资",
        after=audit.snapshot(arrival, list(ArrivalFields.model_fields)),
    )
    return arrival


def arrivals(*, session: Session, lead_id: int) -> list[CapitalArrival]:
    """The lead's capital arrivals, newest first."""
    stmt = (
        select(CapitalArrival)
        .where(CapitalArrival.lead_id == lead_id)
        .order_by(col(CapitalArrival.arrived_on).desc())
    )
    return list(session.exec(stmt))
