from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from core import audit
from core.accounts import Role, User
from core.errors import Conflict, FieldErrors, PermissionDenied
from enterprises.cultivation import designations, pipeline, standing
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, MoveFields, Stage
from tests.factories import make_enterprise, make_user


def _start(
    session: Session, code: str = "high-tech", on: date = date(2021, 3, 1)
) -> tuple[User, Cultivation]:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session)
    designation = designations.get_by_code(session=session, code=code)
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=firm.id or 0,
        designation=designation,
        chain_id=None,
        on=on,
    )
    return admin, cultivation


def _move(
    session: Session, actor: User, cultivation: Cultivation, stage: Stage, on: date, **extra: Any
) -> CultivationEvent:
    return pipeline.move(
        session=session,
        actor=actor,
        cultivation=cultivation,
        data=MoveFields(to_stage=stage, on=on, **extra),
        today=on,
    )


@pytest.mark.parametrize(
    ("current", "target", "tier_up", "ordinary"),
    [
        (Stage.candidate, Stage.pool, False, True),
        (Stage.pool, Stage.applied, False, True),
        (Stage.applied, Stage.recognised, False, True),
        (Stage.applied, Stage.rejected, False, True),
        (Stage.recognised, Stage.revoked, False, True),
        (Stage.recognised, Stage.lapsed, False, True),
        (Stage.recognised, Stage.recognised, True, True),
        (Stage.lapsed, Stage.candidate, False, True),
        (Stage.candidate, Stage.applied, False, False),
        (Stage.candidate, Stage.recognised, False, False),
        (Stage.applied, Stage.pool, False, False),
        (Stage.pool, Stage.rejected, False, False),
        (Stage.recognised, Stage.recognised, False, False),
        (Stage.rejected, Stage.applied, False, False),
    ],
)
def test_stage_order(current: Stage, target: Stage, tier_up: bool, ordinary: bool) -> None:
    assert pipeline.is_ordinary(current, target, tier_up) is ordinary


def test_a_park_bureau_moves_in_order_and_may_not_skip(session: Session) -> None:
    _, cultivation = _start(session)
    bureau = make_user(session, Role.park_bureau)
    with pytest.raises(PermissionDenied, match="不符合培育顺序"):
        _move(session, bureau, cultivation, Stage.recognised, date(2021, 4, 1))
    _move(session, bureau, cultivation, Stage.pool, date(2021, 4, 1))
    assert cultivation.stage == Stage.pool and cultivation.version == 2


def test_an_admin_skips_only_with_a_reason(session: Session) -> None:
    admin, cultivation = _start(session)
    with pytest.raises(FieldErrors, match="须说明原因"):
        _move(session, admin, cultivation, Stage.applied, date(2021, 4, 1))
    event = _move(session, admin, cultivation, Stage.applied, date(2021, 4, 1), note="省厅直接受理")
    assert event.forced and event.from_stage == Stage.candidate


def test_recognition_carries_validity_and_lapses_on_its_own(session: Session) -> None:
    admin, cultivation = _start(session)
    for stage, on in ((Stage.pool, date(2021, 4, 1)), (Stage.applied, date(2021, 6, 1))):
        _move(session, admin, cultivation, stage, on)
    _move(session, admin, cultivation, Stage.recognised, date(2021, 12, 15), batch="2021年第二批")
    assert cultivation.valid_until == date(2024, 12, 14) and cultivation.batch == "2021年第二批"
    assert pipeline.effective_stage(cultivation, date(2024, 12, 14)) == Stage.recognised
    assert pipeline.effective_stage(cultivation, date(2024, 12, 15)) == Stage.lapsed
    assert pipeline.lapse_expired(session=session, today=date(2024, 12, 20)) >= 1
    events = standing.events_of(session=session, cultivation_ids=[cultivation.id or 0])
    last = events[cultivation.id or 0][-1]
    assert (last.to_stage, last.on, last.actor_name) == (Stage.lapsed, date(2024, 12, 15), "system")


def test_state_on_a_past_date_is_recomputed_from_the_events(session: Session) -> None:
    admin, cultivation = _start(session, on=date(2022, 1, 10))
    _move(session, admin, cultivation, Stage.pool, date(2022, 3, 1))
    _move(session, admin, cultivation, Stage.applied, date(2022, 6, 1))
    _move(session, admin, cultivation, Stage.recognised, date(2022, 12, 20))
    cid = cultivation.id or 0
    high_tech = designations.get_by_code(session=session, code="high-tech").id or 0

    def on(day: date) -> Stage | None:
        state = standing.stages_on(session=session, day=day, designation_ids=[high_tech])
        return state[cid][0] if cid in state else None

    assert on(date(2022, 1, 9)) is None
    assert on(date(2022, 5, 31)) == Stage.pool
    assert on(date(2022, 12, 19)) == Stage.applied
    assert on(date(2022, 12, 31)) == Stage.recognised
    assert on(date(2025, 12, 20)) == Stage.lapsed


