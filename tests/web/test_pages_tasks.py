"""Units, plan tasks and progress reports over HTTP: pages, forms and the JSON API."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core import users
from core.accounts import Role
from core.db import china_today
from core.orgs import OrgUnit
from plans.tasks import PlanTask
from tests.factories import bearer, login, make_user


def _ids(session: Session) -> tuple[int, int]:
    finance = session.exec(select(OrgUnit).where(OrgUnit.code == "city-finance")).one()
    task = session.exec(select(PlanTask).where(PlanTask.code == "003-task-17")).one()
    return finance.id or 0, task.id or 0


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/units", Role.viewer, 200),
        ("/plans/003/tasks", Role.leader, 200),
        ("/plans/nope/tasks", Role.leader, 404),
        ("/tasks/mine", Role.park_bureau, 200),
        ("/tasks/999999", Role.admin, 404),
        ("/api/v1/units", Role.viewer, 200),
        ("/api/v1/plans/003/tasks", Role.viewer, 200),
        ("/api/v1/tasks/mine", Role.viewer, 200),
    ],
)
def test_task_pages_answer(
    client: TestClient, session: Session, path: str, role: Role, status: int
) -> None:
    login(client, session, make_user(session, role))
    assert client.get(path).status_code == status


def test_units_page_shows_the_bodies_and_the_words_that_name_them(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.viewer))
    page = client.get("/units").text
    for name in (
        "人行佛山市中心支行",
        "佛山高新区发展工作领导小组",
        "专家咨询（顾问）委员会",
        "市委政研室",
    ):
        assert name in page
    assert "规划原文" in page and "牵头单位:市财政局" in page


def test_a_lead_unit_member_reports_progress_through_the_page(
    client: TestClient, session: Session
) -> None:
    finance, task = _ids(session)
    admin = make_user(session, Role.admin)
    member = make_user(session, Role.viewer)
    users.set_unit(session=session, actor=admin, user_id=member.id or 0, unit_id=finance)
    csrf = login(client, session, member)
    assert "加大财政支持" in client.get("/tasks/mine").text
    page = client.get(f"/tasks/{task}").text
    assert 'action="/tasks/' in page and "规划原文" in page
    empty = client.post(
        f"/tasks/{task}/reports",
        data={"csrf_token": csrf, "on": china_today().isoformat(), "text": "", "status": "done"},
    )
    assert empty.status_code == 422 and "进展情况" in empty.text
    done = client.post(
        f"/tasks/{task}/reports",
        data={
            "csrf_token": csrf,
            "on": china_today().isoformat(),
            "text": "资金已落实",
            "status": "done",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(f"/tasks/{task}").text
    assert "资金已落实" in shown and "已完成" in shown


def test_others_see_the_task_without_the_form(client: TestClient, session: Session) -> None:
    _, task = _ids(session)
    login(client, session, make_user(session, Role.leader))
    page = client.get(f"/tasks/{task}").text
    assert "加大财政支持" in page and 'action="/tasks/' not in page


def test_the_dashboard_lists_overdue_tasks(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.leader))
    page = client.get("/dashboard").text
    assert "逾期任务" in page and "完善产业链招商机制" in page


def test_the_api_reports_progress_and_sets_an_account_s_unit(
    client: TestClient, session: Session
) -> None:
    finance, task = _ids(session)
    admin = make_user(session, Role.admin)
    member = make_user(session, Role.viewer)
    answer = client.put(
        f"/api/v1/users/{member.id}/unit", json={"unit_id": finance}, headers=bearer(session, admin)
    )
    assert answer.status_code == 200 and answer.json()["unit_id"] == finance
    body = {
        "on": china_today().isoformat(),
        "text": "推进中",
        "status": "in_progress",
        "version": 1,
    }
    reported = client.post(
        f"/api/v1/tasks/{task}/reports", json=body, headers=bearer(session, member)
    )
    assert reported.status_code == 201, reported.text
    assert reported.json()["status"] == "in_progress" and reported.json()["version"] == 2
    stale = client.post(
        f"/api/v1/tasks/{task}/reports",
        json=body | {"status": "done"},
        headers=bearer(session, member),
    )
    assert stale.status_code == 409
    missing = client.post(
        f"/api/v1/tasks/{task}/reports", json={"on": "2026-01-01"}, headers=bearer(session, member)
    )
    assert missing.status_code == 422 and "进展情况" in missing.text


def test_targets_page_quotes_the_plan_and_states_each_form(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.leader))
    page = client.get("/targets?plan=002").text
    assert "2035-12-31 前完成" in page and "的 2 倍" in page
    assert "科技創新重要指标在“十二五”末基礎上翻一番" in page
    assert "1—2 家" in client.get("/targets/003-national-labs").text
