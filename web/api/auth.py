"""Bearer tokens for the API (OAuth2 password flow)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from core import accounts
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
) -> TokenOut:
    """Exchange a user name and password for a bearer token."""
    user = accounts.authenticate(session=session, username=form.username, password=form.password)
    lifetime = timedelta(hours=settings.token_hours)
    value = accounts.issue_token(session=session, user=user, lifetime=lifetime)
    return TokenOut(access_token=value, expires_in=int(lifetime.total_seconds()))
