"""One form (and one API call) for a new lead, its contact and next step; segment options."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from chains import service as chain_service
from core.accounts import Role
from core.db import china_today
from enterprises.projects.followups import FollowUp
from enterprises.projects.lead_contacts import LeadContact
from enterprises.projects.leads import Lead
from tests.factories import bearer, login, make_user

NEXT_WEEK = (china_today() + timedelta(days=7)).isoformat()
MARKUP = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def _form(csrf: str, **values: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "name": "电话登记新能源项目",
        "investor_name": "惠州某储能科技有限公司",
        "contact.name": "陈总",
        "contact.title": "副总经理",
        "contact.phone": "13712345678",
        "next_step.kind": "call",
        "next_step.notes": "电话沟通，对方有意在华南设厂",
        "next_step.step": "寄送园区资料",
        "next_step.due": NEXT_WEEK,
    } | values


def _count(session: Session, model: type, column: object, value: str) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(column == value)).one()


def test_one_submit_logs_lead_contact_and_next_step(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.promotion))
    form = client.get("/leads/new").text
    assert 'name="contact.phone"' in form and 'name="next_step.step"' in form
    response = client.post("/leads/new", data=_form(csrf), follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "陈总" in page and "137****5678" in page and "13712345678" not in page
    assert f"下一步：寄送园区资料，{NEXT_WEEK} 前" in page
    assert "电话沟通，对方有意在华南设厂" in page


def test_a_bad_contact_phone_creates_nothing_and_keeps_the_form(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.promotion))
    response = client.post("/leads/new", data=_form(csrf, **{"contact.phone": "137-abc"}))
    assert response.status_code == 422
    assert "联系电话只能包含数字" in response.text
    assert 'id="err-contact.phone"' in response.text
    assert 'value="寄送园区资料"' in response.text and 'value="陈总"' in response.text
    assert _count(session, Lead, col(Lead.name), "电话登记新能源项目") == 0
    assert _count(session, LeadContact, col(LeadContact.name), "陈总") == 0


def test_a_past_due_date_creates_nothing(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.promotion))
    yesterday = (china_today() - timedelta(days=1)).isoformat()
    response = client.post("/leads/new", data=_form(csrf, **{"next_step.due": yesterday}))
    assert response.status_code == 422 and "下一步截止日期不能早于今天" in response.text
    assert _count(session, Lead, col(Lead.name), "电话登记新能源项目") == 0
    assert _count(session, FollowUp, col(FollowUp.next_step), "寄送园区资料") == 0


def test_markup_in_every_text_field_stays_text(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.promotion))
    values = {
        "name": "项目" + MARKUP,
        "contact.name": "陈" + MARKUP[:30],
        "contact.title": MARKUP,
        "next_step.notes": MARKUP,
        "next_step.step": MARKUP,
        "description": MARKUP,
    }
    refused = client.post("/leads/new", data=_form(csrf, **values, **{"contact.phone": "x"}))
    assert refused.status_code == 422
    created = client.post("/leads/new", data=_form(csrf, **values), follow_redirects=False)
    assert created.status_code == 303
    page = client.get(created.headers["location"]).text
    for text in (refused.text, page):
        assert "<script>alert(1)" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_without_javascript_a_segment_of_another_chain_is_refused(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.promotion))
    robotics = chain_service.get_by_code(session=session, code="robotics")
    hydrogen = chain_service.get_by_code(session=session, code="hydrogen")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[0]
    form = client.get("/leads/new").text
    assert form.count("<optgroup") == len(chain_service.get_all(session=session))
    response = client.post(
        "/leads/new",
        data=_form(csrf, chain_id=str(hydrogen.id), segment_id=str(segment.id)),
    )
    assert response.status_code == 422 and "不属于所选产业链" in response.text
    assert _count(session, Lead, col(Lead.name), "电话登记新能源项目") == 0


def _options(html: str) -> list[str]:
    return re.findall(r'<option value="(\d+)"', html)


def test_segment_options_follow_the_chain(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.promotion))
    robotics = chain_service.get_by_code(session=session, code="robotics")
    own = chain_service.segments_of(session=session, chain_id=robotics.id or 0)
    chosen = str(own[1].id)
    one = client.get(
        "/leads/segment-options", params={"chain_id": robotics.id, "segment_id": chosen}
    )
    assert one.status_code == 200 and one.text.count("<optgroup") == 1
    assert sorted(_options(one.text)) == sorted(str(s.id) for s in own)
    assert re.search(rf'<option value="{chosen}" selected>', one.text)
    every = client.get("/leads/segment-options").text
    assert len(_options(every)) > len(own)


@pytest.mark.parametrize("chain_id", ["999999", "abc", "-1", "1 OR 1=1"])
def test_segment_options_of_no_such_chain_offer_every_segment(
    client: TestClient, session: Session, chain_id: str
) -> None:
    login(client, session, make_user(session, Role.promotion))
    response = client.get("/leads/segment-options", params={"chain_id": chain_id})
    assert response.status_code == 200
    assert response.text.count("<optgroup") == len(chain_service.get_all(session=session))


def test_segment_options_are_for_lead_readers(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.viewer))
    assert client.get("/leads/segment-options").status_code == 403


def test_the_api_logs_lead_contact_and_next_step_in_one_call(
    client: TestClient, session: Session
) -> None:
    headers = bearer(session, make_user(session, Role.promotion))
    body = {
        "name": "接口登记储能项目",
        "investor_name": "惠州某储能科技有限公司",
        "contact": {"name": "陈总", "title": "副总经理", "phone": "13712345678"},
        "next_step": {"kind": "call", "step": "寄送园区资料", "due": NEXT_WEEK},
    }
    created = client.post("/api/v1/leads", json=body, headers=headers)
    assert created.status_code == 201, created.text
    lead = created.json()["lead"]
    assert lead["next_step"] == "寄送园区资料" and lead["next_due"] == NEXT_WEEK
    assert [(c["name"], c["phone"]) for c in lead["contacts"]] == [("陈总", "137****5678")]
    plain = client.post(
        "/api/v1/leads",
        json={"name": "接口登记简单项目", "investor_name": "某某有限公司"},
        headers=headers,
    )
    assert plain.status_code == 201 and plain.json()["lead"]["contacts"] == []


@pytest.mark.parametrize(
    ("part", "field", "message"),
    [
        (
            {"contact": {"name": "陈总", "phone": "137-abc"}},
            "contact.phone",
            "联系电话只能包含数字",
        ),
        ({"contact": {"phone": "13712345678"}}, "contact.name", "联系人姓名必填"),
        ({"next_step": {"due": NEXT_WEEK}}, "next_step.step", "填写了截止日期"),
        ({"next_step": {"step": "回访", "due": "2020-01-01"}}, "next_step.due", "下一步截止日期"),
    ],
)
def test_the_api_refuses_a_bad_part_naming_it_and_creates_nothing(
    client: TestClient, session: Session, part: dict[str, object], field: str, message: str
) -> None:
    headers = bearer(session, make_user(session, Role.promotion))
    body = {"name": "接口登记失败项目", "investor_name": "某某有限公司"} | part
    refused = client.post("/api/v1/leads", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][field].startswith(message), refused.json()
    assert _count(session, Lead, col(Lead.name), "接口登记失败项目") == 0
