"""The ledger import over the pages and the API: template, upload, preview, mapping, commit,
undo; a batch is its uploader's; markup in cells arrives as text."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.accounts import Role
from enterprises.projects.leads import Lead
from tests.enterprises.projects.test_ledger_import import good_row, ledger
from tests.factories import bearer, login, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARKUP = "<script>alert(1)</script>项目"


def test_the_api_imports_a_ledger_and_undoes_it(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion, team="甲组")
    headers = bearer(session, owner)
    template = client.get("/api/v1/leads/imports/template.xlsx", headers=headers)
    assert template.status_code == 200 and template.content.startswith(b"PK")
    files = {"file": ("台账.xlsx", ledger(good_row(), good_row(MARKUP, "第二投资有限公司")), XLSX)}
    up = client.post("/api/v1/leads/imports", files=files, headers=headers)
    assert up.status_code == 201, up.text
    body = up.json()
    assert body["counts"] == {"new": 2, "duplicate": 0, "error": 0} and body["header_row"] == 3
    url = f"/api/v1/leads/imports/{body['id']}"
    # Another team's promoter, a park bureau and a nonexistent batch see nothing.
    other = bearer(session, make_user(session, Role.promotion, team="乙组"))
    assert client.get(url, headers=other).status_code == 404
    assert client.post(f"{url}/commit", json={}, headers=other).status_code == 404
    bureau = bearer(session, make_user(session, Role.park_bureau, park="shunde"))
    refused = client.post("/api/v1/leads/imports", files=files, headers=bureau)
    assert refused.status_code == 403
    assert client.get("/api/v1/leads/imports/999999", headers=headers).status_code == 404
    done = client.post(f"{url}/commit", json={}, headers=headers)
    assert done.status_code == 200 and done.json()["created"] == 2
    lead = session.exec(select(Lead).where(Lead.name == MARKUP)).one()
    assert lead.backfilled
    assert client.post(f"{url}/commit", json={}, headers=headers).status_code == 409
    undone = client.post(f"{url}/undo", headers=headers)
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    session.expire_all()
    assert session.exec(select(Lead).where(Lead.name == MARKUP)).first() is None


def test_row_errors_answer_422_naming_row_and_column(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.promotion))
    bad = [2, "坏项目", "某投资有限公司", "不存在的链"]
    files = {"file": ("台账.xlsx", ledger(good_row(), bad), XLSX)}
    body = client.post("/api/v1/leads/imports", files=files, headers=headers).json()
    assert body["rows"][1]["errors"] == ["第 5 行「所属产业链」：未知产业链“不存在的链”"]
    done = client.post(f"/api/v1/leads/imports/{body['id']}/commit", json={}, headers=headers)
    assert done.status_code == 422 and "第 5 行「所属产业链」" in done.text
    assert session.exec(select(Lead).where(Lead.name == "华光精密伺服项目")).first() is None


def test_the_pages_take_a_ledger_through(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    csrf = login(client, session, owner)
    page = client.get("/leads/imports")
    assert page.status_code == 200 and "/leads/imports/template.xlsx" in page.text
    assert client.get("/leads/imports/template.xlsx").content.startswith(b"PK")
    content = ledger(good_row(MARKUP, "页面投资有限公司"))
    up = client.post(
        "/leads/imports",
        data={"csrf_token": csrf},
        files={"file": ("台账.xlsx", content, XLSX)},
        follow_redirects=False,
    )
    assert up.status_code == 303
    url = up.headers["location"]
    preview = client.get(url).text
    assert MARKUP not in preview and "&lt;script&gt;" in preview and "新项目 1" in preview
    remapped = client.post(
        f"{url}/mapping", data={"csrf_token": csrf, "col-0": "nonsense"}, follow_redirects=False
    )
    assert remapped.status_code == 422 and "未知字段" in remapped.text
    done = client.post(f"{url}/commit", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert "新增项目 1 个" in client.get(url).text
    stranger = make_user(session, Role.promotion, team="另一组")
    login(client, session, stranger)
    assert client.get(url).status_code == 404
    assert client.get("/leads/imports/999999").status_code == 404
    csrf = login(client, session, owner)
    assert (
        client.post(f"{url}/undo", data={"csrf_token": csrf}, follow_redirects=False).status_code
        == 303
    )
    assert re.search(r"已撤销", client.get("/leads/imports").text)
    csrf = login(client, session, make_user(session, Role.park_bureau, park="shunde"))
    assert client.get("/leads/imports").status_code == 403
