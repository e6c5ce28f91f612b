"""Account pages: the admin's user list (create, disable, sign out) and changing one's password."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from chains import service as chain_service
from core import users
from core.accounts import ROLE_LABELS, Role, Team, User, get_or_create_team
from core.db import require_id
from core.errors import FieldErrors
from core.orgs import list_parks
from web.deps import PASSWORD_PAGE, CurrentUser, FormDep, SessionDep
from web.render import render

router = APIRouter()
LABELS = {
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "password": "初始密码",
    "park": "所属园区",
    "team": "招商小组",
    "chain": "负责的产业链",
}


def _list(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    reset_errors: dict[int, str] | None = None,
) -> Response:
    context = {
        "rows": users.list_users(session=session, actor=user),
        "values": values,
        "errors": errors,
        "labels": LABELS,
        "role_options": list(ROLE_LABELS.items()),
        "park_options": [(p.id, p.name) for p in list_parks(session=session) if p.kind == "park"],
        "teams": session.exec(select(Team.name).order_by(col(Team.name))).all(),
        "chains": chain_service.get_all(session=session),
        "park_names": {p.id: p.name for p in list_parks(session=session)},
        "reset_errors": reset_errors or {},
    }
    return render(request, "users/list.html", context, status_code=status)


@router.get("/users")
def user_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every account with its open sessions; the form for a new one."""
    return _list(request, session, user, {"role": Role.viewer}, {})


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in LABELS}
    values["password"] = str(form.get("password") or "")
    values["chain"] = [int(str(c)) for c in form.getlist("chain") if str(c).isdigit()]
    return values


@router.post("/users")
def create(request: Request, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Create the account with a temporary password."""
    values = _values(form)
    try:
        if values["role"] not in Role.__members__:
            raise FieldErrors({"role": "请选择角色"})
        if not values["username"]:
            raise FieldErrors({"username": "请填写用户名"})
        team = get_or_create_team(session=session, name=values["team"]) if values["team"] else None
        users.create(
            session=session,
            actor=user,
            username=values["username"],
            password=values["password"],
            role=Role(values["role"]),
            display_name=values["display_name"],
            park_id=int(values["park"]) if values["park"].isdigit() else None,
            team_id=require_id(team) if team else None,
            chain_ids=values["chain"],
        )
    except FieldErrors as exc:
        values["password"] = ""
        return _list(request, session, user, values, exc.errors, status=422)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id:int}/active")
def set_active(user_id: int, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Enable or disable an account (disabling signs it out everywhere)."""
    users.set_active(session=session, actor=user, user_id=user_id, active=form.get("active") == "1")
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id:int}/end-sessions")
def end_sessions(user_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """Sign the account out of every browser and revoke its API tokens."""
    users.end_sessions(session=session, actor=user, user_id=user_id)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id:int}/password")
def reset_password(
    request: Request, user_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Give the account a new temporary password; it is signed out everywhere."""
    try:
        users.reset_password(
            session=session, actor=user, user_id=user_id, password=str(form.get("password") or "")
        )
    except FieldErrors as exc:
        errors = {user_id: "；".join(exc.errors.values())}
        return _list(request, session, user, {"role": Role.viewer}, {}, 422, errors)
    return RedirectResponse("/users", status_code=303)


@router.get(PASSWORD_PAGE)
def password_form(request: Request, user: CurrentUser) -> Response:
    """The form to change one's password (the only page a temporary password opens)."""
    return render(request, "users/password.html", {"errors": {}})


@router.post(PASSWORD_PAGE)
def change_password(
    request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Change the password; other sessions of the account end."""
    new = str(form.get("password") or "")
    try:
        if new != str(form.get("confirm") or ""):
            raise FieldErrors({"confirm": "两次输入的新密码不一致"})
        users.change_password(
            session=session,
            user=user,
            current=str(form.get("current") or ""),
            new=new,
            keep=getattr(request.state, "login", None),
        )
    except FieldErrors as exc:
        return render(request, "users/password.html", {"errors": exc.errors}, status_code=422)
    return RedirectResponse("/", status_code=303)
