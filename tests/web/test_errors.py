"""Error answers through the app's own request lifecycle: Chinese pages with the user's
navigation for browsers, fragments for htmx, JSON under /api, a request number for the
unexpected, and the security headers on all of them."""

import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, login, make_lead, make_user

SECURITY = ("content-security-policy", "x-content-type-options", "x-frame-options")


def _secured(response: object) -> bool:
    headers = response.headers  # type: ignore[attr-defined]
    return all(name in headers for name in SECURITY) and headers["cache-control"] == "no-store"


def _heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html)
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    ("role", "path", "status", "heading"),
    [
        (Role.viewer, "/chains/no-such-chain", 404, "未找到"),
        (Role.viewer, "/enterprises/999999", 404, "未找到"),
        (Role.viewer, "/enterprises/not-a-number", 404, "未找到"),
        (Role.admin, "/leads/999999", 404, "未找到"),
        (Role.viewer, "/no/such/page", 404, "未找到"),
        (Role.viewer, "/leads", 403, "无权查看"),
        (Role.viewer, "/leads/board", 403, "无权查看"),
        (Role.promotion, "/audit", 403, "无权查看"),
        (Role.leader, "/users", 403, "无权查看"),
        (Role.viewer, "/imports", 403, "无权查看"),
    ],
)
def test_a_signed_in_users_error_pages_are_chinese_with_their_navigation(
    client: TestClient, session: Session, role: Role, path: str, status: int, heading: str
) -> None:
    """These were bare `Internal Server Error`s: the page read the user's row after the
    request's session had been rolled back (issue 17, item 4)."""
    user = make_user(session, role)
    name = user.display_name or user.username
    login(client, session, user)
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert _heading(response.text) == heading
    assert 'class="mainnav"' in response.text and name in response.text
    assert _secured(response)


def test_a_lead_link_sent_to_a_colleague_without_access(
    client: TestClient, session: Session
) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner, name="保密的合作项目", confidential=True)
    login(client, session, make_user(session, Role.promotion, team="别的小组"))
    response = client.get(f"/leads/{lead.id}")
    assert response.status_code == 404 and _heading(response.text) == "未找到"
    assert "保密的合作项目" not in response.text
    login(client, session, make_user(session, Role.viewer))
    assert _heading(client.get(f"/leads/{lead.id}").text) == "无权查看"


def test_a_refused_form_says_so_in_its_heading(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.viewer))
    response = client.post("/users", data={"csrf_token": csrf, "username": "x"})
    assert response.status_code == 403 and _heading(response.text) == "无权操作"
    forged = client.post("/users", data={"csrf_token": "forged", "username": "x"})
    assert forged.status_code == 403 and "CSRF" in forged.text and 'class="mainnav"' in forged.text


def test_htmx_gets_a_fragment_it_can_show(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.viewer))
    for path, status in (("/leads", 403), ("/enterprises/999999", 404), ("/nope", 404)):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == status
        assert "<html" not in response.text and 'role="alert"' in response.text
        assert response.headers["vary"] == "HX-Request" and _secured(response)


def test_strangers_and_ended_sessions_get_the_page_without_navigation(
    client: TestClient,
) -> None:
    for cookies in ({}, {"chainplan_session": "ended-or-forged"}):
        client.cookies.clear()
        client.cookies.update(cookies)
        response = client.get("/no/such/page")
        assert response.status_code == 404 and _heading(response.text) == "未找到"
        assert 'class="mainnav"' not in response.text and 'href="/login"' in response.text


def test_the_api_answers_json_in_chinese(client: TestClient, session: Session) -> None:
    viewer = bearer(session, make_user(session, Role.viewer))
    for path, status in (
        ("/api/v1/no-such-thing", 404),
        ("/api/nothing", 404),
        ("/api/v1/enterprises/999999", 404),
        ("/api/v1/leads", 403),
        ("/api/v1/enterprises/abc", 422),
    ):
        response = client.get(path, headers=viewer)
        assert response.status_code == status, path
        assert response.headers["content-type"] == "application/json"
        assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"]), path
        assert _secured(response)


def test_a_method_not_allowed_names_every_method_of_the_address(
    client: TestClient, session: Session
) -> None:
    headers = bearer(session, make_user(session, Role.admin))
    api = client.request("OPTIONS", "/api/v1/leads/1", headers=headers)
    assert api.status_code == 405 and api.headers["allow"] == "GET, PUT"
    assert api.json() == {"detail": "该地址不支持这种请求方式"}
    page = client.delete("/login")
    assert page.status_code == 405 and page.headers["allow"] == "GET, POST"
    assert _heading(page.text) == "不支持的请求方式" and _secured(page)


def test_an_unexpected_error_gets_a_request_number_logged_with_its_trace(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    app = client.app

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/broken", broken)  # type: ignore[attr-defined]
    app.add_api_route("/broken", broken)  # type: ignore[attr-defined]
    login(client, session, make_user(session, Role.viewer))
    session.commit()  # the client below is not the fixture's, which commits before requests
    quiet = TestClient(app, raise_server_exceptions=False, cookies=client.cookies)
    with caplog.at_level(logging.ERROR, logger="chainplan.errors"):
        api = quiet.get("/api/v1/broken")
        page = quiet.get("/broken")
        fragment = quiet.get("/broken", headers={"HX-Request": "true"})
    assert api.status_code == 500 and api.headers["content-type"] == "application/json"
    number = api.json()["request_id"]
    assert re.fullmatch(r"[0-9a-f]{8}", number) and number in api.json()["detail"]
    assert api.headers["x-request-id"] == number
    assert page.status_code == 500 and _heading(page.text) == "服务器出错"
    assert page.headers["x-request-id"] in page.text and 'class="mainnav"' in page.text
    assert "a bug" not in page.text and "Traceback" not in page.text
    assert fragment.status_code == 500 and "<html" not in fragment.text
    assert all(_secured(r) for r in (api, page, fragment))
    logged = [r for r in caplog.records if number in r.getMessage()]
    assert logged and logged[0].exc_info is not None
