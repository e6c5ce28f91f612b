"""Cultivation lists of a designation at any stage: 候选, 入库培育, 申报, 认定 (issue 19)."""

from datetime import date

import pytest
from sqlmodel import Session, col, select

from core.accounts import Role, User
from core.errors import FieldErrors
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.pipeline import Cultivation, CultivationEvent, MoveFields, Stage
from enterprises.registry.models import Enterprise
from enterprises.spreadsheets import imports
from enterprises.spreadsheets.imports import ImportBatch
from tests.factories import commit_import, make_enterprise, make_user, preview_import, undo_import


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _stage(session: Session, actor: User, content: bytes, stage: str) -> ImportBatch:
    gazelle = designations.get_by_code(session=session, code="gazelle")
    return imports.stage(
        session=session,
        actor=actor,
        filename="培育库.csv",
        content=content,
        designation_id=gazelle.id,
        list_stage=stage,
    )


def _cultivation(session: Session, name: str) -> Cultivation | None:
    firm = session.exec(select(Enterprise).where(Enterprise.name == name)).first()
    if firm is None:
        return None
    return session.exec(select(Cultivation).where(Cultivation.enterprise_id == firm.id)).first()


def _start(session: Session, admin: User, firm: Enterprise, *stages: Stage) -> Cultivation:
    gazelle = designations.get_by_code(session=session, code="gazelle")
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=firm.id or 0,
        designation=gazelle,
        chain_id=None,
        on=date(2025, 1, 10),
    )
    for n, stage in enumerate(stages):
        pipeline.move(
            session=session,
            actor=admin,
            cultivation=cultivation,
            data=MoveFields(to_stage=stage, on=date(2025, 2, 1 + n)),
        )
    return cultivation


def test_a_pool_list_places_new_firms_and_moves_candidates_one_stage_on(session: Session) -> None:
    admin = make_user(session, Role.admin)
    candidate = make_enterprise(session, name="佛山市候选入库测试有限公司")
    cultivation = _start(session, admin, candidate)
    content = _csv(
        "企业名称,入库日期",
        f"{candidate.name},2025-06-01",
        "佛山市直接入库测试有限公司,2025-06-01",
    )
    batch = _stage(session, admin, content, "pool")
    assert batch.stage == Stage.pool
    assert [r.status for r in preview_import(session, batch).rows] == ["same", "new"]
    commit_import(session, admin, batch)
    assert batch.recognised_count == 2
    session.refresh(cultivation)
    assert (cultivation.stage, cultivation.recognised_on) == (Stage.pool, None)
    placed = _cultivation(session, "佛山市直接入库测试有限公司")
    assert placed is not None and placed.stage == Stage.pool and placed.valid_until is None
    event = session.exec(
        select(CultivationEvent)
        .where(CultivationEvent.cultivation_id == cultivation.id)
        .order_by(col(CultivationEvent.id).desc())
    ).first()
    assert event is not None
    assert (event.from_stage, event.to_stage, event.on) == (
        Stage.candidate,
        Stage.pool,
        date(2025, 6, 1),
    )
    assert event.note == "依据名单导入：培育库.csv"
    undo_import(session, admin, batch)
    session.refresh(cultivation)
    assert cultivation.stage == Stage.candidate
    assert _cultivation(session, "佛山市直接入库测试有限公司") is None


def test_a_row_stage_column_overrides_the_list_and_errors_name_row_and_column(
    session: Session,
) -> None:
    admin = make_user(session, Role.admin)
    bureau = make_user(session, Role.park_bureau, park="shunde")
    ahead = make_enterprise(session, park="shunde", name="佛山市已申报测试有限公司")
    _start(session, admin, ahead, Stage.pool, Stage.applied)
    skipping = make_enterprise(session, park="shunde", name="佛山市跳级测试有限公司")
    _start(session, admin, skipping)
    content = _csv(
        "企业名称,所属园区,培育阶段",
        "佛山市阶段候选测试有限公司,顺德园,候选",
        "佛山市阶段申报测试有限公司,顺德园,申报",
        f"{ahead.name},顺德园,入库",
        f"{skipping.name},顺德园,申报",
        "佛山市阶段未知测试有限公司,顺德园,待定",
    )
    rows = preview_import(session, _stage(session, bureau, content, "candidate")).rows
    assert [r.status for r in rows] == ["new", "new", "error", "error", "error"]
    assert rows[2].errors == [
        f"第 4 行「阶段」：企业「{ahead.name}」已处于“申报”阶段，名单不能将其退回“入库培育”"
    ]
    assert rows[3].errors == [
        f"第 5 行「阶段」：企业「{skipping.name}」处于“候选”阶段，直接列为“申报”不符合培育顺序，"
        "须由管理员导入"
    ]
    assert rows[4].errors == [
        "第 6 行「培育阶段」：未知阶段“待定”（应为候选、入库培育、申报、认定之一）"
    ]
    # An admin may place a firm two stages on (an event marked as out of order).
    batch = _stage(session, admin, _csv("企业名称,阶段", f"{skipping.name},申报"), "candidate")
    commit_import(session, admin, batch)
    moved = _cultivation(session, skipping.name)
    assert moved is not None and moved.stage == Stage.applied
    last = session.exec(
        select(CultivationEvent)
        .where(CultivationEvent.cultivation_id == moved.id)
        .order_by(col(CultivationEvent.id).desc())
    ).first()
    assert last is not None and last.forced and last.from_stage == Stage.candidate


def test_a_recognition_list_still_needs_its_year_and_a_stage_must_be_known(
    session: Session,
) -> None:
    admin = make_user(session, Role.admin)
    rows = preview_import(
        session, _stage(session, admin, _csv("企业名称", "佛山市无年度测试有限公司"), "recognised")
    ).rows
    assert rows[0].errors == ["第 2 行：导入“瞪羚企业”认定名单须有「认定年度」或「认定日期」"]
    candidates = _stage(session, admin, _csv("企业名称", "佛山市无年度测试有限公司"), "candidate")
    assert [r.status for r in preview_import(session, candidates).rows] == ["new"]
    with pytest.raises(FieldErrors, match="阶段应为候选、入库培育、申报、认定之一"):
        _stage(session, admin, _csv("企业名称", "佛山市无年度测试有限公司"), "lapsed")
