"""Read-your-writes for browsers: after a change, a person's next pages show current figures.

Cached figures (core.figure_cache) may be served a moment old to a reader while they are
recomputed after someone else's write. A browser that has just written gets a short-lived
cookie; while it holds it, its requests compute or wait for the current figures instead, so
that a chief who moved a firm sees the chain map count it on the page the form leads to.
"""

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "chainplan_wrote"
SECONDS = 60  # longer than figures take to recompute at a city's size (README "Scale")
WROTE = "wrote_figures"  # request.state flag set by web.deps when the transaction wrote


def wants_current(request: Request) -> bool:
    """Whether this browser wrote recently."""
    return COOKIE in request.cookies


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
            if message["type"] == "http.response.start" and state.get(WROTE):
                secure = "; Secure" if scope.get("scheme") == "https" else ""
                MutableHeaders(scope=message).append(
                    "set-cookie",
                    f"{COOKIE}=1; Max-Age={SECONDS}; Path=/; HttpOnly; SameSite=Lax{secure}",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)
