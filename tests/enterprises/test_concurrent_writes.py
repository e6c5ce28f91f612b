"""Sixteen writers of one record at once, each in its own transaction, on the suite's database.

Of writers that read one version exactly one wins and the others get Conflict (409); writers
that sent no version run one after another and get what they would have got one by one; and
each change writes its event and audit entry once.
"""

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from core import audit, users
from core.accounts import Role, User
from core.audit import AuditEntry
from core.db import make_engine
from core.orgs import get_park_by_code
from enterprises import (
    carriers,
    designations,
    followups,
    lead_contacts,
    lead_stages,
    leads,
    pipeline,
    target_shares,
    targets,
)
from enterprises import service as enterprise_service
from enterprises.carriers import Carrier, CarrierFields
from enterprises.followups import FollowUpFields
from enterprises.lead_contacts import ContactFields
from enterprises.lead_stages import ArrivalFields, LeadMove, LeadMoveFields
from enterprises.leads import Lead, LeadFields, LeadStage
from enterprises.models import Enterprise, EnterpriseFields, EnterpriseUpdate
from enterprises.pipeline import Cultivation, CultivationEvent, MoveFields, Stage
from enterprises.target_shares import TargetShare
from tests.concurrency import WRITERS, Race
from tests.databases import drop_scratch, seeded_scratch
from tests.factories import make_enterprise, make_lead, make_user


@pytest.fixture(scope="module")
def shared(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = seeded_scratch(database_url, tmp_path_factory.mktemp("writes"))
    engine = make_engine(url, pool_size=WRITERS + 1)
    yield engine
    engine.dispose()
    drop_scratch(url, database_url)


def _made(engine: Engine, build: Callable[[Session], Any]) -> Any:
    """Build data through the services and commit it; return what build returns."""
    with Session(engine, expire_on_commit=False) as session:
        made = build(session)
        session.commit()
        return made


def _admins(session: Session, count: int = WRITERS) -> list[int]:
    return [make_user(session, Role.admin).id or 0 for _ in range(count)]


def _actor(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user


def _entries(engine: Engine, object_type: str, object_id: int, action: str) -> int:
    with Session(engine) as session:
        stmt = select(func.count()).where(
            col(AuditEntry.object_type) == object_type,
            col(AuditEntry.object_id) == str(object_id),
            col(AuditEntry.action) == action,
        )
        return int(session.exec(stmt).one())


def _rows(engine: Engine, model: Any, **where: Any) -> int:
    with Session(engine) as session:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int(session.exec(stmt).one())


def test_sixteen_edits_of_a_firm_from_one_version_one_wins(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        firm = make_enterprise(session, name="佛山市并发编辑一号有限公司", employees=0)
        return firm.id or 0, _admins(session)

    firm_id, admins = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, EnterpriseUpdate]:
        firm = session.get(Enterprise, firm_id)
        assert firm is not None
        fields = firm.model_dump(include=set(EnterpriseFields.model_fields))
        return _actor(session, admins[n]), EnterpriseUpdate(
            **fields | {"employees": n + 1}, version=1
        )

    def write(session: Session, value: tuple[User, EnterpriseUpdate]) -> None:
        actor, data = value
        enterprise_service.update(session=session, actor=actor, enterprise_id=firm_id, data=data)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert _entries(shared, "enterprise", firm_id, "update") == 1
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
        admins = _admins(session)
        lead = _lead(session, _actor(session, admins[0]))
        return lead.id or 0, admins, lead.version

    lead_id, admins, version = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, Lead, LeadFields]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        fields = lead.model_dump(include=set(LeadFields.model_fields))
        data = LeadFields(**fields | {"description": f"第 {n} 人"})
        return _actor(session, admins[n]), lead, data

    def write(session: Session, value: tuple[User, Lead, LeadFields]) -> None:
        actor, lead, data = value
        leads.update(session=session, actor=actor, lead=lead, data=data, version=version)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert _entries(shared, "lead", lead_id, "update") == 1


@pytest.mark.parametrize("sends_version", [True, False], ids=["with version", "without"])
def test_sixteen_moves_of_a_lead_make_one_move(shared: Engine, sends_version: bool) -> None:
    def build(session: Session) -> tuple[int, list[int], int]:
        admins = _admins(session)
        lead = _lead(session, _actor(session, admins[0]))
        return lead.id or 0, admins, lead.version

    lead_id, admins, version = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, Lead]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return _actor(session, admins[n]), lead

    def write(session: Session, value: tuple[User, Lead]) -> None:
        actor, lead = value
        data = LeadMoveFields(to_stage=LeadStage.contact, on=date.today())
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
    assert _rows(shared, LeadMove, lead_id=lead_id, to_stage=LeadStage.contact) == 1
    assert _entries(shared, "lead", lead_id, "move") == 1


