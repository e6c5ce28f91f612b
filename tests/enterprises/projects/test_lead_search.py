"""Lead search: what a term finds."""

from sqlmodel import Session

from core.accounts import Role
from enterprises.projects import lead_search
from enterprises.projects.lead_search import LeadFilter
from tests.factories import make_lead, make_user


def test_a_term_finds_leads_by_name_or_investor_ignoring_latin_case(session: Session) -> None:
    promoter = make_user(session, Role.promotion)
    by_name = make_lead(session, promoter, name="ABB机器人华南基地")
    by_investor = make_lead(session, promoter, investor_name="Abb中国投资有限公司")
    make_lead(session, promoter, name="伺服电机扩产项目")
    for term in ("abb", "ABB", "Abb"):
        found = lead_search.search(session=session, user=promoter, flt=LeadFilter(q=term))
        assert (found.total, {lead.id for lead in found.items}) == (
            2,
            {by_name.id, by_investor.id},
        ), term
    found = lead_search.search(session=session, user=promoter, flt=LeadFilter(q="机器人"))
    assert [lead.id for lead in found.items] == [by_name.id]
