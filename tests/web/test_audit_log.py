"""The audit log page, its export and API: admins only, filters, no forged lines."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from core import audit
from core.accounts import Role
from tests.factories import bearer, login, make_lead, make_user


def test_admins_search_the_log_others_are_refused(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner, name="日志测试项目\n伪造的一行")
    login(client, session, make_user(session, Role.admin))
    page = client.get(f"/audit?object_type=lead&object_id={lead.id}")
    assert page.status_code == 200 and "日志测试项目" in page.text
    exported = client.get(f"/audit/export.csv?object_type=lead&object_id={lead.id}")
    lines = exported.content.decode("utf-8-sig").splitlines()
    # The name's line break is written out as \\n: the entry stays one line of the file.
    assert len(lines) == 2 and "日志测试项目\\n伪造的一行" in lines[1]
    assert client.get("/audit?start=2026-13-01").status_code == 422
    api = client.get(
        "/api/v1/audit",
        params={"object_type": "lead", "object_id": str(lead.id)},
        headers=bearer(session, make_user(session, Role.admin)),
    ).json()
    assert api["total"] == 1 and api["items"][0]["action"] == "create"
    login(client, session, make_user(session, Role.leader))
    assert client.get("/audit").status_code == 403
    viewer = bearer(session, make_user(session, Role.viewer))
    assert client.get("/api/v1/audit", headers=viewer).status_code == 403


def test_downloads_are_logged_with_their_row_count(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    make_lead(session, owner, name="导出日志项目")
    admin = make_user(session, Role.admin)
    login(client, session, admin)
    assert client.get("/leads/export.csv").status_code == 200
    assert client.get("/chains/robotics/gaps.xlsx").status_code == 200
    entries = client.get(
        "/api/v1/audit", params={"object_type": "export"}, headers=bearer(session, admin)
    ).json()["items"]
    labels = {e["object_label"]: e for e in entries}
    lead_file = next(e for name, e in labels.items() if name.startswith("招商项目-"))
    assert lead_file["actor_name"] == admin.username and lead_file["after"] == {"rows": 1}
    assert any(name.endswith("补链强链清单.xlsx") for name in labels)


def test_the_date_filter_counts_days_in_china_time(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.promotion)
    lead = make_lead(session, owner, name="北京时间过滤项目")
    entry = audit.history(session=session, object_type="lead", object_id=lead.id or 0)[0]
    entry.at = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)  # 2026-01-02 07:30 in Beijing
    session.flush()
    headers = bearer(session, make_user(session, Role.admin))

    def found(day: str) -> int:
        params = {"object_type": "lead", "object_id": str(lead.id), "start": day, "end": day}
        return int(client.get("/api/v1/audit", params=params, headers=headers).json()["total"])

    assert (found("2026-01-01"), found("2026-01-02")) == (0, 1)
    login(client, session, make_user(session, Role.admin))
    page = client.get(f"/audit?object_type=lead&object_id={lead.id}&start=2026-01-02").text
    assert "2026-01-02 07:30:00" in page and "时间（北京时间）" in page
