"""Bearer tokens for the API (OAuth2 password flow)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from core import accounts
from core.errors import NotAuthenticated
from web.deps import SessionDep, SettingsDep

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    """An access token and its type."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenOut)
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenOut | JSONResponse:
    """Exchange a user name and password for a bearer token."""
    try:
        user = accounts.authenticate(
            session=session, username=form.username, password=form.password
        )
    except NotAuthenticated as exc:
        # Answered, not raised: the failure count and its log entry must be committed.
        return JSONResponse(
            {"detail": exc.message}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    lifetime = timedelta(hours=settings.token_hours)
    value = accounts.issue_token(session=session, user=user, lifetime=lifetime)
    return TokenOut(access_token=value, expires_in=int(lifetime.total_seconds()))
