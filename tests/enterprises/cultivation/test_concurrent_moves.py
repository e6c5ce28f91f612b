"""Sixteen writers of one cultivation at once (moves, starts, bulk moves): one winner, and
each change written once."""

from datetime import date

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from core.accounts import Role, User
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, MoveFields, Stage
from tests.concurrency import (
    WRITERS,
    Race,
    admin_ids,
    build_committed,
    row_count,
    user_by_id,
)
from tests.factories import make_enterprise, make_user


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

    cultivation_id, bureaus = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, Cultivation]:
        return user_by_id(session, bureaus[n]), pipeline.get(
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
    assert (
        row_count(shared, CultivationEvent, cultivation_id=cultivation_id, to_stage=Stage.pool) == 1
    )


def test_sixteen_starts_of_one_pipeline_start_it_once(shared: Engine) -> None:
    def build(session: Session) -> tuple[int, list[int]]:
        firm = make_enterprise(session, name="佛山市并发入库有限公司")
        return firm.id or 0, admin_ids(session)

    firm_id, admins = build_committed(shared, build)

    def read(session: Session, n: int) -> User:
        return user_by_id(session, admins[n])

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
    assert row_count(shared, Cultivation, enterprise_id=firm_id) == 1


def test_sixteen_bulk_moves_of_overlapping_firms_one_moves_them(shared: Engine) -> None:
    def build(session: Session) -> tuple[list[int], list[int]]:
        admin = make_user(session, Role.admin)
        ids = [_candidate(session, admin, f"佛山市并发批量{n}号有限公司").id or 0 for n in range(4)]
        return ids, admin_ids(session)

    ids, admins = build_committed(shared, build)

    def read(session: Session, n: int) -> tuple[User, list[int]]:
        return user_by_id(session, admins[n]), ids[::-1] if n % 2 else ids  # opposite orders

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
