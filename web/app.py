"""The FastAPI application: routers, static files, error handling."""

import gc
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError

from chains.models import (
    DOSSIER_FIELD_LABELS,
    SEGMENT_LABELS,
    SETTINGS_LABELS,
    ChainSettings,
    DossierItemFields,
    SegmentFields,
)
from core.db import import_models, make_engine
from core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    NotAuthenticated,
    PasswordChangeRequired,
)
from core.settings import Settings, get_settings
from core.validation import field_errors
from enterprises.carriers import CARRIER_LABELS, CarrierFields
from enterprises.figures import FIGURE_LABELS, FigureFields
from enterprises.followups import FOLLOW_UP_LABELS, FollowUpFields
from enterprises.lead_contacts import CONTACT_LABELS, ContactFields
from enterprises.lead_stages import ARRIVAL_LABELS, ArrivalFields, LeadMoveFields
from enterprises.lead_stages import MOVE_LABELS as LEAD_MOVE_LABELS
from enterprises.leads import LEAD_LABELS, LeadFields
from enterprises.models import FIELD_LABELS, EnterpriseCreate, EnterpriseUpdate
from enterprises.pipeline import MOVE_LABELS
from enterprises.targets import REPORT_LABELS, ReportFields
from web.api import router as api_router
from web.api.chain_edit import ChokePointIn, DossierItemIn, SegmentIn, SettingsIn
from web.api.cultivation import BulkMoveIn, MoveIn, StartIn
from web.api.users import USER_LABELS, UserIn
from web.deps import PASSWORD_PAGE
from web.freshness import FreshAfterWrite
from web.pages import router as pages_router
from web.render import render
from web.security import SecurityHeaders
from web.statuses import status_for
from web.warmup import warm_up

STATIC = Path(__file__).parent / "static"

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
    LeadFields: LEAD_LABELS,
    LeadMoveFields: LEAD_MOVE_LABELS,
    FollowUpFields: FOLLOW_UP_LABELS,
    ArrivalFields: ARRIVAL_LABELS,
    ContactFields: CONTACT_LABELS,
    CarrierFields: CARRIER_LABELS,
    ReportFields: REPORT_LABELS,
    UserIn: USER_LABELS,
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def domain_error(request: Request, exc: Exception) -> Response:
    """Answer a domain error as JSON for the API and as a page (or login redirect) otherwise."""
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    if _is_api(request):
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
    return render(
        request, "error.html", {"message": exc.message, "status": status}, status_code=status
    )


async def validation_error(request: Request, exc: Exception) -> Response:
    """Answer malformed API input with Chinese messages that name the field."""
    assert isinstance(exc, RequestValidationError)
    endpoint = request.scope.get("endpoint")
    hints = get_type_hints(endpoint, include_extras=False) if endpoint else {}
    bodies = (base for hint in hints.values() for base in getattr(hint, "__mro__", ()))
    labels = next((_LABELS[base] for base in bodies if base in _LABELS), {})
    return await domain_error(request, field_errors(exc.errors(), labels))


# Every error answer of the API has this shape (see domain_error); the schema says so.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "中文说明"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
        "current": {"type": "object", "description": "on 409: the record as it is now"},
    },
}


def _publish_error_shape(app: FastAPI) -> None:
    """Describe our 422 answers instead of FastAPI's default validation-error list."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = generate()["components"]["schemas"]
            schemas["HTTPValidationError"] = ERROR_SCHEMA
            schemas.pop("ValidationError", None)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


async def out_of_range(request: Request, exc: Exception) -> Response:
    """A number or text the database cannot hold (an id past 2^63, a value too long)."""
    message = "输入的编号、数值或文本超出允许的范围"
    return await domain_error(request, FieldErrors({"request": message}))


def create_app(settings: Settings) -> FastAPI:
    """Build the application for these settings."""
    import_models()
    app = FastAPI(
        title="Chain Planner 产业链规划",
        version="0.1.0",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(OverflowError, out_of_range)  # SQLite
    app.add_exception_handler(DataError, out_of_range)  # PostgreSQL
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
    _publish_error_shape(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(FreshAfterWrite)
    return app


def freeze_startup_objects() -> None:
    """Keep what start-up built out of the cyclic collector's full passes, and collect less often.

    Modules, models, templates and the metadata live as long as the process; without this a
    full collection rescans them all and pauses a request for 100–300 ms (measured with
    tests/benchmarks/leads.py). A page of many objects (the lead board: 20 cards a lane with
    their forms) still set off collections of the older generations mid-request: the board's
    p95 was 77 ms against a p50 of 44 with the default thresholds, 50 with these.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


def app_from_env() -> FastAPI:
    """Build the application from CHAINPLAN_* environment variables (uvicorn factory)."""
    app = create_app(get_settings())
    warm_up(app.state.engine)
    freeze_startup_objects()
    return app
