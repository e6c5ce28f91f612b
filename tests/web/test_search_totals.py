"""Lists count their matches up to a cap: "1,000+ 家" beyond it, and the pages still walk."""

from collections.abc import Iterator

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
    assert '%E5%B1%95%E7%A4%BA&page=2" hx-get' in first.text
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
