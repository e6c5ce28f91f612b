"""Importing a project ledger (项目台账导入): upload, preview, commit in one transaction, undo.

A ledger batch is an ImportBatch of kind "ledger" (enterprises.spreadsheets keeps the file, its
hash and the column mapping). Committing writes every new row as a project marked 补录 with its
history at the dates the ledger gives — the moves, the capital, a contact, the latest progress
— or nothing at all; rows whose investor is already a project are left out. Undo removes the
projects the batch made, unless one has been changed since.
"""

import io
from dataclasses import dataclass

from openpyxl import Workbook
from sqlmodel import Session, col, select

from core import audit, permissions
from core.accounts import User
from core.db import require_id, utcnow
from core.errors import Conflict, DomainError, FieldErrors, NotFound
from enterprises.projects import followups, lead_contacts, lead_stages, leads, ledger_rows
from enterprises.projects.followups import FollowUpFields, FollowUpKind
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_stages import ArrivalFields, LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage
from enterprises.projects.ledger_rows import LEDGER_FIELDS, Ledger, LedgerRow
from enterprises.registry.models import Enterprise
from enterprises.spreadsheets import imports, tabular
from enterprises.spreadsheets.imports import ImportBatch, ImportChange, ImportStatus

KIND = "ledger"
MAX_ROWS = 5000  # a team's ledger; larger files are split
NOTE = "台账导入"


def template() -> bytes:
    """An empty ledger with every column the import reads, under a merged title."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "项目台账"
    labels = [label for label, _, _ in LEDGER_FIELDS.values()]
    sheet.append(
        ["招商项目台账（填写说明：金额单位万元，可在表头注明“（亿元）”；日期如 2024-03-15）"]
    )
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(labels))
    sheet.append(labels)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stage(*, session: Session, actor: User, filename: str, content: bytes) -> ImportBatch:
    """Keep an uploaded ledger as a pending batch after checking it can be read."""
    permissions.ensure_can_create_lead(actor)
    if len(tabular.read(filename, content)) > MAX_ROWS + tabular.HEADER_SCAN:
        raise FieldErrors({"file": f"台账最多 {MAX_ROWS} 行，请分成几个文件导入"})
    return imports.keep(session=session, actor=actor, filename=filename, content=content, kind=KIND)


def get(*, session: Session, actor: User, batch_id: int) -> ImportBatch:
    """Return a ledger batch its uploader (or an admin) may see."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.kind != KIND or not permissions.can_see_import(actor, batch.actor_id):
        raise NotFound(f"台账导入批次 {batch_id} 不存在")
    return batch


def batches(*, session: Session, actor: User) -> list[ImportBatch]:
    """The ledger batches the user may see, newest first."""
    stmt = select(ImportBatch).where(ImportBatch.kind == KIND)
    if not permissions.sees_every_import(actor):
        stmt = stmt.where(ImportBatch.actor_id == actor.id)
    return list(session.exec(stmt.order_by(col(ImportBatch.id).desc()).limit(50)))


def _mapping(batch: ImportBatch) -> dict[int, str | None]:
    return {int(k): v or None for k, v in (batch.mapping or {}).items()}


def preview(
    *,
    session: Session,
    actor: User,
    batch: ImportBatch,
    mapping: dict[int, str | None] | None = None,
) -> Ledger:
    """Every row's fate under the mapping (kept on the batch when one is given)."""
    if mapping is not None:
        unknown = {f for f in mapping.values() if f and f not in LEDGER_FIELDS}
        if unknown:
            raise FieldErrors({"mapping": f"未知字段：{'、'.join(sorted(unknown))}"})
        batch.mapping = {str(k): v or "" for k, v in mapping.items()}
        session.flush()
    return ledger_rows.read(session, actor, batch.filename, batch.content, _mapping(batch))


@dataclass(frozen=True)
class Outcome:
    """What a commit did."""

    created: int
    skipped: int


def commit(*, session: Session, actor: User, batch: ImportBatch) -> Outcome:
    """Write every new row, with its history, in the request's transaction; refuse if any row
    has an error (nothing is written then)."""
    if batch.status != ImportStatus.pending:
        raise Conflict("该批次已提交或已撤销")
    ledger = preview(session=session, actor=actor, batch=batch)
    errors = [e for r in ledger.rows for e in r.errors]
    if errors:
        shown = "；".join(errors[:5]) + ("……" if len(errors) > 5 else "")
        raise FieldErrors({"file": f"台账有 {len(errors)} 处错误，请修正后重新上传：{shown}"})
    fresh = [r for r in ledger.rows if r.status == "new"]
    for row in fresh:
        try:
            _write(session, actor, batch, row)
        except DomainError as exc:  # a rule of the services the row check did not foresee
            raise FieldErrors({"file": f"第 {row.number} 行：{message(exc)}"}) from exc
    batch.status, batch.committed_at = ImportStatus.committed, utcnow()
    batch.rows_total, batch.created_count = len(ledger.rows), len(fresh)
    batch.unchanged_count = len(ledger.rows) - len(fresh)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="import_commit",
        obj=batch,
        label=batch.filename,
        after={"created": len(fresh), "skipped": len(ledger.rows) - len(fresh)},
    )
    return Outcome(len(fresh), len(ledger.rows) - len(fresh))


