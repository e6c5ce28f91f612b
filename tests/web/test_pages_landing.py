"""Landing a project in the browser's and the API's terms: the form, the redirect from a move,
the firm chosen or entered, the code filled in later, by role."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from chains import service as chain_service
from core.accounts import Role, User
from core.db import china_today
from enterprises.projects import lead_stages
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage
from enterprises.registry.models import Enterprise
from tests.factories import bearer, login, make_enterprise, make_lead, make_user, valid_code

MARKUP = '<b onmouseover="x">佛山"子"</b>'


def _signed(session: Session, owner: User, **values: object) -> Lead:
    lead = make_lead(session, owner, on=china_today() - timedelta(days=30), **values)
    data = LeadMoveFields(to_stage=LeadStage.signed, on=china_today() - timedelta(days=20))
    lead_stages.move(session=session, actor=owner, lead=lead, data=data)
    return lead


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("admin", 200), ("other team", 403), ("viewer", 403), ("park", 404)],
)
def test_landing_form_by_role(client: TestClient, session: Session, who: str, status: int) -> None:
    owner = make_user(session, Role.promotion, team="落地一组")
    lead = _signed(session, owner)
    users = {
        "owner": owner,
        "admin": make_user(session, Role.admin),
        "other team": make_user(session, Role.promotion, team="落地二组"),
        "viewer": make_user(session, Role.viewer),
        "park": make_user(session, Role.park_bureau, park="shunde"),
    }
    login(client, session, users[who])
    assert client.get(f"/leads/{lead.id}/land").status_code == status
    assert client.get("/leads/999999/land").status_code in (403, 404)


def test_a_board_move_to_landing_asks_for_the_firm(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = _signed(session, owner)
    csrf = login(client, session, owner)
    form = {"csrf_token": csrf, "to_stage": "registered", "back": "board"}
    htmx = client.post(f"/leads/{lead.id}/move", data=form, headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == f"/leads/{lead.id}/land"
    session.refresh(lead)
    assert lead.stage == LeadStage.signed  # nothing moved


def test_landing_form_searches_chooses_and_escapes(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    firm = make_enterprise(session, name=f"{MARKUP}在库", credit_code=valid_code(61))
    lead = _signed(session, owner, investor_name=f"{MARKUP}母公司")
    csrf = login(client, session, owner)
    page = client.get(f"/leads/{lead.id}/land", params={"q": "在库"})
    assert page.status_code == 200 and "<b onmouseover" not in page.text
    assert "&lt;b onmouseover=" in page.text and f'value="{firm.id}"' in page.text
    fragment = client.get(
        f"/leads/{lead.id}/land", params={"q": "在库"}, headers={"HX-Request": "true"}
    )
    assert fragment.text.lstrip().startswith('<div id="firm-choices"')
    refused = client.post(
        f"/leads/{lead.id}/land",
        data={"csrf_token": csrf, "registered_name": MARKUP, "q": "在库"},
    )
    assert refused.status_code == 422 and "代码待补" in refused.text
    assert f'value="{firm.id}"' in refused.text  # the choices are still there
    assert "<b onmouseover" not in refused.text
    landed = client.post(
        f"/leads/{lead.id}/land", data={"csrf_token": csrf, "enterprise_id": str(firm.id)}
    )
    assert landed.status_code == 200
    session.refresh(lead)
    assert lead.enterprise_id == firm.id and lead.stage == LeadStage.registered
    assert "可能重复" not in landed.text  # its own firm is no duplicate


def test_the_code_is_filled_in_from_the_lead_page(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = _signed(session, owner)
    csrf = login(client, session, owner)
    client.post(
        f"/leads/{lead.id}/land",
        data={"csrf_token": csrf, "registered_name": MARKUP, "registered_code_pending": "on"},
    )
    session.refresh(lead)
    page = client.get(f"/leads/{lead.id}")
    assert "代码待补" in page.text and "/firm-code" in page.text
    wrong = client.post(
        f"/leads/{lead.id}/firm-code", data={"csrf_token": csrf, "credit_code": "1"}
    )
    assert wrong.status_code == 422 and "应为 18 位" in wrong.text
    done = client.post(
        f"/leads/{lead.id}/firm-code", data={"csrf_token": csrf, "credit_code": valid_code(62)}
    )
    assert done.status_code == 200 and valid_code(62) in done.text
    firm = session.get_one(Enterprise, lead.enterprise_id)
    session.refresh(firm)
    assert firm.credit_code == valid_code(62) and not firm.credit_code_pending


def test_landing_through_the_api(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    robotics = chain_service.get_by_code(session=session, code="robotics")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[0]
    lead = _signed(session, owner, segment_id=segment.id)
    headers = bearer(session, owner)
    base = f"/api/v1/leads/{lead.id}"
    missing = client.post(f"{base}/land", json={}, headers=headers)
    assert missing.status_code == 422 and "注册企业" in missing.text
    moved = client.post(f"{base}/moves", json={"to_stage": "registered"}, headers=headers)
    assert moved.status_code == 422
    landed = client.post(
        f"{base}/land",
        json={"registered_name": "佛山接口落地有限公司", "registered_code_pending": True},
        headers=headers,
    )
    assert landed.status_code == 200 and landed.json()["stage"] == "registered"
    choices = client.get(f"{base}/land/firms", params={"q": "接口落地"}, headers=headers)
    assert [f["name"] for f in choices.json()] == ["佛山接口落地有限公司"]
    assert choices.json()[0]["credit_code_pending"] is True
    filled = client.post(f"{base}/firm-code", json={"credit_code": valid_code(63)}, headers=headers)
    assert filled.status_code == 200 and filled.json()["credit_code"] == valid_code(63)
    again = client.post(f"{base}/firm-code", json={"credit_code": valid_code(64)}, headers=headers)
    assert again.status_code == 409
    stranger = bearer(session, make_user(session, Role.promotion, team="别组"))
    assert client.post(
        f"{base}/firm-code", json={"credit_code": "x"}, headers=stranger
    ).status_code in (403, 422)
    assert client.post("/api/v1/leads/999999/land", json={}, headers=headers).status_code == 404
