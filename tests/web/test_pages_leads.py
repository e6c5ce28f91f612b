"""The project library in the browser's terms: pages by role, forms, board moves, masking."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from chains import service as chain_service
from core import audit
from core.accounts import Role, User
from core.db import china_today
from enterprises.projects import lead_contacts, lead_stages
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import Lead, LeadStage
from tests.factories import bearer, login, make_lead, make_user

PHONE = "13912345678"


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/leads", Role.promotion, 200),
        ("/leads", Role.viewer, 403),
        ("/leads/board", Role.viewer, 403),
        ("/leads/evaluation", Role.viewer, 403),
        ("/leads/board", Role.leader, 200),
        ("/leads/board?stage=signed&min=abc", Role.leader, 422),
        ("/leads/mine", Role.promotion, 200),
        ("/leads/watch", Role.park_bureau, 200),
        ("/leads/evaluation", Role.leader, 200),
        ("/leads/evaluation?start=2026-05-01&end=2026-01-01", Role.leader, 422),
        ("/leads/limits", Role.admin, 200),
        ("/leads/new", Role.promotion, 200),
        ("/leads/new", Role.park_bureau, 403),
        ("/leads/999999", Role.admin, 404),
        ("/carriers", Role.promotion, 200),
        ("/carriers/new", Role.park_bureau, 200),
        ("/carriers/new", Role.promotion, 403),
    ],
)
def test_lead_page_access(
    client: TestClient, session: Session, path: str, role: Role, status: int
) -> None:
    login(client, session, make_user(session, role))
    assert client.get(path).status_code == status


def test_promotion_staff_start_at_their_day(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.promotion))
    response = client.get("/", follow_redirects=False)
    assert response.headers["location"] == "/leads/mine"


def _form(csrf: str, **values: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "name": "测试新能源电池项目",
        "investor_name": "深圳某电池有限公司",
    } | values


def test_a_possible_duplicate_must_be_confirmed(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    existing = make_lead(session, owner, investor_name="深圳市华创电池有限公司")
    csrf = login(client, session, owner)
    first = client.post("/leads/new", data=_form(csrf, investor_name="华创电池股份有限公司"))
    assert first.status_code == 409
    assert "可能重复" in first.text and f"/leads/{existing.id}" in first.text
    confirmed = client.post(
        "/leads/new",
        data=_form(csrf, investor_name="华创电池股份有限公司", confirm_duplicate="on"),
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    live = client.get("/leads/duplicates", params={"investor_name": "佛山华创电池有限公司"})
    assert existing.name in live.text


def test_bad_input_names_the_field_and_keeps_the_form(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.promotion))
    response = client.post(
        "/leads/new", data=_form(csrf, planned_investment="-5", investor_credit_code="123")
    )
    assert response.status_code == 422
    assert "计划投资额（万元）不能小于 0" in response.text
    assert "投资方统一社会信用代码" in response.text
    assert 'value="测试新能源电池项目"' in response.text


def _visible_lead(session: Session, owner: User) -> Lead:
    lead = make_lead(session, owner, name="电话可见性测试项目")
    lead_contacts.add_contact(
        session=session, actor=owner, lead=lead, data=ContactFields(name="周总", phone=PHONE)
    )
    return lead


@pytest.mark.parametrize(
    ("reader", "whole"),
    [("teammate", True), ("admin", True), ("leader", False), ("other_team", False)],
)
def test_phones_are_masked_in_page_api_and_export(
    client: TestClient, session: Session, reader: str, whole: bool
) -> None:
    owner = make_user(session, Role.promotion, team="甲组")
    lead = _visible_lead(session, owner)
    user = {
        "teammate": lambda: make_user(session, Role.promotion, team="甲组"),
        "admin": lambda: make_user(session, Role.admin),
        "leader": lambda: make_user(session, Role.leader),
        "other_team": lambda: make_user(session, Role.promotion, team="乙组"),
    }[reader]()
    csrf = login(client, session, user)
    page = client.get(f"/leads/{lead.id}").text
    contact = client.get(f"/api/v1/leads/{lead.id}").json()["contacts"][0]
    export = client.get("/leads/export.csv?q=电话可见性").content.decode("utf-8-sig")
    # Shown masked to everyone; those allowed get a button that reveals it, and it is logged.
    assert PHONE not in page and "139****5678" in page and contact["phone"] == "139****5678"
    assert ("显示完整号码" in page) is whole
    revealed = client.post(
        f"/leads/{lead.id}/contacts/{contact['id']}/phone", data={"csrf_token": csrf}
    )
    assert (revealed.status_code, PHONE in revealed.text) == (
        (200, True) if whole else (403, False)
    )
    looks = audit.history(session=session, object_type="lead_contact", object_id=contact["id"])
    # Two looks for those allowed: the export's whole phone and the click.
    assert [e.action for e in looks if e.action == "view_phone"] == (
        ["view_phone"] * 2 if whole else []
    )
    assert (PHONE in export) is whole and "139****5678" not in export


def test_confidential_leads_stay_within_the_team(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion, team="甲组")
    secret = make_lead(session, owner, name="保密的总部项目", confidential=True)
    login(client, session, make_user(session, Role.promotion, team="乙组"))
    assert client.get(f"/leads/{secret.id}").status_code == 404
    assert client.get(f"/api/v1/leads/{secret.id}").status_code == 404
    assert "保密的总部项目" not in client.get("/leads?q=保密的总部").text
    login(client, session, make_user(session, Role.leader))
    assert "保密的总部项目" in client.get("/leads?q=保密的总部").text


def test_a_board_card_moves_with_a_plain_form(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner, name="看板移动项目", source="expo")
    csrf = login(client, session, owner)
    moved = client.post(
        f"/leads/{lead.id}/move",
        data={"csrf_token": csrf, "to_stage": "contact", "back": "board", "source": "expo"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert moved.headers["location"].startswith("/leads/board?source=expo&moved=")
    assert lead.stage == LeadStage.contact
    refused = client.post(
        f"/leads/{lead.id}/move",
        data={"csrf_token": csrf, "to_stage": "construction", "back": "board"},
    )
    assert refused.status_code == 409
    assert "“看板移动项目”未移动：签约后须逐级推进" in refused.text
    assert lead.stage == LeadStage.contact


def test_landing_from_the_lead_page_creates_the_firm(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    robotics = chain_service.get_by_code(session=session, code="robotics")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[0]
    lead = make_lead(session, owner, segment_id=segment.id, on=china_today() - timedelta(days=30))
    lead_stages.move(
        session=session,
        actor=owner,
        lead=lead,
        data=LeadMoveFields(to_stage=LeadStage.signed, on=china_today() - timedelta(days=20)),
    )
    csrf = login(client, session, owner)
    moved = client.post(
        f"/leads/{lead.id}/move",
        data={"csrf_token": csrf, "to_stage": "registered"},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"] == f"/leads/{lead.id}/land"
    response = client.post(
        f"/leads/{lead.id}/land",
        data={
            "csrf_token": csrf,
            "registered_name": "佛山落地测试有限公司",
            "registered_code_pending": "on",
        },
    )
    assert response.status_code == 200  # followed to the lead page
    assert "代码待补" in response.text
    assert "佛山落地测试有限公司" in response.text and lead.enterprise_id is not None
    panel = client.get(f"/chains/robotics/segments/{segment.id}").text
    assert "佛山落地测试有限公司" in panel


def test_refused_follow_up_shows_beside_its_form(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner)
    csrf = login(client, session, owner)
    response = client.post(
        f"/leads/{lead.id}/followups",
        data={"csrf_token": csrf, "on": "2025-03-01", "notes": "", "next_due": "2025-01-01"},
    )
    assert response.status_code == 422
    assert "跟进情况不能为空" in response.text or "跟进情况必填" in response.text


def test_limits_form_checks_every_value(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.admin))
    form = {"csrf_token": csrf, "stall:signed_unregistered": "abc", "stale:lead": "0"}
    response = client.post("/leads/limits", data=form)
    assert response.status_code == 422
    assert "签约未注册须为整数天数" in response.text
    assert "线索阶段未跟进须为 1 到 3650 之间的天数" not in response.text  # refused before saving


def test_chain_pages_show_the_leads_aimed_at_the_chain(
    client: TestClient, session: Session
) -> None:
    robotics = chain_service.get_by_code(session=session, code="robotics")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[0]
    owner = make_user(session, Role.promotion)
    make_lead(session, owner, name="瞄准缺口的减速器项目", segment_id=segment.id)
    make_lead(session, owner, name="保密的减速器项目", segment_id=segment.id, confidential=True)
    login(client, session, make_user(session, Role.chain_chief, chains=("robotics",)))
    panel = client.get(
        f"/chains/robotics/segments/{segment.id}", headers={"HX-Request": "true"}
    ).text
    assert "瞄准缺口的减速器项目" in panel and "保密的减速器项目" not in panel
    work = client.get("/chains/robotics/work").text
    assert "瞄准缺口的减速器项目" in work
    assert f'href="/leads?chain=robotics&segment={segment.id}">1</a>' in work
    login(client, session, make_user(session, Role.viewer))
    panel = client.get(
        f"/chains/robotics/segments/{segment.id}", headers={"HX-Request": "true"}
    ).text
    assert "瞄准缺口的减速器项目" not in panel


def test_evaluation_exports_to_xlsx(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    make_lead(session, owner, planned_investment=1234, on=china_today() - timedelta(days=3))
    login(client, session, owner)
    response = client.get("/leads/evaluation.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["分组", "名称", "项目数", "计划投资额（万元）", "已到资（万元）"]
    assert ["漏斗（转化率 —）", "线索", 1, 1234, None] in rows


def test_the_duplicate_check_tells_only_what_the_user_may_see(
    client: TestClient, session: Session
) -> None:
    owner = make_user(session, Role.promotion, team="招商二组")
    secret = make_lead(
        session,
        owner,
        name="保密重复项目",
        investor_name="佛山保密重名投资有限公司",
        confidential=True,
    )
    query = {"investor_name": "保密重名投资有限公司"}
    for role, hinted in ((Role.promotion, True), (Role.viewer, False), (Role.park_bureau, False)):
        reader = make_user(session, role, team="招商三组")
        api = client.get("/api/v1/leads/duplicates", params=query, headers=bearer(session, reader))
        login(client, session, reader)
        page = client.get("/leads/duplicates", params=query).text
        for shown in (api.text, page):
            assert f"/leads/{secret.id}" not in shown and "保密重复项目" not in shown
            assert str(secret.id) not in re.findall(r'"id":\s*(\d+)', shown)
            assert ("已有同名保密项目，请联系管理员" in shown) is hinted
        if role == Role.viewer:  # no part in projects: the check itself is refused
            assert api.status_code == 403
        else:
            assert [d["id"] for d in api.json()] == ([None] if hinted else [])
