"""Many people at once against a real server: a uvicorn thread on a free port, its own engine
and transactions, browser sessions with cookies and CSRF tokens, one thread per person."""

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import pytest
import uvicorn
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from chains.models import SegmentLink, Stream
from core import accounts
from core.accounts import LoginSession, Role, User
from core.audit import AuditEntry
from core.db import china_today, make_engine, utcnow
from core.orgs import get_park_by_code
from core.settings import Settings
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.pipeline import CultivationEvent, Stage
from enterprises.projects import carriers, lead_stages
from enterprises.projects.carriers import CarrierFields
from enterprises.projects.lead_stages import LeadMove, LeadMoveFields
from enterprises.projects.leads import LeadStage
from tests.concurrency import WRITERS
from tests.databases import drop_scratch, seeded_scratch
from tests.factories import make_chain, make_enterprise, make_lead, make_user
from web.app import create_app
from web.deps import SESSION_COOKIE


@dataclass(frozen=True)
class Person:
    """A browser that is logged in: its user, session cookie and the session's CSRF token."""

    user_id: int
    cookie: str
    csrf: str


@dataclass
class Zone:
    """What the server serves: its database and the people and records of the tests."""

    url: str = ""
    base: str = ""
    admins: list[Person] = field(default_factory=list)
    promoters: list[tuple[Person, int]] = field(default_factory=list)  # with a signed lead each
    bureaus: list[Person] = field(default_factory=list)
    lead_id: int = 0
    carrier_id: int = 0
    cultivation_id: int = 0
    chain_code: str = ""
    segment_ids: list[int] = field(default_factory=list)
    firm_ids: list[int] = field(default_factory=list)  # one per editor of the mixed load
    park_id: int = 0  # theirs


def _person(session: Session, user: User) -> Person:
    token, row = accounts.start_session(session=session, user=user)
    return Person(user.id or 0, token, row.csrf_token)


