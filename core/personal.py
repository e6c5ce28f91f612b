"""Personal information: contact phones are shown masked everywhere; a whole one is logged.

The fields holding personal data are named once here, as the records and the audit log call
them. Every path that shows stored values (pages, htmx fragments, the API, exports, a firm's
history, the audit log) masks them with `mask_phone` or `masked`; the few that hand out a
whole one — 显示完整号码, an export for a project's team, an admin opening an audit entry —
are allowed by core.permissions and call `record_reveal` (or `record_reveals`), so the audit
log says who saw whose number and when.
"""

from typing import Any

from sqlmodel import Session

from core import audit, permissions
from core.accounts import User
from core.audit import AuditEntry
from core.errors import NotFound

# Firms' contact phones (enterprise.contact_phone) and lead contacts' (lead_contact.phone).
PERSONAL_FIELDS = frozenset({"contact_phone", "phone"})
REVEAL = "view_phone"


def mask_phone(phone: str) -> str:
    """Mask a phone number as 138****1234."""
    digits = phone.strip()
    if len(digits) < 7:
        return "****" if digits else ""
    return f"{digits[:3]}****{digits[-4:]}"


def keep_unless_changed(submitted: str, stored: str) -> str:
    """The stored phone when a form or API client sends back the masked one it was shown."""
    return stored if stored and submitted == mask_phone(stored) else submitted


def masked(values: dict[str, Any]) -> dict[str, Any]:
    """A record's values (as a snapshot or an audit entry holds them), personal fields masked."""
    return {
        k: mask_phone(v) if k in PERSONAL_FIELDS and isinstance(v, str) else v
        for k, v in values.items()
    }


def masked_entry(entry: AuditEntry) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """An audit entry's before and after as anyone may be shown them."""
    return (
        masked(entry.before) if entry.before else entry.before,
        masked(entry.after) if entry.after else entry.after,
    )


def holds_personal(entry: AuditEntry) -> bool:
    """Whether an audit entry records a personal value that is shown masked."""
    return any(
        values.get(k) for values in (entry.before or {}, entry.after or {}) for k in PERSONAL_FIELDS
    )


def record_reveal(
    *,
    session: Session,
    actor: User,
    object_type: str,
    object_id: int | str,
    label: str,
    after: dict[str, Any] | None = None,
) -> None:
    """Log that a user was shown a whole phone (whose, from what)."""
    audit.record_event(
        session=session,
        actor=actor,
        action=REVEAL,
        object_type=object_type,
        object_id=str(object_id),
        label=label,
        after=after,
    )


def record_reveals(
    *, session: Session, actor: User, object_type: str, shown: list[tuple[int, str]], via: str
) -> None:
    """Log many whole phones shown at once (an export): one entry per person, in one write."""
    audit.record_events(
        session=session,
        actor=actor,
        action=REVEAL,
        object_type=object_type,
        rows=[(object_id, label, {"via": via}) for object_id, label in shown],
    )


def reveal_entry(*, session: Session, actor: User, entry_id: int) -> AuditEntry:
    """An audit entry with its personal values whole, for an admin; the look is logged."""
    permissions.ensure_can_read_audit(actor)
    entry = session.get(AuditEntry, entry_id)
    if entry is None:
        raise NotFound(f"日志记录 {entry_id} 不存在")
    if holds_personal(entry):
        record_reveal(
            session=session,
            actor=actor,
            object_type=entry.object_type,
            object_id=entry.object_id,
            label=entry.object_label,
            after={"via": "audit", "audit_entry": entry_id},
        )
    return entry