def test_unicorn_tiers_are_promotions_each_recorded(session: Session) -> None:
    admin, cultivation = _start(session, code="unicorn")
    unicorn = designations.get_by_code(session=session, code="unicorn")
    seed, potential, top = designations.tiers_of(session=session, designation_id=unicorn.id or 0)
    bureau = make_user(session, Role.park_bureau)
    for stage in (Stage.pool, Stage.applied):
        _move(session, admin, cultivation, stage, date(2022, 1, 1))
    _move(session, admin, cultivation, Stage.recognised, date(2022, 2, 1))
    assert cultivation.tier_id == seed.id
    _move(session, bureau, cultivation, Stage.recognised, date(2023, 2, 1), tier_id=potential.id)
    assert cultivation.tier_id == potential.id and cultivation.recognised_on == date(2022, 2, 1)
    with pytest.raises(PermissionDenied):
        _move(session, bureau, cultivation, Stage.recognised, date(2023, 3, 1), tier_id=seed.id)
    events = standing.events_of(session=session, cultivation_ids=[cultivation.id or 0])
    assert [e.tier_id for e in events[cultivation.id or 0]][-2:] == [seed.id, potential.id]
    assert top.rank == 3


def test_a_stale_version_is_refused(session: Session) -> None:
    admin, cultivation = _start(session)
    with pytest.raises(Conflict):
        pipeline.move(
            session=session,
            actor=admin,
            cultivation=cultivation,
            data=MoveFields(to_stage=Stage.pool, on=date(2021, 4, 1)),
            version=cultivation.version + 5,
        )
    assert cultivation.stage == Stage.candidate


def test_anchor_needs_a_chain_and_a_firm_is_a_candidate_once(session: Session) -> None:
    admin, cultivation = _start(session)
    anchor = designations.get_by_code(session=session, code="anchor")
    with pytest.raises(FieldErrors, match="按产业链认定"):
        pipeline.start(
            session=session,
            actor=admin,
            enterprise_id=cultivation.enterprise_id,
            designation=anchor,
            chain_id=None,
            on=date(2022, 1, 1),
        )
    with pytest.raises(Conflict, match="已在“高新技术企业”培育名单中"):
        pipeline.start(
            session=session,
            actor=admin,
            enterprise_id=cultivation.enterprise_id,
            designation=designations.get_by_code(session=session, code="high-tech"),
            chain_id=None,
            on=date(2022, 1, 1),
        )


def _audited(session: Session, cultivation: Cultivation) -> list[tuple[Any, ...]]:
    entries = audit.history(
        session=session, object_type="cultivation", object_id=cultivation.id or 0
    )
    return [
        (e.action, e.actor_name, (e.before or {}).get("stage"), (e.after or {}).get("stage"))
        for e in reversed(entries)
    ]


def test_starts_and_moves_are_in_the_audit_log(session: Session) -> None:
    admin, cultivation = _start(session)
    bureau = make_user(session, Role.park_bureau)
    _move(session, bureau, cultivation, Stage.pool, date(2021, 4, 1))
    _move(session, admin, cultivation, Stage.recognised, date(2021, 5, 1), note="省厅直接认定")
    assert _audited(session, cultivation) == [
        ("create", admin.username, None, "candidate"),
        ("move", bureau.username, "candidate", "pool"),
        ("move", admin.username, "pool", "recognised"),
    ]
    last = audit.history(session=session, object_type="cultivation", object_id=cultivation.id or 0)
    assert last[0].after is not None and last[0].after["forced"] is True
    assert last[0].object_label.endswith("· 高新技术企业")
    pipeline.lapse_expired(session=session, today=date(2030, 1, 1))
    assert _audited(session, cultivation)[-1] == ("move", "system", "recognised", "lapsed")


def test_a_bulk_move_is_audited_per_firm_or_not_at_all(session: Session) -> None:
    admin, first = _start(session)
    _, second = _start(session)
    _move(session, admin, second, Stage.pool, date(2021, 4, 1))
    bureau = make_user(session, Role.park_bureau, park="shunde")
    # The first could move, the second is there already (a Conflict): neither moves.
    with pytest.raises(Conflict):
        pipeline.bulk_move(
            session=session,
            actor=bureau,
            cultivation_ids=[first.id or 0, second.id or 0],
            data=MoveFields(to_stage=Stage.pool, on=date(2021, 5, 1)),
        )
    assert [a for a, *_ in _audited(session, first)] == ["create"]
    moved = pipeline.bulk_move(
        session=session,
        actor=admin,
        cultivation_ids=[first.id or 0],
        data=MoveFields(to_stage=Stage.pool, on=date(2021, 5, 1), note="第一批入库"),
    )
    assert moved == 1
    assert _audited(session, first)[-1] == ("move", admin.username, "candidate", "pool")
