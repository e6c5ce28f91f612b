"""The audit log as JSON (admins); phones masked, and shown whole per entry with a logged look."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from core import audit, permissions, personal
from core.audit import AuditEntry
from web.deps import CurrentUser, PathId, SessionDep
from web.pages.audit_log import audit_filter

router = APIRouter(tags=["audit"])


class AuditEntryOut(BaseModel):
    """One logged change."""

    id: int
    at: datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source: str


class AuditPage(BaseModel):
    """One page of the log; `total` is the cap when `total_is_lower_bound`."""

    total: int
    total_is_lower_bound: bool = False
    has_next: bool = False
    page: int
    items: list[AuditEntryOut]


@router.get("/audit")
def audit_log(
    session: SessionDep,
    user: CurrentUser,
    object_type: str = "",
    object_id: str = "",
    actor: Annotated[str, Query(description="user name")] = "",
    start: Annotated[str, Query(description="YYYY-MM-DD (China time)")] = "",
    end: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> AuditPage:
    """Entries by object, actor and date range, newest first, 100 per page."""
    permissions.ensure_can_read_audit(user)
    flt = audit_filter(object_type, object_id, actor, start, end)
    result = audit.search(session=session, flt=flt, page=page)
    return AuditPage(
        total=result.total,
        total_is_lower_bound=result.total_is_lower_bound,
        has_next=result.has_next,
        page=result.page,
        items=[_out(e, *personal.masked_entry(e)) for e in result.items],
    )


@router.post("/audit/{entry_id}/reveal")
def reveal(entry_id: PathId, session: SessionDep, user: CurrentUser) -> AuditEntryOut:
    """One entry with its phones whole (admin); the look is itself logged."""
    entry = personal.reveal_entry(session=session, actor=user, entry_id=entry_id)
    return _out(entry, entry.before, entry.after)


def _out(
    entry: AuditEntry, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> AuditEntryOut:
    return AuditEntryOut.model_validate(
        entry.model_dump(exclude={"before", "after"}) | {"before": before, "after": after}
    )
