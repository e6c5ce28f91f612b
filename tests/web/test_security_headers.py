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
