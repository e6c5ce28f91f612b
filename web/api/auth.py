"""Bearer tokens for the API (OAuth2 password flow).

The token endpoint needs no CSRF token: it sets no cookie, and a page on another site that
makes a browser post to it cannot read the answer. Failed attempts are counted and slowed
down as on the login page (core.login_throttle).
"""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from core import accounts
from core.errors import LoginThrottled, NotAuthenticated
from web.deps import SessionDep, SettingsDep, own_transactions, steps

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    """An access token and its type."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class LoginRefused(BaseModel):
    """Why no token was given, in Chinese."""

    detail: str


_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": LoginRefused, "description": "用户名或密码错误 (the same for unknown names)"},
    429: {
        "model": LoginRefused,
        "description": "too many failed logins from this address lately: wait Retry-After seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


# As the login page: checked while only reading, written in a short transaction of its own.
@router.post("/token", response_model=TokenOut, responses=_RESPONSES)
@own_transactions
def token(
    username: Annotated[str, Form(min_length=1, max_length=150)],
    password: Annotated[
        str, Form(min_length=1, max_length=1024, json_schema_extra={"format": "password"})
    ],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenOut | JSONResponse:
    """Exchange a user name and password for a bearer token (OAuth2 password flow)."""
    attempt = accounts.check_password(session=session, username=username, password=password)
    # Refusals are answered, not raised: the failure count and its log entry must be committed.
    with steps(session)(True) as writer:
        try:
            user = accounts.admit(session=writer, attempt=attempt)
        except LoginThrottled as exc:
            return JSONResponse(
                {"detail": exc.message},
                status_code=429,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except NotAuthenticated as exc:
            return JSONResponse(
                {"detail": exc.message}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        lifetime = timedelta(hours=settings.token_hours)
        value = accounts.issue_token(session=writer, user=user, lifetime=lifetime)
    return TokenOut(access_token=value, expires_in=int(lifetime.total_seconds()))
