"""Page forms under the same table: every page write route names the API operation whose rules
it shares, and is sent by every role the table refuses, to an object inside and outside its
scope, which must get 403 or 404; the designation catalogue is the admin's; reads of objects
outside a user's scope answer 404."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, login
from tests.web.permission_table import API_OPS
from tests.web.permission_world import ROLES, World, normal, write_routes, xlsx_list

_CHAIN = "/api/v1/chains/{chain}"
_SEG = "/api/v1/chains/{chain}/segments/{segment}"
_LEAD = "/api/v1/leads/{lead}"
# Each page form -> the API operation (method, path) whose rules it shares; both call the same
# service function, which asks core.permissions.
PAGE_ROUTES: dict[str, tuple[str, str]] = {
    "/chains/{chain}/settings": ("PATCH", _CHAIN),
    "/chains/{chain}/segments": ("POST", f"{_CHAIN}/segments"),
    "/chains/{chain}/segments/{segment}": ("PUT", _SEG),
    "/chains/{chain}/segments/{segment}/shift": ("POST", f"{_SEG}/shift"),
    "/chains/{chain}/segments/{segment}/delete": ("DELETE", _SEG),
    "/chains/{chain}/segments/{segment}/choke": ("PUT", f"{_SEG}/choke-point"),
    "/chains/{chain}/segments/{segment}/confirm": ("POST", f"{_SEG}/confirm"),
    "/chains/{chain}/segments/{segment}/words": ("PUT", f"{_SEG}/words"),
    "/chains/{chain}/suggestions/{suggestion}/accept": (
        "POST",
        f"{_CHAIN}/suggestions/{{suggestion}}/accept",
    ),
    "/chains/{chain}/suggestions/{suggestion}/reject": (
        "POST",
        f"{_CHAIN}/suggestions/{{suggestion}}/reject",
    ),
    "/chains/{chain}/segments/{segment}/firms/{firm}": ("PUT", f"{_SEG}/firms/{{firm}}"),
    "/chains/{chain}/links": ("POST", f"{_CHAIN}/links"),
    "/chains/{chain}/links/delete": ("DELETE", f"{_CHAIN}/links/{{link_source}}/{{link_target}}"),
    "/chains/{chain}/dossier/new": ("POST", f"{_CHAIN}/dossier"),
    "/chains/{chain}/dossier/{dossier}/edit": ("PUT", f"{_CHAIN}/dossier/{{dossier}}"),
    "/chains/{chain}/dossier/{dossier}/delete": ("DELETE", f"{_CHAIN}/dossier/{{dossier}}"),
    "/enterprises/new": ("POST", "/api/v1/enterprises"),
    "/enterprises/{firm}/edit": ("PUT", "/api/v1/enterprises/{firm}"),
    "/enterprises/{firm}/merge": ("POST", "/api/v1/enterprises/{firm}/merge"),
    "/enterprises/{firm}/phone": ("POST", "/api/v1/enterprises/{firm}/phone"),
    "/enterprises/{firm}/segments": ("POST", "/api/v1/enterprises/{firm}/segments"),
    "/leads/{lead}/contacts/{contact}/phone": ("POST", f"{_LEAD}/contacts/{{contact}}/phone"),
    "/enterprises/{firm}/cultivations": ("POST", "/api/v1/cultivations"),
    "/designations/{designation}/discovered": ("POST", "/api/v1/cultivations"),
    "/parks/{park_code}/discovery": ("POST", "/api/v1/parks/{park_code}/candidates"),
    "/cultivations/{cultivation}/move": ("POST", "/api/v1/cultivations/{cultivation}/moves"),
    "/cultivation/bulk-move": ("POST", "/api/v1/cultivations/bulk-moves"),
    "/imports": ("POST", "/api/v1/imports"),
    "/imports/{batch}/mapping": ("POST", "/api/v1/imports/{batch}/commit"),
    "/imports/{batch}/commit": ("POST", "/api/v1/imports/{batch}/commit"),
    "/imports/{batch}/undo": ("POST", "/api/v1/imports/{batch}/undo"),
    "/leads/new": ("POST", "/api/v1/leads"),
    "/leads/limits": ("PUT", "/api/v1/leads/limits"),
    "/leads/{lead}/edit": ("PUT", _LEAD),
    "/chains/{chain}/review/{membership}/confirm": (
        "POST",
        "/api/v1/chains/{chain}/review/{membership}/confirm",
    ),
    "/chains/{chain}/review/{membership}/remove": (
        "DELETE",
        "/api/v1/chains/{chain}/review/{membership}",
    ),
    "/leads/{lead}/move": ("POST", f"{_LEAD}/moves"),
    "/leads/{lead}/land": ("POST", f"{_LEAD}/land"),
    "/leads/{lead}/firm-code": ("POST", f"{_LEAD}/firm-code"),
    "/leads/{lead}/moves/{move}/date": ("PUT", f"{_LEAD}/moves/{{move}}/date"),
    "/leads/imports": ("POST", "/api/v1/leads/imports"),
    "/leads/imports/{ledger}/mapping": ("POST", "/api/v1/leads/imports/{ledger}/commit"),
    "/leads/imports/{ledger}/commit": ("POST", "/api/v1/leads/imports/{ledger}/commit"),
    "/leads/imports/{ledger}/undo": ("POST", "/api/v1/leads/imports/{ledger}/undo"),
    "/leads/{lead}/followups": ("POST", f"{_LEAD}/followups"),
    "/leads/{lead}/arrivals": ("POST", f"{_LEAD}/arrivals"),
    "/leads/{lead}/contacts": ("POST", f"{_LEAD}/contacts"),
    "/leads/{lead}/contacts/{contact}/delete": ("DELETE", f"{_LEAD}/contacts/{{contact}}"),
    "/leads/{lead}/carriers/{carrier}/reserve": ("POST", "/api/v1/carriers/{carrier}/reserve"),
    "/leads/{lead}/carriers/{carrier}/release": ("POST", "/api/v1/carriers/{carrier}/release"),
    "/carriers/new": ("POST", "/api/v1/carriers"),
    "/carriers/{carrier}/edit": ("PUT", "/api/v1/carriers/{carrier}"),
    "/prospects/new": ("POST", "/api/v1/prospects"),
    "/prospects/{prospect}/edit": ("PUT", "/api/v1/prospects/{prospect}"),
    "/prospects/{prospect}/project": ("POST", "/api/v1/prospects/{prospect}/project"),
    "/prospects/imports": ("POST", "/api/v1/prospects/imports"),
    "/prospects/imports/{prospect_batch}/mapping": (
        "POST",
        "/api/v1/prospects/imports/{prospect_batch}/commit",
    ),
    "/prospects/imports/{prospect_batch}/commit": (
        "POST",
        "/api/v1/prospects/imports/{prospect_batch}/commit",
    ),
    "/targets/{target}/values": ("POST", "/api/v1/targets/{target}/values"),
    "/targets/{target}/shares": ("POST", "/api/v1/targets/{target}/values"),
    "/users": ("POST", "/api/v1/users"),
    "/tasks/{task}/reports": ("POST", "/api/v1/tasks/{task}/reports"),
    "/users/{user}/active": ("PUT", "/api/v1/users/{user}/active"),
    "/users/{user}/end-sessions": ("POST", "/api/v1/users/{user}/end-sessions"),
    "/users/{user}/password": ("POST", "/api/v1/users/{user}/password"),
    "/audit/{entry}/reveal": ("POST", "/api/v1/audit/{entry}/reveal"),
    "/account/password": ("POST", "/api/v1/account/password"),
    "/plans": ("POST", "/api/v1/plans"),
    "/plans/{plan}/targets": ("POST", "/api/v1/plans/{plan}/targets"),
    "/plans/{plan}/copy": ("POST", "/api/v1/plans/{plan}/copy"),
    "/plans/{plan}/import": ("POST", "/api/v1/plans/{plan}/import"),
}
# What a page form sends where it differs from the API body.
PAGE_FORMS: dict[str, Callable[[World, str], dict[str, Any]]] = {
    "/enterprises/{firm}/merge": lambda w, s: {
        "other": w.of("firm", "theirs" if s == "mine" else "mine")
    },
    "/designations/{designation}/discovered": lambda w, s: {"ids": [w.of("firm", s)]},
    "/parks/{park_code}/discovery": lambda w, s: {
        "designation": "single-champion",
        "ids": [w.of("firm", s)],
    },
}
# The designation catalogue has no API write yet: admin only, checked by its own test.
ADMIN_PAGES = {
    "/designations",
    "/designations/{}",
    "/designations/{}/tiers",
    "/designations/{}/criteria",
}


def test_every_page_form_names_its_api_operation(probe: tuple[FastAPI, TestClient, World]) -> None:
    app, _, _ = probe
    pages = {normal(p) for m, p in write_routes(app) if not p.startswith("/api/")}
    pages -= {"/login", "/logout"}  # logging in is open; logging out ends one's own session
    named = {normal(page) for page in PAGE_ROUTES}
    assert pages - named - ADMIN_PAGES == set(), "page forms without a row"
    assert named - pages == set()
    rows = {(op.method, op.path) for op in API_OPS}
    assert all(target in rows for target in PAGE_ROUTES.values())


@pytest.mark.parametrize("path", sorted(ADMIN_PAGES))
def test_only_admins_change_the_designation_catalogue(
    probe: tuple[FastAPI, TestClient, World], session: Session, path: str
) -> None:
    _, client, world = probe
    target = path.replace("{}", "gazelle")
    for role in ROLES:
        csrf = login(client, session, world.users[role])
        status = client.post(target, data={"csrf_token": csrf}, follow_redirects=False).status_code
        if role == Role.admin:
            assert status not in (401, 403, 404), target
        else:
            assert status == 403, f"{role.value} {target}: {status}"


READS: list[tuple[str, Role, str, int]] = [
    # path, role, side, expected status: what is outside the scope does not exist for the user
    ("/api/v1/leads/{lead}", Role.viewer, "mine", 403),  # the project library is not theirs
    ("/api/v1/leads/{lead}", Role.park_bureau, "theirs", 404),
    ("/api/v1/leads/{lead}", Role.park_bureau, "mine", 200),
    ("/api/v1/leads/{lead}", Role.leader, "theirs", 200),
    ("/api/v1/imports/{batch}", Role.park_bureau, "theirs", 404),
    ("/api/v1/imports/{batch}", Role.park_bureau, "mine", 200),
    ("/api/v1/imports/{batch}", Role.promotion, "mine", 404),
    ("/api/v1/imports/{batch}", Role.admin, "mine", 200),
]


@pytest.mark.parametrize(("path", "role", "side", "expected"), READS)
def test_reads_outside_the_scope_answer_not_found(
    probe: tuple[FastAPI, TestClient, World],
    session: Session,
    path: str,
    role: Role,
    side: str,
    expected: int,
) -> None:
    _, client, world = probe
    url = path.format(lead=world.of("lead", side), batch=world.of("batch", side))
    response = client.get(url, headers=bearer(session, world.users[role]))
    assert response.status_code == expected, response.text[:200]


@pytest.mark.parametrize("page", sorted(PAGE_ROUTES))
def test_page_forms_refuse_whom_the_table_refuses(
    probe: tuple[FastAPI, TestClient, World], session: Session, page: str
) -> None:
    _, client, world = probe
    op = next(op for op in API_OPS if (op.method, op.path) == PAGE_ROUTES[page])
    let_through = []
    for side in ("mine", "theirs"):
        path = page.format(**{name: world.of(name, side) for name in world.ids})
        body = (
            PAGE_FORMS[page](world, side)
            if page in PAGE_FORMS
            else (op.body(world, side) if op.body else {})
        )
        files = (
            {"file": ("矩阵.xlsx", xlsx_list(), "application/octet-stream")} if op.files else None
        )
        for role in ROLES:
            if role in (op.mine if side == "mine" else op.theirs):
                continue
            csrf = login(client, session, world.users[role])
            form = {k: v if isinstance(v, list) else str(v) for k, v in body.items()}
            response = client.post(
                path, data=form | {"csrf_token": csrf}, files=files, follow_redirects=False
            )
            if response.status_code not in (403, 404):
                let_through.append(f"{role.value}/{side}: {response.status_code}")
    assert let_through == []
