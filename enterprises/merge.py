"""Merging two records of the same company: one absorbs the other, losing nothing.

Memberships, cultivations with their events, annual figures and import records move to the
kept firm; where both hold the same thing the kept firm's stronger or filled-in value wins.
The absorbed row is deleted; its audit entries stay under its old id, and the merge entry
names both, so the kept firm's history can show them.
"""

from sqlmodel import Session, col, select

from core import audit, locking, permissions
from core.accounts import User
from core.audit import AuditEntry
from core.db import utcnow
from core.errors import FieldErrors
from enterprises.cultivation.pipeline import ORDER, Cultivation, CultivationEvent, Stage
from enterprises.projects.leads import Lead
from enterprises.registry.figures import EnterpriseFigure
from enterprises.registry.models import Enterprise, EnterpriseFields, Membership, fold_membership
from enterprises.spreadsheets.imports import ImportChange


def _progress(stage: Stage) -> int:
    return ORDER.index(stage) if stage in ORDER else -1


def merge(*, session: Session, actor: User, kept: Enterprise, absorbed: Enterprise) -> Enterprise:
    """Fold `absorbed` into `kept` and delete it."""
    permissions.ensure_can_merge(actor)
    if kept.id == absorbed.id:
        raise FieldErrors({"other": "不能与自身合并"})
    # Both are rewritten: each is taken as it now is, and judged where it now stands.
    for firm in (kept, absorbed):
        locking.claim(session, firm, label=f"企业「{firm.name}」")
        permissions.ensure_can_edit_enterprise(actor, firm.park_id)
    if kept.credit_code and absorbed.credit_code and kept.credit_code != absorbed.credit_code:
        raise FieldErrors({"other": "两家企业的统一社会信用代码不同，不是同一家企业"})
    before = audit.snapshot(kept, list(EnterpriseFields.model_fields))
    values = absorbed.model_dump(include=set(EnterpriseFields.model_fields))
    absorbed_record = audit.snapshot(absorbed)
    absorbed.credit_code = None
    session.flush()  # the code is unique: free it before the kept firm takes it
    for name, value in values.items():
        if getattr(kept, name) in (None, "") and value not in (None, ""):
            setattr(kept, name, value)
    _memberships(session, kept, absorbed)
    _cultivations(session, kept, absorbed)
    _figures(session, kept, absorbed)
    for change in session.exec(
        select(ImportChange).where(ImportChange.enterprise_id == absorbed.id)
    ):
        change.enterprise_id = kept.id
    for lead in session.exec(select(Lead).where(Lead.enterprise_id == absorbed.id)):
        lead.enterprise_id = kept.id
    kept.updated_at = utcnow()  # a change of the kept firm, even when no field of it moved
    session.flush()
    old, new = audit.changed(before, audit.snapshot(kept, list(EnterpriseFields.model_fields)))
    for firm, role in ((kept, "kept"), (absorbed, "absorbed")):
        audit.record(
            session=session,
            actor=actor,
            action="merge",
            obj=firm,
            label=firm.name,
            before=old if role == "kept" else absorbed_record,
            after={"kept_id": kept.id, "absorbed_id": absorbed.id, "absorbed_name": absorbed.name}
            | (new if role == "kept" else {}),
        )
    session.delete(absorbed)
    session.flush()
    return kept


def _memberships(session: Session, kept: Enterprise, absorbed: Enterprise) -> None:
    held = {
        m.segment_id: m
        for m in session.exec(select(Membership).where(Membership.enterprise_id == kept.id))
    }
    for member in session.exec(select(Membership).where(Membership.enterprise_id == absorbed.id)):
        there = held.get(member.segment_id)
        if there is None:
            member.enterprise_id = kept.id or 0
            continue
        fold_membership(there, member)
        session.delete(member)


def _cultivations(session: Session, kept: Enterprise, absorbed: Enterprise) -> None:
    held = {
        (c.designation_id, c.chain_id): c
        for c in session.exec(select(Cultivation).where(Cultivation.enterprise_id == kept.id))
    }
    for cultivation in session.exec(
        select(Cultivation).where(Cultivation.enterprise_id == absorbed.id)
    ):
        there = held.get((cultivation.designation_id, cultivation.chain_id))
        if there is None:
            cultivation.enterprise_id = kept.id or 0
            continue
        # Both paths are kept in one event log; the further-advanced state stands.
        events = session.exec(
            select(CultivationEvent).where(CultivationEvent.cultivation_id == cultivation.id)
        )
        for event in events:
            event.cultivation_id = there.id or 0
        locking.claim(session, there, label=f"企业「{kept.name}」的培育记录")
        if _progress(Stage(cultivation.stage)) > _progress(Stage(there.stage)):
            for name in ("stage", "tier_id", "batch", "recognised_on", "valid_until"):
                setattr(there, name, getattr(cultivation, name))
        there.updated_at = utcnow()  # its event log grew: a change even if its state did not
        session.flush()
        session.delete(cultivation)


def _figures(session: Session, kept: Enterprise, absorbed: Enterprise) -> None:
    years = set(
        session.exec(select(EnterpriseFigure.year).where(EnterpriseFigure.enterprise_id == kept.id))
    )
    stmt = select(EnterpriseFigure).where(EnterpriseFigure.enterprise_id == absorbed.id)
    for figure in session.exec(stmt.order_by(col(EnterpriseFigure.year))):
        if figure.year in years:
            session.delete(figure)
        else:
            figure.enterprise_id = kept.id or 0


def history(*, session: Session, enterprise_id: int) -> list[AuditEntry]:
    """An enterprise's audit entries, with those of the records merged into it, newest first."""
    entries = audit.history(session=session, object_type="enterprise", object_id=enterprise_id)
    absorbed = [
        e.after["absorbed_id"]
        for e in entries
        if e.action == "merge" and e.after and e.after.get("kept_id") == enterprise_id
    ]
    for other in absorbed:
        entries += audit.history(session=session, object_type="enterprise", object_id=other)
    return sorted(entries, key=lambda e: (e.at, e.id or 0), reverse=True)
