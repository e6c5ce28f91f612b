"""Input refuses control characters, numbers past their bound and NaN/Infinity, in Chinese."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text as sql
from sqlmodel import Session, select

from chains import service as chain_service
from core.accounts import Role
from core.db import china_today
from core.orgs import get_park_by_code
from enterprises.cultivation import designations, standing
from plans.targets import Target, TargetKind
from tests.factories import bearer, login, make_enterprise, make_lead, make_user

CONTROL = "佛山\x01测试有限公司"


def _ids(session: Session) -> dict[str, Any]:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, actor=admin)
    lead = make_lead(session, admin)
    chain = chain_service.get_by_code(session=session, code="robotics")
    segment = chain_service.segments_of(session=session, chain_id=chain.id or 0)[0]
    return {
        "headers": bearer(session, admin),
        "firm": firm.id,
        "lead": lead.id,
        "segment": segment.id,
        "park": get_park_by_code(session=session, code="shunde").id,
    }


# (method, path, body, field, label) — a body holding a control character in `field`.
TEXT_CASES = [
    ("post", "/api/v1/enterprises", {"name": CONTROL}, "name", "企业名称"),
    (
        "post",
        "/api/v1/enterprises",
        {"name": "佛山转义测试有限公司", "address": "季华路\x0b1号"},
        "address",
        "地址",
    ),
    ("post", "/api/v1/leads", {"name": CONTROL, "investor_name": "某投资"}, "name", "项目名称"),
    (
        "post",
        "/api/v1/leads/{lead}/followups",
        {"on": "2026-01-05", "notes": "电话\x7f沟通"},
        "notes",
        "跟进情况",
    ),
    ("post", "/api/v1/leads/{lead}/contacts", {"name": "周\x1b总"}, "name", "联系人姓名"),
    (
        "post",
        "/api/v1/carriers",
        {
            "park_id": "{park}",
            "name": "转义载体",
            "total_area": 10,
            "available_area": 5,
            "note": "备\x00注",
        },
        "note",
        "备注",
    ),
    (
        "put",
        "/api/v1/chains/robotics/segments/{segment}/choke-point",
        {"choke_point": True, "choke_note": "依赖\x01进口"},
        "choke_note",
        "卡脖子说明",
    ),
    (
        "post",
        "/api/v1/users",
        {
            "username": "escape-user",
            "display_name": "张\x01三",
            "role": "viewer",
            "password": "Escape@2026cp",
        },
        "display_name",
        "姓名",
    ),
]


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize(("method", "path", "body", "field", "label"), TEXT_CASES)
def test_the_api_refuses_control_characters_naming_the_field(
    client: TestClient,
    session: Session,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    label: str,
) -> None:
    ids = _ids(session)
    sent = {k: _fill(v, ids) for k, v in body.items()}
    response = client.request(method, path.format(**ids), json=sent, headers=ids["headers"])
    assert response.status_code == 422, response.text
    assert response.json()["errors"][field].startswith(f"{label}含有不可见的控制字符（U+00")


# (path, field, label, JSON text of the value) — NaN and Infinity as JSON literals and strings.
NUMBER_CASES = [
    ("/api/v1/leads", "planned_investment", "计划投资额（万元）", "1.8e308"),
    ("/api/v1/leads", "planned_investment", "计划投资额（万元）", "1e300"),
    ("/api/v1/leads", "planned_investment", "计划投资额（万元）", "NaN"),
    ("/api/v1/leads", "expected_tax", "预计年税收（万元）", '"Infinity"'),
    ("/api/v1/leads", "space_need", "空间需求", "-Infinity"),
    ("/api/v1/leads", "expected_output", "预计年产值（万元）", '"nan"'),
    ("/api/v1/enterprises", "annual_output", "年工业总产值（万元）", "1e10"),
    ("/api/v1/enterprises", "employees", "从业人数", "100000000000000000000000"),
    ("/api/v1/enterprises", "rd_spend", "研发投入（万元）", "-1"),
    ("/api/v1/carriers", "total_area", "总面积（m²）", "1e12"),
    ("/api/v1/carriers", "rent", "租金（元/m²·月）", "Infinity"),
]


@pytest.mark.parametrize(("path", "field", "label", "raw"), NUMBER_CASES)
def test_the_api_refuses_numbers_past_their_bound_and_not_finite(
    client: TestClient, session: Session, path: str, field: str, label: str, raw: str
) -> None:
    ids = _ids(session)
    base = {
        "/api/v1/leads": {"name": "边界测试项目", "investor_name": "边界测试投资"},
        "/api/v1/enterprises": {"name": "佛山边界测试有限公司"},
        "/api/v1/carriers": {
            "park_id": ids["park"],
            "name": "边界载体",
            "total_area": 10,
            "available_area": 5,
        },
    }[path]
    body = json.dumps(base)[:-1] + f', "{field}": {raw}}}'  # raw JSON: NaN literals included
    response = client.post(
        path, content=body, headers=ids["headers"] | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    message = response.json()["errors"][field]
    assert message.startswith(label), message
    assert any(word in message for word in ("不能大于", "不能小于", "有限的数字", "须大于")), (
        message
    )


def test_an_arrival_and_a_reported_value_are_bounded(client: TestClient, session: Session) -> None:
    ids = _ids(session)
    arrival = client.post(
        f"/api/v1/leads/{ids['lead']}/arrivals",
        json={"amount": 1e12, "arrived_on": china_today().isoformat()},
        headers=ids["headers"],
    )
    assert arrival.status_code == 422
    assert arrival.json()["errors"]["amount"] == "到资金额（万元）不能大于 1,000,000,000"


def test_the_openapi_states_every_bound(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    lead = schemas["IntakeFields"]["properties"]  # the body of POST /leads
    assert lead["planned_investment"]["anyOf"][0]["maximum"] == 1e9
    assert lead["space_need"]["anyOf"][0]["maximum"] == 1e8
    firm = schemas["EnterpriseCreate"]["properties"]
    assert firm["employees"]["anyOf"][0]["maximum"] == 10_000_000
    assert schemas["CarrierFields"]["properties"]["total_area"]["maximum"] == 1e8


def test_a_form_refuses_a_control_character_and_a_huge_amount(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.promotion))
    form = {
        "csrf_token": csrf,
        "name": "项目\x01名称",
        "investor_name": "某投资有限公司",
        "planned_investment": "1e309",
    }
    response = client.post("/leads/new", data=form)
    assert response.status_code == 422
    assert "项目名称含有不可见的控制字符（U+0001）" in response.text
    assert "计划投资额（万元）须为有限的数字" in response.text


def test_the_lead_list_filter_refuses_nan(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.admin))
    response = client.get("/leads", params={"min": "nan"})
    assert response.status_code == 422
    assert "计划投资额下限须在 0 到 1,000,000,000 之间" in response.text


def test_a_cultivation_note_is_checked_before_anything_is_written(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, actor=admin)
    response = client.post(
        "/api/v1/cultivations",
        json={
            "enterprise_id": firm.id,
            "designation": "gazelle",
            "on": "2026-01-05",
            "note": "说明\x01",
        },
        headers=bearer(session, admin),
    )
    assert response.status_code == 422
    gazelle = designations.get_by_code(session=session, code="gazelle")
    assert not standing.enterprise_ids_in(session=session, designation=gazelle)


def test_an_evidence_link_must_be_a_web_address(client: TestClient, session: Session) -> None:
    target = session.exec(select(Target).where(Target.kind == TargetKind.reported)).first()
    assert target is not None
    body = {"value": 1, "as_of": "2026-01-05", "source": "某局", "evidence_url": "javascript:x"}
    response = client.post(
        f"/api/v1/targets/{target.code}/values",
        json=body,
        headers=bearer(session, make_user(session, Role.admin)),
    )
    assert response.status_code == 422
    assert response.json()["errors"]["evidence_url"] == "佐证链接须以 http:// 或 https:// 开头"


def test_what_input_refuses_today_but_is_stored_is_still_read(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, actor=admin)
    lead = make_lead(session, admin)
    stored = {"name": "佛山\x01", "id": firm.id}
    session.execute(sql("UPDATE enterprise SET name = :name WHERE id = :id"), stored)
    session.execute(
        sql("UPDATE lead SET name = :name, planned_investment = 1e300 WHERE id = :id"),
        stored | {"id": lead.id},
    )
    session.expire_all()
    headers = bearer(session, admin)
    firm_read = client.get(f"/api/v1/enterprises/{firm.id}", headers=headers)
    assert firm_read.status_code == 200 and firm_read.json()["name"] == "佛山\x01"
    lead_read = client.get(f"/api/v1/leads/{lead.id}", headers=headers)
    assert lead_read.status_code == 200 and lead_read.json()["planned_investment"] == 1e300
    assert client.get("/api/v1/leads", headers=headers).status_code == 200
