"""Read-your-writes through the real request transaction (no rolled-back test session here)."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from chains import service as chain_service
from core import figure_cache
from core.accounts import Role
from core.db import make_engine
from core.settings import Settings
from tests.databases import drop_scratch, seeded_scratch
from tests.factories import bearer, login, make_user
from web.app import create_app
from web.freshness import COOKIE

CHAIN = "additive"


@dataclass(frozen=True)
class Zone:
    url: str
    segment: int


@pytest.fixture(scope="module")
def zone(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zone]:
    url = seeded_scratch(database_url, tmp_path_factory.mktemp("freshness"))
    engine = make_engine(url)
    with Session(engine) as session:
        chain = chain_service.get_by_code(session=session, code=CHAIN)
        segment = chain_service.segments_of(session=session, chain_id=chain.id or 0)[0]
        found = Zone(url, segment.id or 0)
    engine.dispose()
    yield found
    drop_scratch(url, database_url)


@pytest.fixture
def app_client(zone: Zone, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=zone.url, secret_key="fresh-" + "k" * 40))
    with TestClient(app) as client:
        yield client
    assert figure_cache.wait_refreshed(app.state.engine, timeout=30)
    app.state.engine.dispose()


def _browser(client: TestClient, zone: Zone, role: Role) -> tuple[TestClient, str]:
    """A second client on the same app, logged in with a session cookie; and its CSRF token."""
    browser = TestClient(client.app)
    engine = make_engine(zone.url)
    with Session(engine) as session:
        csrf = login(browser, session, make_user(session, role))
        session.commit()
    engine.dispose()
    return browser, csrf


def _api(zone: Zone, role: Role) -> dict[str, str]:
    engine = make_engine(zone.url)
    with Session(engine) as session:
        headers = bearer(session, make_user(session, role))
        session.commit()
    engine.dispose()
    return headers


def _flag(zone: Zone, flag: bool) -> tuple[str, dict[str, object]]:
    path = f"/api/v1/chains/{CHAIN}/segments/{zone.segment}/choke-point"
    return path, {"choke_point": flag, "choke_note": "测试"}


def _flagged(client: TestClient, zone: Zone, **kwargs: object) -> bool:
    response = client.get(f"/api/v1/chains/{CHAIN}", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200
    return next(s["choke_point"] for s in response.json()["segments"] if s["id"] == zone.segment)


def test_a_browser_that_wrote_gets_the_cookie_and_api_clients_and_readers_do_not(
    app_client: TestClient, zone: Zone
) -> None:
    browser, csrf = _browser(app_client, zone, Role.admin)
    assert browser.get(f"/chains/{CHAIN}").status_code == 200
    assert COOKIE not in browser.cookies
    path, body = _flag(zone, True)
    api = app_client.put(path, json=body, headers=_api(zone, Role.admin))
    assert api.status_code == 200 and COOKIE not in api.cookies
    written = browser.put(path, json=_flag(zone, False)[1], headers={"X-CSRF-Token": csrf})
    assert written.status_code == 200
    assert written.cookies.get(COOKIE) == "registry"  # the registry's figures, for a minute
    assert "Max-Age=60" in written.headers["set-cookie"]
    lead = {"name": "新鲜度测试项目", "investor_name": "新鲜度测试投资有限公司", "source": "expo"}
    logged = browser.post("/api/v1/leads", json=lead, headers={"X-CSRF-Token": csrf})
    assert logged.status_code == 201
    assert logged.cookies.get(COOKIE) == "projects.registry"  # and now the projects' too


def _total(client: TestClient) -> int:
    response = client.get("/api/v1/enterprises")
    assert response.status_code == 200
    return int(response.json()["total"])


def test_until_a_write_is_refreshed_others_see_the_figures_before_it_and_the_writer_after_it(
    app_client: TestClient, zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figure_cache, "QUICK", -1.0)  # as with a city's registry: no waiting
    asked: list[object] = []
    monkeypatch.setattr(figure_cache, "refresh_soon", lambda *args, **kwargs: asked.append(1))
    writer, csrf = _browser(app_client, zone, Role.admin)
    reader, _ = _browser(app_client, zone, Role.viewer)
    before = _total(reader)
    created = writer.post(
        "/api/v1/enterprises",
        json={"name": "佛山新鲜度测试有限公司"},
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status_code == 201
    assert asked  # the background recomputation was asked for (and here held back)
    assert _total(reader) == before  # served the total as it was, at once
    assert _total(writer) == before + 1  # the writer's next page counts its firm
    assert _total(reader) == before + 1  # and from then on everyone's does
