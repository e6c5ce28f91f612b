"""How a failed request is answered: a Chinese page for browsers (a fragment for htmx), JSON
`{"detail": …}` under /api, and for the unexpected a request number, logged with the trace.

Error pages are drawn after the request's transaction was rolled back and its session closed,
so they never read the database's rows: the navigation comes from web.deps.SignedIn, the plain
facts of the user captured when the request resolved its user.
"""

import logging
import secrets
from typing import Any, get_type_hints
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Match

from chains.models import (
    DOSSIER_FIELD_LABELS,
    SEGMENT_LABELS,
    SETTINGS_LABELS,
    ChainSettings,
    DossierItemFields,
    SegmentFields,
)
from core.db import READ_ONLY
from core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    NotAuthenticated,
    NotFound,
    PasswordChangeRequired,
)
from core.validation import field_errors
from enterprises.cultivation.pipeline import MOVE_LABELS
from enterprises.projects.carriers import CARRIER_LABELS, CarrierFields
from enterprises.projects.followups import FOLLOW_UP_LABELS, FollowUpFields
from enterprises.projects.lead_contacts import CONTACT_LABELS, ContactFields
from enterprises.projects.lead_intake import INTAKE_LABELS, IntakeFields
from enterprises.projects.lead_move_dates import MOVE_DATE_LABELS, MoveDateFields
from enterprises.projects.lead_stages import ARRIVAL_LABELS, ArrivalFields, LeadMoveFields
from enterprises.projects.lead_stages import MOVE_LABELS as LEAD_MOVE_LABELS
from enterprises.projects.leads import LEAD_LABELS, LeadFields
from enterprises.registry.figures import FIGURE_LABELS, FigureFields
from enterprises.registry.models import FIELD_LABELS, EnterpriseCreate, EnterpriseUpdate
from plans.targets import REPORT_LABELS, ReportFields
from plans.tasks import PROGRESS_LABELS, ProgressFields
from web.api.chain_edit import ChokePointIn, DossierItemIn, SegmentIn, SettingsIn
from web.api.cultivation import BulkMoveIn, MoveIn, StartIn
from web.api.users import USER_LABELS, UnitIn, UserIn
from web.deps import (
    PASSWORD_PAGE,
    SAFE_METHODS,
    SESSION_COOKIE,
    SIGNED_IN,
    SignedIn,
    resumed,
)
from web.render import render
from web.security import add_headers
from web.statuses import TITLES, status_for

logger = logging.getLogger("chainplan.errors")

# The Chinese field names for each kind of request body (or a body it extends), found through
# the endpoint's hints.
_LABELS: dict[type, dict[str, str]] = {
    EnterpriseCreate: FIELD_LABELS,
    EnterpriseUpdate: FIELD_LABELS,
    SegmentFields: SEGMENT_LABELS,
    ChainSettings: SETTINGS_LABELS,
    DossierItemFields: DOSSIER_FIELD_LABELS,
    SegmentIn: SEGMENT_LABELS | {"version": "版本号"},
    SettingsIn: SETTINGS_LABELS | {"version": "版本号"},
    DossierItemIn: DOSSIER_FIELD_LABELS | {"version": "版本号"},
    MoveIn: MOVE_LABELS,
    BulkMoveIn: MOVE_LABELS | {"ids": "企业"},
    FigureFields: FIGURE_LABELS,
    StartIn: MOVE_LABELS | {"enterprise_id": "企业", "designation": "认定称号", "chain": "产业链"},
    ChokePointIn: SEGMENT_LABELS,
    IntakeFields: INTAKE_LABELS,
    LeadFields: LEAD_LABELS,
    LeadMoveFields: LEAD_MOVE_LABELS,
    MoveDateFields: MOVE_DATE_LABELS,
    FollowUpFields: FOLLOW_UP_LABELS,
    ArrivalFields: ARRIVAL_LABELS,
    ContactFields: CONTACT_LABELS,
    CarrierFields: CARRIER_LABELS,
    ReportFields: REPORT_LABELS,
    UserIn: USER_LABELS,
    ProgressFields: PROGRESS_LABELS,
    UnitIn: {"unit_id": "所属单位"},
}

# Fields of plain form and query parameters (no model to name them).
_PLAIN_LABELS = {"username": "用户名", "password": "密码", "file": "文件", "page": "页码"}

# What Starlette's own refusals (no such route, method, static file) say.
_HTTP_MESSAGES = {
    404: "您要找的页面或数据不存在，请检查地址是否正确",
    405: "该地址不支持这种请求方式",
}


def is_api(request: Request) -> bool:
    """Requests under /api (and the schema) are answered in JSON, everything else in HTML."""
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


