"""Pages are gzipped, so the session's CSRF token is masked anew in each (BREACH)."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import login, make_user
from web import csrf


def _page_token(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def test_each_page_carries_another_mask_of_the_same_token(
    client: TestClient, session: Session
) -> None:
    token = login(client, session, make_user(session, Role.admin))
    first, second = _page_token(client, "/chains"), _page_token(client, "/chains")
    assert first != second and token not in (first, second)
    assert csrf.matches(first, token) and csrf.matches(second, token)
    assert csrf.matches(token, token)  # bare, as API clients holding the session send it


def test_a_masked_token_from_a_page_is_accepted_and_a_forged_one_refused(
    client: TestClient, session: Session
) -> None:
    token = login(client, session, make_user(session, Role.admin))
    masked = _page_token(client, "/chains")
    assert client.post("/logout", data={"csrf_token": masked}).status_code in (200, 303)
    token = login(client, session, make_user(session, Role.admin))
    for forged in ("", "x", masked, csrf.masked(token + "x"), csrf.masked(token)[:-4]):
        assert not csrf.matches(forged, token)
    assert client.post("/logout", data={"csrf_token": masked}).status_code == 403


def test_pages_are_gzipped_when_asked(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.admin))
    page = client.get("/leads/board", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert page.headers["cache-control"] == "no-store"
    assert "Accept-Encoding" in page.headers["vary"] and "HX-Request" in page.headers["vary"]
    plain = client.get("/leads/board", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