def test_sixteen_arrivals_and_follow_ups_at_once_all_count(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int], int]:
        admins = _admins(session)
        lead = _lead(session, _actor(session, admins[0]), LeadStage.signed)
        return lead.id or 0, admins, lead.version

    lead_id, admins, version = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, Lead, int]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return _actor(session, admins[n]), lead, n

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
        admins = _admins(session)
        owner = _actor(session, admins[0])
        lead = _lead(session, owner)
        contact = lead_contacts.add_contact(
            session=session, actor=owner, lead=lead, data=ContactFields(name="张三")
        )
        return lead.id or 0, contact.id or 0, admins

    lead_id, contact_id, admins = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, Lead]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return _actor(session, admins[n]), lead

    def write(session: Session, value: tuple[User, Lead]) -> None:
        actor, lead = value
        lead_contacts.remove_contact(session=session, actor=actor, lead=lead, contact_id=contact_id)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 404: WRITERS - 1}
    assert _entries(shared, "lead_contact", contact_id, "delete") == 1


def _carrier(session: Session, actor: User, name: str) -> Carrier:
    data = CarrierFields(park_id=_park(session), name=name, total_area=5000, available_area=5000)
    return carriers.create(session=session, actor=actor, data=data)


def test_sixteen_edits_of_a_carrier_from_one_version_one_wins(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        admins = _admins(session)
        return _carrier(session, _actor(session, admins[0]), "并发编辑载体").id or 0, admins

    carrier_id, admins = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, Carrier]:
        return _actor(session, admins[n]), carriers.get(session=session, carrier_id=carrier_id)

    def write(session: Session, value: tuple[User, Carrier]) -> None:
        actor, carrier = value
        fields = carrier.model_dump(include=set(CarrierFields.model_fields))
        data = CarrierFields(**fields | {"note": f"由 {actor.username} 修改"})
        carriers.update(session=session, actor=actor, carrier=carrier, data=data, version=1)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert _entries(shared, "carrier", carrier_id, "update") == 1


def test_sixteen_signed_projects_reserving_one_carrier_one_gets_it(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[tuple[int, int]]]:
        owners = [make_user(session, Role.promotion) for _ in range(WRITERS)]
        carrier = _carrier(session, make_user(session, Role.admin), "并发预留载体")
        projects = [(o.id or 0, _lead(session, o, LeadStage.signed).id or 0) for o in owners]
        return carrier.id or 0, projects

    carrier_id, projects = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, Carrier, Lead]:
        owner_id, lead_id = projects[n]
        lead = session.get(Lead, lead_id)
        carrier = carriers.get(session=session, carrier_id=carrier_id)
        assert lead is not None
        return _actor(session, owner_id), carrier, lead

    def write(session: Session, value: tuple[User, Carrier, Lead]) -> None:
        actor, carrier, lead = value
        carriers.reserve(session=session, actor=actor, carrier=carrier, lead=lead, on=date.today())

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert _entries(shared, "carrier", carrier_id, "update") == 1
    with Session(shared) as session:
        holders = [lead_id for _, lead_id in projects if session.get(Lead, lead_id).site_on]  # type: ignore[union-attr]
        carrier = carriers.get(session=session, carrier_id=carrier_id)
        assert holders == [carrier.reserved_lead_id]  # one project's site secured: the holder's


