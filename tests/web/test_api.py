import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from core.orgs import get_park_by_code
from tests.factories import PASSWORD, bearer, make_enterprise, make_user, valid_code


def test_token_flow_and_401_without_it(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.viewer)
    assert client.get("/api/v1/chains").status_code == 401
    bad = client.post("/api/v1/auth/token", data={"username": user.username, "password": "x"})
    assert bad.status_code == 401 and bad.json()["detail"] == "用户名或密码错误"
    token = client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/v1/parks", headers=headers).status_code == 200


def test_chains_carry_segments_links_and_units(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.viewer))
    chains = client.get("/api/v1/chains", headers=headers).json()
    assert len(chains) == 10
    ic = client.get("/api/v1/chains/integrated-circuits", headers=headers).json()
    ids = {s["id"] for s in ic["segments"]}
    assert "芯片设计" in {s["name"] for s in ic["segments"]}
    assert all(link["source_id"] in ids and link["target_id"] in ids for link in ic["links"])
    assert client.get("/api/v1/chains/nope", headers=headers).status_code == 404


def test_list_filters_and_paginates(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.viewer))
    for _ in range(3):
        make_enterprise(session, segment=("additive", "slm"), main_products="接口分页测试")
    page = client.get(
        "/api/v1/enterprises",
        headers=headers,
        params={"q": "接口分页测试", "chain": "additive", "page_size": 2},
    ).json()
    assert (page["total"], len(page["items"])) == (3, 2)
    assert page["items"][0]["memberships"][0]["chain_code"] == "additive"
    assert (
        client.get("/api/v1/enterprises", headers=headers, params={"park": "nowhere"}).status_code
        == 404
    )


def test_create_returns_201_and_chinese_422s(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.admin))
    ok = client.post(
        "/api/v1/enterprises",
        headers=headers,
        json={"name": "佛山市接口新建有限公司", "credit_code": valid_code(777001)},
    )
    assert ok.status_code == 201 and ok.json()["version"] == 1
    bad = client.post(
        "/api/v1/enterprises", headers=headers, json={"credit_code": "123", "employees": -1}
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert errors["name"] == "企业名称必填"
    assert errors["employees"] == "从业人数不能小于 0"


def test_update_with_stale_version_gets_409(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.admin))
    enterprise = make_enterprise(session)
    body = {"name": enterprise.name, "park_id": enterprise.park_id, "employees": 5, "version": 1}
    assert (
        client.put(f"/api/v1/enterprises/{enterprise.id}", headers=headers, json=body).json()[
            "version"
        ]
        == 2
    )
    stale = client.put(
        f"/api/v1/enterprises/{enterprise.id}", headers=headers, json=body | {"employees": 50}
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["employees"] == 5


@pytest.mark.parametrize(("park", "status"), [("shunde", 200), ("nanhai", 403)])
def test_park_bureau_edits_only_its_park_via_api(
    client: TestClient, session: Session, park: str, status: int
) -> None:
    enterprise = make_enterprise(session, park=park)
    headers = bearer(session, make_user(session, Role.park_bureau, park="shunde"))
    body = {
        "name": "佛山市接口改名有限公司",
        "version": 1,
        "park_id": get_park_by_code(session=session, code=park).id,
    }
    response = client.put(f"/api/v1/enterprises/{enterprise.id}", headers=headers, json=body)
    assert response.status_code == status
    session.refresh(enterprise)
    assert (enterprise.name == "佛山市接口改名有限公司") == (status == 200)


def test_contact_phone_is_masked_for_viewers(client: TestClient, session: Session) -> None:
    enterprise = make_enterprise(session, contact_phone="13912345678")
    headers = bearer(session, make_user(session, Role.viewer))
    body = client.get(f"/api/v1/enterprises/{enterprise.id}", headers=headers).json()
    assert body["contact_phone"] == "139****5678"


def test_openapi_lists_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/chains",
        "/api/v1/enterprises",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/auth/token",
        "/api/v1/parks",
    } <= set(paths)


def test_gaps_are_ranked_with_explanations(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.viewer))
    gaps = client.get("/api/v1/chains/hydrogen/gaps", headers=headers).json()
    assert len(gaps) == 11
    assert [g["score"] for g in gaps] == sorted((g["score"] for g in gaps), reverse=True)
    assert gaps[0]["status"] == "missing" and gaps[0]["explanation"].startswith("无本地企业")
