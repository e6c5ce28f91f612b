"""Page forms share the rules of the API operation they stand for (the matrix exercises those);
every page write route must name it, the designation catalogue is the admin's, and reads of
objects outside a user's scope answer 404."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, login
from tests.web.permission_world import ROLES, World, normal, write_routes
from tests.web.test_permission_matrix import API_OPS

_CHAIN = "/api/v1/chains/{chain}"
_SEG = "/api/v1/chains/{chain}/segments/{segment}"
_LEAD = "/api/v1/leads/{lead}"
# Each page form -> the API operation (method, path) whose rules it shares; both call the same
# service function, which asks core.permissions.
PAGE_ROUTES: dict[str, tuple[str, str]] = {
    "/chains/{}/settings": ("PATCH", _CHAIN),
    "/chains/{}/segments": ("POST", f"{_CHAIN}/segments"),
    "/chains/{}/segments/{}": ("PUT", _SEG),
    "/chains/{}/segments/{}/shift": ("POST", f"{_SEG}/shift"),
    "/chains/{}/segments/{}/delete": ("DELETE", _SEG),
    "/chains/{}/segments/{}/choke": ("PUT", f"{_SEG}/choke-point"),
    "/chains/{}/segments/{}/confirm": ("POST", f"{_SEG}/confirm"),
    "/chains/{}/segments/{}/firms/{}": ("PUT", f"{_SEG}/firms/{{firm}}"),
    "/chains/{}/links": ("POST", f"{_CHAIN}/links"),
    "/chains/{}/links/delete": ("DELETE", f"{_CHAIN}/links/{{link_source}}/{{link_target}}"),
    "/chains/{}/dossier/new": ("POST", f"{_CHAIN}/dossier"),
    "/chains/{}/dossier/{}/edit": ("PUT", f"{_CHAIN}/dossier/{{dossier}}"),
    "/chains/{}/dossier/{}/delete": ("DELETE", f"{_CHAIN}/dossier/{{dossier}}"),
    "/enterprises/new": ("POST", "/api/v1/enterprises"),
    "/enterprises/{}/edit": ("PUT", "/api/v1/enterprises/{firm}"),
    "/enterprises/{}/merge": ("POST", "/api/v1/enterprises/{firm}/merge"),
    "/enterprises/{}/phone": ("POST", "/api/v1/enterprises/{firm}/phone"),
    "/leads/{}/contacts/{}/phone": ("POST", f"{_LEAD}/contacts/{{contact}}/phone"),
    "/enterprises/{}/cultivations": ("POST", "/api/v1/cultivations"),
    "/designations/{}/discovered": ("POST", "/api/v1/cultivations"),
    "/cultivations/{}/move": ("POST", "/api/v1/cultivations/{cultivation}/moves"),
    "/cultivation/bulk-move": ("POST", "/api/v1/cultivations/bulk-moves"),
    "/imports": ("POST", "/api/v1/imports"),
    "/imports/{}/mapping": ("POST", "/api/v1/imports/{batch}/commit"),
    "/imports/{}/commit": ("POST", "/api/v1/imports/{batch}/commit"),
    "/imports/{}/undo": ("POST", "/api/v1/imports/{batch}/undo"),
    "/leads/new": ("POST", "/api/v1/leads"),
    "/leads/limits": ("PUT", "/api/v1/leads/limits"),
    "/leads/{}/edit": ("PUT", _LEAD),
    "/leads/{}/move": ("POST", f"{_LEAD}/moves"),
    "/leads/{}/followups": ("POST", f"{_LEAD}/followups"),
    "/leads/{}/arrivals": ("POST", f"{_LEAD}/arrivals"),
    "/leads/{}/contacts": ("POST", f"{_LEAD}/contacts"),
    "/leads/{}/contacts/{}/delete": ("DELETE", f"{_LEAD}/contacts/{{contact}}"),
    "/leads/{}/carriers/{}/reserve": ("POST", "/api/v1/carriers/{carrier}/reserve"),
    "/leads/{}/carriers/{}/release": ("POST", "/api/v1/carriers/{carrier}/release"),
    "/carriers/new": ("POST", "/api/v1/carriers"),
    "/carriers/{}/edit": ("PUT", "/api/v1/carriers/{carrier}"),
    "/targets/{}/values": ("POST", "/api/v1/targets/{target}/values"),
    "/targets/{}/shares": ("POST", "/api/v1/targets/{target}/values"),
    "/users": ("POST", "/api/v1/users"),
    "/users/{}/active": ("PUT", "/api/v1/users/{user}/active"),
    "/users/{}/end-sessions": ("POST", "/api/v1/users/{user}/end-sessions"),
    "/account/password": ("POST", "/api/v1/account/password"),
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
    assert pages - set(PAGE_ROUTES) - ADMIN_PAGES == set(), "page forms without a row"
    assert set(PAGE_ROUTES) - pages == set()
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
    ("/api/v1/leads/{lead}", Role.viewer, "mine", 404),
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
