"""Markup typed into any field arrives in every page, fragment and download as inert text.

Every user-editable text gets markup and quotes planted through the services, in a committed
scratch database; each page that shows it is requested through the app's own session
dependency, as a browser would, and parsed: HTML with html.parser, the chain map's SVG as XML,
spreadsheets with openpyxl and csv. No element or attribute may come from the data, and the
planted text must come back whole, as text. A second part writes control characters straight
into the database (input refuses them) and checks every export and page still answers.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core import figure_cache
from core.settings import Settings
from tests.databases import drop_scratch, seeded_scratch
from tests.web.escaping_control import SHOWN, plant_control_characters
from tests.web.escaping_pages import PAGES, Browser
from tests.web.escaping_zone import Zone, plant_markup
from web.app import create_app


@pytest.fixture(scope="module")
def zone(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zone]:
    made = Zone(url="")

    def plant(session: Session) -> None:
        plant_markup(made, session)
        plant_control_characters(made, session)

    made.url = seeded_scratch(database_url, tmp_path_factory.mktemp("escaping"), plant)
    yield made
    drop_scratch(made.url, database_url)


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
    "username": [
        "firm page",
        "imports",
        "ledger imports",
        "audit log",
        "audit log .xlsx",
        "audit log .csv",
        "users",
    ],
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
    "membership note": ["chain review page"],
    "dossier name": ["dossier", "dossier item form", "chain work page", "audit log"],
    "dossier issuer": ["dossier", "dossier item form", "chain work page"],
    "dossier summary": ["dossier", "dossier item form", "chain work page"],
    "dossier url": ["dossier", "dossier item form"],
    "firm name": [
        "review suggestions",
        "segment panel",
        "chain review page",
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
        "lead landing form",
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
    "lead investor": [
        "lead list",
        "lead board",
        "lead page",
        "lead form",
        "lead landing form",
        "lead list .xlsx",
    ],
    "lead description": ["lead page", "lead form"],
    "contact name": ["lead page", "lead list .xlsx"],
    "contact title": ["lead page"],
    "follow-up notes": ["lead page"],
    "follow-up next step": ["lead list", "lead page", "lead list .csv", "my to-do", "stall watch"],
    "lead move note": ["lead page"],
    "move date correction": ["lead page"],
    "ledger filename": ["ledger imports", "ledger preview", "audit log .csv"],
    "ledger project cell": ["ledger preview"],
    "ledger investor cell": ["ledger preview"],
    "arrival note": ["lead page"],
    "carrier name": ["lead page", "carriers", "carrier form", "audit log"],
    "carrier land use": ["carriers", "carrier form"],
    "carrier address": ["carrier form"],
    "carrier note": ["carriers", "carrier form"],
    "prospect name": ["prospects", "prospect page", "prospect form", "audit log", "gap targets"],
    "prospect city": ["prospects", "prospect page", "prospect form"],
    "prospect products": ["prospect page", "prospect form"],
    "prospect source list": ["prospects", "prospect page", "prospect form"],
    "prospect tags": ["prospects", "prospect page", "prospect form"],
    "prospect note": ["prospect page", "prospect form"],
    "prospect import cell": ["prospect import preview"],
    "segment word": ["segment panel", "chain page, segment open"],
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
    "plan name": ["plans", "plan page", "targets", "monthly report", "monthly report .xlsx"],
    "plan issuer": ["plans", "plan page"],
    "plan source text": ["plan page"],
    "plan target name": ["plan page", "dashboard", "targets", "monthly report"],
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
NOT_RENDERED = {
    "/",
    "/login",
    "/my-chain",
    "/imports/progress/{key}",
    "/plans/targets-template.csv",
    "/leads/imports/template.xlsx",
}


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
