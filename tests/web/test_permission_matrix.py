"""The permission matrix: every write operation of the JSON API × every role × an object inside
and outside the user's scope, against one table of who may do what.

Each request runs in a savepoint that is rolled back, so all of them meet the same world. An
allowed request must get past the permission check (any answer but 401, 403 or 404 — a 409 or
422 means the rules let it through and the data did not); a refused one must get 403, or 404
where the object is not even visible to the user. A write route without a row fails the test.
Page forms call the same service functions; each page write route names the API operation
whose rules it shares (PAGE_ROUTES), so a new page route without one fails too.
"""

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlmodel import Session, col, select

from chains import service as chain_service
from chains.models import DossierItem, Segment, SegmentLink
from core.accounts import Role, User
from core.settings import Settings
from enterprises import carriers, designations, imports, lead_contacts, pipeline
from enterprises.carriers import CarrierFields
from enterprises.lead_contacts import ContactFields
from enterprises.leads import LeadStage
from enterprises.targets import Target
from tests.factories import (
    PASSWORD,
    bearer,
    join_segment,
    login,
    make_enterprise,
    make_lead,
    make_user,
)
from web.app import create_app
from web.deps import get_session

ROLES = list(Role)
ADMIN = {Role.admin}
EVERYONE = set(Role)


