"""Render a page, or only its fragment when htmx asks for it."""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from chains.graph import ACTION_LABELS, STATUS_LABELS
from chains.matching import matched_by
from chains.models import GROUP_LABELS, STREAM_LABELS
from core import bounds, permissions
from core.accounts import ROLE_LABELS
from core.db import CHINA_TIME
from core.text import xml_safe
from enterprises.registry.models import KIND_LABELS
from enterprises.registry.models import ROLE_LABELS as MEMBER_ROLE_LABELS
from web import csrf
from web.assets import ASSETS


def _printable(value: object) -> object:
    """Leave out of a page what XML cannot hold: the chain map is saved as .svg and .png."""
    if isinstance(value, Markup):  # already escaped (a macro's output, tojson): stays markup
        return Markup(xml_safe(value))
    return xml_safe(value) if isinstance(value, str) else value


# Every template is escaped, whatever its extension: Starlette's default escapes only .html,
# .htm and .xml, which left the chain map (.svg) open to markup in a segment's name.
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        finalize=_printable,
    )
)
templates.env.globals.update(
    perm=permissions,
    bounds=bounds,
    role_labels=ROLE_LABELS,
    group_labels=GROUP_LABELS,
    stream_labels=STREAM_LABELS,
    kind_labels=KIND_LABELS,
    member_role_labels=MEMBER_ROLE_LABELS,
    gap_status_labels=STATUS_LABELS,
    gap_action_labels=ACTION_LABELS,
    static_url=ASSETS.url,
    matched_by=matched_by,
)


def _wan(value: float | None) -> str:
    """Format an amount in 万元 with thousands separators."""
    return "—" if value is None else f"{value:,.0f}"


def _local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored UTC time in China Standard Time."""
    return "" if value is None else value.astimezone(CHINA_TIME).strftime(fmt)


templates.env.filters["wan"] = _wan
templates.env.filters["local"] = _local


def is_htmx(request: Request) -> bool:
    """True for an htmx request that wants a fragment (boosted navigation wants the page)."""
    return (
        request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render template, or fragment alone for htmx; both vary on HX-Request."""
    name = fragment if fragment and is_htmx(request) else template
    token = getattr(request.state, "csrf_token", "")
    context = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf.masked(token) if token else "",
        **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    return response
