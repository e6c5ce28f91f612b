"""The dashboard, the targets pages, reported values and the monthly report, over HTTP."""

from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from core.accounts import Role
from core.db import china_today
from core.orgs import get_park_by_code
from plans import dashboard, plan_writing
from plans.plan_writing import PlanFields, TargetFields
from plans.targets import Plan, TargetKind
from tests.factories import bearer, login, make_user, settled
from web.pages.dashboard import chain_chart


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/dashboard", Role.leader, 200),
        ("/dashboard", Role.viewer, 200),
        ("/targets", Role.park_bureau, 200),
        ("/targets?plan=003", Role.leader, 200),
        ("/targets/003-high-growth", Role.leader, 200),
        ("/targets/003-key-labs", Role.admin, 200),
        ("/targets/nope", Role.leader, 404),
        ("/reports/monthly", Role.leader, 200),
        ("/reports/monthly?month=2023-12", Role.leader, 200),
        ("/reports/monthly?month=2023-13", Role.leader, 422),
    ],
)
def test_dashboard_page_access(
    client: TestClient, session: Session, path: str, role: Role, status: int
) -> None:
    login(client, session, make_user(session, role))
    assert client.get(path).status_code == status


def test_leaders_start_at_the_dashboard(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.leader))
    assert client.get("/", follow_redirects=False).headers["location"] == "/dashboard"


def _current_plan(session: Session) -> Plan:
    """A plan in force today with three headline targets counted from the registry."""
    admin = make_user(session, Role.admin)
    year = china_today().year
    plan = plan_writing.create(
        session=session,
        actor=admin,
        data=PlanFields(name="现行规划", period_start_year=year - 1, period_end_year=year + 1),
    )
    for name, figure in (
        ("链主企业", "anchor"),
        ("高新技术企业数量", "high-tech"),
        ("规上高企", "high-tech-above"),
    ):
        data = TargetFields(
            name=name, kind=TargetKind.computed, figure=figure, target_value=10, headline=True
        )
        plan_writing.add_target(session=session, actor=admin, plan=plan, data=data)
    return plan


def test_dashboard_shows_the_headline_targets_without_blank_charts(
    client: TestClient, session: Session
) -> None:
    _current_plan(session)
    login(client, session, make_user(session, Role.leader))
    page = client.get("/dashboard").text
    for name in ("链主企业", "高新技术企业数量", "规上高企"):
        assert name in page
    assert page.count("data-chart=") >= 2 and "状态规则" in page
    # Without firms the chain comparison says what is missing instead of drawing nothing.
    empty = [dashboard.ChainRow(1, "robotics", "机器人")]
    assert chain_chart(empty) is None
    assert chain_chart([dashboard.ChainRow(1, "robotics", "机器人", firms=3)]) is not None