def _build(zone: Zone, session: Session) -> None:
    admins = [make_user(session, Role.admin) for _ in range(WRITERS)]
    zone.admins = [_person(session, u) for u in admins]
    lead = make_lead(session, admins[0], on=date(2024, 1, 2))
    zone.lead_id = lead.id or 0
    park = zone.park_id = get_park_by_code(session=session, code="shunde").id or 0
    carrier = carriers.create(
        session=session,
        actor=admins[0],
        data=CarrierFields(park_id=park, name="并发请求载体", total_area=900, available_area=900),
    )
    zone.carrier_id = carrier.id or 0
    for _ in range(WRITERS):
        owner = make_user(session, Role.promotion)
        signed = make_lead(session, owner, on=date(2024, 1, 2), park_id=park)
        moved = LeadMoveFields(to_stage=LeadStage.signed, on=date(2024, 2, 1))
        lead_stages.move(session=session, actor=owner, lead=signed, data=moved)
        zone.promoters.append((_person(session, owner), signed.id or 0))
    zone.bureaus = [_person(session, make_user(session, Role.park_bureau)) for _ in range(WRITERS)]
    firm = make_enterprise(session, actor=admins[0], name="佛山市并发请求培育有限公司")
    zone.cultivation_id = (
        pipeline.start(
            session=session,
            actor=admins[0],
            enterprise_id=firm.id or 0,
            designation=designations.get_by_code(session=session, code="gazelle"),
            chain_id=None,
            on=date(2024, 1, 5),
        ).id
        or 0
    )
    chain, made = make_chain(
        session, [(f"并发环节{n}", Stream.midstream) for n in range(WRITERS)], actor=admins[0]
    )
    zone.chain_code = chain.code
    zone.segment_ids = [made[f"并发环节{n}"].id or 0 for n in range(WRITERS)]
    zone.firm_ids = [
        make_enterprise(session, actor=admins[0], name=f"佛山市并发编辑{n}号有限公司").id or 0
        for n in range(8)
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def zone(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zone]:
    zone = Zone()
    zone.url = seeded_scratch(
        database_url, tmp_path_factory.mktemp("requests"), lambda s: _build(zone, s)
    )
    port = _free_port()
    app = create_app(Settings(database_url=zone.url, secret_key="concurrent-" + "k" * 32))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    zone.base = f"http://127.0.0.1:{port}"
    yield zone
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()
    drop_scratch(zone.url, database_url)


Request = Callable[[httpx.Client], httpx.Response]


def _at_once(zone: Zone, requests: list[tuple[Person, Request, str]]) -> Counter[tuple[str, int]]:
    """Send every request at the same moment, each from its own browser; count (kind, status)."""
    answers: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(len(requests))

    def send(person: Person, request: Request, kind: str) -> None:
        cookies = {SESSION_COOKIE: person.cookie}
        headers = {"X-CSRF-Token": person.csrf}
        with httpx.Client(base_url=zone.base, cookies=cookies, headers=headers) as client:
            start.wait()
            status = request(client).status_code
        with lock:
            answers[(kind, status)] += 1

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _count(zone: Zone, statement: object) -> int:
    engine = make_engine(zone.url)
    with Session(engine) as session:
        found = int(session.exec(statement).one())  # type: ignore[call-overload]
    engine.dispose()
    return found


def test_sixteen_admins_moving_one_lead_from_one_version(zone: Zone) -> None:
    move = {"to_stage": "contact", "on": china_today().isoformat(), "version": 1}
    path = f"/api/v1/leads/{zone.lead_id}/moves"
    answers = _at_once(zone, [(p, lambda c: c.post(path, json=move), "") for p in zone.admins])
    assert answers == {("", 201): 1, ("", 409): WRITERS - 1}
    moves = select(func.count()).where(col(LeadMove.lead_id) == zone.lead_id)
    assert _count(zone, moves) == 1


def test_sixteen_projects_reserving_one_carrier(zone: Zone) -> None:
    path = f"/api/v1/carriers/{zone.carrier_id}/reserve"
    today = china_today().isoformat()
    answers = _at_once(
        zone,
        [
            (person, lambda c, lead=lead: c.post(path, json={"lead_id": lead, "on": today}), "")
            for person, lead in zone.promoters
        ],
    )
    assert answers == {("", 200): 1, ("", 409): WRITERS - 1}


def test_sixteen_park_bureaus_moving_one_firm_from_its_page(zone: Zone) -> None:
    path = f"/cultivations/{zone.cultivation_id}/move"

    def post(person: Person) -> Request:
        form = {"csrf_token": person.csrf, "version": "1", "to_stage": "pool", "on": "2024-02-01"}
        return lambda c: c.post(path, data=form)

    answers = _at_once(zone, [(p, post(p), "") for p in zone.bureaus])
    # One is redirected to the firm; fifteen see its page again, told someone moved it (409).
    assert answers == {("", 303): 1, ("", 409): WRITERS - 1}
    events = select(func.count()).where(
        col(CultivationEvent.cultivation_id) == zone.cultivation_id,
        col(CultivationEvent.to_stage) == Stage.pool,
    )
    assert _count(zone, events) == 1


def test_sixteen_chiefs_closing_a_ring_of_links_at_once(zone: Zone) -> None:
    path = f"/chains/{zone.chain_code}/links"
    ids = zone.segment_ids

    def post(n: int, person: Person) -> Request:
        form = {"csrf_token": person.csrf, "source_id": ids[n], "target_id": ids[(n + 1) % 16]}
        return lambda c: c.post(path, data=form)

    answers = _at_once(zone, [(p, post(n, p), "") for n, p in enumerate(zone.admins)])
    assert answers == {("", 303): WRITERS - 1, ("", 422): 1}  # the last would close the cycle
    links = select(func.count()).where(col(SegmentLink.source_id).in_(ids))
    assert _count(zone, links) == WRITERS - 1


def test_sixteen_carriers_of_one_name_at_once_make_one_and_no_server_error(zone: Zone) -> None:
    data = {
        "park_id": zone.park_id,
        "name": "同名并发载体",
        "total_area": 100,
        "available_area": 50,
    }
    answers = _at_once(
        zone, [(p, lambda c: c.post("/api/v1/carriers", json=data), "") for p in zone.admins]
    )
    # Those that checked the name after the first committed are told it is taken (422); on
    # PostgreSQL, those that checked before meet the unique index instead (409), not a 500.
    assert answers[("", 201)] == 1
    assert answers[("", 409)] + answers[("", 422)] == WRITERS - 1


def _sessions_due_for_a_touch(zone: Zone, people: list[Person]) -> None:
    engine = make_engine(zone.url)
    with Session(engine) as session:
        hashes = [accounts._digest(p.cookie) for p in people]
        session.execute(
            update(LoginSession)
            .where(col(LoginSession.token_hash).in_(hashes))
            .values(last_seen_at=utcnow() - timedelta(minutes=2))
        )
        session.commit()
    engine.dispose()


def _export(client: httpx.Client) -> httpx.Response:
    return client.get("/api/v1/enterprises/export?format=csv")


def _browse(client: httpx.Client) -> httpx.Response:
    return client.get("/chains")


def test_readers_that_write_beside_writers_never_fail(zone: Zone) -> None:
    """Eight exporters (each download is audited), eight editors and eight browsers whose
    sessions are due to be touched, at once, six times over: SQLite answered 500 "database
    is locked" to every export and most browsers before reads deferred their writes."""
    exporters, browsers, editors = zone.admins[:8], zone.admins[8:], zone.bureaus[:8]
    answers: Counter[tuple[str, int]] = Counter()
    exported = select(func.count()).where(AuditEntry.action == "export")
    exports_before = _count(zone, exported)

    def edit(firm_id: int, version: int) -> Request:
        name = f"佛山市并发编辑{firm_id}号第{version}版有限公司"
        data = {"name": name, "park_id": zone.park_id, "version": version}
        return lambda c: c.put(f"/api/v1/enterprises/{firm_id}", json=data)

    for round_ in range(6):
        _sessions_due_for_a_touch(zone, exporters + browsers + editors)
        export: Request = lambda c: c.get("/api/v1/enterprises/export?format=csv")  # noqa: E731
        browse: Request = lambda c: c.get("/chains")  # noqa: E731
        requests = [(p, export, "export") for p in exporters]
        requests += [(p, browse, "browse") for p in browsers]
        requests += [
            (p, edit(firm, round_ + 1), "edit")
            for p, firm in zip(editors, zone.firm_ids, strict=True)
        ]
        answers.update(_at_once(zone, requests))
    assert answers == {("export", 200): 48, ("browse", 200): 48, ("edit", 200): 48}
    assert _count(zone, exported) - exports_before == 48  # every download in the audit log
