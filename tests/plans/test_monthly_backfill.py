"""Monthly figures count a project in the month of its 登记日期, and show 补录 apart."""

from datetime import timedelta

from sqlmodel import Session

from core.accounts import Role
from core.db import china_today
from plans import dashboard
from tests.factories import make_lead, make_user


def test_back_entered_projects_count_in_their_month_apart_from_new_ones(
    session: Session,
) -> None:
    owner = make_user(session, Role.promotion)
    today = china_today()
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    late = make_lead(session, owner, name="上月补录项目", on=last_month)
    fresh = make_lead(session, owner, name="本月新项目")
    admin = make_user(session, Role.admin)
    earlier = dashboard.changes(session=session, user=admin, first=last_month, last=first)
    assert late in earlier.backfilled_leads and late not in earlier.new_leads
    now = dashboard.changes(session=session, user=admin, first=first, last=today)
    assert fresh in now.new_leads and late not in now.new_leads + now.backfilled_leads
