"""Cultivation of firms toward designations: stages, the rules of moving, the event log.

Stages run candidate (候选) → pool (入库培育) → applied (申报) → recognised (认定), with side
exits rejected (未通过), lapsed (到期) and revoked (撤销); after an exit a firm may start again
as a candidate. Moving one stage on, a side exit and a tier promotion are ordinary moves; any
other move (skipping or going back) needs an admin and a reason. Every move is an event and
events are never changed, so the state on any past date can be recomputed from them.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, locking, permissions, versions
from core.accounts import User
from core.db import MAX_ID, china_today, enum_column, require_id, utcnow
from core.errors import Conflict, DomainError, FieldErrors, NotFound, PermissionDenied
from core.validation import Input, parse
from enterprises.cultivation.designations import Designation, Tier
from enterprises.registry.models import Enterprise


class Stage(StrEnum):
    """Where a firm stands toward one designation."""

    candidate = "candidate"
    pool = "pool"
    applied = "applied"
    recognised = "recognised"
    rejected = "rejected"
    lapsed = "lapsed"
    revoked = "revoked"


STAGE_LABELS = {
    Stage.candidate: "候选",
    Stage.pool: "入库培育",
    Stage.applied: "申报",
    Stage.recognised: "认定",
    Stage.rejected: "未通过",
    Stage.lapsed: "到期",
    Stage.revoked: "撤销",
}
ORDER = [Stage.candidate, Stage.pool, Stage.applied, Stage.recognised]
EXITS = {Stage.applied: {Stage.rejected}, Stage.recognised: {Stage.lapsed, Stage.revoked}}
ENDED = {Stage.rejected, Stage.lapsed, Stage.revoked}


class Cultivation(SQLModel, table=True):
    """One firm's path toward one designation (for a chain, where the designation says so)."""

    __table_args__ = (
        UniqueConstraint("enterprise_id", "designation_id", "chain_id"),
        # SQL lets rows whose chain is NULL repeat under the constraint above; not under this.
        Index(
            "uq_cultivation_firm_designation_no_chain",
            "enterprise_id",
            "designation_id",
            unique=True,
            postgresql_where=text("chain_id IS NULL"),
            sqlite_where=text("chain_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    designation_id: int = Field(foreign_key="designation.id", index=True)
    chain_id: int | None = Field(default=None, foreign_key="chain.id")
    stage: Stage = Field(sa_type=enum_column(Stage, 20), index=True)
    tier_id: int | None = Field(default=None, foreign_key="tier.id")
    batch: str = Field(default="", max_length=60)
    recognised_on: date | None = None
    valid_until: date | None = Field(default=None, index=True)
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)


class CultivationEvent(SQLModel, table=True):
    """One move of a cultivation; rows are only ever added."""

    __tablename__ = "cultivation_event"
    # Targets count recognitions within date ranges (plans/target_values.py).
    __table_args__ = (Index("ix_cultivation_event_stage_on", "to_stage", "on", "cultivation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cultivation_id: int = Field(foreign_key="cultivation.id", index=True, ondelete="CASCADE")
    on: date = Field(index=True, description="the date the move took effect")
    recorded_at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=60)
    from_stage: Stage | None = Field(default=None, sa_type=enum_column(Stage, 20))
    to_stage: Stage = Field(sa_type=enum_column(Stage, 20))
    tier_id: int | None = Field(default=None, foreign_key="tier.id")
    batch: str = Field(default="", max_length=60)
    valid_until: date | None = None
    note: str = Field(default="", max_length=1000)
    document_number: str = Field(default="", max_length=100)
    evidence_url: str = Field(default="", max_length=500)
    forced: bool = Field(default=False, description="a skip or step back an admin allowed")


class MoveFields(Input):
    """What a user gives when moving a cultivation."""

    web_addresses: ClassVar[frozenset[str]] = frozenset({"evidence_url"})

    to_stage: Stage
    on: date
    tier_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    batch: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=1000)
    document_number: str = Field(default="", max_length=100)
    evidence_url: str = Field(default="", max_length=500)


MOVE_LABELS = {
    "to_stage": "目标阶段",
    "on": "日期",
    "tier_id": "梯次",
    "batch": "批次/年度",
    "note": "说明",
    "document_number": "文号",
    "evidence_url": "佐证链接",
    "version": "版本号",
}


versions.track(Cultivation, CultivationEvent)


def is_ordinary(current: Stage, target: Stage, tier_up: bool) -> bool:
    """Whether a move follows the order: one stage on, a side exit, a restart or a promotion."""
    if current == target:
        return current == Stage.recognised and tier_up
    if current in ENDED:
        return target == Stage.candidate
    if target in EXITS.get(current, set()):
        return True
    return current in ORDER and target in ORDER and ORDER.index(target) == ORDER.index(current) + 1


def effective_stage(cultivation: Cultivation, today: date) -> Stage:
    """The stage as it stands today: a recognition past its validity has lapsed."""
    stage = Stage(cultivation.stage)
    if stage == Stage.recognised and cultivation.valid_until and cultivation.valid_until < today:
        return Stage.lapsed
    return stage


def _tier_rank(session: Session, tier_id: int | None) -> int:
    tier = session.get(Tier, tier_id) if tier_id is not None else None
    return tier.rank if tier else 0


def _check_tier(session: Session, designation: Designation, data: MoveFields) -> None:
    if data.tier_id is None:
        return
    tier = session.get(Tier, data.tier_id)
    if tier is None or tier.designation_id != designation.id:
        raise FieldErrors({"tier_id": f"梯次不属于“{designation.name}”"})
    if data.to_stage != Stage.recognised:
        raise FieldErrors({"tier_id": "只有认定时才能指定梯次"})


def _valid_until(designation: Designation, data: MoveFields, current: Cultivation) -> date | None:
    if data.to_stage != Stage.recognised:
        return current.valid_until
    return validity_end(designation, data.on)


def validity_end(designation: Designation, recognised_on: date) -> date | None:
    """The last valid day of a recognition made on a date (None: no expiry)."""
    if designation.validity_years is None:
        return None
    return _add_years(recognised_on, designation.validity_years) - timedelta(days=1)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _same_chain(chain_id: int | None) -> Any:
    column = col(Cultivation.chain_id)
    return column.is_(None) if chain_id is None else column == chain_id


def start(
    *,
    session: Session,
    actor: User,
    enterprise_id: int,
    designation: Designation,
    chain_id: int | None,
    on: date,
    note: str = "",
) -> Cultivation:
    """Make a firm a candidate for a designation (for a chain where the designation says so)."""
    firm = session.get(Enterprise, enterprise_id)
    if firm is None:
        raise NotFound(f"企业 {enterprise_id} 不存在")
    permissions.ensure_can_edit_enterprise(actor, firm.park_id)
    first = parse(MoveFields, {"to_stage": Stage.candidate, "on": on, "note": note}, MOVE_LABELS)
    locking.lock(session, firm)  # of two requests starting the same, the second finds it
    if designation.per_chain and chain_id is None:
        raise FieldErrors({"chain_id": f"“{designation.name}”按产业链认定，请选择产业链"})
    if not designation.per_chain:
        chain_id = None
    existing = session.exec(
        select(Cultivation).where(
            Cultivation.enterprise_id == enterprise_id,
            Cultivation.designation_id == designation.id,
            _same_chain(chain_id),
        )
    ).first()
    if existing is not None:
        stage = STAGE_LABELS[Stage(existing.stage)]
        raise Conflict(f"该企业已在“{designation.name}”培育名单中（{stage}）")
    cultivation = Cultivation(
        enterprise_id=enterprise_id,
        designation_id=require_id(designation),
        chain_id=chain_id,
        stage=Stage.candidate,
    )
    session.add(cultivation)
    session.flush()
    _log(session, actor, cultivation, None, first, False)
    return cultivation


def _log(
    session: Session,
    actor: User | None,
    cultivation: Cultivation,
    from_stage: Stage | None,
    data: MoveFields,
    forced: bool,
) -> CultivationEvent:
    event = CultivationEvent(
        cultivation_id=require_id(cultivation),
        on=data.on,
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        from_stage=from_stage,
        to_stage=data.to_stage,
        tier_id=cultivation.tier_id,
        batch=data.batch,
        valid_until=cultivation.valid_until,
        note=data.note,
        document_number=data.document_number,
        evidence_url=data.evidence_url,
        forced=forced,
    )
    session.add(event)
    session.flush()
    # The event log is the pipeline's own record; the audit log holds every change of business
    # data in one place, so a start and each move (single, bulk or lapse) are written there too.
    firm = session.get(Enterprise, cultivation.enterprise_id)
    designation = session.get(Designation, cultivation.designation_id)
    moved = audit.snapshot(event, ["on", "tier_id", "batch", "valid_until", "note", "forced"])
    audit.record(
        session=session,
        actor=actor,
        action="create" if from_stage is None else "move",
        obj=cultivation,
        label=f"{firm.name if firm else ''} · {designation.name if designation else ''}",
        before=None if from_stage is None else {"stage": from_stage.value},
        after={"stage": data.to_stage.value, **moved, "event_id": event.id},
    )
    return event


def move(
    *,
    session: Session,
    actor: User,
    cultivation: Cultivation,
    data: MoveFields,
    version: int | None = None,
    today: date | None = None,
) -> CultivationEvent:
    """Move a cultivation to another stage (or tier), recording the event.

    An out-of-order move needs an admin and a note giving the reason. With `version`, a
    cultivation someone else has moved since it was read is refused with Conflict; so is a
    move to the stage it already has (but for a recognition renewed or promoted), which is
    what the second of two people making the same move at once would otherwise ask for.
    """
    firm = session.get(Enterprise, cultivation.enterprise_id)
    designation = session.get(Designation, cultivation.designation_id)
    assert firm is not None and designation is not None
    permissions.ensure_can_edit_enterprise(actor, firm.park_id)
    # First, so that the rules below judge the stage as it now is (a stale version: 409).
    label = f"“{firm.name}”的培育状态"
    locking.claim(session, cultivation, version, label=label, current=["stage"])
    current = effective_stage(cultivation, today or china_today())
    _check_tier(session, designation, data)
    tier_up = data.tier_id is not None and _tier_rank(session, data.tier_id) > _tier_rank(
        session, cultivation.tier_id
    )
    if data.to_stage == current != Stage.recognised:
        raise Conflict(
            f"“{firm.name}”已处于“{STAGE_LABELS[current]}”阶段，请刷新后查看",
            current={"stage": cultivation.stage, "version": cultivation.version},
        )
    forced = not is_ordinary(current, data.to_stage, tier_up)
    if forced and not permissions.can_move_out_of_order(actor):
        step = f"从“{STAGE_LABELS[current]}”到“{STAGE_LABELS[data.to_stage]}”"
        raise PermissionDenied(f"{step}不符合培育顺序，须由管理员操作并说明原因")
    if forced and not data.note.strip():
        raise FieldErrors({"note": "跳过或回退阶段须说明原因"})
    if data.evidence_url and not data.evidence_url.startswith(("http://", "https://")):
        raise FieldErrors({"evidence_url": "佐证链接须以 http:// 或 https:// 开头"})
    cultivation.valid_until = _valid_until(designation, data, cultivation)
    if data.to_stage == Stage.recognised:
        if current != Stage.recognised:
            cultivation.recognised_on = data.on
        tier = data.tier_id or cultivation.tier_id or _lowest_tier(session, designation)
        cultivation.tier_id = tier
        cultivation.batch = data.batch or cultivation.batch
    elif data.to_stage == Stage.candidate:
        cultivation.tier_id, cultivation.recognised_on, cultivation.valid_until = None, None, None
    cultivation.stage = data.to_stage
    return _log(session, actor, cultivation, current, data, forced)


def _lowest_tier(session: Session, designation: Designation) -> int | None:
    tier = session.exec(
        select(Tier).where(Tier.designation_id == designation.id).order_by(col(Tier.rank))
    ).first()
    return tier.id if tier else None


def get(*, session: Session, cultivation_id: int) -> Cultivation:
    """Return the cultivation with this id or raise NotFound."""
    found = session.get(Cultivation, cultivation_id)
    if found is None:
        raise NotFound(f"培育记录 {cultivation_id} 不存在")
    return found


def lapse_expired(*, session: Session, today: date) -> int:
    """Write the lapse event of every recognition whose validity ended; return how many."""
    expired = session.exec(
        select(Cultivation).where(
            Cultivation.stage == Stage.recognised, col(Cultivation.valid_until) < today
        )
    ).all()
    lapsed = 0
    for cultivation in expired:
        locking.claim(session, cultivation, label=f"培育记录 {cultivation.id}")
        if cultivation.stage != Stage.recognised or cultivation.valid_until is None:
            continue  # moved by someone meanwhile
        ended = cultivation.valid_until + timedelta(days=1)
        data = MoveFields(to_stage=Stage.lapsed, on=ended, note="有效期届满，自动到期")
        cultivation.stage = Stage.lapsed
        _log(session, None, cultivation, Stage.recognised, data, False)
        lapsed += 1
    return lapsed


def bulk_move(
    *,
    session: Session,
    actor: User,
    cultivation_ids: list[int],
    data: MoveFields,
    today: date | None = None,
) -> int:
    """Move several cultivations with one note; all or none (a refusal names the firm).

    They are taken in the order of their ids, so that two bulk moves sharing some firms
    cannot each wait for the other (a deadlock on PostgreSQL).
    """
    if not cultivation_ids:
        raise FieldErrors({"ids": "请至少选择一家企业"})
    cultivation_ids = sorted(set(cultivation_ids))
    with session.begin_nested():  # rolled back as a whole if one move is refused
        for cid in cultivation_ids:
            cultivation = get(session=session, cultivation_id=cid)
            try:
                move(session=session, actor=actor, cultivation=cultivation, data=data, today=today)
            except DomainError as exc:
                firm = session.get(Enterprise, cultivation.enterprise_id)
                name = firm.name if firm else str(cultivation.enterprise_id)
                message = f"{name}：{exc.message}（全部未移动）"
                if isinstance(exc, PermissionDenied):  # a refusal stays a refusal (403)
                    raise PermissionDenied(message) from exc
                if isinstance(exc, Conflict):  # and a collision a collision (409)
                    raise Conflict(message) from exc
                raise FieldErrors({"ids": message}) from exc
    return len(cultivation_ids)
