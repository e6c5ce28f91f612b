"""Sixteen writers of one record at once, each in its own transaction, on the suite's database.

Of writers that read one version exactly one wins and the others get Conflict (409); writers
that sent no version run one after another and get what they would have got one by one; and
each change writes its event and audit entry once.
"""

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core import audit, users
from core.accounts import Role, User
from core.db import china_today
from core.orgs import get_park_by_code
from enterprises.projects import carriers, followups, lead_contacts, lead_stages, leads
from enterprises.projects.carriers import Carrier, CarrierFields
from enterprises.projects.followups import FollowUpFields
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_stages import ArrivalFields, LeadMove, LeadMoveFields
from enterprises.projects.leads import Lead, LeadFields, LeadStage
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import Enterprise, EnterpriseFields, EnterpriseUpdate
from plans import target_shares, targets
from plans.target_shares import TargetShare
from tests.concurrency import (
    WRITERS,
    Race,
    admin_ids,
    audit_count,
    build_committed,
    row_count,
    user_by_id,
)
from tests.factories import make_enterprise, make_lead, make_user


def test_sixteen_edits_of_a_firm_from_one_version_one_wins(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        firm = make_enterprise(session, name="佛山市并发编辑一号有限公司", employees=0)
        return firm.id or 0, admin_ids(session)

    firm_id, admins = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, EnterpriseUpdate]:
        firm = session.get(Enterprise, firm_id)
        assert firm is not None
        fields = firm.model_dump(include=set(EnterpriseFields.model_fields))
        return user_by_id(session, admins[n]), EnterpriseUpdate(
            **fields | {"employees": n + 1}, version=1
        )

    def write(session: Session, value: tuple[User, EnterpriseUpdate]) -> None:
        actor, data = value
        enterprise_service.update(session=session, actor=actor, enterprise_id=firm_id, data=data)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert audit_count(shared, "enterprise", firm_id, "update") == 1
    with Session(shared) as session:
        firm = session.get(Enterprise, firm_id)
        assert firm is not None and firm.version == 2


def _lead(session: Session, owner: User, stage: LeadStage = LeadStage.lead) -> Lead:
    lead = make_lead(session, owner, on=date(2024, 1, 2), park_id=_park(session))
    if stage != LeadStage.lead:
        data = LeadMoveFields(to_stage=stage, on=date(2024, 2, 1))
        lead_stages.move(session=session, actor=owner, lead=lead, data=data)
    return lead


def _park(session: Session, code: str = "shunde") -> int:
    return get_park_by_code(session=session, code=code).id or 0


def test_sixteen_edits_of_a_lead_from_one_version_one_wins(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int], int]:
        admins = admin_ids(session)
        lead = _lead(session, user_by_id(session, admins[0]))
        return lead.id or 0, admins, lead.version

    lead_id, admins, version = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, Lead, LeadFields]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        fields = lead.model_dump(include=set(LeadFields.model_fields))
        data = LeadFields(**fields | {"description": f"第 {n} 人"})
        return user_by_id(session, admins[n]), lead, data

    def write(session: Session, value: tuple[User, Lead, LeadFields]) -> None:
        actor, lead, data = value
        leads.update(session=session, actor=actor, lead=lead, data=data, version=version)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert audit_count(shared, "lead", lead_id, "update") == 1


@pytest.mark.parametrize("sends_version", [True, False], ids=["with version", "without"])
def test_sixteen_moves_of_a_lead_make_one_move(shared: Engine, sends_version: bool) -> None:
    def build(session: Session) -> tuple[int, list[int], int]:
        admins = admin_ids(session)
        lead = _lead(session, user_by_id(session, admins[0]))
        return lead.id or 0, admins, lead.version

    lead_id, admins, version = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, Lead]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return user_by_id(session, admins[n]), lead

    def write(session: Session, value: tuple[User, Lead]) -> None:
        actor, lead = value
        data = LeadMoveFields(to_stage=LeadStage.contact, on=china_today())
        lead_stages.move(
            session=session,
            actor=actor,
            lead=lead,
            data=data,
            version=version if sends_version else None,
        )

    outcome = Race(read, write).run(shared)
    # Without a version the later ones find the lead already there (“项目已处于…”): 409 too.
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert row_count(shared, LeadMove, lead_id=lead_id, to_stage=LeadStage.contact) == 1
    assert audit_count(shared, "lead", lead_id, "move") == 1


def test_sixteen_arrivals_and_follow_ups_at_once_all_count(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int], int]:
        admins = admin_ids(session)
        lead = _lead(session, user_by_id(session, admins[0]), LeadStage.signed)
        return lead.id or 0, admins, lead.version

    lead_id, admins, version = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, Lead, int]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return user_by_id(session, admins[n]), lead, n

    def write(session: Session, value: tuple[User, Lead, int]) -> None:
        actor, lead, n = value
        if n % 2:
            data = ArrivalFields(amount=n, arrived_on=date(2024, 3, 1))
            lead_stages.add_arrival(session=session, actor=actor, lead=lead, data=data)
        else:
            entry = FollowUpFields(on=date(2024, 3, n + 1), notes=f"第 {n} 次", next_step=str(n))
            followups.log(session=session, actor=actor, lead=lead, data=entry)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: WRITERS}
    with Session(shared) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        assert lead.capital_arrived == sum(range(1, WRITERS, 2))  # no arrival lost
        assert lead.version == version + WRITERS  # each change counted
        assert lead.next_step == str(WRITERS - 2)  # the latest follow-up's, whoever came last


