"""The audit log for admins: who changed what, when, from what to what; searchable, exportable."""

import json
import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from core import audit, permissions, personal
from core.audit import AuditEntry, AuditFilter
from core.db import china_today
from core.errors import FieldErrors
from web.deps import CurrentUser, SessionDep
from web.downloads import table_download
from web.render import CHINA_TIME, render

router = APIRouter()
PAGE_SIZE = 100
EXPORT_LIMIT = 50_000
ACTION_LABELS = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "move": "移动阶段",
    "merge": "合并",
    "import_create": "导入新增",
    "import_update": "导入更新",
    "import": "导入名单",
    "undo_import": "撤销导入",
    "export": "导出",
    "login": "登录",
    "login_failed": "登录失败",
    "login_refused": "锁定期内登录",
    "login_throttled": "登录限流",
    personal.REVEAL: "查看完整电话",
    "lockout": "账号锁定",
    "end_sessions": "强制下线",
    "password_change": "修改密码",
    "password_reset": "重置密码",
}


def audit_filter(
    object_type: str = "", object_id: str = "", actor: str = "", start: str = "", end: str = ""
) -> AuditFilter:
    """Read the filters; a malformed date names its field."""
    days: dict[str, date | None] = {}
    for name, raw, label in (("start", start, "起始日期"), ("end", end, "截止日期")):
        try:
            days[name] = date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            raise FieldErrors({name: f"{label}格式应为 2026-01-31"}) from exc
    return AuditFilter(object_type[:40], object_id[:40], actor[:60], days["start"], days["end"])


def _visible(text: str) -> str:
    """Control characters written out (\\n), so a crafted name cannot start a new log line."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], text)


def _changes(entry: AuditEntry, *, whole: bool = False) -> str:
    """Before → after of each field, as one line (values JSON-escaped: no forged lines).

    Personal values (phones) are masked unless `whole`: an admin's logged reveal.
    """
    shown = (entry.before, entry.after) if whole else personal.masked_entry(entry)
    before, after = shown[0] or {}, shown[1] or {}
    keys = list(after) or list(before)
    return "；".join(
        f"{k}: {json.dumps(before.get(k), ensure_ascii=False)} → "
        f"{json.dumps(after.get(k), ensure_ascii=False)}"
        for k in keys
    )


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    start: str = "",
    end: str = "",
    page: int = 1,
) -> Response:
    """Search the log by object, actor and date range."""
    permissions.ensure_can_read_audit(user)
    flt = audit_filter(object_type, object_id, actor, start, end)
    result = audit.search(session=session, flt=flt, page=page, page_size=PAGE_SIZE)
    params = {"object_type": object_type, "object_id": object_id, "actor": actor}
    params |= {"start": start, "end": end}
    context: dict[str, Any] = {
        "entries": [(e, _changes(e), personal.holds_personal(e)) for e in result.items],
        "result": result,
        "params": params,
        "query_string": urlencode({k: v for k, v in params.items() if v}),
        "types": audit.object_types(session=session),
        "action_labels": ACTION_LABELS,
    }
    return render(request, "audit.html", context)


@router.post("/audit/{entry_id:int}/reveal")
def reveal(request: Request, entry_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """One entry's changes with the phones whole (admins; the look is logged), for htmx."""
    entry = personal.reveal_entry(session=session, actor=user, entry_id=entry_id)
    return render(request, "_phone.html", {"phone": _changes(entry, whole=True)})


@router.get("/audit/export.{fmt}")
def audit_export(
    fmt: str,
    session: SessionDep,
    user: CurrentUser,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    start: str = "",
    end: str = "",
) -> Response:
    """The filtered log as .xlsx or .csv (at most 50,000 entries, newest first; phones masked)."""
    permissions.ensure_can_read_audit(user)
    flt = audit_filter(object_type, object_id, actor, start, end)
    entries = audit.search(session=session, flt=flt, page=1, page_size=EXPORT_LIMIT).items
    rows = [
        [
            e.at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S"),
            _visible(e.actor_name),
            ACTION_LABELS.get(e.action, e.action),
            e.object_type,
            e.object_id,
            _visible(e.object_label),
            _changes(e),
            e.source,
        ]
        for e in entries
    ]
    return table_download(
        fmt,
        f"操作日志-{china_today():%Y%m%d}",
        ["时间（北京时间）", "操作人", "操作", "对象类型", "对象编号", "对象", "变更", "来源地址"],
        rows,
        [20, 14, 10, 16, 10, 30, 60, 16],
        session=session,
        actor=user,
    )
