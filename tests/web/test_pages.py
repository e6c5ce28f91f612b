import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core import accounts
from core.accounts import Role
from core.db import utcnow
from core.login_throttle import FREE_PER_NAME
from tests.factories import PASSWORD, login, login_form_token, make_enterprise, make_user
from web import login_csrf


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/chains", Role.viewer, 200),
        ("/chains/robotics", Role.leader, 200),
        ("/chains/no-such-chain", Role.viewer, 404),
        ("/enterprises", Role.promotion, 200),
        ("/enterprises?q=美的&chain=smart-appliances&size=above", Role.chain_chief, 200),
        ("/enterprises/segment-options?chain=robotics", Role.viewer, 200),
        ("/parks", Role.park_bureau, 200),
        ("/enterprises/new", Role.park_bureau, 200),
        ("/enterprises/new", Role.admin, 200),
        ("/enterprises/new", Role.viewer, 403),
        ("/enterprises/new", Role.leader, 403),
        ("/enterprises/999999", Role.viewer, 404),
    ],
)
def test_page_access(
    client: TestClient, session: Session, path: str, role: Role, status: int
) -> None:
    login(client, session, make_user(session, role))
    assert client.get(path).status_code == status


def test_pages_redirect_to_login_without_a_session(client: TestClient) -> None:
    response = client.get("/enterprises", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/enterprises"


def test_login_with_password_then_logout(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.viewer)
    token = login_form_token(client)
    bad = client.post(
        "/login", data={"username": user.username, "password": "nope", "csrf_token": token}
    )
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text
    ok = client.post(
        "/login",
        data={
            "username": user.username,
            "password": PASSWORD,
            "next": "/parks",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert ok.headers["location"] == "/parks"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/parks")
    assert "禅城园" in page.text
    assert client.get("/login?next=//evil.example").text.count('value="/"') == 1


def test_chain_page_shows_plan_segments_and_named_firms(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.viewer))
    page = client.get("/chains/smart-appliances").text
    for text in ("空调", "Micro LED面板", "顺德区人民政府", "补链强链清单"):
        assert text in page
    dossier = client.get("/chains/smart-appliances/dossier").text
    for text in ("美的", "格兰仕", "国发〔2020〕7号"):
        assert text in dossier


def test_htmx_gets_only_the_results_fragment(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.viewer))
    make_enterprise(session, name="佛山市片段测试有限公司")
    full = client.get("/enterprises?q=片段测试")
    part = client.get("/enterprises?q=片段测试", headers={"HX-Request": "true"})
    assert "<html" in full.text and "<html" not in part.text
    assert "佛山市片段测试有限公司" in part.text
    assert part.headers["vary"] == "HX-Request"


def test_form_errors_are_shown_beside_the_field(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.admin))
    response = client.post(
        "/enterprises/new",
        data={
            "csrf_token": csrf,
            "name": "佛山市表单测试有限公司",
            "credit_code": "91110108551385082A",
            "employees": "很多",
        },
    )
    assert response.status_code == 422
    assert 'id="err-credit_code"' in response.text
    assert "校验位错误" in response.text and "从业人数须为整数" in response.text
    assert 'value="佛山市表单测试有限公司"' in response.text