def test_reported_value_form_names_the_field_and_saves(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.admin))
    bad = client.post(
        "/targets/003-key-labs/values",
        data={"csrf_token": csrf, "value": "十二", "as_of": "2023-06-30", "source": ""},
    )
    assert bad.status_code == 422
    assert "数值须为数字" in bad.text and "数据来源" in bad.text
    good = client.post(
        "/targets/003-key-labs/values",
        data={"csrf_token": csrf, "value": "12", "as_of": "2023-06-30", "source": "省科技厅名单"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    page = client.get("/targets/003-key-labs").text
    assert "省科技厅名单" in page and "12" in page


def test_targets_api_reports_status_and_history(client: TestClient, session: Session) -> None:
    admin = bearer(session, make_user(session, Role.admin))
    plans = client.get("/api/v1/plans", headers=admin).json()
    assert "003" in [p["code"] for p in plans]
    rows = client.get("/api/v1/targets?plan=003", headers=admin).json()
    by_code = {r["code"]: r for r in rows}
    assert by_code["003-high-growth"]["target_value"] == 300
    assert by_code["003-key-labs"]["status"] == "no_data"
    created = client.post(
        "/api/v1/targets/003-key-labs/values",
        json={"value": 16, "as_of": "2023-12-01", "source": "省科技厅名单"},
        headers=admin,
    )
    assert created.status_code == 201
    settled(client)
    rows = client.get("/api/v1/targets?plan=003", headers=admin).json()
    labs = next(r for r in rows if r["code"] == "003-key-labs")
    assert labs["value"] == 16 and labs["status"] == "achieved"
    history = client.get("/api/v1/targets/003-key-labs/history", headers=admin).json()
    assert history == [{"on": "2023-12-01", "value": 16.0}]
    viewer = bearer(session, make_user(session, Role.viewer))
    refused = client.post(
        "/api/v1/targets/003-key-labs/values",
        json={"value": 1, "as_of": "2023-12-01", "source": "x"},
        headers=viewer,
    )
    assert refused.status_code == 403


def test_monthly_report_exports_four_sheets(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.leader))
    response = client.get("/reports/monthly.xlsx?month=2023-12")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["目标", "园区", "产业链", "本月动态"]
    targets = [[c.value for c in row] for row in book["目标"].iter_rows()]
    assert any(row[1] == "累计认定瞪羚、单打冠军、独角兽（潜在、种子）企业" for row in targets)
    assert len(list(book["产业链"].iter_rows())) == 11


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("", 200, "到期预测"),
        ("?rate_applied=0.9&days_pool=60", 200, 'value="0.9"'),
        ("?rate_applied=1.5", 422, "申报→认定转化率须在 0 到 1 之间"),
        ("?days_pool=abc", 422, "入库培育→申报天数须为数字"),
    ],
)
def test_plan_page_takes_a_leaders_assumptions(
    client: TestClient, session: Session, query: str, status: int, text: str
) -> None:
    login(client, session, make_user(session, Role.leader))
    response = client.get(f"/targets/003-high-growth/plan{query}")
    assert response.status_code == status
    assert text in response.text


def test_only_counting_targets_have_a_plan(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.leader))
    assert client.get("/targets/003-key-labs/plan").status_code == 422
    assert "/targets/003-anchor/plan" in client.get("/targets/003-anchor").text


def test_admin_sets_park_shares_and_the_park_page_shows_them(
    client: TestClient, session: Session
) -> None:
    shunde = get_park_by_code(session=session, code="shunde")
    plan = _current_plan(session)
    code = plan_writing.targets_of(session=session, plan=plan)[0].code
    csrf = login(client, session, make_user(session, Role.admin))
    bad = client.post(
        f"/targets/{code}/shares", data={"csrf_token": csrf, f"park_{shunde.id}": "很多"}
    )
    assert bad.status_code == 422 and "分解值须为数字" in bad.text
    saved = client.post(
        f"/targets/{code}/shares",
        data={"csrf_token": csrf, f"park_{shunde.id}": "80"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    login(client, session, make_user(session, Role.park_bureau, park="shunde"))
    assert client.get("/", follow_redirects=False).headers["location"] == "/parks/shunde"
    page = client.get("/parks/shunde").text
    assert "链主企业" in page and ">80<" in page
    assert (
        "累计认定瞪羚" not in page
    )  # plan 003 ended: its targets are history, not the park's work
    history = client.get(f"/targets/{code}").text
    assert 'value="80"' not in history  # a park bureau sees the share, not the form


def test_targets_can_be_judged_as_of_a_past_day(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.leader))
    page = client.get("/targets?plan=003&on=2022-06-30")
    assert page.status_code == 200 and "按 2022-06-30 当日" in page.text
    assert client.get("/targets?on=2022-13-01").status_code == 422


def test_the_monthly_report_covers_the_zones_plan_unless_another_is_chosen(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.leader))
    zone = client.get("/reports/monthly?month=2023-12").text
    assert "累计认定瞪羚" in zone and "智能化技术改造示范企业数" not in zone
    city = client.get("/reports/monthly?month=2023-12&plan=000").text
    assert "智能化技术改造示范企业数" in city and "累计认定瞪羚" not in city
