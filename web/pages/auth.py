"""Login and logout pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from core import accounts
from core.errors import NotAuthenticated
from web.deps import SESSION_COOKIE, CurrentUser, SessionDep, SettingsDep
from web.render import render

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only follow local paths after login, never another site."""
    # Browsers read "/\\host" like "//host", so a backslash anywhere is refused as well.
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """Show the login form."""
    return render(request, "auth/login.html", {"next": _safe_next(next), "error": ""})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password, open a session and go where the user was headed."""
    try:
        user = accounts.authenticate(session=session, username=username.strip(), password=password)
    except NotAuthenticated as exc:
        return render(
            request,
            "auth/login.html",
            {"next": _safe_next(next), "error": exc.message, "username": username},
            status_code=401,
        )
    token, _ = accounts.start_session(session=session, user=user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=settings.session_absolute_hours * 3600,
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """End the session server-side and drop the cookie."""
    accounts.end_session(session=session, token=request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
