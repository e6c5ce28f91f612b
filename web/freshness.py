"""Read-your-writes for browsers: after a change, a person's next pages show current figures.

Cached figures (core.figure_cache) may be served a moment old to a reader while they are
recomputed after someone else's write. A browser that has just written gets a short-lived
cookie naming what it wrote (the registry, the projects: core.versions); while it holds it, its
requests compute or wait for the current figures of those, so that a chief who moved a firm
sees the chain map count it on the page the form leads to.
"""

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import versions

COOKIE = "chainplan_wrote"
SECONDS = 60  # longer than figures take to recompute at a city's size (README "Scale")
WROTE = "wrote_figures"  # request.state: the families of tables the browser wrote (web.deps)


def written(request: Request) -> frozenset[str]:
    """The families of tables (core.versions) this browser wrote recently."""
    return frozenset(request.cookies.get(COOKIE, "").split(".")) & versions.FAMILIES


class FreshAfterWrite:
    """Give the cookie to the browser (a session cookie's holder) whose request wrote."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, object] = scope.setdefault("state", {})

        async def send_with_cookie(message: Message) -> None:
            families = state.get(WROTE)
            if message["type"] == "http.response.start" and isinstance(families, frozenset):
                secure = "; Secure" if scope.get("scheme") == "https" else ""
                value = ".".join(sorted(families))
                MutableHeaders(scope=message).append(
                    "set-cookie",
                    f"{COOKIE}={value}; Max-Age={SECONDS}; Path=/; HttpOnly; SameSite=Lax{secure}",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)
