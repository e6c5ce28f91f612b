"""Markup typed into any field arrives in every page, fragment and download as inert text.

Every user-editable text gets markup and quotes planted through the services, in a committed
scratch database; each page that shows it is requested through the app's own session
dependency, as a browser would, and parsed: HTML with html.parser, the chain map's SVG as XML,
spreadsheets with openpyxl and csv. No element or attribute may come from the data, and the
planted text must come back whole, as text. A second part writes control characters straight
into the database (input refuses them) and checks every export and page still answers.
"""

import csv
import io
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import text as sql
from sqlmodel import Session, select

from chains import dossier, editing
from chains import service as chain_service
from chains.models import DossierItemFields, DossierKind, SegmentFields, Stream
from core import figure_cache
from core.accounts import Role, User, create_user, get_or_create_team
from core.db import make_engine, require_id
from core.orgs import get_park_by_code
from core.settings import Settings
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.designations import DesignationFields
from enterprises.projects import carriers, followups, lead_contacts, lead_stages, leads
from enterprises.projects.carriers import CarrierFields
from enterprises.projects.followups import FollowUpFields
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_stages import ArrivalFields, LeadMoveFields
from enterprises.projects.leads import LeadFields, LeadStage
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import EnterpriseCreate
from enterprises.spreadsheets import imports
from plans import targets
from plans import tasks as plan_tasks
from plans.targets import ReportFields, Target, TargetKind
from plans.tasks import PlanTask, ProgressFields, TaskStatus
from tests.databases import drop_scratch, seeded_scratch
from tests.factories import (
    commit_import,
    join_segment,
    login,
    valid_code,
)
from web.app import create_app

CHAIN = "robotics"
# What an attacker types: an element carrying htmx attributes (the admin-maker of issue 17),
# a script, a quote breaking out of an attribute, a template expression, a closing textarea.
PIECES = (
    '"><g hx-post=/users hx-trigger=load><g>',
    "<script>alert(1)</script>",
    "' onmouseover='x",
    "{{7*7}}</textarea>",
)
_tags = (chr(c) for c in itertools.count(0x4E00))  # one distinct character per planted text


def payload(limit: int) -> str:
    """A distinct attack fitting a field of `limit` characters: a tag, then what pieces fit."""
    text = next(_tags)
    for piece in PIECES:
        if len(text) + len(piece) <= limit:
            text += piece
    return text


@dataclass
class Zone:
    """The scratch database, who looks at it, and what was planted where."""

    url: str
    users: dict[str, int] = field(default_factory=dict)  # viewer name -> user id
    ids: dict[str, Any] = field(default_factory=dict)
    planted: dict[str, str] = field(default_factory=dict)  # where -> the text planted there


