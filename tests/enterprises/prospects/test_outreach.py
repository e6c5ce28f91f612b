"""From a gap to its targets: ranking, coverage by how far their projects got, projects."""

import pytest
from sqlmodel import Session

from core.accounts import Role
from core.errors import PermissionDenied
from enterprises.projects import lead_stages
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import LeadStage
from enterprises.prospects import outreach
from enterprises.prospects.models import FirmSize, Listing
from tests.enterprises.prospects.factories import make_prospect, worded_chain
from tests.factories import make_user


def test_targets_rank_by_match_then_size_then_listing(session: Session) -> None:
    staff = make_user(session, Role.promotion)
    made = worded_chain(session, staff)
    small = make_prospect(session, staff, products="伺服电机", size=FirmSize.small)
    listed = make_prospect(
        session, staff, products="伺服电机", size=FirmSize.small, listing=Listing.gem
    )
    large = make_prospect(session, staff, products="伺服电机", size=FirmSize.large)
    best = make_prospect(session, staff, products="伺服电机、伺服驱动器")
    ranked = outreach.ranked(session=session, segment_id=made["伺服系统"].id or 0)
    assert [t.prospect.id for t in ranked] == [best.id, large.id, listed.id, small.id]
    assert set(ranked[0].words) == {"伺服电机", "伺服驱动器"}


def test_coverage_counts_targets_by_their_furthest_project(session: Session) -> None:
    staff = make_user(session, Role.promotion)
    made = worded_chain(session, staff)
    segment_id = made["精密减速器"].id or 0
    firms = [make_prospect(session, staff, products="谐波减速器") for _ in range(4)]
    lead, _ = outreach.make_project(session=session, actor=staff, prospect=firms[0])
    for stage in (LeadStage.contact, LeadStage.negotiation):
        lead_stages.move(
            session=session, actor=staff, lead=lead, data=LeadMoveFields(to_stage=stage)
        )
    contacted, _ = outreach.make_project(session=session, actor=staff, prospect=firms[1])
    lead_stages.move(
        session=session,
        actor=staff,
        lead=contacted,
        data=LeadMoveFields(to_stage=LeadStage.contact),
    )
    outreach.make_project(session=session, actor=staff, prospect=firms[2])
    covered = outreach.coverage(session=session, segment_ids=[segment_id])[segment_id]
    assert (covered.targets, covered.projects, covered.contacted, covered.negotiating) == (
        4,
        3,
        2,
        1,
    )
    assert covered.sentence("精密减速器", "缺失").startswith(
        "精密减速器 缺失：目标企业 4 家，已立项 3，已接触 2，洽谈 1"
    )


def test_a_project_takes_the_targets_data_and_is_made_once(session: Session) -> None:
    staff = make_user(session, Role.promotion)
    made = worded_chain(session, staff)
    firm = make_prospect(
        session, staff, products="协作机器人、协作臂", source_list="2024 工博会展商"
    )
    lead, new = outreach.make_project(session=session, actor=staff, prospect=firm)
    assert new and lead.prospect_id == firm.id and lead.segment_id == made["协作机器人"].id
    assert (lead.source, lead.investor_name) == ("expo", firm.name)
    assert "协作机器人" in lead.description
    again, new = outreach.make_project(session=session, actor=staff, prospect=firm)
    assert (again.id, new) == (lead.id, False)
    with pytest.raises(PermissionDenied):
        outreach.make_project(session=session, actor=make_user(session, Role.leader), prospect=firm)
