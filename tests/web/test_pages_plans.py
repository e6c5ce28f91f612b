"""Plans over HTTP: the list, one plan, its forms, and /api/v1/plans."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from core.db import china_today
from plans import plan_writing
from plans.plan_writing import PlanFields, TargetFields
from plans.targets import Plan, TargetKind
from tests.factories import bearer, login, make_user

THIS_YEAR = china_today().year


def _current_plan(session: Session, name: str = "现行行动计划") -> Plan:
    admin = make_user(session, Role.admin)
    plan = plan_writing.create(
        session=session,
        actor=admin,
        data=PlanFields(name=name, period_start_year=THIS_YEAR - 1, period_end_year=THIS_YEAR + 1),
    )
    plan_writing.add_target(
        session=session,
        actor=admin,
        plan=plan,
        data=TargetFields(
            name="现行高企目标",
            kind=TargetKind.computed,
            figure="high-tech",
            target_value=50,
            headline=True,
            milestones={THIS_YEAR: 30},
        ),
    )
    return plan


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/plans", Role.viewer, 200),
        ("/plans", Role.park_bureau, 200),
        ("/plans/{plan}", Role.promotion, 200),
        ("/plans/987654", Role.leader, 404),
        ("/plans/abc", Role.leader, 404),
        ("/plans/targets-template.csv", Role.leader, 200),
        ("/api/v1/plans", Role.viewer, 200),
        ("/api/v1/plans/{plan}", Role.viewer, 200),
        ("/api/v1/plans/987654", Role.viewer, 404),
    ],
)
def test_plan_reads(
    client: TestClient, session: Session, path: str, role: Role, status: int
) -> None:
    plan = _current_plan(session)
    login(client, session, make_user(session, role))
    assert client.get(path.format(plan=plan.id)).status_code == status


def test_the_list_splits_plans_in_force_from_history(client: TestClient, session: Session) -> None:
    plan = _current_plan(session, name="<i>现行</i>计划")
    login(client, session, make_user(session, Role.viewer))
    page = client.get("/plans").text
    current, history = page.split('id="history"')
    assert "&lt;i&gt;现行&lt;/i&gt;计划" in current and "<i>现行" not in page
    assert f'href="/plans/{plan.id}"' in current
    assert "佛山国家高新区高质量发展实施方案（至2023年）" in history
    assert 'action="/plans"' not in page  # a viewer reads, the form is not offered


def test_a_leader_writes_a_plan_through_the_forms(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.leader))
    bad = client.post(
        "/plans",
        data={"csrf_token": csrf, "name": "", "period_start_year": "2026", "period_end_year": "x"},
    )
    assert bad.status_code == 422
    assert "规划名称必填" in bad.text and "截止年份须为整数" in bad.text
    made = client.post(
        "/plans",
        data={
            "csrf_token": csrf,
            "name": "十五五产业链规划",
            "issuer": "管委会",
            "period_start_year": "2026",
            "period_end_year": "2030",
            "source_text": "到2030年……",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    where = made.headers["location"]
    added = client.post(
        f"{where}/targets",
        data={
            "csrf_token": csrf,
            "name": "高新技术企业",
            "unit": "家",
            "kind": "computed",
            "figure": "high-tech",
            "comparator": "ge",
            "target_value": "4000",
            "deadline_year": "2030",
            "milestone_2027": "3000",
            "headline": "1",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(where).text
    assert "高新技术企业" in page and "2027：3000" in page and "现行" in page
    copied = client.post(
        f"{where}/copy", data={"csrf_token": csrf, "start_year": "2031"}, follow_redirects=False
    )
    assert copied.status_code == 303
    assert "2032：3000" in client.get(copied.headers["location"]).text
    sheet = "目标名称,目标值,期限\n甲,1,2030\n乙,很多,2030\n".encode()
    imported = client.post(
        f"{where}/import",
        data={"csrf_token": csrf},
        files={"file": ("目标.csv", sheet, "text/csv")},
    )
    assert imported.status_code == 422 and "第 3 行“目标值”" in imported.text


def test_a_missing_milestone_value_is_refused_naming_the_field(
    client: TestClient, session: Session
) -> None:
    plan = _current_plan(session)
    csrf = login(client, session, make_user(session, Role.admin))
    response = client.post(
        f"/plans/{plan.id}/targets",
        data={"csrf_token": csrf, "name": "x", "target_value": "1", "kind": "computed"},
    )
    assert response.status_code == 422 and "系统计算的目标须选择一个计算口径" in response.text


@pytest.mark.parametrize("role", [Role.viewer, Role.park_bureau, Role.promotion])
def test_other_roles_are_refused_the_forms(
    client: TestClient, session: Session, role: Role
) -> None:
    plan = _current_plan(session)
    csrf = login(client, session, make_user(session, role))
    for path in ("/plans", f"/plans/{plan.id}/targets", f"/plans/{plan.id}/copy"):
        response = client.post(path, data={"csrf_token": csrf, "name": "x"})
        assert response.status_code == 403, path


def test_the_api_writes_and_reads_plans(client: TestClient, session: Session) -> None:
    leader = bearer(session, make_user(session, Role.leader))
    made = client.post(
        "/api/v1/plans",
        json={"name": "<b>演练</b>", "period_start_year": 2024, "period_end_year": 2026},
        headers=leader,
    )
    assert made.status_code == 201, made.text
    plan = made.json()
    assert plan["in_force"] == (2024 <= THIS_YEAR <= 2026) and plan["name"] == "<b>演练</b>"
    added = client.post(
        f"/api/v1/plans/{plan['id']}/targets",
        json={
            "name": "链主",
            "kind": "computed",
            "figure": "anchor",
            "target_value": 5,
            "milestones": {"2025": 3},
        },
        headers=leader,
    )
    assert added.status_code == 201 and added.json()["figure"] == "anchor"
    wrong = client.post(
        f"/api/v1/plans/{plan['id']}/targets",
        json={"name": "链主", "target_value": 5, "deadline_year": 2030},
        headers=leader,
    )
    assert wrong.status_code == 422 and "2024—2026" in wrong.text
    copied = client.post(
        f"/api/v1/plans/{plan['id']}/copy", json={"start_year": 2027}, headers=leader
    )
    assert copied.status_code == 201
    assert copied.json()["targets"][0]["milestones"] == {"2028": 3.0}
    imported = client.post(
        f"/api/v1/plans/{plan['id']}/import",
        files={
            "file": ("t.csv", "目标名称,目标值,计算口径\n高企,9,high-tech\n".encode(), "text/csv")
        },
        headers=leader,
    )
    assert imported.status_code == 201 and imported.json()[0]["kind"] == "computed"
    one = client.get(f"/api/v1/plans/{plan['id']}", headers=leader).json()
    assert [t["name"] for t in one["targets"]] == ["链主", "高企"]
    listed = client.get("/api/v1/plans", headers=leader).json()
    assert {"003", one["code"]} <= {p["code"] for p in listed}
    viewer = bearer(session, make_user(session, Role.viewer))
    refused = client.post(
        "/api/v1/plans",
        json={"name": "x", "period_start_year": 2024, "period_end_year": 2026},
        headers=viewer,
    )
    assert refused.status_code == 403
    missing = client.post("/api/v1/plans/987654/copy", json={"start_year": 2030}, headers=leader)
    assert missing.status_code == 404


def test_the_dashboard_shows_plans_in_force_and_ended_ones_under_history(
    client: TestClient, session: Session
) -> None:
    _current_plan(session)
    login(client, session, make_user(session, Role.leader))
    page = client.get("/dashboard").text
    headline, history = page.split('id="history"')
    assert "现行高企目标" in headline
    assert "累计培育或认定“链主”企业" not in headline  # plan 003 ended with 2023
    assert "佛山国家高新区高质量发展实施方案（至2023年）" in history
    report = client.get("/reports/monthly").text
    assert "现行高企目标" in report and "累计培育或认定“链主”企业" not in report