def test_sixteen_removals_of_one_contact_remove_it_once(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, int, list[int]]:
        admins = admin_ids(session)
        owner = user_by_id(session, admins[0])
        lead = _lead(session, owner)
        contact = lead_contacts.add_contact(
            session=session, actor=owner, lead=lead, data=ContactFields(name="张三")
        )
        return lead.id or 0, contact.id or 0, admins

    lead_id, contact_id, admins = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, Lead]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return user_by_id(session, admins[n]), lead

    def write(session: Session, value: tuple[User, Lead]) -> None:
        actor, lead = value
        lead_contacts.remove_contact(session=session, actor=actor, lead=lead, contact_id=contact_id)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 404: WRITERS - 1}
    assert audit_count(shared, "lead_contact", contact_id, "delete") == 1


def _carrier(session: Session, actor: User, name: str) -> Carrier:
    data = CarrierFields(park_id=_park(session), name=name, total_area=5000, available_area=5000)
    return carriers.create(session=session, actor=actor, data=data)


def test_sixteen_edits_of_a_carrier_from_one_version_one_wins(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        admins = admin_ids(session)
        return _carrier(session, user_by_id(session, admins[0]), "并发编辑载体").id or 0, admins

    carrier_id, admins = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, Carrier]:
        return user_by_id(session, admins[n]), carriers.get(session=session, carrier_id=carrier_id)

    def write(session: Session, value: tuple[User, Carrier]) -> None:
        actor, carrier = value
        fields = carrier.model_dump(include=set(CarrierFields.model_fields))
        data = CarrierFields(**fields | {"note": f"由 {actor.username} 修改"})
        carriers.update(session=session, actor=actor, carrier=carrier, data=data, version=1)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert audit_count(shared, "carrier", carrier_id, "update") == 1


def test_sixteen_signed_projects_reserving_one_carrier_one_gets_it(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[tuple[int, int]]]:
        owners = [make_user(session, Role.promotion) for _ in range(WRITERS)]
        carrier = _carrier(session, make_user(session, Role.admin), "并发预留载体")
        projects = [(o.id or 0, _lead(session, o, LeadStage.signed).id or 0) for o in owners]
        return carrier.id or 0, projects

    carrier_id, projects = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, Carrier, Lead]:
        owner_id, lead_id = projects[n]
        lead = session.get(Lead, lead_id)
        carrier = carriers.get(session=session, carrier_id=carrier_id)
        assert lead is not None
        return user_by_id(session, owner_id), carrier, lead

    def write(session: Session, value: tuple[User, Carrier, Lead]) -> None:
        actor, carrier, lead = value
        carriers.reserve(session=session, actor=actor, carrier=carrier, lead=lead, on=china_today())

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert audit_count(shared, "carrier", carrier_id, "update") == 1
    with Session(shared) as session:
        holders = [lead_id for _, lead_id in projects if session.get(Lead, lead_id).site_on]  # type: ignore[union-attr]
        carrier = carriers.get(session=session, carrier_id=carrier_id)
        assert holders == [carrier.reserved_lead_id]  # one project's site secured: the holder's


def test_sixteen_admins_disabling_one_account_disable_it_once(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        return make_user(session, Role.viewer).id or 0, admin_ids(session)

    user_id, admins = build_committed(shared, build)

    def read(session: Session, n: int) -> User:
        return user_by_id(session, admins[n])

    def write(session: Session, actor: User) -> None:
        users.set_active(session=session, actor=actor, user_id=user_id, active=False)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: WRITERS}  # as one after another
    with Session(shared) as session:
        entries = audit.history(session=session, object_type="app_user", object_id=user_id)
        assert [e.action for e in entries].count("update") == 1


def test_sixteen_admins_setting_a_targets_shares_at_once_leave_one_share_per_park(
    shared: Engine,
) -> None:
    admins = build_committed(shared, admin_ids)

    def read(session: Session, n: int) -> tuple[User, targets.Target, int]:
        target = targets.get_by_code(session=session, code="003-high-tech")
        return user_by_id(session, admins[n]), target, _park(session, "nanhai")

    def write(session: Session, value: tuple[User, targets.Target, int]) -> None:
        actor, target, park = value
        target_shares.set_shares(
            session=session, actor=actor, target=target, parks={park: 7}, chains={}
        )

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: WRITERS}
    with Session(shared) as session:
        target = targets.get_by_code(session=session, code="003-high-tech")
        assert row_count(shared, TargetShare, target_id=target.id) == 1  # not one per writer