def _plant(zone: Zone, session: Session) -> None:
    """Plant an attack in every user-editable text, through the services."""
    p = zone.planted

    def plant(where: str, limit: int) -> str:
        p[where] = payload(limit)
        return p[where]

    team = get_or_create_team(session=session, name=plant("team name", 60))
    admin = create_user(
        session=session,
        username=plant("username", 60),
        password="Escape@2026cp",
        role=Role.admin,
        display_name=plant("user display name", 60),
    )
    promoter = create_user(
        session=session,
        username="escape-promoter",
        password="Escape@2026cp",
        role=Role.promotion,
        display_name=plant("promoter display name", 60),
        team_id=require_id(team),
    )
    zone.users = {"admin": require_id(admin), "promoter": require_id(promoter)}
    chain = chain_service.get_by_code(session=session, code=CHAIN)
    segment = editing.create_segment(
        session=session,
        actor=admin,
        chain=chain,
        data=SegmentFields(
            name=plant("segment name", 60),
            stream=Stream.midstream,
            technology=plant("segment technology", 40),
            description=plant("segment description", 1000),
        ),
    )
    editing.set_choke_point(
        session=session,
        actor=admin,
        chain=chain,
        segment=segment,
        flag=True,
        note=plant("choke-point note", 500),
    )
    # A segment of another chain with the same technology: its panel lists the first as a peer.
    peer = editing.create_segment(
        session=session,
        actor=admin,
        chain=chain_service.get_by_code(session=session, code="smart-appliances"),
        data=SegmentFields(
            name="转义测试环节", stream=Stream.upstream, technology=p["segment technology"]
        ),
    )
    item = dossier.create(
        session=session,
        actor=admin,
        chain=chain,
        data=DossierItemFields(
            kind=DossierKind.project,
            name=plant("dossier name", 120),
            issuer=plant("dossier issuer", 120),
            summary=plant("dossier summary", 2000),
            url="https://example.org/" + plant("dossier url", 400),
        ),
    )
    shunde = get_park_by_code(session=session, code="shunde")
    firm = enterprise_service.create(
        session=session,
        actor=admin,
        data=EnterpriseCreate(
            name=plant("firm name", 100),
            credit_code=valid_code(990001),
            park_id=shunde.id,
            district=plant("firm district", 40),
            address=plant("firm address", 200),
            main_products=plant("firm products", 500),
            contact_person=plant("firm contact", 40),
            contact_phone=plant("firm phone", 40),
            annual_output=9e8,  # first in the registry's list
            above_size=True,
        ),
    )
    join_segment(session, firm, segment)
    designation = designations.create(
        session=session,
        actor=admin,
        code="escape-test",
        data=DesignationFields(
            name=plant("designation name", 60), description=plant("designation description", 1000)
        ),
    )
    designations.add_tier(
        session=session,
        actor=admin,
        designation=designation,
        code="t1",
        name=plant("tier name", 40),
    )
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=require_id(firm),
        designation=designation,
        chain_id=None,
        on=date.today(),
        note=plant("cultivation note", 1000),
    )
    lead = leads.create(
        session=session,
        actor=promoter,
        data=LeadFields(
            name=plant("lead name", 100),
            investor_name=plant("lead investor", 100),
            description=plant("lead description", 2000),
            chain_id=chain.id,
            segment_id=segment.id,
            park_id=shunde.id,
            planned_investment=50_000,
            space_need=1000,
        ),
    )
    lead_contacts.add_contact(
        session=session,
        actor=promoter,
        lead=lead,
        data=ContactFields(name=plant("contact name", 40), title=plant("contact title", 60)),
    )
    followups.log(
        session=session,
        actor=promoter,
        lead=lead,
        data=FollowUpFields(
            on=date.today() - timedelta(days=10),
            people="转义测试",  # stored, shown on no page
            notes=plant("follow-up notes", 2000),
            next_step=plant("follow-up next step", 200),
            next_due=date.today() - timedelta(days=1),  # overdue: on the owner's to-do page
        ),
    )
    lead_stages.move(
        session=session,
        actor=promoter,
        lead=lead,
        data=LeadMoveFields(to_stage=LeadStage.signed, note=plant("lead move note", 500)),
    )
    lead_stages.add_arrival(
        session=session,
        actor=promoter,
        lead=lead,
        data=ArrivalFields(amount=100, arrived_on=date.today(), note=plant("arrival note", 200)),
    )
    carrier = carriers.create(
        session=session,
        actor=admin,
        data=CarrierFields(
            park_id=require_id(shunde),
            name=plant("carrier name", 100),
            land_use=plant("carrier land use", 40),
            address=plant("carrier address", 200),
            note=plant("carrier note", 500),
            total_area=5000,
            available_area=5000,
        ),
    )
    target = session.exec(select(Target).where(Target.kind == TargetKind.reported)).first()
    assert target is not None, "the seeded plans have reported targets"
    targets.report(
        session=session,
        actor=admin,
        target=target,
        data=ReportFields(
            value=1,
            as_of=date.today(),
            source=plant("target report source", 300),
            evidence_url="https://example.org/" + plant("target report evidence", 400),
        ),
    )
    task = session.exec(select(PlanTask).where(PlanTask.code == "003-task-01")).one()
    plan_tasks.report(
        session=session,
        actor=admin,
        task=task,
        data=ProgressFields(
            on=date.today(), text=plant("task progress report", 1000), status=TaskStatus.in_progress
        ),
        today=date.today(),
    )
    committed = imports.stage(
        session=session,
        actor=admin,
        filename=plant("import filename", 190) + ".xlsx",
        content=_workbook(
            ["企业名称", "所属园区", "地址", "主营产品"],
            [
                plant("import name cell", 100),
                "顺德园",
                plant("import address cell", 200),
                plant("import products cell", 500),
            ],
        ),
        designation_id=None,
    )
    commit_import(session, admin, committed, None)
    pending = imports.stage(
        session=session,
        actor=admin,
        filename="转义测试待导入.xlsx",
        content=_workbook(
            ["企业名称", "所属园区", "地址"],
            [plant("import name cell, preview", 100), "顺德园", "佛山"],
            [p["firm name"], "顺德园", plant("import address cell, preview", 200)],  # an update
        ),
        designation_id=None,
    )
    refused = imports.stage(
        session=session,
        actor=admin,
        filename="转义测试名单.xlsx",
        content=_workbook(
            ["企业名称", "所属园区"], [plant("import cell in an error", 100), p["firm name"]]
        ),
        designation_id=None,
    )
    zone.ids = {
        "segment": require_id(segment),
        "peer": require_id(peer),
        "pending": require_id(pending),
        "item": require_id(item),
        "firm": require_id(firm),
        "cultivation": require_id(cultivation),
        "lead": require_id(lead),
        "carrier": require_id(carrier),
        "committed": require_id(committed),
        "refused": require_id(refused),
    }
    zone.ids["target"] = target.code
    zone.ids["task"] = require_id(task)


