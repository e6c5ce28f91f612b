"""The project library and carrier library over the JSON API."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from core.db import china_today
from core.orgs import get_park_by_code
from tests.factories import bearer, make_lead, make_user

WEEK_AGO = (china_today() - timedelta(days=7)).isoformat()


def test_create_returns_possible_duplicates(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    existing = make_lead(session, owner, investor_name="苏州华光精密有限公司")
    headers = bearer(session, owner)
    body = {"name": "华光精密华南基地", "investor_name": "华光精密股份有限公司", "source": "expo"}
    created = client.post("/api/v1/leads", json=body, headers=headers)
    assert created.status_code == 201
    payload = created.json()
    assert payload["lead"]["stage"] == "lead" and payload["lead"]["stage_label"] == "线索"
    assert [d["id"] for d in payload["duplicates"] if d["kind"] == "lead"] == [existing.id]


def test_moves_follow_the_rules_and_answer_409_when_refused(
    client: TestClient, session: Session
) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner, on=china_today() - timedelta(days=30))
    headers = bearer(session, owner)
    url = f"/api/v1/leads/{lead.id}/moves"
    jump = {"to_stage": "signed", "on": WEEK_AGO}
    unexplained = client.post(url, json=jump, headers=headers)
    assert unexplained.status_code == 409
    assert "一次跨越多个阶段（跳过接洽、考察、洽谈）须填写说明" in unexplained.json()["detail"]
    signed = client.post(url, json=jump | {"note": "展会直接签约"}, headers=headers)
    assert signed.status_code == 201 and signed.json()["stage"] == "signed"
    refused = client.post(url, json={"to_stage": "production"}, headers=headers)
    assert refused.status_code == 409
    assert "下一步应为“注册落地”" in refused.json()["detail"]
    stale = client.post(url, json={"to_stage": "registered", "version": 1}, headers=headers)
    assert stale.status_code == 409
    moves = client.get(url, headers=headers).json()
    assert [m["to_stage"] for m in moves] == ["signed"]


def test_follow_ups_validate_in_chinese(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner)
    headers = bearer(session, owner)
    url = f"/api/v1/leads/{lead.id}/followups"
    bad = client.post(
        url,
        json={"on": WEEK_AGO, "notes": "电话", "next_step": "回访", "next_due": "2000-01-01"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert "下一步截止日期不能早于跟进日期" in bad.text
    good = client.post(
        url, json={"on": WEEK_AGO, "notes": "电话沟通", "kind": "call"}, headers=headers
    )
    assert good.status_code == 201
    assert client.get(f"/api/v1/leads/{lead.id}", headers=headers).json()["last_followup_on"] == (
        WEEK_AGO
    )


def test_reserving_a_carrier_over_the_api(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    park = get_park_by_code(session=session, code="gaoming")
    lead = make_lead(
        session, owner, park_id=park.id, space_need=1000, on=china_today() - timedelta(days=30)
    )
    bureau = bearer(session, make_user(session, Role.park_bureau, park="gaoming"))
    carrier = client.post(
        "/api/v1/carriers",
        json={
            "park_id": park.id,
            "name": "高明接口测试厂房",
            "total_area": 3000,
            "available_area": 2000,
        },
        headers=bureau,
    )
    assert carrier.status_code == 201
    carrier_id = carrier.json()["id"]
    headers = bearer(session, owner)
    fits = client.get(f"/api/v1/leads/{lead.id}/carriers", headers=headers).json()
    assert carrier_id in [c["id"] for c in fits]
    early = client.post(
        f"/api/v1/carriers/{carrier_id}/reserve", json={"lead_id": lead.id}, headers=headers
    )
    assert early.status_code == 422 and "已签约" in early.text
    client.post(
        f"/api/v1/leads/{lead.id}/moves",
        json={"to_stage": "signed", "on": WEEK_AGO, "note": "直接签约"},
        headers=headers,
    )
    held = client.post(
        f"/api/v1/carriers/{carrier_id}/reserve", json={"lead_id": lead.id}, headers=headers
    )
    assert held.status_code == 200 and held.json()["status"] == "reserved"
    assert client.get(f"/api/v1/leads/{lead.id}", headers=headers).json()["site_on"] is not None


def test_watch_lists_evaluation_and_limits(client: TestClient, session: Session) -> None:
    admin = bearer(session, make_user(session, Role.admin))
    limits = client.put("/api/v1/leads/limits", json={"stale:lead": 7}, headers=admin)
    assert limits.status_code == 200 and limits.json()["stale:lead"] == 7
    refused = client.put(
        "/api/v1/leads/limits",
        json={"stale:lead": 7},
        headers=bearer(session, make_user(session, Role.promotion)),
    )
    assert refused.status_code == 403
    owner = make_user(session, Role.promotion)
    make_lead(session, owner, name="八天没跟进", on=china_today() - timedelta(days=8))
    headers = bearer(session, owner)
    stale = client.get("/api/v1/leads/stale?mine=true", headers=headers).json()
    assert [(s["name"], s["days_over"]) for s in stale] == [("八天没跟进", 1)]
    figures = client.get(
        "/api/v1/leads/evaluation",
        params={"start": "2020-01-01", "end": china_today().isoformat()},
        headers=headers,
    ).json()
    assert figures["funnel"][0]["count"] >= 1 and set(figures["landed"]) == {
        "chain",
        "park",
        "team",
        "source",
    }


def test_viewers_are_refused_the_project_library(client: TestClient, session: Session) -> None:
    lead = make_lead(session, make_user(session, Role.promotion))
    viewer = bearer(session, make_user(session, Role.viewer))
    for path in ("/api/v1/leads", "/api/v1/leads/board", f"/api/v1/leads/{lead.id}"):
        response = client.get(path, headers=viewer)
        assert response.status_code == 403
        assert response.json() == {"detail": "您的角色无权查看招商项目"}


def test_the_api_schema_documents_the_lead_routes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/leads/{lead_id}/moves" in schema["paths"]
    assert "/api/v1/carriers/{carrier_id}/reserve" in schema["paths"]


def test_odd_versions_and_other_roles_learn_nothing_and_change_nothing(
    client: TestClient, session: Session
) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner, on=china_today() - timedelta(days=30))
    url = f"/api/v1/leads/{lead.id}"
    current = client.get(url, headers=bearer(session, owner)).json()
    fields = {k: current[k] for k in ("name", "investor_name", "source")}
    stale = current["version"] + 5
    # Someone else's stale version is refused for who they are (403), not shown the lead (409).
    other = bearer(session, make_user(session, Role.promotion, team="另一组"))
    assert client.put(url, json=fields | {"version": stale}, headers=other).status_code == 403
    mine = bearer(session, owner)
    # A version no record can have is bad input (422, as the schema says), a stale one 409.
    odd = [(-1, 422), (0, 422), (2**63, 422), (2**70, 422), ("一", 422), (stale, 409)]
    for version, status in odd:
        answer = client.put(url, json=fields | {"version": version}, headers=mine)
        assert answer.status_code == status, version
    assert client.get(url, headers=mine).json()["version"] == current["version"]  # untouched
    moved = {"to_stage": "contact", "on": WEEK_AGO, "version": str(current["version"])}
    assert client.post(f"{url}/moves", json=moved, headers=mine).status_code == 201
    assert client.post(f"{url}/moves", json=moved, headers=mine).status_code == 409
