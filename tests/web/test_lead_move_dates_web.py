"""Dated moves over the page and the API: 登记日期 at creation, an admin's date correction."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.accounts import Role, User
from core.db import china_today
from enterprises.projects import lead_stages
from enterprises.projects.lead_stages import LeadMove, LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage
from tests.factories import bearer, login, make_lead, make_user

START = china_today() - timedelta(days=200)
MARKUP = "<script>alert(1)</script>"


def _signed_lead(session: Session, owner: User) -> tuple[Lead, LeadMove]:
    lead = make_lead(session, owner, on=START)
    data = LeadMoveFields(to_stage=LeadStage.signed, on=START + timedelta(days=30))
    move = lead_stages.move(session=session, actor=owner, lead=lead, data=data)
    session.commit()
    return lead, move


def test_a_lead_is_created_with_its_registration_date(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.promotion))
    body = {"name": "台账补录项目", "investor_name": "广州补录投资有限公司"}
    created = client.post(
        "/api/v1/leads", json=body | {"created_on": START.isoformat()}, headers=headers
    )
    assert created.status_code == 201
    lead = created.json()["lead"]
    assert lead["created_on"] == START.isoformat() and lead["backfilled"] is True
    future = (china_today() + timedelta(days=3)).isoformat()
    refused = client.post(
        "/api/v1/leads", json=body | {"name": "未来项目", "created_on": future}, headers=headers
    )
    assert refused.status_code == 422 and "登记日期不能晚于今天" in refused.text


def test_the_form_takes_a_registration_date(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.promotion))
    assert 'name="created_on"' in client.get("/leads/new").text
    form = {
        "csrf_token": csrf,
        "name": "表单补录项目",
        "investor_name": "佛山表单投资有限公司",
        "created_on": START.isoformat(),
    }
    done = client.post("/leads/new", data=form, follow_redirects=False)
    assert done.status_code == 303
    lead = session.exec(select(Lead).where(Lead.name == "表单补录项目")).one()
    assert lead.created_on == START and lead.stage_since == START


def test_an_admin_corrects_a_move_date_over_the_api(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion, team="甲组")
    lead, move = _signed_lead(session, owner)
    url = f"/api/v1/leads/{lead.id}/moves/{move.id}/date"
    fixed = (START + timedelta(days=20)).isoformat()
    body = {"on": fixed, "reason": f"台账日期 {MARKUP}"}
    admin = bearer(session, make_user(session, Role.admin))
    # The owner may not correct; another team does not see the lead; unknown ids are 404.
    assert client.put(url, json=body, headers=bearer(session, owner)).status_code == 403
    other = bearer(session, make_user(session, Role.promotion, team="乙组"))
    lead.confidential = True
    session.add(lead)
    session.commit()
    assert client.put(url, json=body, headers=other).status_code == 404
    missing = f"/api/v1/leads/{lead.id}/moves/999999/date"
    assert client.put(missing, json=body, headers=admin).status_code == 404
    nowhere = "/api/v1/leads/999999/moves/1/date"
    assert client.put(nowhere, json=body, headers=admin).status_code == 404
    early = client.put(url, json={"on": "2000-01-01", "reason": "x错"}, headers=admin)
    assert early.status_code == 422 and "生效日期不能早于项目登记的日期" in early.text
    unreasoned = client.put(url, json={"on": fixed}, headers=admin)
    assert unreasoned.status_code == 422 and "更正原因" in unreasoned.text
    done = client.put(url, json=body, headers=admin)
    assert done.status_code == 200, done.text
    assert done.json()["on"] == fixed and done.json()["date_correction"] == body["reason"]
    listed = client.get(f"/api/v1/leads/{lead.id}/moves", headers=admin).json()
    assert listed[0]["on"] == fixed and listed[0]["recorded_at"]
    lead_now = client.get(f"/api/v1/leads/{lead.id}", headers=admin).json()
    assert lead_now["stage_since"] == fixed


def test_an_admin_corrects_a_move_date_on_the_page(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead, move = _signed_lead(session, owner)
    csrf = login(client, session, owner)
    assert "阶段移动记录" not in client.get(f"/leads/{lead.id}").text
    url = f"/leads/{lead.id}/moves/{move.id}/date"
    fixed = (START + timedelta(days=25)).isoformat()
    form = {"csrf_token": csrf, "on": fixed, "reason": MARKUP}
    assert client.post(url, data=form, follow_redirects=False).status_code == 403
    csrf = login(client, session, make_user(session, Role.admin))
    page = client.get(f"/leads/{lead.id}").text
    assert "阶段移动记录" in page and f'action="{url}"' in page
    early = client.post(url, data=form | {"csrf_token": csrf, "on": "2000-01-01"})
    assert early.status_code == 422 and "生效日期不能早于项目登记的日期" in early.text
    done = client.post(url, data=form | {"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(f"/leads/{lead.id}").text
    assert MARKUP not in page and "&lt;script&gt;" in page
    assert f"<td>{fixed}" in page
    missing = client.post(f"/leads/{lead.id}/moves/999999/date", data=form | {"csrf_token": csrf})
    assert missing.status_code == 404