def _workbook(headers: list[str], *rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


STORED = "控制\x01字符"  # as stored before input refused control characters
# As pages and files show it: U+FFFD in its place; the audit log's export writes it out.
SHOWN = ("控制\ufffd字符", "控制\\x01字符")


def _plant_control_characters(zone: Zone, session: Session) -> None:
    """Write text holding a control character straight into the database, as if stored before
    input refused it: pages and exports must still answer (with U+FFFD in its place)."""
    admin = session.get(User, zone.users["admin"])
    assert admin is not None
    chain = chain_service.get_by_code(session=session, code=CHAIN)
    segment = editing.create_segment(
        session=session,
        actor=admin,
        chain=chain,
        data=SegmentFields(name="控制字符环节", stream=Stream.downstream),
    )
    firm = enterprise_service.create(
        session=session,
        actor=admin,
        data=EnterpriseCreate(
            name="控制字符有限公司",
            park_id=get_park_by_code(session=session, code="shunde").id,
            annual_output=8e8,
        ),
    )
    join_segment(session, firm, segment)
    pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=require_id(firm),
        designation=designations.get_by_code(session=session, code="gazelle"),
        chain_id=None,
        on=date.today(),
    )
    lead = leads.create(
        session=session,
        actor=admin,
        data=LeadFields(name="控制字符项目", investor_name="控制字符投资有限公司"),
    )
    for name, row in (("segment", segment), ("enterprise", firm), ("lead", lead)):
        session.execute(
            sql(f"UPDATE {name} SET name = :stored WHERE id = :id"),
            {"stored": STORED, "id": row.id},
        )
    session.execute(
        sql("UPDATE audit_entry SET object_label = :stored WHERE object_label = :label"),
        {"stored": STORED, "label": "控制字符有限公司"},
    )
    session.flush()


@pytest.fixture(scope="module")
def zone(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zone]:
    made = Zone(url="")

    def plant(session: Session) -> None:
        _plant(made, session)
        _plant_control_characters(made, session)

    made.url = seeded_scratch(database_url, tmp_path_factory.mktemp("escaping"), plant)
    yield made
    drop_scratch(made.url, database_url)


@dataclass(frozen=True)
class Page:
    """A page, fragment or download, who asks for it, and how to read what comes back."""

    path: str
    kind: str = "html"  # html | fragment | svg | xlsx | csv
    viewer: str = "admin"
    method: str = "GET"  # POST for a fragment that reveals what pages show masked


