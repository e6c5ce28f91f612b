"""The escaping test's project texts: a lead with its contact, follow-up, moves and arrival,
and a carrier, each text an attack planted through the services."""

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session

from chains.models import Chain, Segment
from core.accounts import User
from core.db import china_today, require_id
from core.orgs import Park
from enterprises.projects import (
    carriers,
    followups,
    lead_contacts,
    lead_move_dates,
    lead_stages,
    leads,
)
from enterprises.projects.carriers import Carrier, CarrierFields
from enterprises.projects.followups import FollowUpFields
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_move_dates import MoveDateFields
from enterprises.projects.lead_stages import ArrivalFields, LeadMoveFields
from enterprises.projects.leads import Lead, LeadFields, LeadStage


def plant_projects(
    session: Session,
    plant: Callable[[str, int], str],
    *,
    admin: User,
    promoter: User,
    chain: Chain,
    segment: Segment,
    shunde: Park,
) -> tuple[Lead, Carrier]:
    """Plant an attack in every user-editable text of a project and of a carrier; `plant(where,
    limit)` records each one in the zone."""
    lead = leads.create(
        session=session,
        actor=promoter,
        data=LeadFields(
            name=plant("lead name", 100),
            investor_name=plant("lead investor", 100),
            description=plant("lead description", 2000),
            chain_id=chain.id,
            segment_id=segment.id,
            park_id=shunde.id,
            planned_investment=50_000,
            space_need=1000,
        ),
    )
    lead_contacts.add_contact(
        session=session,
        actor=promoter,
        lead=lead,
        data=ContactFields(name=plant("contact name", 40), title=plant("contact title", 60)),
    )
    followups.log(
        session=session,
        actor=promoter,
        lead=lead,
        data=FollowUpFields(
            on=china_today() - timedelta(days=10),
            people="转义测试",  # stored, shown on no page
            notes=plant("follow-up notes", 2000),
            next_step=plant("follow-up next step", 200),
            next_due=china_today() - timedelta(days=1),  # overdue: on the owner's to-do page
        ),
    )
    signed = lead_stages.move(
        session=session,
        actor=promoter,
        lead=lead,
        data=LeadMoveFields(to_stage=LeadStage.signed, note=plant("lead move note", 500)),
    )
    lead_move_dates.correct_date(
        session=session,
        actor=admin,
        lead=lead,
        move_id=require_id(signed),
        data=MoveDateFields(on=china_today(), reason=plant("move date correction", 200)),
    )
    lead_stages.add_arrival(
        session=session,
        actor=promoter,
        lead=lead,
        data=ArrivalFields(amount=100, arrived_on=china_today(), note=plant("arrival note", 200)),
    )
    carrier = carriers.create(
        session=session,
        actor=admin,
        data=CarrierFields(
            park_id=require_id(shunde),
            name=plant("carrier name", 100),
            land_use=plant("carrier land use", 40),
            address=plant("carrier address", 200),
            note=plant("carrier note", 500),
            total_area=5000,
            available_area=5000,
        ),
    )
    return lead, carrier
