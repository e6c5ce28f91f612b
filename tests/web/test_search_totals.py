"""Lists count their matches up to a cap: "1,000+ 家" beyond it, and the pages still walk."""

import html
import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core import paging
from core.accounts import Role
from core.settings import Settings
from tests.factories import bearer, login, make_enterprise, make_lead, make_user
from web.app import create_app


@pytest.fixture
def small_pages(settings: Settings, session: Session) -> Iterator[TestClient]:
    """The app with two firms a page (the cap is lowered by each test)."""
    app = create_app(settings.model_copy(update={"page_size": 2}))

    def commit(_: object) -> None:
        session.commit()

    with TestClient(app) as test_client:
        test_client.event_hooks = {"request": [commit], "response": [commit]}
        yield test_client
    app.state.engine.dispose()


def test_the_firm_list_says_cap_plus_and_links_the_next_page_beyond_the_cap(
    small_pages: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    for _ in range(5):
        make_enterprise(session, main_products="上限展示产品")
    login(small_pages, session, make_user(session, Role.viewer))
    first = small_pages.get("/enterprises?q=上限展示")
    assert "共 3+ 家" in first.text and "第 1 页" in first.text
    assert "%E5%B1%95%E7%A4%BA&after=" in first.text and '&page=2" hx-get' in first.text
    third = small_pages.get("/enterprises?q=上限展示&page=3")
    assert '&page=2"' in third.text and "&page=4" not in third.text and "下一页" not in third.text
    monkeypatch.setattr(paging, "COUNT_CAP", 1000)
    exact = small_pages.get("/enterprises?q=上限展示")
    assert "共 5 家，第 1/3 页" in exact.text


def test_the_json_list_marks_a_capped_total_and_says_whether_a_next_page_exists(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    for _ in range(5):
        make_enterprise(session, main_products="上限接口产品")
    headers = bearer(session, make_user(session, Role.viewer))
    url = "/api/v1/enterprises?q=上限接口&page_size=2"
    first = client.get(url, headers=headers).json()
    assert (first["total"], first["total_is_lower_bound"], first["has_next"]) == (3, True, True)
    last = client.get(url + "&page=3", headers=headers).json()
    assert (last["page"], len(last["items"]), last["has_next"]) == (3, 1, False)
    monkeypatch.setattr(paging, "COUNT_CAP", 1000)
    exact = client.get(url, headers=headers).json()
    assert (exact["total"], exact["total_is_lower_bound"], exact["has_next"]) == (5, False, True)


def test_the_lead_list_and_its_json_count_up_to_the_cap(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    owner = make_user(session, Role.promotion)
    for n in range(4):
        make_lead(session, owner, name=f"上限项目{n}")
    headers = bearer(session, owner)
    found = client.get("/api/v1/leads?q=上限项目&page_size=3", headers=headers).json()
    assert (found["total"], found["total_is_lower_bound"], found["has_next"]) == (2, True, True)
    login(client, session, owner)
    assert "共 2+ 个项目" in client.get("/leads?q=上限项目").text


_FIRM = re.compile(r'<a href="/enterprises/(\d+)">')
_NEXT = re.compile(r'<a href="([^"]+)"[^>]*>下一页')
_PREV = re.compile(r'<a href="([^"]+)"[^>]*>‹ 上一页')
TERM = "键集<i>\"页'"


def _keyset_firms(session: Session) -> None:
    admin = make_user(session, Role.admin)
    for n, output in enumerate([7, None, 7, 2, None, 7, 2, 9]):
        park = "nanhai" if n < 7 else "shunde"
        make_enterprise(session, actor=admin, park=park, main_products=TERM, annual_output=output)


def test_the_next_link_reads_on_from_where_the_page_ended_and_keeps_the_filters(
    small_pages: TestClient, session: Session
) -> None:
    _keyset_firms(session)
    login(small_pages, session, make_user(session, Role.viewer))
    start = "/enterprises?" + urlencode({"q": TERM, "park": "nanhai"})
    numbered = [_FIRM.findall(small_pages.get(f"{start}&page={p}").text) for p in (1, 2, 3, 4)]
    walked, url = [], start
    for page in (1, 2, 3, 4):
        shown = small_pages.get(url).text
        assert f"第 {page}/4 页" in shown
        walked.append(_FIRM.findall(shown))
        if page < 4:
            url = html.unescape(_NEXT.findall(shown)[0])
            assert "&after=" in url and f"&page={page + 1}" in url
            assert "park=nanhai" in url and urlencode({"q": TERM}) in url  # escaped, kept
    assert walked == numbered and len(sum(walked, [])) == 7
    assert "下一页" not in shown
    walked_back = []
    for page in (3, 2, 1):
        url = html.unescape(_PREV.findall(shown)[0])
        assert ("&before=" in url) == (page > 1) and "&after=" not in url
        assert url.endswith(f"&page={page}") and "park=nanhai" in url
        assert urlencode({"q": TERM}) in url  # escaped, kept
        shown = small_pages.get(url).text
        assert f"第 {page}/4 页" in shown
        walked_back.append(_FIRM.findall(shown))
    assert walked_back == numbered[2::-1] and "上一页" not in shown
    assert '<i>"页' not in shown.split("<nav")[-1]  # the term only escaped in the links


def test_a_tampered_position_is_a_clear_error_on_the_page_and_in_the_json(
    small_pages: TestClient, session: Session
) -> None:
    user = make_user(session, Role.viewer)
    login(small_pages, session, user)
    headers = bearer(session, user)
    for where in ("bogus", "nan_5", "1e999_5", "5_99999999999", "7.0_1%3Cscript%3E", "-2_5"):
        for name in ("after", "before"):
            page = small_pages.get(f"/enterprises?q=x&{name}={where}&page=2")
            assert page.status_code == 400 and f"翻页位置（{name}）无效" in page.text
            assert "<script>" not in page.text
            answer = small_pages.get(f"/api/v1/enterprises?{name}={where}", headers=headers)
            assert answer.status_code == 400
            assert f"翻页位置（{name}）无效" in answer.json()["detail"]
    both = "q=x&after=7.0_1&before=7.0_2&page=2"
    page = small_pages.get(f"/enterprises?{both}")
    assert page.status_code == 400 and "after 与 before 不能同时给出" in page.text
    answer = small_pages.get(f"/api/v1/enterprises?{both}", headers=headers)
    assert answer.status_code == 400 and "不能同时" in answer.json()["detail"]


def test_the_json_list_links_its_next_page_with_where_this_one_ended(
    client: TestClient, session: Session
) -> None:
    _keyset_firms(session)
    headers = bearer(session, make_user(session, Role.viewer))
    start = "/api/v1/enterprises?" + urlencode({"q": TERM, "park": "nanhai", "page_size": 2})
    numbered = [
        [e["id"] for e in client.get(f"{start}&page={p}", headers=headers).json()["items"]]
        for p in (1, 2, 3, 4)
    ]
    walked, url = [], start
    for page in (1, 2, 3, 4):
        answer = client.get(url, headers=headers).json()
        assert answer["page"] == page
        walked.append([e["id"] for e in answer["items"]])
        url = answer["next"]
        if page < 4:
            assert url.startswith("/api/v1/enterprises?") and "park=nanhai" in url
            assert f"after={quote(answer['next_after'])}" in url
    assert walked == numbered and (url, answer["next_after"]) == (None, None)
    walked_back = []
    for page in (3, 2, 1):
        url = answer["prev"]
        assert url.startswith("/api/v1/enterprises?") and "park=nanhai" in url
        assert urlencode({"q": TERM}) in url and url.endswith(f"&page={page}")
        if page > 1:
            assert f"before={quote(answer['prev_before'])}" in url and "after=" not in url
        else:
            assert answer["prev_before"] is None and "before=" not in url
        answer = client.get(url, headers=headers).json()
        assert (answer["page"], answer["has_next"]) == (page, True)
        walked_back.append([e["id"] for e in answer["items"]])
    assert walked_back == numbered[2::-1] and (answer["prev"], answer["prev_before"]) == (
        None,
        None,
    )