@dataclass
class World:
    """Objects inside ("mine") and outside ("theirs") each role's scope."""

    users: dict[Role, User]
    ids: dict[str, dict[str, Any]]  # name -> {"mine": ..., "theirs": ...}

    def of(self, name: str, side: str) -> Any:
        return self.ids[name][side]


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["企业名称", "所属园区"])
    sheet.append(["佛山市矩阵测试有限公司", "顺德园"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _build(session: Session) -> World:
    users = {role: make_user(session, role) for role in ROLES}
    other_promoter = make_user(session, Role.promotion, team="另一小组")
    robotics = chain_service.get_by_code(session=session, code="robotics")
    other = next(c for c in chain_service.get_all(session=session) if c.code != "robotics")
    firms = {
        "mine": make_enterprise(session, park="shunde", name="佛山市矩阵本园有限公司"),
        "theirs": make_enterprise(session, park="nanhai", name="佛山市矩阵他园有限公司"),
    }
    gazelle = designations.get_by_code(session=session, code="gazelle")
    admin = users[Role.admin]
    growing = {
        side: pipeline.start(
            session=session,
            actor=admin,
            enterprise_id=firm.id or 0,
            designation=gazelle,
            chain_id=None,
            on=date(2026, 1, 5),
        )
        for side, firm in firms.items()
    }
    lead_of = {
        "mine": make_lead(
            session, users[Role.promotion], name="矩阵本人项目", park_id=firms["mine"].park_id
        ),
        "theirs": make_lead(session, other_promoter, name="矩阵他人项目"),
    }
    contact_of = {
        side: lead_contacts.add_contact(
            session=session,
            actor=admin,
            lead=lead,
            data=ContactFields(name="联系人", phone="13800001111"),
        )
        for side, lead in lead_of.items()
    }
    carrier_of = {
        side: carriers.create(
            session=session,
            actor=admin,
            data=CarrierFields(
                park_id=firm.park_id or 0,
                name=f"矩阵载体{side}",
                total_area=1000,
                available_area=500,
            ),
        )
        for side, firm in firms.items()
    }
    batch_of = {
        side: imports.stage(
            session=session, actor=user, filename="矩阵.xlsx", content=_xlsx(), designation_id=None
        )
        for side, user in (("mine", users[Role.park_bureau]), ("theirs", admin))
    }
    chain_of = {"mine": robotics, "theirs": other}
    for side, chain in chain_of.items():
        first = session.exec(
            select(Segment).where(Segment.chain_id == chain.id).order_by(col(Segment.id))
        ).first()
        assert first is not None
        join_segment(session, firms[side], first)

    def segments(chain_id: int) -> list[Segment]:
        return list(
            session.exec(
                select(Segment).where(Segment.chain_id == chain_id).order_by(col(Segment.id))
            )
        )

    def link(chain_id: int) -> SegmentLink:
        ids = [s.id for s in segments(chain_id)]
        return session.exec(select(SegmentLink).where(col(SegmentLink.source_id).in_(ids))).first()  # type: ignore[return-value]

    def dossier(chain_id: int) -> DossierItem:
        found = session.exec(select(DossierItem).where(DossierItem.chain_id == chain_id)).first()
        assert found is not None, "the seed gives every chain dossier items"
        return found

    target = session.exec(select(Target)).first()
    assert target is not None
    ids: dict[str, dict[str, Any]] = {
        "chain": {s: c.code for s, c in chain_of.items()},
        "segment": {s: segments(c.id or 0)[0].id for s, c in chain_of.items()},
        "segment2": {s: segments(c.id or 0)[1].id for s, c in chain_of.items()},
        "link": {s: link(c.id or 0) for s, c in chain_of.items()},
        "dossier": {s: dossier(c.id or 0).id for s, c in chain_of.items()},
        "firm": {s: f.id for s, f in firms.items()},
        "firm_version": {s: f.version for s, f in firms.items()},
        "park": {s: f.park_id for s, f in firms.items()},
        "cultivation": {s: c.id for s, c in growing.items()},
        "lead": {s: lead.id for s, lead in lead_of.items()},
        "lead_version": {s: lead.version for s, lead in lead_of.items()},
        "contact": {s: c.id for s, c in contact_of.items()},
        "carrier": {s: c.id for s, c in carrier_of.items()},
        "batch": {s: b.id for s, b in batch_of.items()},
        "target": {s: target.code for s in ("mine", "theirs")},
        "user": {"mine": users[Role.viewer].id, "theirs": users[Role.viewer].id},
    }
    session.flush()
    return World(users, ids)


Body = Callable[[World, str], Any]


@dataclass(frozen=True)
class Op:
    """One write operation: who may do it to an object of their own scope, and of another."""

    method: str
    path: str  # with {name} placeholders filled from World.ids
    mine: set[Role]
    theirs: set[Role]
    body: Body | None = None
    files: bool = False


def _chain_op(method: str, path: str, body: Body | None = None) -> Op:
    return Op(method, path, {Role.admin, Role.chain_chief}, ADMIN, body)


SEGMENT = {"name": "矩阵环节", "stream": "mid"}
DOSSIER = {"kind": "technology", "name": "矩阵条目"}
LEAD_BODY = {"name": "矩阵新项目", "investor_name": "矩阵投资有限公司"}
LEAD_EDITORS = {Role.admin, Role.promotion}

API_OPS: list[Op] = [
    _chain_op("PATCH", "/api/v1/chains/{chain}", lambda w, s: {}),
    _chain_op("POST", "/api/v1/chains/{chain}/segments", lambda w, s: SEGMENT),
    _chain_op("PUT", "/api/v1/chains/{chain}/segments/{segment}", lambda w, s: SEGMENT),
    _chain_op("DELETE", "/api/v1/chains/{chain}/segments/{segment}"),
    _chain_op(
        "POST", "/api/v1/chains/{chain}/segments/{segment}/shift", lambda w, s: {"offset": 1}
    ),
    _chain_op(
        "PUT",
        "/api/v1/chains/{chain}/segments/{segment}/choke-point",
        lambda w, s: {"choke_point": True},
    ),
    _chain_op("POST", "/api/v1/chains/{chain}/segments/{segment}/confirm"),
    _chain_op(
        "PUT",
        "/api/v1/chains/{chain}/segments/{segment}/firms/{firm}",
        lambda w, s: {"role": "key"},
    ),
    _chain_op(
        "POST",
        "/api/v1/chains/{chain}/links",
        lambda w, s: {"source_id": w.of("segment", s), "target_id": w.of("segment2", s)},
    ),
    _chain_op("DELETE", "/api/v1/chains/{chain}/links/{link_source}/{link_target}"),
    _chain_op("POST", "/api/v1/chains/{chain}/dossier", lambda w, s: DOSSIER),
    _chain_op("PUT", "/api/v1/chains/{chain}/dossier/{dossier}", lambda w, s: DOSSIER),
    _chain_op("DELETE", "/api/v1/chains/{chain}/dossier/{dossier}"),
    Op(
        "POST",
        "/api/v1/enterprises",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"name": "佛山市矩阵新建有限公司", "park_id": w.of("park", s)},
    ),
    Op(
        "PUT",
        "/api/v1/enterprises/{firm}",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {
            "name": "佛山市矩阵改名有限公司",
            "park_id": w.of("park", s),
            "version": w.of("firm_version", s),
        },
    ),
    Op(
        "POST",
        "/api/v1/enterprises/{firm}/merge",
        ADMIN,
        ADMIN,
        lambda w, s: {"other_id": w.of("firm", "theirs" if s == "mine" else "mine")},
    ),
    Op("POST", "/api/v1/enterprises/{firm}/phone", {Role.admin, Role.park_bureau}, ADMIN),
    Op(
        "PUT",
        "/api/v1/enterprises/{firm}/figures",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"year": 2025, "revenue": 100},
    ),
    Op(
        "POST",
        "/api/v1/cultivations",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {
            "enterprise_id": w.of("firm", s),
            "designation": "single-champion",
            "on": "2026-02-01",
        },
    ),
    Op(
        "POST",
        "/api/v1/cultivations/{cultivation}/moves",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"to_stage": "pool", "on": "2026-02-01"},
    ),
    Op(
        "POST",
        "/api/v1/cultivations/bulk-moves",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"to_stage": "pool", "on": "2026-02-01", "ids": [w.of("cultivation", s)]},
    ),
    Op(
        "POST",
        "/api/v1/imports",
        {Role.admin, Role.park_bureau},
        {Role.admin, Role.park_bureau},
        files=True,
    ),
    Op(
        "POST",
        "/api/v1/imports/{batch}/commit",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {},
    ),
    Op("POST", "/api/v1/imports/{batch}/undo", {Role.admin, Role.park_bureau}, ADMIN),
    Op("POST", "/api/v1/leads", LEAD_EDITORS, LEAD_EDITORS, lambda w, s: LEAD_BODY),
    Op("PUT", "/api/v1/leads/limits", ADMIN, ADMIN, lambda w, s: {}),
    Op(
        "PUT",
        "/api/v1/leads/{lead}",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: LEAD_BODY | {"version": w.of("lead_version", s)},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/moves",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"to_stage": LeadStage.contact},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/followups",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"on": "2026-02-01", "notes": "矩阵跟进"},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/arrivals",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"amount": 10, "arrived_on": "2026-02-01"},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/contacts",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"name": "新联系人"},
    ),
    Op("DELETE", "/api/v1/leads/{lead}/contacts/{contact}", LEAD_EDITORS, ADMIN),
    Op("POST", "/api/v1/leads/{lead}/contacts/{contact}/phone", LEAD_EDITORS, ADMIN),
    Op(
        "POST",
        "/api/v1/carriers",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {
            "park_id": w.of("park", s),
            "name": "矩阵新载体",
            "total_area": 10,
            "available_area": 5,
        },
    ),
    Op(
        "PUT",
        "/api/v1/carriers/{carrier}",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {
            "park_id": w.of("park", s),
            "name": "矩阵载体改",
            "total_area": 10,
            "available_area": 5,
            "version": 1,
        },
    ),
    # A carrier is held by the project's owner; the carrier's park bureau may also let it go.
    Op(
        "POST",
        "/api/v1/carriers/{carrier}/reserve",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"lead_id": w.of("lead", s)},
    ),
    Op(
        "POST",
        "/api/v1/carriers/{carrier}/release",
        LEAD_EDITORS | {Role.park_bureau},
        ADMIN,
        lambda w, s: {"lead_id": w.of("lead", s)},
    ),
    Op(
        "POST",
        "/api/v1/targets/{target}/values",
        ADMIN,
        ADMIN,
        lambda w, s: {"value": 1, "as_of": "2026-01-31", "source": "矩阵"},
    ),
    Op(
        "POST",
        "/api/v1/users",
        ADMIN,
        ADMIN,
        lambda w, s: {"username": f"matrix-{s}", "role": "viewer", "password": "Matrix#user-2026"},
    ),
    Op("PUT", "/api/v1/users/{user}/active", ADMIN, ADMIN, lambda w, s: {"active": False}),
    Op("POST", "/api/v1/users/{user}/end-sessions", ADMIN, ADMIN),
    Op(
        "POST",
        "/api/v1/account/password",
        EVERYONE,
        EVERYONE,
        lambda w, s: {"current": PASSWORD, "password": "Matrix#new-2026"},
    ),
]

