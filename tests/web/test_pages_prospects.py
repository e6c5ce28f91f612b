"""The target library in the browser's terms and as JSON: roles, forms, imports, markup, ids."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from enterprises.projects.leads import Lead
from tests.enterprises.prospects.factories import make_prospect, worded_chain
from tests.enterprises.spreadsheets.sheets import xlsx
from tests.factories import bearer, login, make_user

MARKUP = '<script>alert("x")</script>'


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/prospects", Role.promotion, 200),
        ("/prospects", Role.chain_chief, 200),
        ("/prospects", Role.leader, 200),
        ("/prospects", Role.viewer, 403),
        ("/prospects?size=huge", Role.admin, 422),
        ("/prospects/new", Role.promotion, 200),
        ("/prospects/new", Role.chain_chief, 403),
        ("/prospects/imports", Role.promotion, 200),
        ("/prospects/imports", Role.park_bureau, 403),
        ("/prospects/999999", Role.admin, 404),
        ("/prospects/999999/edit", Role.admin, 404),
        ("/prospects/imports/999999", Role.admin, 404),
        ("/api/v1/prospects", Role.leader, 200),
        ("/api/v1/prospects", Role.viewer, 403),
        ("/api/v1/prospects/999999", Role.admin, 404),
        ("/api/v1/prospects/imports/999999", Role.admin, 404),
    ],
)
def test_access(client: TestClient, session: Session, path: str, role: Role, status: int) -> None:
    user = make_user(session, role)
    if path.startswith("/api/"):
        assert client.get(path, headers=bearer(session, user)).status_code == status
    else:
        login(client, session, user)
        assert client.get(path).status_code == status


def test_add_edit_and_history_through_the_pages(client: TestClient, session: Session) -> None:
    staff = make_user(session, Role.promotion)
    worded_chain(session, staff)
    csrf = login(client, session, staff)
    form = {"csrf_token": csrf, "name": "江苏精减科技有限公司", "products": "谐波减速器"}
    bad = client.post("/prospects/new", data=form | {"credit_code": "123"})
    assert bad.status_code == 422 and "统一社会信用代码应为 18 位" in bad.text
    made = client.post("/prospects/new", data=form, follow_redirects=False)
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "谐波减速器" in page.text and "精密减速器" in page.text  # the suggested segment
    edited = client.post(
        made.headers["location"] + "/edit",
        data=form | {"city": "常州市", "version": "1"},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    stale = client.post(made.headers["location"] + "/edit", data=form | {"version": "1"})
    assert stale.status_code == 409
    history = client.get(made.headers["location"]).text
    assert "常州市" in history and "修改" in history


def test_markup_in_names_is_shown_as_text(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    firm = make_prospect(session, admin, name=f"{MARKUP}公司", products=MARKUP, tags=MARKUP)
    login(client, session, admin)
    for path in ("/prospects", f"/prospects/{firm.id}", f"/prospects/{firm.id}/edit"):
        text = client.get(path).text
        assert MARKUP not in text and "&lt;script&gt;" in text, path


def test_import_through_the_pages(client: TestClient, session: Session) -> None:
    staff = make_user(session, Role.promotion)
    csrf = login(client, session, staff)
    content = xlsx(
        [["企业名称", "所在省份", "主营产品"], [f"{MARKUP}有限公司", "江苏省", "伺服电机"]]
    )
    staged = client.post(
        "/prospects/imports",
        data={"csrf_token": csrf, "source_list": "2024 工博会展商"},
        files={"file": ("展商.xlsx", content, "application/octet-stream")},
        follow_redirects=False,
    )
    assert staged.status_code == 303
    preview = client.get(staged.headers["location"])
    assert "新增" in preview.text and MARKUP not in preview.text
    done = client.post(
        staged.headers["location"] + "/commit", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "已导入：新增 1 家" in client.get(staged.headers["location"]).text
    listed = client.get("/api/v1/prospects", headers=bearer(session, staff)).json()
    assert listed["items"][0]["source_list"] == "2024 工博会展商"


def test_a_target_becomes_a_project_once(client: TestClient, session: Session) -> None:
    staff = make_user(session, Role.promotion)
    made = worded_chain(session, staff)
    firm = make_prospect(session, staff, products="协作机器人、协作臂")
    headers = bearer(session, staff)
    first = client.post(f"/api/v1/prospects/{firm.id}/project", headers=headers, json={})
    assert first.status_code == 200 and first.json()["created"] is True
    lead = session.get(Lead, first.json()["lead_id"])
    assert lead is not None
    assert (lead.prospect_id, lead.segment_id) == (firm.id, made["协作机器人"].id)
    assert lead.investor_name == firm.name
    again = client.post(f"/api/v1/prospects/{firm.id}/project", headers=headers, json={})
    assert again.json() == {"lead_id": lead.id, "created": False}
    login(client, session, staff)
    assert f"/leads/{lead.id}" in client.get(f"/prospects/{firm.id}").text
    chief = make_user(session, Role.chain_chief)
    refused = client.post(
        f"/api/v1/prospects/{firm.id}/project", headers=bearer(session, chief), json={}
    )
    assert refused.status_code == 403


def test_api_create_and_update(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.admin))
    made = client.post("/api/v1/prospects", headers=headers, json={"name": "浙江某伺服有限公司"})
    assert made.status_code == 201
    body = made.json() | {"city": "杭州市"}
    updated = client.put(f"/api/v1/prospects/{body['id']}", headers=headers, json=body)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = client.put(f"/api/v1/prospects/{body['id']}", headers=headers, json=body)
    assert stale.status_code == 409
    twin = client.post("/api/v1/prospects", headers=headers, json={"name": "某伺服股份有限公司"})
    assert twin.status_code == 422 and "同名企业" in twin.json()["errors"]["name"]
