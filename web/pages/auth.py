"""Login and logout pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from core import accounts
from core.errors import LoginThrottled, NotAuthenticated
from web import login_csrf
from web.deps import SESSION_COOKIE, CurrentUser, SessionDep, SettingsDep, own_transactions, steps
from web.render import render

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only follow local paths after login, never another site."""
    # Browsers read "/\\host" like "//host", so a backslash anywhere is refused as well.
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local else "/"


def _form(
    request: Request,
    secret: str,
    next: str,
    error: str = "",
    username: str = "",
    status_code: int = 200,
) -> Response:
    """The login form with its CSRF token, in the page and in the cookie."""
    token = login_csrf.token_for(request, secret)
    context = {"next": _safe_next(next), "error": error, "username": username, "token": token}
    response = render(request, "auth/login.html", context, status_code=status_code)
    login_csrf.set_cookie(response, request, token)
    return response


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    """Show the login form."""
    return _form(request, settings.secret_key, next)


# The password is checked in the request's read transaction, the login written in a short
# one of its own: the write lock is not held while argon2 works (core.accounts.check_password).
@router.post("/login")
@own_transactions
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the password, open a session and go where the user was headed."""
    secret = settings.secret_key
    if not login_csrf.is_valid(request, secret, csrf_token):
        # Nothing is checked or counted: the form did not come from this site's login page.
        error = "登录页面已过期或不是从本站打开的，请重新输入后登录"
        return _form(request, secret, next, error, username, status_code=403)
    attempt = accounts.check_password(session=session, username=username.strip(), password=password)
    with steps(session)(True) as writer:  # refusals are answered, so their count is kept
        try:
            user = accounts.admit(session=writer, attempt=attempt)
        except LoginThrottled as exc:
            response = _form(request, secret, next, exc.message, username, status_code=429)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except NotAuthenticated as exc:
            return _form(request, secret, next, exc.message, username, status_code=401)
        token, _ = accounts.start_session(session=writer, user=user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=settings.session_absolute_hours * 3600,
    )
    response.delete_cookie(login_csrf.COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """End the session server-side and drop the cookie."""
    accounts.end_session(session=session, token=request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