# Not permission-checked: getting a token is how one logs in.
OPEN_ROUTES = {("POST", "/api/v1/auth/token"), ("POST", "/login"), ("POST", "/logout")}

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


@pytest.fixture
def probe(settings: Settings, session: Session) -> Iterator[tuple[FastAPI, TestClient, World]]:
    world = _build(session)
    app = create_app(settings)

    def rolled_back() -> Iterator[Session]:
        request = session.begin_nested()
        try:
            yield session
        finally:
            request.rollback()

    app.dependency_overrides[get_session] = rolled_back
    with TestClient(app) as client:
        yield app, client, world


def _path(op: Op, world: World, side: str) -> str:
    values = {name: world.of(name, side) for name in world.ids}
    link = world.of("link", side)
    values |= {"link_source": link.source_id, "link_target": link.target_id}
    return op.path.format(**values)


def _write_routes(app: FastAPI) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
                continue
            for method in getattr(route, "methods", set()) & {"POST", "PUT", "PATCH", "DELETE"}:
                found.add((method, (prefix + route.path).replace(":int}", "}")))

    walk(app.routes, "")
    return found


def _normal(path: str) -> str:
    """/api/v1/leads/{lead} and /api/v1/leads/{lead_id} name the same route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_every_write_route_has_a_row(probe: tuple[FastAPI, TestClient, World]) -> None:
    app, _, _ = probe
    routes = {(m, _normal(p)) for m, p in _write_routes(app)}
    listed = {(op.method, _normal(op.path)) for op in API_OPS}
    listed |= {(m, _normal(p)) for m, p in OPEN_ROUTES}
    api_routes = {r for r in routes if r[1].startswith("/api/")}
    assert api_routes - listed == set(), "write routes without a row in the permission matrix"
    assert listed - routes - {(m, _normal(p)) for m, p in OPEN_ROUTES} == set()
    pages = {p for m, p in routes if not p.startswith("/api/")} - {"/login", "/logout"}
    assert pages - set(PAGE_ROUTES) - ADMIN_PAGES == set(), "page forms without a row"
    assert set(PAGE_ROUTES) - pages == set()
    rows = {(op.method, op.path) for op in API_OPS}
    assert all(target in rows for target in PAGE_ROUTES.values())


@pytest.mark.parametrize("op", API_OPS, ids=lambda op: f"{op.method} {op.path}")
def test_the_api_allows_exactly_what_the_table_says(
    probe: tuple[FastAPI, TestClient, World], session: Session, op: Op
) -> None:
    _, client, world = probe
    problems = []
    for side in ("mine", "theirs"):
        for role in ROLES:
            headers = bearer(session, world.users[role])
            path = _path(op, world, side)
            if op.files:
                response = client.request(
                    op.method,
                    path,
                    headers=headers,
                    files={"file": ("矩阵.xlsx", _xlsx(), "application/octet-stream")},
                )
            else:
                body = op.body(world, side) if op.body else None
                response = client.request(op.method, path, headers=headers, json=body)
            allowed = role in (op.mine if side == "mine" else op.theirs)
            status = response.status_code
            if allowed and status in (401, 403, 404):
                problems.append(f"{role.value}/{side}: refused {status} {response.text[:120]}")
            if not allowed and status not in (403, 404):
                problems.append(f"{role.value}/{side}: let through {status} {response.text[:120]}")
    assert problems == []


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
