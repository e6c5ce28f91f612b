"""FastAPI dependencies: the session that owns the transaction, and the current user."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Path, Query, Request
from pydantic import Field
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.datastructures import FormData

from chains import service as chain_service
from chains.models import Chain
from core import accounts, figure_cache, permissions
from core.accounts import LoginSession, Role, User
from core.db import MAX_ID, transaction
from core.errors import NotAuthenticated, PasswordChangeRequired, PermissionDenied
from core.settings import Settings
from web import csrf as csrf_tokens
from web import freshness

SESSION_COOKIE = "chainplan_session"
P = ParamSpec("P")
R = TypeVar("R")

# Ids and versions up to core.db.MAX_ID: the API declares it and refuses a larger number as
# bad input (422) before it reaches the database.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # in a request body
Version = Annotated[int, Field(ge=1, le=MAX_ID)]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_settings_dep(request: Request) -> Settings:
    """Return the settings the app was created with."""
    return request.app.state.settings


OWN_TRANSACTIONS = "chainplan_own_transactions"


def own_transactions(endpoint: Callable[P, R]) -> Callable[P, R]:
    """Mark a handler whose writes run in short transactions of its own (`steps`): its request
    transaction only reads, so that a long import does not hold SQLite's write lock."""
    setattr(endpoint, OWN_TRANSACTIONS, True)
    return endpoint


def steps(session: Session) -> Callable[[bool], AbstractContextManager[Session]]:
    """Transactions of their own beside the request's
    (enterprises.spreadsheets.import_commit.Transactions), which count as the request's writes
    (figures refreshed, the browser's freshness)."""
    engine = session.get_bind().engine

    @contextmanager
    def step(write: bool) -> Iterator[Session]:
        with transaction(engine, write=write) as own:
            own.info["source"] = session.info.get("source", "")
            yield own
        session.info.setdefault("wrote", set()).update(own.info.get("wrote", ()))

    return step


def get_session(request: Request) -> Iterator[Session]:
    """Yield the request's session; commit on success, roll back on any error.

    After a write, the figures this process caches are recomputed in the background, and a
    browser that wrote is served current figures of what it wrote for a while (web.freshness).
    """
    engine: Engine = request.app.state.engine
    wanted = freshness.written(request)
    reads_only = getattr(request.scope.get("endpoint"), OWN_TRANSACTIONS, False)
    with transaction(
        engine, write=request.method not in SAFE_METHODS and not reads_only
    ) as session:
        session.info["source"] = request.client.host if request.client else ""
        session.info[figure_cache.CURRENT] = wanted
        yield session
    if session.info.get("wrote"):
        figure_cache.refresh_soon(engine, families=session.info["wrote"])
        if SESSION_COOKIE in request.cookies:
            setattr(request.state, freshness.WROTE, wanted | session.info["wrote"])


# "function" scope: the transaction commits before the response leaves, so a browser that
# follows a redirect (login, post-redirect-get) at once always reads what was just written.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def submitted_csrf_token(request: Request) -> str:
    """Return the CSRF token sent with a state-changing request (header or form field)."""
    if request.method in SAFE_METHODS:
        return ""
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        return str(form.get("csrf_token", ""))
    return ""


@dataclass(frozen=True)
class SignedIn:
    """The plain facts of the request's user, for pages drawn after its session has closed.

    An error page is rendered after the request's transaction was rolled back and its session
    closed: the User row is detached and expired by then, so reading its role would fail.
    """

    id: int | None
    username: str
    display_name: str
    role: Role
    park_id: int | None
    team_id: int | None

    @classmethod
    def of(cls, user: User) -> "SignedIn":
        return cls(user.id, user.username, user.display_name, user.role, user.park_id, user.team_id)


SIGNED_IN = "signed_in"  # request.state: the SignedIn of the request's user


def _signed_in(request: Request, user: User) -> User:
    setattr(request.state, SIGNED_IN, SignedIn.of(user))
    request.state.user = user
    return user


def current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Depends(submitted_csrf_token)],
) -> User:
    """Return the logged-in user from a bearer token or the session cookie.

    Cookie-authenticated writes must carry the session's CSRF token; bearer tokens need none,
    since browsers never attach them by themselves.
    """
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        user = _signed_in(
            request, accounts.user_for_token(session=session, token=authorization[7:].strip())
        )
        _ensure_password_changed(user, request)
        return user
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthenticated("请先登录")
    user, login = resumed(session, settings, token)
    request.state.csrf_token = login.csrf_token
    request.state.login = login
    _signed_in(request, user)
    if request.method not in SAFE_METHODS and not csrf_tokens.matches(csrf, login.csrf_token):
        raise PermissionDenied("表单已失效（CSRF 校验失败），请刷新页面后重试")
    _ensure_password_changed(user, request)
    return user


def resumed(session: Session, settings: Settings, token: str) -> tuple[User, LoginSession]:
    """The user and login of a browser session token, if it is live (else NotAuthenticated)."""
    return accounts.resume_session(
        session=session,
        token=token,
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


PASSWORD_PAGE = "/account/password"


def _ensure_password_changed(user: User, request: Request) -> None:
    """A temporary password opens only the page that replaces it (and logout)."""
    allowed = (PASSWORD_PAGE, f"/api/v1{PASSWORD_PAGE}", "/logout")
    if user.must_change_password and request.url.path not in allowed:
        raise PasswordChangeRequired("请先修改管理员设置的初始密码")


CurrentUser = Annotated[User, Depends(current_user)]


def lead_reader(user: CurrentUser) -> User:
    """The user, if the project library is for their role (viewers get 403 无权查看, not an
    empty list): every lead page, fragment and API route depends on it."""
    permissions.ensure_sees_leads(user)
    return user


async def form_data(request: Request) -> FormData:
    """Return the submitted form, read once (it is cached on the request)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def viewable_chain(code: str, session: SessionDep, user: CurrentUser) -> Chain:
    """Return the chain named in the path (every logged-in user may read chains)."""
    return chain_service.get_by_code(session=session, code=code)


def editable_chain(code: str, request: Request, session: SessionDep, user: CurrentUser) -> Chain:
    """Return the chain named in the path if the user may edit it, else refuse.

    A change holds the chain until it commits (chain_service.hold_for_edit), from before the
    handler reads any of its segments.
    """
    chain = chain_service.get_by_code(session=session, code=code)
    permissions.ensure_can_edit_chain(session=session, user=user, chain_id=chain.id or 0)
    if request.method not in SAFE_METHODS:
        chain_service.hold_for_edit(session=session, chain=chain)
    return chain


ChainDep = Annotated[Chain, Depends(viewable_chain)]
EditableChain = Annotated[Chain, Depends(editable_chain)]