def message(exc: DomainError) -> str:
    """A refusal's words without field keys."""
    return "；".join(exc.errors.values()) if isinstance(exc, FieldErrors) else exc.message


def _write(session: Session, actor: User, batch: ImportBatch, row: LedgerRow) -> None:
    """One project with its moves, capital, contact and latest progress, marked 补录."""
    v = row.values
    lead = leads.create(
        session=session, actor=actor, data=ledger_rows.lead_fields(row), on=v["created_on"]
    )
    lead.backfilled = True
    for stage, on in row.stages():
        data = LeadMoveFields(to_stage=stage, on=on, note=NOTE)
        if stage == LeadStage.registered:
            data.registered_name = v["registered_name"]
            data.registered_credit_code = v.get("registered_code") or ""
            data.registered_code_pending = not data.registered_credit_code
        lead_stages.move(session=session, actor=actor, lead=lead, data=data)
    if v.get("on_hold_on"):
        data = LeadMoveFields(to_stage=LeadStage.on_hold, on=v["on_hold_on"], note=NOTE)
        lead_stages.move(session=session, actor=actor, lead=lead, data=data)
    if v.get("dropped_on"):
        reason, note = ledger_rows.drop_reason(row), v.get("drop_note", NOTE)
        data = LeadMoveFields(
            to_stage=LeadStage.dropped, on=v["dropped_on"], drop_reason=reason, note=note
        )
        lead_stages.move(session=session, actor=actor, lead=lead, data=data)
    last = max([on for _, on in row.stages()], default=v["created_on"])
    if v.get("arrived"):
        arrival = ArrivalFields(amount=v["arrived"], arrived_on=v.get("arrived_on") or last)
        lead_stages.add_arrival(session=session, actor=actor, lead=lead, data=arrival)
    if v.get("contact_name"):
        contact = ContactFields(
            name=v["contact_name"][:40],
            title=v.get("contact_title", "")[:60],
            phone=v.get("contact_phone", "")[:40],
        )
        lead_contacts.add_contact(session=session, actor=actor, lead=lead, data=contact)
    if v.get("progress"):
        news = FollowUpFields(
            kind=FollowUpKind.internal,  # the ledger's own line of news
            on=v.get("progress_on") or last,
            notes=v["progress"][:2000],
        )
        followups.log(session=session, actor=actor, lead=lead, data=news)
    session.flush()
    session.add(
        ImportChange(
            batch_id=require_id(batch),
            lead_id=require_id(lead),
            enterprise_id=lead.enterprise_id,
            action="created",
            version=lead.version,
        )
    )


def undo(*, session: Session, actor: User, batch: ImportBatch) -> int:
    """Remove the projects the batch created (and the firms their landing created); refused
    whole if one has been changed since."""
    if batch.status != ImportStatus.committed:
        raise Conflict("只有已提交的批次可以撤销")
    if not permissions.can_see_import(actor, batch.actor_id):
        raise NotFound(f"台账导入批次 {batch.id} 不存在")
    changes = list(session.exec(select(ImportChange).where(ImportChange.batch_id == batch.id)))
    made = [(c, session.get(Lead, c.lead_id)) for c in changes if c.lead_id is not None]
    changed = [lead.name for c, lead in made if lead is not None and lead.version != c.version]
    if changed:
        raise Conflict(f"以下项目导入后已被修改，不能撤销：{'、'.join(changed[:10])}")
    removed = 0
    for change, lead in made:
        if lead is None:
            continue
        firm = session.get(Enterprise, change.enterprise_id) if change.enterprise_id else None
        audit.record(
            session=session,
            actor=actor,
            action="delete",
            obj=lead,
            label=lead.name,
            before={"name": lead.name, "import_batch": batch.id},
        )
        session.delete(lead)
        removed += 1
        if firm is not None and _landed_by(session, firm, lead):
            session.flush()
            session.delete(firm)
    batch.status, batch.undone_at = ImportStatus.undone, utcnow()
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="import_undo",
        obj=batch,
        label=batch.filename,
        after={"removed": removed},
    )
    return removed


def _landed_by(session: Session, firm: Enterprise, lead: Lead) -> bool:
    """Whether the firm was made by this lead's landing and nothing else refers to it."""
    others = session.exec(
        select(Lead).where(Lead.enterprise_id == firm.id, col(Lead.id) != lead.id)
    ).first()
    return others is None and firm.version == 1 and firm.created_at >= lead.created_at