def _candidate(session: Session, actor: User, name: str) -> Cultivation:
    firm = make_enterprise(session, actor=actor, name=name)
    return pipeline.start(
        session=session,
        actor=actor,
        enterprise_id=firm.id or 0,
        designation=designations.get_by_code(session=session, code="gazelle"),
        chain_id=None,
        on=date(2024, 1, 5),
    )


@pytest.mark.parametrize("sends_version", [True, False], ids=["with version", "without"])
def test_sixteen_moves_of_a_cultivation_make_one_move(shared: Engine, sends_version: bool) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        bureaus = [make_user(session, Role.park_bureau).id or 0 for _ in range(WRITERS)]
        name = f"佛山市并发培育{int(sends_version)}号有限公司"
        return _candidate(session, make_user(session, Role.admin), name).id or 0, bureaus

    cultivation_id, bureaus = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, Cultivation]:
        return _actor(session, bureaus[n]), pipeline.get(
            session=session, cultivation_id=cultivation_id
        )

    def write(session: Session, value: tuple[User, Cultivation]) -> None:
        actor, cultivation = value
        data = MoveFields(to_stage=Stage.pool, on=date(2024, 2, 1))
        version = 1 if sends_version else None
        pipeline.move(
            session=session, actor=actor, cultivation=cultivation, data=data, version=version
        )

    outcome = Race(read, write).run(shared)
    # The losers are told it moved (409), not that pool → pool is out of order (403).
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert _rows(shared, CultivationEvent, cultivation_id=cultivation_id, to_stage=Stage.pool) == 1


def test_sixteen_starts_of_one_pipeline_start_it_once(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        firm = make_enterprise(session, name="佛山市并发入库有限公司")
        return firm.id or 0, _admins(session)

    firm_id, admins = _made(shared, build)

    def read(session: Session, n: int) -> User:
        return _actor(session, admins[n])

    def write(session: Session, actor: User) -> None:
        pipeline.start(
            session=session,
            actor=actor,
            enterprise_id=firm_id,
            designation=designations.get_by_code(session=session, code="high-tech"),
            chain_id=None,
            on=date(2024, 1, 5),
        )

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert _rows(shared, Cultivation, enterprise_id=firm_id) == 1


def test_sixteen_bulk_moves_of_overlapping_firms_one_moves_them(shared: Engine) -> None:
    def build(session: Session) -> tuple[list[int], list[int]]:
        admin = make_user(session, Role.admin)
        ids = [_candidate(session, admin, f"佛山市并发批量{n}号有限公司").id or 0 for n in range(4)]
        return ids, _admins(session)

    ids, admins = _made(shared, build)

    def read(session: Session, n: int) -> tuple[User, list[int]]:
        return _actor(session, admins[n]), ids[::-1] if n % 2 else ids  # opposite orders

    def write(session: Session, value: tuple[User, list[int]]) -> None:
        actor, chosen = value
        data = MoveFields(to_stage=Stage.pool, on=date(2024, 2, 1), note="批量入库")
        pipeline.bulk_move(session=session, actor=actor, cultivation_ids=chosen, data=data)

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    with Session(shared) as session:
        moved = select(func.count()).where(
            col(CultivationEvent.cultivation_id).in_(ids), CultivationEvent.to_stage == Stage.pool
        )
        assert session.exec(moved).one() == len(ids)


def test_sixteen_admins_disabling_one_account_disable_it_once(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        return make_user(session, Role.viewer).id or 0, _admins(session)

    user_id, admins = _made(shared, build)

    def read(session: Session, n: int) -> User:
        return _actor(session, admins[n])

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
    admins = _made(shared, _admins)

    def read(session: Session, n: int) -> tuple[User, targets.Target, int]:
        target = targets.get_by_code(session=session, code="003-high-tech")
        return _actor(session, admins[n]), target, _park(session, "nanhai")

    def write(session: Session, value: tuple[User, targets.Target, int]) -> None:
        actor, target, park = value
        target_shares.set_shares(
            session=session, actor=actor, target=target, parks={park: 7}, chains={}
        )

    outcome = Race(read, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: WRITERS}
    with Session(shared) as session:
        target = targets.get_by_code(session=session, code="003-high-tech")
        assert _rows(shared, TargetShare, target_id=target.id) == 1  # not one per writer
