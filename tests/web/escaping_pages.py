"""The pages, fragments and downloads the escaping test reads, and how it reads each one
(HTML, the map's SVG as XML, .xlsx, .csv)."""

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from core.accounts import User
from core.db import make_engine
from tests.factories import (
    login,
)
from tests.web.escaping_zone import CHAIN, Zone


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
    "chain review page": Page(f"/chains/{CHAIN}/review"),
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
    "lead landing form": Page("/leads/{lead}/land"),
    "new lead form": Page("/leads/new"),
    "ledger imports": Page("/leads/imports"),
    "ledger preview": Page("/leads/imports/{ledger}"),
    "time limits": Page("/leads/limits"),
    "lead list .xlsx": Page("/leads/export.xlsx", "xlsx"),
    "lead list .csv": Page("/leads/export.csv", "csv"),
    "my to-do": Page("/leads/mine", viewer="promoter"),
    "stall watch": Page("/leads/watch"),
    "evaluation": Page("/leads/evaluation"),
    "evaluation .xlsx": Page("/leads/evaluation.xlsx", "xlsx"),
    "duplicate check": Page("/leads/duplicates?investor_name={lead_investor}", "fragment"),
    "lead segment options": Page("/leads/segment-options", "fragment"),
    "carriers": Page("/carriers"),
    "carrier form": Page("/carriers/{carrier}/edit"),
    "new carrier form": Page("/carriers/new"),
    "prospects": Page("/prospects"),
    "prospect page": Page("/prospects/{prospect}"),
    "prospect form": Page("/prospects/{prospect}/edit"),
    "new prospect form": Page("/prospects/new"),
    "prospect imports": Page("/prospects/imports"),
    "prospect import preview": Page("/prospects/imports/{prospect_pending}"),
    "gap targets": Page(f"/prospects/gaps?chain={CHAIN}"),
    "review suggestions": Page(f"/chains/{CHAIN}/suggestions"),
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
    "park discovery": Page("/parks/shunde/discovery"),
    "park discovery block": Page("/parks/shunde/discovery", "fragment"),
    "audit log": Page("/audit"),
    "audit log .xlsx": Page("/audit/export.xlsx", "xlsx"),
    "audit log .csv": Page("/audit/export.csv", "csv"),
    "users": Page("/users"),
    "plans": Page("/plans"),
    "plan page": Page("/plans/{plan}"),
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