def test_create_and_edit_through_forms(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.park_bureau, park="shunde"))
    created = client.post(
        "/enterprises/new",
        data={
            "csrf_token": csrf,
            "name": "佛山市表单新建有限公司",
            "park_id": _park(session, "shunde"),
            "above_size": "on",
            "annual_output": "3500",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    location = created.headers["location"]
    edited = client.post(
        location + "/edit",
        data={
            "csrf_token": csrf,
            "name": "佛山市表单改名有限公司",
            "park_id": _park(session, "shunde"),
            "version": "1",
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303
    detail = client.get(location).text
    assert "佛山市表单改名有限公司" in detail and "修改" in detail
    stale = client.post(
        location + "/edit",
        data={
            "csrf_token": csrf,
            "name": "佛山市过期版本有限公司",
            "park_id": _park(session, "shunde"),
            "version": "1",
        },
    )
    assert stale.status_code == 409 and "已被他人修改" in stale.text


def test_park_bureau_cannot_edit_another_parks_enterprise_page(
    client: TestClient, session: Session
) -> None:
    other = make_enterprise(session, park="nanhai")
    csrf = login(client, session, make_user(session, Role.park_bureau, park="shunde"))
    assert client.get(f"/enterprises/{other.id}/edit").status_code == 403
    response = client.post(
        f"/enterprises/{other.id}/edit",
        data={
            "csrf_token": csrf,
            "name": "越权修改有限公司",
            "park_id": _park(session, "nanhai"),
            "version": "1",
        },
    )
    assert response.status_code == 403 and "本园区" in response.text
    session.refresh(other)
    assert other.name != "越权修改有限公司"


def test_writes_without_the_csrf_token_are_refused(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.admin))
    response = client.post("/enterprises/new", data={"name": "佛山市无令牌有限公司"})
    assert response.status_code == 403 and "CSRF" in response.text


def _park(session: Session, code: str) -> str:
    from core.orgs import get_park_by_code

    return str(get_park_by_code(session=session, code=code).id)


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example"])
def test_login_never_redirects_off_site(client: TestClient, session: Session, target: str) -> None:
    user = make_user(session, Role.viewer)
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": PASSWORD,
            "next": target,
            "csrf_token": login_form_token(client),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every login at one instant: the throttle's waits decide, not the machine's speed."""
    now = utcnow()
    monkeypatch.setattr(accounts, "utcnow", lambda: now)


@pytest.mark.usefixtures("clock")
def test_failed_logins_count_through_the_page_and_the_api(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.viewer)
    token = login_form_token(client)
    for _ in range(FREE_PER_NAME - 1):
        form = {"username": user.username, "password": "wrong", "csrf_token": token}
        page = client.post("/login", data=form)
        assert page.status_code == 401 and "用户名或密码错误" in page.text
    api = client.post("/api/v1/auth/token", data={"username": user.username, "password": "x"})
    assert api.status_code == 401
    # The refusals were kept, not rolled back: the next attempt from here must wait.
    held = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    assert held.status_code == 429 and int(held.headers["retry-after"]) >= 1
    form = {"username": user.username, "password": PASSWORD, "csrf_token": token}
    page = client.post("/login", data=form)
    assert page.status_code == 429 and "登录尝试过于频繁" in page.text
    assert page.headers["retry-after"]


@pytest.mark.usefixtures("clock")
def test_unknown_names_are_answered_like_known_ones(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.viewer)
    token = login_form_token(client)
    answers = {}
    for name in (user.username, "no-such-name"):
        form = {"username": name, "password": "Wrong#guess-1", "csrf_token": token}
        tries = [client.post("/login", data=form) for _ in range(FREE_PER_NAME + 1)]
        answers[name] = [
            (r.status_code, r.text.replace(name, "NAME").split('name="csrf_token"')[0])
            for r in tries
        ]
    assert answers[user.username] == answers["no-such-name"]
    assert [status for status, _ in answers["no-such-name"]] == [401] * FREE_PER_NAME + [429]


def test_the_login_form_needs_its_csrf_token(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.viewer)
    form = {"username": user.username, "password": PASSWORD}
    # Posted from another site: no token, a token without the cookie, or a made-up pair.
    refused = [client.post("/login", data=form, follow_redirects=False)]
    token = login_form_token(client)
    client.cookies.delete(login_csrf.COOKIE)
    refused.append(client.post("/login", data=form | {"csrf_token": token}, follow_redirects=False))
    forged = "made-up.1700000000.0123abcd"
    client.cookies.set(login_csrf.COOKIE, forged)
    refused.append(
        client.post("/login", data=form | {"csrf_token": forged}, follow_redirects=False)
    )
    for response in refused:
        assert response.status_code == 403 and "登录页面已过期" in response.text
        assert "chainplan_session" not in response.headers.get("set-cookie", "")
    # The page that refused gives the browser a fresh token, in its form and its cookie.
    found = re.search(r'name="csrf_token" value="([^"]+)"', refused[-1].text)
    assert found is not None and refused[-1].cookies[login_csrf.COOKIE] == found.group(1)
    client.cookies.clear()
    token = login_form_token(client)
    ok = client.post("/login", data=form | {"csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303 and "chainplan_session" in ok.headers["set-cookie"]
