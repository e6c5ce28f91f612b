"""The landmarks' named items on the park pages and in the JSON API, with the plan's sentence."""

import html

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, login, make_user

HUAWEI = "联合华为云等机构,推进新型基础设施建设。"
DATONG = "依托大同湖生态水系资源,融入广府、冠军、红色、儒家等文化要素,建设大同湖生态示范区。"


def test_the_parks_page_shows_every_landmark_s_items_kind_and_sentence(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.viewer))
    page = html.unescape(client.get("/parks").text)
    for name in ("华为云", "风梅岭、黄牛牯村级工业园连片改造", "荷兰穆勒科技", "“1+4”主导产业专区"):
        assert name in page
    assert HUAWEI in page and DATONG in page
    assert "平台" in page and "片区" in page and "规划原文" in page and "文件 003 五(六)" in page


def test_a_park_page_shows_only_its_own_landmarks(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.park_bureau))
    sanshui = html.unescape(client.get("/parks/sanshui").text)
    assert "大同湖生态示范区" in sanshui and DATONG in sanshui
    assert "华为云" not in sanshui
    nanhai = html.unescape(client.get("/parks/nanhai").text)
    assert "华为云" in nanhai and "首期8万平方米载体" in nanhai
    assert "大同湖生态示范区" not in nanhai


def test_the_api_lists_the_landmarks_with_their_items(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.viewer))
    body = client.get("/api/v1/landmarks", headers=headers).json()
    assert [m["code"] for m in body] == [
        "lighthouse",
        "jujin",
        "nanhai-accelerator",
        "robot-valley",
        "xinchuang-ai",
        "sanshui-wanmu",
    ]
    assert all(m["items"] for m in body)
    huawei = next(i for i in body[0]["items"] if i["name"] == "华为云")
    assert huawei["kind"] == "platform" and huawei["kind_label"] == "平台"
    assert huawei["basis"]["label"] == "规划原文" and huawei["basis"]["quote"] == HUAWEI
    assert (huawei["basis"]["document"], huawei["basis"]["section"]) == ("003", "五(一)")
    assert body[5]["park"] and sum(len(m["items"]) for m in body) == 39
    assert client.get("/api/v1/landmarks").status_code == 401
