from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, make_enterprise, make_user


def _start(client: TestClient, headers: dict[str, str], firm_id: int, code: str = "gazelle"):
    return client.post(
        "/api/v1/cultivations",
        headers=headers,
        json={"enterprise_id": firm_id, "designation": code, "on": "2022-03-01"},
    )


@pytest.mark.parametrize(
    ("role", "park", "status"),
    [
        (Role.admin, None, 201),
        (Role.park_bureau, "shunde", 201),
        (Role.park_bureau, "nanhai", 403),
        (Role.chain_chief, None, 403),
        (Role.viewer, None, 403),
    ],
)
def test_who_may_put_a_firm_in_cultivation(
    client: TestClient, session: Session, role: Role, park: str | None, status: int
) -> None:
    firm = make_enterprise(session, park="shunde")
    headers = bearer(session, make_user(session, role, park=park))
    assert _start(client, headers, firm.id or 0).status_code == status


def test_moves_versions_events_and_counts(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.park_bureau))
    firm = make_enterprise(session, park="shunde", name="佛山市接口培育测试有限公司")
    row = _start(client, headers, firm.id or 0).json()
    assert row["stage"] == "candidate" and row["designation"] == "瞪羚企业"
    path = f"/api/v1/cultivations/{row['cultivation_id']}/moves"
    moved = client.post(
        path, headers=headers, json={"to_stage": "pool", "on": "2022-04-01", "version": 1}
    )
    assert moved.json()["stage"] == "pool"
    stale = client.post(
        path, headers=headers, json={"to_stage": "applied", "on": "2022-05-01", "version": 1}
    )
    assert stale.status_code == 409 and stale.json()["current"]["stage"] == "pool"
    skip = client.post(path, headers=headers, json={"to_stage": "recognised", "on": "2022-05-01"})
    assert skip.status_code == 403 and "须由管理员操作" in skip.json()["detail"]
    for stage, on in (("applied", "2022-06-01"), ("recognised", "2022-12-01")):
        client.post(path, headers=headers, json={"to_stage": stage, "on": on, "batch": "2022年"})
    events = client.get(
        f"/api/v1/cultivations/{row['cultivation_id']}/events", headers=headers
    ).json()
    assert [e["to_stage"] for e in events] == ["candidate", "pool", "applied", "recognised"]
    before = client.get(
        "/api/v1/designations/gazelle/counts", headers=headers, params={"as_of": "2022-11-30"}
    ).json()
    after = client.get(
        "/api/v1/designations/gazelle/counts", headers=headers, params={"as_of": "2022-12-31"}
    ).json()
    assert before["by_park"]["顺德园"] == {"applied": 1}
    assert after["by_park"]["顺德园"] == {"recognised": 1}
    listed = client.get(
        "/api/v1/cultivations",
        headers=headers,
        params={"designation": "gazelle", "stage": "recognised"},
    ).json()
    assert [r["enterprise_name"] for r in listed["items"]] == ["佛山市接口培育测试有限公司"]


def test_bulk_move_is_all_or_nothing_and_names_the_firm(
    client: TestClient, session: Session
) -> None:
    headers = bearer(session, make_user(session, Role.park_bureau))
    admin = bearer(session, make_user(session, Role.admin))
    first = make_enterprise(session, park="shunde", name="佛山市批量甲有限公司")
    second = make_enterprise(session, park="shunde", name="佛山市批量乙有限公司")
    ids = [_start(client, headers, f.id or 0).json()["cultivation_id"] for f in (first, second)]
    client.post(
        f"/api/v1/cultivations/{ids[1]}/moves",
        headers=admin,
        json={"to_stage": "applied", "on": "2022-04-01", "note": "补录"},
    )
    refused = client.post(
        "/api/v1/cultivations/bulk-moves",
        headers=headers,
        json={"ids": ids, "to_stage": "pool", "on": "2022-05-01", "note": "第一批入库"},
    )
    # Stepping back needs an admin: a refusal (403), as for a single move, naming the firm.
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("佛山市批量乙有限公司：")
    rows = client.get("/api/v1/cultivations", headers=headers, params={"q": "批量"}).json()
    assert sorted(r["stage"] for r in rows["items"]) == ["applied", "candidate"]
    ok = client.post(
        "/api/v1/cultivations/bulk-moves",
        headers=headers,
        json={"ids": ids[:1], "to_stage": "pool", "on": "2022-05-01", "note": "第一批入库"},
    )
    assert ok.json() == {"moved": 1}


def test_figures_and_discovery(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.park_bureau))
    young = make_enterprise(
        session, park="shunde", name="佛山市发现测试有限公司", founded_date=date(2019, 5, 1)
    )
    for year, revenue in ((2021, 1000), (2024, 2400)):
        response = client.put(
            f"/api/v1/enterprises/{young.id}/figures",
            headers=headers,
            json={"year": year, "revenue": revenue},
        )
        assert response.status_code == 200
    bad = client.put(
        f"/api/v1/enterprises/{young.id}/figures", headers=headers, json={"year": 1800}
    )
    assert bad.status_code == 422 and bad.json()["errors"]["year"].startswith("年度")
    found = client.get("/api/v1/designations/gazelle/discover", headers=headers).json()
    hit = next(f for f in found if f["name"] == "佛山市发现测试有限公司")
    assert round(hit["values"]["revenue_growth_3y_min"], 1) == 33.9
    designations = client.get("/api/v1/designations", headers=headers).json()
    unicorn = next(d for d in designations if d["code"] == "unicorn")
    assert [t["name"] for t in unicorn["tiers"]] == ["种子独角兽", "潜在独角兽", "独角兽"]
