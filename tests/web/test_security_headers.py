"""Security headers on pages, API answers and static files."""

import base64
import hashlib
import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, login, make_user


def test_pages_and_api_carry_a_strict_policy_and_are_not_cached(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.admin)
    login(client, session, user)
    for response in (
        client.get("/dashboard"),
        client.get("/api/v1/targets", headers=bearer(session, user)),
        client.get("/login"),
    ):
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "'unsafe-eval'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    static = client.get("/static/app.css")
    assert "no-store" not in static.headers.get("cache-control", "")


def test_no_page_needs_inline_script(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.admin))
    for path in ("/dashboard", "/targets", "/chains/robotics", "/leads/board", "/imports"):
        page = client.get(path).text
        assert "<script>" not in page and " onclick=" not in page and " onchange=" not in page


def test_the_chain_maps_own_style_is_allowed_by_its_hash(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.viewer))
    response = client.get("/chains/robotics")
    style = re.search(r"<style>(.*?)</style>", response.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["content-security-policy"]


def test_errors_carry_the_headers_too(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.viewer))
    for response in (
        client.get("/no/such/page"),
        client.get("/api/v1/no/such/thing"),
        client.get("/leads"),
        client.delete("/login"),
        client.get("/static/no-such-file.js"),
    ):
        assert response.status_code in (403, 404, 405)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_the_api_docs_come_from_this_server_under_the_same_policy(client: TestClient) -> None:
    """Swagger UI from the npm package (web/static/vendor), started by a static script: an
    intranet has no CDN, and the page needs no exception from the policy."""
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text and "//" not in page.text
    assert "<script>" not in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(s.split("?")[0].endswith("swagger-ui-bundle.js") for s in sources)
    for source in sources:
        if source != "data:,":
            assert source.startswith("/static/") and client.get(source).status_code == 200
    init = client.get("/static/api-docs.js").text
    assert "/openapi.json" in init and "validatorUrl: null" in init and "https:" not in init
