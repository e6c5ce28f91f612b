"""The audit log as JSON (admins)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from core import audit, permissions
from web.deps import CurrentUser, SessionDep
from web.pages.audit_log import audit_filter

router = APIRouter(tags=["audit"])


class AuditEntryOut(BaseModel):
    """One logged change."""

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
    """One page of the log."""

    total: int
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
    total, entries = audit.search(session=session, flt=flt, page=page)
    items = [AuditEntryOut.model_validate(e, from_attributes=True) for e in entries]
    return AuditPage(total=total, page=page, items=items)