PAGES = {
    "chain list": Page("/chains"),
    "chain page": Page(f"/chains/{CHAIN}"),
    "chain page, segment open": Page(f"/chains/{CHAIN}?segment={{segment}}"),
    "chain map .svg": Page(f"/chains/{CHAIN}/map.svg", "svg"),
    "segment panel": Page(f"/chains/{CHAIN}/segments/{{segment}}", "fragment"),
    "peer segment panel": Page("/chains/smart-appliances/segments/{peer}", "fragment"),
    "gap list .xlsx": Page(f"/chains/{CHAIN}/gaps.xlsx", "xlsx"),
    "chain work page": Page(f"/chains/{CHAIN}/work"),
    "chain edit page": Page(f"/chains/{CHAIN}/edit"),
    "chain matrix": Page("/chains/matrix"),
    "dossier": Page(f"/chains/{CHAIN}/dossier"),
    "dossier item form": Page(f"/chains/{CHAIN}/dossier/{{item}}/edit"),
    "new dossier item form": Page(f"/chains/{CHAIN}/dossier/new"),
    "firm list": Page("/enterprises"),
    "firm list fragment": Page("/enterprises?page=1", "fragment"),
    "firm page": Page("/enterprises/{firm}"),
    "firm form": Page("/enterprises/{firm}/edit"),
    "firm phone revealed": Page("/enterprises/{firm}/phone", "fragment", method="POST"),
    "new firm form": Page("/enterprises/new"),
    "firm list .xlsx": Page("/enterprises/export.xlsx", "xlsx"),
    "firm list .csv": Page("/enterprises/export.csv", "csv"),
    "segment options": Page(f"/enterprises/segment-options?chain={CHAIN}", "fragment"),
    "cultivation": Page("/cultivation"),
    "cultivation .xlsx": Page("/cultivation/export.xlsx", "xlsx"),
    "cultivation .csv": Page("/cultivation/export.csv", "csv"),
    "designations": Page("/designations"),
    "designation page": Page("/designations/escape-test"),
    "imports": Page("/imports"),
    "committed import": Page("/imports/{committed}"),
    "refused import": Page("/imports/{refused}"),
    "pending import": Page("/imports/{pending}"),
    "lead list": Page("/leads"),
    "lead board": Page("/leads/board"),
    "lead page": Page("/leads/{lead}"),
    "lead form": Page("/leads/{lead}/edit"),
    "new lead form": Page("/leads/new"),
    "time limits": Page("/leads/limits"),
    "lead list .xlsx": Page("/leads/export.xlsx", "xlsx"),
    "lead list .csv": Page("/leads/export.csv", "csv"),
    "my to-do": Page("/leads/mine", viewer="promoter"),
    "stall watch": Page("/leads/watch"),
    "evaluation": Page("/leads/evaluation"),
    "evaluation .xlsx": Page("/leads/evaluation.xlsx", "xlsx"),
    "duplicate check": Page("/leads/duplicates?investor_name={lead_investor}", "fragment"),
    "carriers": Page("/carriers"),
    "carrier form": Page("/carriers/{carrier}/edit"),
    "new carrier form": Page("/carriers/new"),
    "dashboard": Page("/dashboard"),
    "targets": Page("/targets"),
    "target page": Page("/targets/{target}"),
    "target plan": Page("/targets/003-high-tech/plan"),
    "monthly report": Page("/reports/monthly"),
    "monthly report .xlsx": Page("/reports/monthly.xlsx", "xlsx"),
    "units": Page("/units"),
    "plan tasks": Page("/plans/003/tasks"),
    "my tasks": Page("/tasks/mine"),
    "task page": Page("/tasks/{task}"),
    "parks": Page("/parks"),
    "park page": Page("/parks/shunde"),
    "audit log": Page("/audit"),
    "audit log .xlsx": Page("/audit/export.xlsx", "xlsx"),
    "audit log .csv": Page("/audit/export.csv", "csv"),
    "users": Page("/users"),
    "password page": Page("/account/password"),
}


@dataclass(frozen=True)
class Seen:
    """What a page carried: its elements (tag, attributes) and every text and attribute value."""

    status: int
    elements: list[tuple[str, dict[str, str]]]
    texts: list[str]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.elements.append((tag, values))
        self.texts.extend(values.values())

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _read_html(body: str) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    collector = _Collector()
    collector.feed(body)
    collector.close()
    return collector.elements, collector.texts


def _read_svg(body: bytes) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    root = ET.fromstring(body)  # must be well-formed XML: a download opens nowhere otherwise
    elements, texts = [], []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        elements.append((tag, dict(element.attrib)))
        texts.extend([element.text or "", element.tail or "", *element.attrib.values()])
    return elements, texts


def _read_xlsx(body: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(body))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} became a formula"
                texts.append("" if cell.value is None else str(cell.value))
    return texts


