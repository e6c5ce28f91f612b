"""Page weight (issue 21): ECharts only where charts are drawn; static files cached and gzipped."""

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.datastructures import Headers

from core.accounts import Role
from tests.factories import login, make_user
from web.assets import IMMUTABLE, Assets, accepts_gzip


def _sources(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


@pytest.mark.parametrize(
    ("path", "charts"),
    [
        ("/dashboard", True),
        ("/targets/003-high-growth", True),
        ("/targets", False),
        ("/chains", False),
        ("/chains/robotics", False),
        ("/enterprises", False),
        ("/leads/board", False),
    ],
)
def test_echarts_is_loaded_only_by_pages_that_draw_charts(
    client: TestClient, session: Session, path: str, charts: bool
) -> None:
    login(client, session, make_user(session, Role.admin))
    response = client.get(path)
    assert response.status_code == 200
    assert ("echarts" in response.text) is charts
    assert ("data-chart=" in response.text) <= charts  # a chart never goes without its script
    sources = _sources(response.text)
    assert any("vendor/htmx.min.js?v=" in s for s in sources)
    assert all("?v=" in s for s in sources)
    assert response.headers["cache-control"] == "no-store"


def test_hashed_static_files_are_cached_for_good_and_gzipped_when_asked(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.admin))
    for source in _sources(client.get("/dashboard").text):
        gzipped = client.get(source, headers={"Accept-Encoding": "gzip"})
        assert gzipped.status_code == 200
        assert gzipped.headers["cache-control"] == IMMUTABLE
        assert gzipped.headers["content-encoding"] == "gzip"
        assert gzipped.headers["vary"] == "Accept-Encoding"
        assert int(gzipped.headers["content-length"]) < len(gzipped.content)
        assert "script-src 'self'" in gzipped.headers["content-security-policy"]
        assert gzipped.headers["x-content-type-options"] == "nosniff"
        plain = client.get(source, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert int(plain.headers["content-length"]) == len(plain.content) == len(gzipped.content)


def test_a_url_without_its_hash_is_revalidated_by_its_etag(client: TestClient) -> None:
    plain = client.get("/static/app.js", headers={"Accept-Encoding": "identity"})
    assert plain.headers["cache-control"] == "no-cache"
    gzipped = client.get("/static/app.js?v=stale", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["cache-control"] == "no-cache"
    assert gzipped.headers["etag"] == "W/" + plain.headers["etag"]
    for etag in (plain.headers["etag"], gzipped.headers["etag"]):
        again = client.get("/static/app.js", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["cache-control"] == "no-cache"


def test_the_hashed_url_changes_with_the_files_bytes(tmp_path: Path) -> None:
    assets = Assets(tmp_path)
    (tmp_path / "app.js").write_text("console.log(1);\n")
    first = assets.url("app.js")
    assert assets.url("app.js") == first
    (tmp_path / "app.js").write_text("console.log(22);\n")
    second = assets.url("app.js")
    assert second != first and second.startswith("/static/app.js?v=")
    app = FastAPI()
    app.mount("/static", assets)
    with TestClient(app) as client:
        assert client.get(second).headers["cache-control"] == IMMUTABLE
        assert client.get(first).headers["cache-control"] == "no-cache"
        assert client.get(second).text == "console.log(22);\n"


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
    ],
)
def test_accept_encoding_is_read_with_its_quality(header: str, gzip: bool) -> None:
    assert accepts_gzip(Headers({"accept-encoding": header})) is gzip