async def _signed_in(request: Request) -> SignedIn | None:
    """The user the request resolved, or (for a URL that matched no route) its session's user.

    Reads the session row in a transaction of its own that is never committed (an error
    answer must not write), in a worker thread like every database read.
    """
    found: SignedIn | None = getattr(request.state, SIGNED_IN, None)
    token = request.cookies.get(SESSION_COOKIE)
    if found is not None or not token:
        return found

    def look_up() -> SignedIn | None:
        try:
            with Session(request.app.state.engine) as session:
                # Its touch of the login stays queued and is dropped: on SQLite a write here
                # (a read turned writer) failed "database is locked" beside other writers.
                session.info[READ_ONLY] = True
                user, login = resumed(session, request.app.state.settings, token)
                request.state.csrf_token = login.csrf_token
                return SignedIn.of(user)
        except NotAuthenticated:
            return None

    return await run_in_threadpool(look_up)


async def error_page(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The error as a page (or, for htmx, the fragment it swaps in) or as API JSON."""
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    title = TITLES.get(status, "请求有误")
    if status == 403 and request.method not in SAFE_METHODS:
        title = "无权操作"
    context = {"status": status, "title": title, "message": message}
    response = render(
        request,
        "error.html",
        context | {"user": await _signed_in(request)},
        fragment="_error.html",
        status_code=status,
    )
    response.headers.update(headers or {})
    return response


async def domain_error(request: Request, exc: Exception) -> Response:
    """Answer a domain error as JSON for the API and as a page (or login redirect) otherwise."""
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    if is_api(request):
        body: dict[str, object] = {"detail": exc.message}
        if isinstance(exc, FieldErrors):
            body["errors"] = exc.errors
        if isinstance(exc, Conflict):
            body["current"] = exc.current
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)
    if isinstance(exc, NotAuthenticated | PasswordChangeRequired):
        target = (
            PASSWORD_PAGE
            if isinstance(exc, PasswordChangeRequired)
            else "/login?next=" + quote(str(request.url.path))
        )
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    return await error_page(request, status, exc.message)


async def validation_error(request: Request, exc: Exception) -> Response:
    """Answer malformed input with Chinese messages that name the field.

    A page address whose id is not a number names nothing: 未找到, as any unknown address.
    """
    assert isinstance(exc, RequestValidationError)
    if not is_api(request) and any(e["loc"][:1] == ("path",) for e in exc.errors()):
        return await domain_error(request, NotFound("您要找的页面或数据不存在，请检查地址是否正确"))
    endpoint = request.scope.get("endpoint")
    hints = get_type_hints(endpoint, include_extras=False) if endpoint else {}
    # The most specific body first: a body's own names before those of the body it extends.
    bodies = (base for hint in hints.values() for base in getattr(hint, "__mro__", ()))
    labels = _PLAIN_LABELS | next((_LABELS[base] for base in bodies if base in _LABELS), {})
    return await domain_error(request, field_errors(exc.errors(), labels))


async def out_of_range(request: Request, exc: Exception) -> Response:
    """A number or text the database cannot hold (an id past 2^63, a value too long)."""
    message = "输入的编号、数值或文本超出允许的范围（或含有不允许的字符）"
    return await domain_error(request, FieldErrors({"request": message}))


def _allowed_methods(request: Request) -> str:
    """Every method some route answers at this address (Starlette names only the first
    route's, and a GET and a PUT of one address are two routes here)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    )


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's refusals (no such address, method not allowed) in Chinese."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # FastAPI: a body that is not JSON, or not a form
        unreadable = "请求内容无法解析，请检查其格式（JSON 或表单）"
        return await domain_error(request, FieldErrors({"request": unreadable}))
    message = _HTTP_MESSAGES.get(exc.status_code, TITLES.get(exc.status_code, "请求有误"))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return await error_page(request, exc.status_code, message, headers)


async def _server_error_page(request: Request, number: str) -> Response:
    message = f"服务器处理请求时出错，已记录。请联系管理员并告知请求编号 {number}"
    if is_api(request):
        return JSONResponse({"detail": message, "request_id": number}, status_code=500)
    try:
        return await error_page(request, 500, message)
    except Exception:  # noqa: BLE001 — the page itself failed: say it plainly
        logger.exception("request %s: the error page failed too", number)
        body = f"<!doctype html><meta charset=utf-8><title>服务器出错</title><p>{message}</p>"
        return HTMLResponse(body, status_code=500)


async def server_error(request: Request, exc: Exception) -> Response:
    """The unexpected: a request number logged with the trace and shown to the user.

    Starlette answers it from its outermost middleware, outside web.security's, so the
    security headers are added here.
    """
    number = secrets.token_hex(4)
    logger.error("request %s failed: %s %s", number, request.method, request.url.path, exc_info=exc)
    response = await _server_error_page(request, number)
    response.headers["X-Request-ID"] = number
    add_headers(response.headers, request.url.path)
    return response


HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    RequestValidationError: validation_error,
    OverflowError: out_of_range,  # SQLite
    DataError: out_of_range,  # PostgreSQL
    HTTPException: http_error,
    Exception: server_error,
}