def _read_csv(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


class Browser:
    """Clients of one app logged in as the zone's users; each page is fetched once."""

    def __init__(self, zone: Zone, client: TestClient) -> None:
        self.zone = zone
        self.clients: dict[str, TestClient] = {}
        self.csrf: dict[str, str] = {}
        engine = make_engine(zone.url)
        with Session(engine) as session:
            for name, user_id in zone.users.items():
                browser = TestClient(client.app)
                user = session.get(User, user_id)
                assert user is not None
                self.csrf[name] = login(browser, session, user)
                self.clients[name] = browser
            session.commit()
        engine.dispose()
        self.seen: dict[str, Seen] = {}

    def path(self, page: Page) -> str:
        values = self.zone.ids | {"lead_investor": self.zone.planted["lead investor"]}
        return page.path.format(**values)

    def get(self, name: str) -> Seen:
        if name not in self.seen:
            page = PAGES[name]
            headers = {"HX-Request": "true"} if page.kind == "fragment" else {}
            client = self.clients[page.viewer]
            if page.method == "POST":
                headers["X-CSRF-Token"] = self.csrf[page.viewer]
            response = client.request(page.method, self.path(page), headers=headers)
            elements: list[tuple[str, dict[str, str]]] = []
            if response.status_code != 200:
                texts = [response.text]
            elif page.kind in ("html", "fragment"):
                elements, texts = _read_html(response.text)
            elif page.kind == "svg":
                elements, texts = _read_svg(response.content)
            elif page.kind == "xlsx":
                texts = _read_xlsx(response.content)
            else:
                texts = _read_csv(response.content)
            self.seen[name] = Seen(response.status_code, elements, texts)
        return self.seen[name]


@pytest.fixture(scope="module")
def browser(zone: Zone) -> Iterator[Browser]:
    app = create_app(Settings(database_url=zone.url, secret_key="escape-" + "k" * 40))
    with TestClient(app) as client:
        yield Browser(zone, client)
    assert figure_cache.wait_refreshed(app.state.engine, timeout=30)
    app.state.engine.dispose()


# Where each planted text shows (besides the admin's display name, on every page of theirs).
SHOWN_IN: dict[str, list[str]] = {
    "team name": [
        "lead list",
        "lead board",
        "lead page",
        "lead list .xlsx",
        "stall watch",
        "users",
    ],
    "username": ["firm page", "imports", "audit log", "audit log .xlsx", "audit log .csv", "users"],
    "promoter display name": ["lead list", "lead board", "lead page", "lead form", "my to-do"],
    "segment name": [
        "chain page",
        "chain map .svg",
        "segment panel",
        "peer segment panel",
        "gap list .xlsx",
        "chain work page",
        "chain edit page",
        "chain matrix",
        "firm list",
        "firm page",
        "segment options",
        "lead list",
        "lead form",
        "lead list .csv",
        "audit log",
    ],
    "segment technology": [
        "segment panel",
        "peer segment panel",
        "chain edit page",
        "chain matrix",
    ],
    "segment description": ["segment panel", "chain page, segment open", "chain edit page"],
    "choke-point note": ["segment panel", "chain page, segment open", "chain edit page"],
    "dossier name": ["dossier", "dossier item form", "chain work page", "audit log"],
    "dossier issuer": ["dossier", "dossier item form", "chain work page"],
    "dossier summary": ["dossier", "dossier item form", "chain work page"],
    "dossier url": ["dossier", "dossier item form"],
    "firm name": [
        "segment panel",
        "firm list",
        "firm list fragment",
        "firm page",
        "firm form",
        "firm list .xlsx",
        "firm list .csv",
        "cultivation",
        "cultivation .xlsx",
        "refused import",
        "audit log",
        "audit log .xlsx",
    ],
    "firm district": ["firm page", "firm form", "firm list .xlsx"],
    "firm address": ["firm page", "firm form", "firm list .csv"],
    "firm products": ["firm page", "firm form", "firm list .xlsx"],
    "firm contact": ["firm page", "firm form", "firm list .xlsx"],
    # Shown masked on every page; whole only in the logged reveal (core.personal).
    "firm phone": ["firm phone revealed"],
    "designation name": [
        "firm page",
        "cultivation",
        "cultivation .csv",
        "designations",
        "designation page",
        "imports",
        "park page",
    ],
    "designation description": ["designations", "designation page"],
    "tier name": ["firm page", "designations", "audit log"],
    "cultivation note": ["firm page"],
    "lead name": [
        "segment panel",
        "chain work page",
        "lead list",
        "lead board",
        "lead page",
        "lead form",
        "lead list .xlsx",
        "lead list .csv",
        "my to-do",
        "stall watch",
        "duplicate check",
        "dashboard",
        "monthly report",
        "monthly report .xlsx",
        "audit log",
    ],
    "lead investor": ["lead list", "lead board", "lead page", "lead form", "lead list .xlsx"],
    "lead description": ["lead page", "lead form"],
    "contact name": ["lead page", "lead list .xlsx"],
    "contact title": ["lead page"],
    "follow-up notes": ["lead page"],
    "follow-up next step": ["lead list", "lead page", "lead list .csv", "my to-do", "stall watch"],
    "lead move note": ["lead page"],
    "arrival note": ["lead page"],
    "carrier name": ["lead page", "carriers", "carrier form", "audit log"],
    "carrier land use": ["carriers", "carrier form"],
    "carrier address": ["carrier form"],
    "carrier note": ["carriers", "carrier form"],
    "target report source": ["target page"],
    "task progress report": ["task page"],
    "target report evidence": ["target page"],
    "import filename": ["imports", "committed import", "audit log .csv"],
    "import name cell": ["firm list", "firm list .xlsx", "audit log"],
    "import address cell": ["firm list .csv"],
    "import products cell": ["firm list .xlsx"],
    "import name cell, preview": ["pending import"],
    "import address cell, preview": ["pending import"],
    "import cell in an error": ["refused import"],
}
# Where the text written with a control character shows.
STORED_IN = [
    "chain page",
    "chain map .svg",
    "gap list .xlsx",
    "chain edit page",
    "firm list",
    "firm list .xlsx",
    "firm list .csv",
    "segment options",
    "cultivation",
    "cultivation .xlsx",
    "cultivation .csv",
    "lead list",
    "lead board",
    "lead list .xlsx",
    "lead list .csv",
    "dashboard",
    "monthly report .xlsx",
    "audit log",
    "audit log .xlsx",
    "audit log .csv",
]
# Pages that show no stored text, or none at all.
NOT_RENDERED = {"/", "/login", "/my-chain", "/imports/progress/{key}"}


def _shown_in() -> list[tuple[str, str]]:
    mine = [n for n, p in PAGES.items() if p.kind == "html" and p.viewer == "admin"]
    return [("user display name", n) for n in mine] + [
        (where, name) for where, names in SHOWN_IN.items() for name in names
    ]


@pytest.mark.parametrize(("where", "page"), _shown_in())
def test_planted_text_arrives_whole_as_text(browser: Browser, where: str, page: str) -> None:
    seen = browser.get(page)
    assert seen.status == 200, seen.texts[0][:500]
    planted = browser.zone.planted[where]
    assert any(planted in text for text in seen.texts), f"{where} is not shown as text in {page}"


# What the planted pieces would make if they were taken as markup.
INJECTED = {("hx-post", "/users"), ("hx-trigger", "load"), ("onmouseover", "x")}


@pytest.mark.parametrize("page", list(PAGES))
def test_no_element_or_attribute_comes_from_the_data(browser: Browser, page: str) -> None:
    seen = browser.get(page)
    assert seen.status == 200, seen.texts[0][:500]
    for tag, attributes in seen.elements:
        assert not INJECTED & set(attributes.items()), f"{page}: <{tag} {attributes}>"
        assert not [a for a in attributes if a.startswith("on")], f"{page}: <{tag} {attributes}>"
        assert tag != "script" or attributes.get("src"), f"{page}: an inline <script>"
    assert not [t for t in seen.texts if "alert(1)" in t and "<script>" not in t]


def test_every_planted_text_is_shown_somewhere() -> None:
    # A planted text no page shows tests nothing; a page shown nowhere is missing here.
    assert set(SHOWN_IN) | {"user display name"} >= set(_planted_names())


def _planted_names() -> list[str]:
    with open(__file__, encoding="utf-8") as source:
        return re.findall(r'plant\("([^"]+)"', source.read())


def _routes(app: Any) -> set[str]:
    found: set[str] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
            elif "GET" in getattr(route, "methods", set()):
                found.add((prefix + route.path).replace(":int}", "}"))

    walk(app.routes, "")
    return {r for r in found if not r.startswith(("/api/", "/openapi", "/docs", "/static"))}


def test_every_page_is_rendered(browser: Browser) -> None:
    paths = [p.path.split("?")[0] for p in PAGES.values()]
    missing = []
    for route in _routes(browser.clients["admin"].app) - NOT_RENDERED:
        pattern = re.escape(route).replace(r"\{", "{").replace(r"\}", "}")
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", pattern) + "$"
        if not any(re.match(pattern, path) for path in paths):
            missing.append(route)
    assert not missing, f"pages that show stored text but are not in PAGES: {missing}"


@pytest.mark.parametrize("page", STORED_IN)
def test_stored_control_characters_do_not_break_pages_or_files(browser: Browser, page: str) -> None:
    seen = browser.get(page)
    assert seen.status == 200, seen.texts[0][:500]
    shown = [text for text in seen.texts if any(form in text for form in SHOWN)]
    assert shown, f"{page} does not show the stored text"
