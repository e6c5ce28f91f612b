"""Security headers on every response: a strict Content-Security-Policy and friends."""

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAP = Path(__file__).parent / "templates" / "chains" / "_map.svg"


def _style_hash(template: Path) -> str:
    """The CSP hash of the <style> the chain map carries (so the downloaded SVG is styled too)."""
    found = re.search(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.S)
    assert found is not None, "the chain map template lost its <style> block"
    digest = hashlib.sha256(found.group(1).encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# No inline script and no eval anywhere (htmx trigger filters and inline handlers are avoided
# for this); style attributes stay allowed for bar widths and the charts' SVG; the one inline
# <style>, the chain map's, is allowed by its hash.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {_style_hash(MAP)}",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def add_headers(headers: MutableHeaders, path: str) -> None:
    """Put the headers on a response to path; pages and API answers (personal data) are never
    kept by caches, static files are."""
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy", CSP)
    if not path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")


class SecurityHeaders:
    """Add the headers to every response that leaves the app (web.errors adds them to 500s,
    which Starlette answers outside every middleware of ours)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_headers(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)
