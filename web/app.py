"""The FastAPI application: routers, static files, error handling."""

import gc
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import Response

from core.db import make_engine
from core.settings import Settings, get_settings
from migrations.tables import import_tables
from web.api import router as api_router
from web.assets import ASSETS
from web.errors import HANDLERS
from web.freshness import FreshAfterWrite
from web.pages import router as pages_router
from web.render import templates
from web.security import SecurityHeaders
from web.warmup import warm_up

# Every error answer of the API has this shape (web.errors); the schema says so.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "中文说明"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "on 422: the field and what is wrong with it",
        },
        "current": {"type": "object", "description": "on 409: the record as it is now"},
        "request_id": {"type": "string", "description": "on 500: the number in the log"},
    },
}
# What any operation of the API may answer besides its own success (web.errors, web.deps);
# a conflict only where something is written.
ERRORS = {
    "401": "未登录，或访问令牌无效、已过期",
    "403": "无权进行该操作（角色、范围，或缺少 CSRF 令牌）",
    "404": "对象不存在，或不在您的可见范围内",
    "409": "数据已被他人修改，或与已有数据冲突（current 为现状）",
    "422": "输入有误（errors 逐项指明字段）",
}
WRITES = {"post", "put", "patch", "delete"}


def _document_errors(schema: dict[str, Any]) -> None:
    """Give every API operation its error answers, all of the shape ERROR_SCHEMA."""
    schemas = schema["components"]["schemas"]
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            responses = operation["responses"]
            for code, answer in responses.items():
                if code.startswith("4"):  # an operation's own error answers (400) are ours too
                    answer["content"] = content
            for code, description in ERRORS.items():
                if code != "409" or method in WRITES:
                    responses[code] = {"description": description, "content": content}


def _publish_error_shape(app: FastAPI) -> None:
    """Publish our error answers instead of FastAPI's default validation-error list."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _document_errors(generate())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def api_docs(request: Request) -> Response:
    """Swagger UI for the API, served from web/static/vendor (no CDN, no inline script)."""
    return templates.TemplateResponse(request, "api_docs.html", {})


def create_app(settings: Settings) -> FastAPI:
    """Build the application for these settings."""
    import_tables()
    app = FastAPI(
        title="Chain Planner 产业链规划",
        version="0.1.0",
        openapi_url="/openapi.json",
        docs_url=None,  # web.app.api_docs: Swagger UI from the installed package
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
    app.add_api_route("/api/docs", api_docs, include_in_schema=False)
    app.mount("/static", ASSETS, name="static")
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
    _publish_error_shape(app)
    # Pages and API answers gzipped (static files come compressed from web.assets); compression
    # level 6: level 9 costs twice the time for 1-2 % fewer bytes. The CSRF token in pages is
    # masked per response (web.csrf), which keeps compression from leaking it.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
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
