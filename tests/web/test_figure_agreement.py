"""One definition per figure: the park page and the dashboard's ranking, a firm's card and its
yearly table, a headline value and its trend line each show the same number."""

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role, User
from core.db import china_today
from core.orgs import get_park_by_code
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.pipeline import MoveFields, Stage
from enterprises.registry import figures as firm_figures
from enterprises.registry import service as enterprise_service
from enterprises.registry.figures import FigureFields
from enterprises.registry.models import EnterpriseUpdate
from plans import dashboard, figures, target_status, target_values, targets
from plans.targets import Plan
from tests.factories import login, make_enterprise, make_user


def _recognise(session: Session, admin: User, code: str, on: date, park: str) -> None:
    firm = make_enterprise(session, park=park)
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=firm.id or 0,
        designation=designations.get_by_code(session=session, code=code),
        chain_id=None,
        on=date(2020, 6, 1),
    )
    for stage in (Stage.pool, Stage.applied, Stage.recognised):
        data = MoveFields(to_stage=stage, on=on)
        pipeline.move(session=session, actor=admin, cultivation=cultivation, data=data)


def _shown(page: str, figure: str) -> float:
    match = re.search(rf'data-figure="{figure}">([\d.,]+)[ <]', page)
    assert match, f"{figure} not on the page"
    return float(match.group(1).replace(",", ""))


def test_the_park_page_and_the_dashboard_ranking_count_one_set_of_high_tech_firms(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, Role.admin)
    # Valid three years: counted at plan 003's deadline (2023-12-31), lapsed since mid-2024.
    _recognise(session, admin, "high-tech", date(2021, 6, 2), "shunde")
    _recognise(session, admin, "high-tech", date(2025, 3, 1), "shunde")
    _recognise(session, admin, "high-tech", date(2025, 3, 1), "nanhai")
    today = china_today()
    shunde = get_park_by_code(session=session, code="shunde").id
    ranking = {
        r.park_id: r
        for r in dashboard.park_table(session=session, day=today, year_start=date(today.year, 1, 1))
    }
    login(client, session, make_user(session, Role.park_bureau, park="shunde"))
    page = client.get("/parks/shunde").text
    assert _shown(page, "high-tech") == ranking[shunde].high_tech == 1
    assert figures.in_park(session=session, park_id=shunde or 0, day=today)["high-tech"] == 1
    # The plan that ended in 2023 still counts the lapsed one at its deadline; that is history.
    ended = targets.get_by_code(session=session, code="003-high-tech")
    plan = session.get(Plan, ended.plan_id)
    assert plan is not None
    at_deadline = target_values.by_park(
        session=session, target=ended, plan=plan, day=ended.deadline
    )
    assert at_deadline[shunde] == 1  # only the one recognised in 2021
    assert "003-high-tech" not in page  # the park's targets are those of plans in force


def test_a_firms_card_and_its_yearly_table_show_one_output(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, park="shunde", annual_output=4894, figures_year=2025)
    firm_figures.put(
        session=session,
        actor=admin,
        enterprise=firm,
        data=FigureFields(year=2025, revenue=6000, output=5666),
    )
    firm_figures.put(  # an older year corrects history, not the current figures
        session=session, actor=admin, enterprise=firm, data=FigureFields(year=2023, output=100)
    )
    assert firm.annual_output == 5666 and firm.figures_year == 2025
    login(client, session, admin)
    page = client.get(f"/enterprises/{firm.id}").text
    assert _shown(page, "output") == 5666
    assert "4,894" not in page


def test_the_card_reads_the_latest_year_even_where_the_summary_is_stale(session: Session) -> None:
    firm = make_enterprise(session, annual_output=4894, figures_year=2025)
    row = firm_figures.EnterpriseFigure(enterprise_id=firm.id or 0, year=2025, output=5666)
    older = firm_figures.EnterpriseFigure(enterprise_id=firm.id or 0, year=2024, output=1)
    assert firm_figures.current(firm, [older, row]).output == 5666
    assert firm_figures.current(firm, [older]).output == 4894  # the firm's own year is newer


def test_a_headline_value_and_its_trend_end_on_the_same_day(session: Session) -> None:
    admin = make_user(session, Role.admin)
    _recognise(session, admin, "high-tech", date(2021, 6, 2), "shunde")  # lapses in 2024
    target = targets.get_by_code(session=session, code="003-high-tech")
    plan = session.get(Plan, target.plan_id)
    assert plan is not None
    progress, trend = target_status.standing(
        session=session, target=target, plan=plan, today=date(2026, 12, 5), with_trend=True
    )
    assert progress.judged_on == date(2023, 12, 31)
    assert trend[-1] == (progress.judged_on, progress.value)
    assert all(day <= progress.judged_on for day, _ in trend)
    history = target_status.trend(
        session=session, target=target, plan=plan, today=date(2026, 12, 5)
    )
    assert history[-1][0] == date(2023, 12, 31)


def test_editing_the_firms_figures_corrects_its_data_years_row(session: Session) -> None:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, annual_output=5000, figures_year=2025, employees=10)
    firm_figures.put(
        session=session, actor=admin, enterprise=firm, data=FigureFields(year=2025, output=5000)
    )
    fields = firm.model_dump(include=set(EnterpriseUpdate.model_fields))
    edit = EnterpriseUpdate(**(fields | {"annual_output": 4894, "employees": 321}))
    enterprise_service.update(session=session, actor=admin, enterprise_id=firm.id or 0, data=edit)
    [row] = firm_figures.of(session=session, enterprise_id=firm.id or 0)
    assert (row.output, row.employees) == (4894, 321)
    assert firm_figures.current(firm, [row]).output == firm.annual_output == 4894
