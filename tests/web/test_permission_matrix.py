"""The permission matrix: every write operation of the JSON API × every role × an object inside
and outside the user's scope, against one table of who may do what (permission_table).

Requests run through the app's own transactions on a committed copy of the world: the refusals
of an operation all meet one copy (a refused request writes nothing), each allowed request a
copy of its own. An allowed request must get past the permission check (any answer but 401,
403 or 404 — a 409 or 422 means the rules let it through and the data did not); a refused one
must get 403, or 404 where the object is not even visible to the user. A write route without a
row fails the test.
Page forms are covered in test_permission_pages.py.
"""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer
from tests.web.permission_table import API_OPS, Op
from tests.web.permission_world import ROLES, World, normal, write_routes, xlsx_list

# Not permission-checked: getting a token is how one logs in.
OPEN_ROUTES = {("POST", "/api/v1/auth/token")}


def _path(op: Op, world: World, side: str) -> str:
    return op.path.format(**{name: world.of(name, side) for name in world.ids})


def test_every_api_write_route_has_a_row(probe: tuple[FastAPI, TestClient, World]) -> None:
    app, _, _ = probe
    routes = {(m, normal(p)) for m, p in write_routes(app) if p.startswith("/api/")}
    listed = {(op.method, normal(op.path)) for op in API_OPS} | {
        (m, normal(p)) for m, p in OPEN_ROUTES if p.startswith("/api/")
    }
    assert routes - listed == set(), "write routes without a row in the permission matrix"
    assert listed - routes == set()


def _send(client: TestClient, session: Session, world: World, op: Op, role: Role, side: str) -> Any:
    headers = bearer(session, world.users[role])
    path = _path(op, world, side)
    if op.files:
        return client.request(
            op.method,
            path,
            headers=headers,
            files={"file": ("矩阵.xlsx", xlsx_list(), "application/octet-stream")},
        )
    body = op.body(world, side) if op.body else None
    return client.request(op.method, path, headers=headers, json=body)


def _allowed(op: Op, role: Role, side: str) -> bool:
    return role in (op.mine if side == "mine" else op.theirs)


def _label(op: Op) -> str:
    return f"{op.method} {op.path}"


@pytest.mark.parametrize("op", API_OPS, ids=_label)
def test_the_api_refuses_whom_the_table_refuses(
    probe: tuple[FastAPI, TestClient, World], session: Session, op: Op
) -> None:
    """All refusals of an operation meet one world: a refused request writes nothing."""
    _, client, world = probe
    let_through = []
    for side in ("mine", "theirs"):
        for role in ROLES:
            if not _allowed(op, role, side):
                response = _send(client, session, world, op, role, side)
                if response.status_code not in (403, 404):
                    status, text = response.status_code, response.text[:120]
                    let_through.append(f"{role.value}/{side}: {status} {text}")
    assert let_through == []


ALLOWED = [
    pytest.param(op, role, side, id=f"{_label(op)} {role.value}/{side}")
    for op in API_OPS
    for side in ("mine", "theirs")
    for role in ROLES
    if _allowed(op, role, side)
]


@pytest.mark.parametrize(("op", "role", "side"), ALLOWED)
def test_the_api_lets_through_whom_the_table_allows(
    probe: tuple[FastAPI, TestClient, World], session: Session, op: Op, role: Role, side: str
) -> None:
    """Each on a world of its own: an allowed write changes it (a deleted link is gone)."""
    _, client, world = probe
    response = _send(client, session, world, op, role, side)
    assert response.status_code not in (401, 403, 404), response.text[:200]
