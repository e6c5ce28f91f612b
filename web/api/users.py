"""Accounts as JSON: list, create, enable/disable, sign out, reset; change one's own password."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from chains import service as chain_service
from core import users
from core.accounts import Role, get_or_create_team
from core.db import require_id
from core.orgs import get_park_by_code
from core.validation import Input
from web.deps import CurrentUser, PathId, SessionDep

router = APIRouter(tags=["users"])


class UserOut(BaseModel):
    """An account, its state and how many sessions and API tokens it has open."""

    id: int
    username: str
    display_name: str
    role: Role
    park_id: int | None
    team_id: int | None
    unit_id: int | None
    is_active: bool
    must_change_password: bool
    sessions: int
    tokens: int


USER_LABELS = {
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "password": "初始密码",
    "park": "所属园区",
    "team": "招商小组",
    "chains": "负责的产业链",
}


class UserIn(Input):
    """A new account; the password is temporary and must be changed at first login."""

    username: str = Field(min_length=2, max_length=60)
    display_name: str = Field(default="", max_length=60)
    role: Role
    password: str = Field(max_length=128)
    park: str = Field(default="", description="park code, for a park bureau")
    team: str = Field(default="", max_length=60, description="team name, for promotion staff")
    chains: list[str] = Field(default_factory=list, description="chain codes, for a chain chief")


class ActiveIn(BaseModel):
    """Whether the account may log in."""

    active: bool


class UnitIn(Input):
    """The unit the account belongs to (org_unit id), or null for none."""

    unit_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class ResetIn(BaseModel):
    """A new temporary password, to be changed at the next login."""

    password: str = Field(max_length=128)


class PasswordIn(BaseModel):
    """The current password and the new one (taken as typed: hashed, never shown)."""

    current: str = Field(max_length=128)
    password: str = Field(max_length=128)


def _out(row: users.UserRow) -> UserOut:
    u = row.user
    return UserOut(
        id=require_id(u),
        username=u.username,
        display_name=u.display_name,
        role=u.role,
        park_id=u.park_id,
        team_id=u.team_id,
        unit_id=u.unit_id,
        is_active=u.is_active,
        must_change_password=u.must_change_password,
        sessions=row.sessions,
        tokens=row.tokens,
    )


@router.get("/users", response_model=list[UserOut])
def user_list(session: SessionDep, user: CurrentUser) -> list[UserOut]:
    """Every account (admin)."""
    return [_out(r) for r in users.list_users(session=session, actor=user)]


@router.post("/users", response_model=UserOut, status_code=201)
def create(data: UserIn, session: SessionDep, user: CurrentUser) -> UserOut:
    """Create an account (admin)."""
    created = users.create(
        session=session,
        actor=user,
        username=data.username,
        password=data.password,
        role=data.role,
        display_name=data.display_name,
        park_id=get_park_by_code(session=session, code=data.park).id if data.park else None,
        team_id=require_id(get_or_create_team(session=session, name=data.team))
        if data.team
        else None,
        chain_ids=[
            require_id(chain_service.get_by_code(session=session, code=c)) for c in data.chains
        ],
    )
    return _out(users.row(session=session, actor=user, user_id=require_id(created)))


@router.put("/users/{user_id}/active", response_model=UserOut)
def set_active(user_id: PathId, data: ActiveIn, session: SessionDep, user: CurrentUser) -> UserOut:
    """Enable or disable an account; disabling ends all its sessions and tokens (admin)."""
    users.set_active(session=session, actor=user, user_id=user_id, active=data.active)
    return _out(users.row(session=session, actor=user, user_id=user_id))


@router.put("/users/{user_id}/unit", response_model=UserOut)
def set_unit(user_id: PathId, data: UnitIn, session: SessionDep, user: CurrentUser) -> UserOut:
    """Attach the account to a unit, whose tasks its holder then reports on (admin)."""
    users.set_unit(session=session, actor=user, user_id=user_id, unit_id=data.unit_id)
    return _out(users.row(session=session, actor=user, user_id=user_id))


@router.post("/users/{user_id}/end-sessions", response_model=UserOut)
def end_sessions(user_id: PathId, session: SessionDep, user: CurrentUser) -> UserOut:
    """End every session and revoke every API token of the account (admin)."""
    users.end_sessions(session=session, actor=user, user_id=user_id)
    return _out(users.row(session=session, actor=user, user_id=user_id))


@router.post("/users/{user_id}/password", response_model=UserOut)
def reset_password(
    user_id: PathId, data: ResetIn, session: SessionDep, user: CurrentUser
) -> UserOut:
    """Give an account a new temporary password; it is signed out everywhere (admin)."""
    users.reset_password(session=session, actor=user, user_id=user_id, password=data.password)
    return _out(users.row(session=session, actor=user, user_id=user_id))


@router.post("/account/password", status_code=204)
def change_password(
    data: PasswordIn, request: Request, session: SessionDep, user: CurrentUser
) -> None:
    """Change one's own password; the account's other sessions and tokens end."""
    users.change_password(
        session=session,
        user=user,
        current=data.current,
        new=data.password,
        keep=getattr(request.state, "login", None),
    )
