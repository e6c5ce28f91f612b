"""A one-click move past stages asks for a note and a confirmation on the page; the API refuses
it without a note."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from enterprises.projects.leads import LeadStage
from tests.factories import bearer, login, make_lead, make_user

MARKUP = "<b>跨阶段</b>"


def test_the_page_asks_for_a_note_and_a_confirmation(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion, team="甲组")
    lead = make_lead(session, owner, name="跨阶段测试项目")
    csrf = login(client, session, owner)
    page = client.get(f"/leads/{lead.id}").text
    assert "推进到接洽" in page and "跨阶段推进到签约" in page and 'name="confirm_jump"' in page
    board = client.get("/leads/board").text
    card = board[board.index("跨阶段测试项目") :]
    card = card[: card.index("</form>")]
    assert 'value="contact"' in card and 'value="signed"' not in card  # no jumps on a card
    url = f"/leads/{lead.id}/move"
    form = {"csrf_token": csrf, "to_stage": "signed"}
    bare = client.post(url, data=form)
    assert (
        bare.status_code == 409
        and "一次跨越多个阶段（跳过接洽、考察、洽谈）须填写说明" in bare.text
    )
    unconfirmed = client.post(url, data=form | {"note": MARKUP})
    assert unconfirmed.status_code == 422 and "一次跨越多个阶段须勾选确认" in unconfirmed.text
    assert lead.stage == LeadStage.lead
    done = client.post(
        url, data=form | {"note": MARKUP, "confirm_jump": "on"}, follow_redirects=False
    )
    assert done.status_code == 303
    session.refresh(lead)
    assert lead.stage == LeadStage.signed
    page = client.get(f"/leads/{lead.id}").text
    assert MARKUP not in page and "&lt;b&gt;跨阶段&lt;/b&gt;" in page


def test_the_api_refuses_a_jump_without_a_note(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion, team="甲组")
    lead = make_lead(session, owner, confidential=True)
    url = f"/api/v1/leads/{lead.id}/moves"
    jump = {"to_stage": "negotiation"}
    other = bearer(session, make_user(session, Role.promotion, team="乙组"))
    assert client.post(url, json=jump | {"note": "x"}, headers=other).status_code == 404
    admin = bearer(session, make_user(session, Role.admin))
    nowhere = client.post("/api/v1/leads/999999/moves", json=jump, headers=admin)
    assert nowhere.status_code == 404
    headers = bearer(session, owner)
    refused = client.post(url, json=jump, headers=headers)
    assert refused.status_code == 409 and "跳过接洽、考察" in refused.json()["detail"]
    moved = client.post(url, json=jump | {"note": "朋友介绍，已实地考察过"}, headers=headers)
    assert moved.status_code == 201 and moved.json()["stage"] == "negotiation"
