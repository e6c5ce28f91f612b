"""Imports as an attacker and a careful user meet them: another park's firms, phones in the
preview, back-dated recognitions, chains and segments, undo beside later work (issue 17)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlmodel import Session, col, select

from core import audit
from core.accounts import Role, User
from core.errors import Conflict, NotFound, PermissionDenied
from core.orgs import get_park_by_code
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.pipeline import Cultivation, MoveFields, Stage
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import (
    Enterprise,
    EnterpriseUpdate,
    Membership,
    MembershipReview,
    MembershipSource,
)
from enterprises.spreadsheets import import_commit, imports
from enterprises.spreadsheets.imports import ImportBatch, ImportChange, ImportStatus
from tests.factories import (
    commit_import,
    make_enterprise,
    make_user,
    preview_import,
    undo_import,
)


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _stage(session: Session, actor: User, content: bytes, designation: str = "") -> ImportBatch:
    found = designations.get_by_code(session=session, code=designation) if designation else None
    return imports.stage(
        session=session,
        actor=actor,
        filename="名单.csv",
        content=content,
        designation_id=found.id if found else None,
    )


def _firm(session: Session, name: str) -> Enterprise | None:
    return session.exec(select(Enterprise).where(Enterprise.name == name)).first()


@pytest.mark.parametrize(
    ("bureau_park", "other_park", "label"),
    [("shunde", "chancheng", "禅城园"), ("nanhai", "shunde", "顺德园")],
)
def test_a_park_bureau_cannot_touch_another_parks_firm_by_name_or_code(
    session: Session, bureau_park: str, other_park: str, label: str
) -> None:
    other = make_enterprise(session, park=other_park, name=f"佛山市{label}越权测试有限公司")
    bureau = make_user(session, Role.park_bureau, park=bureau_park)
    batch = _stage(
        session,
        bureau,
        _csv(
            "企业名称,统一社会信用代码,营业收入",
            f"{other.name},,100",
            f"佛山市改名冒用有限公司,{other.credit_code},100",
        ),
    )
    result = preview_import(session, batch)
    assert [r.status for r in result.rows] == ["error", "error"]
    assert result.rows[0].errors == [f"第 2 行：企业「{other.name}」属于{label}，您无权修改"]
    assert result.rows[1].errors[-1] == f"第 3 行：企业「{other.name}」属于{label}，您无权修改"
    with pytest.raises(Exception, match="未导入任何数据"):
        commit_import(session, bureau, batch)
    session.refresh(other)
    assert other.park_id == get_park_by_code(session=session, code=other_park).id
    assert other.annual_revenue is None


def test_commit_checks_authority_again_and_reverts_the_chunks_it_wrote(session: Session) -> None:
    bureau = make_user(session, Role.park_bureau, park="shunde")
    own = make_enterprise(session, park="shunde", name="佛山市后来移园测试有限公司")
    batch = _stage(
        session,
        bureau,
        _csv(
            "企业名称,营业收入",
            "佛山市分批甲有限公司,1",
            "佛山市分批乙有限公司,2",
            f"{own.name},300",
        ),
    )
    admin = make_user(session, Role.admin)
    own_session = import_commit.in_one_session(session)
    writes = 0

    @contextmanager
    def steps(write: bool) -> Iterator[Session]:
        # An admin moves the firm to another park after the check, before the second chunk.
        nonlocal writes
        writes += write
        if write and writes == 3:
            chancheng = get_park_by_code(session=session, code="chancheng").id
            data = EnterpriseUpdate.model_validate(
                own.model_dump() | {"park_id": chancheng, "version": own.version}
            )
            enterprise_service.update(
                session=session, actor=admin, enterprise_id=own.id or 0, data=data
            )
        with own_session(write) as step:
            yield step

    refusal = "第 4 行：企业「佛山市后来移园测试有限公司」属于禅城园，您无权修改（未导入任何数据）"
    with pytest.raises(PermissionDenied) as refused:
        import_commit.commit(transactions=steps, actor=bureau, batch_id=batch.id or 0, chunk_rows=2)
    assert refused.value.message == refusal
    assert _firm(session, "佛山市分批甲有限公司") is None
    assert _firm(session, "佛山市分批乙有限公司") is None
    session.refresh(batch)
    assert (batch.status, batch.rows_done, batch.created_count) == (ImportStatus.pending, 0, 0)
    assert session.exec(select(ImportChange).where(ImportChange.batch_id == batch.id)).all() == []


def test_preview_masks_the_firms_phone_and_uploads_and_previews_are_audited(
    session: Session,
) -> None:
    firm = make_enterprise(session, name="佛山市电话遮蔽测试有限公司", contact_phone="13812345678")
    bureau = make_user(session, Role.park_bureau, park="shunde")
    batch = _stage(session, bureau, _csv("企业名称,联系电话", f"{firm.name},0"))
    row = preview_import(session, batch, keep=True).rows[0]
    assert row.changes["contact_phone"] == ("13812345678", "0")  # what the commit writes
    assert row.shown_changes["contact_phone"] == ("138****5678", "****")
    entries = audit.history(session=session, object_type="import_batch", object_id=batch.id or 0)
    assert {e.action for e in entries} == {"import_upload", "import_preview"}
    shown = next(e for e in entries if e.action == "import_preview")
    assert (shown.actor_id, shown.object_label, shown.after["rows"]) == (bureau.id, "名单.csv", 1)


def test_a_back_dated_recognition_is_refused_in_the_preview(session: Session) -> None:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, name="佛山市补登认定测试有限公司")
    gazelle = designations.get_by_code(session=session, code="gazelle")
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=firm.id or 0,
        designation=gazelle,
        chain_id=None,
        on=date(2024, 1, 10),
    )
    for stage, on in ((Stage.pool, date(2024, 2, 1)), (Stage.applied, date(2024, 3, 1))):
        pipeline.move(
            session=session,
            actor=admin,
            cultivation=cultivation,
            data=MoveFields(to_stage=stage, on=on),
        )
    batch = _stage(session, admin, _csv("企业名称,认定年度", f"{firm.name},2023"), "gazelle")
    [row] = preview_import(session, batch).rows
    assert row.status == "error"
    assert row.errors == [
        f"第 2 行：企业「{firm.name}」的认定日期 2023-12-31 早于其培育记录的最近一步"
        "（2024-03-01 申报），补登会使名单与历史统计不一致，请核对认定日期或先在培育记录中处理"
    ]
    later = _stage(session, admin, _csv("企业名称,认定日期", f"{firm.name},2024-06-30"), "gazelle")
    commit_import(session, admin, later)
    session.refresh(cultivation)
    assert (cultivation.stage, cultivation.recognised_on) == (Stage.recognised, date(2024, 6, 30))


def test_undo_puts_recognised_cultivations_back_at_their_stage_in_bulk(session: Session) -> None:
    admin = make_user(session, Role.admin)
    gazelle = designations.get_by_code(session=session, code="gazelle")
    firms = [make_enterprise(session, name=f"佛山市批量撤销{n}号有限公司") for n in range(5)]
    cultivations = []
    for firm in firms[:3]:
        cultivation = pipeline.start(
            session=session,
            actor=admin,
            enterprise_id=firm.id or 0,
            designation=gazelle,
            chain_id=None,
            on=date(2024, 1, 10),
        )
        pipeline.move(
            session=session,
            actor=admin,
            cultivation=cultivation,
            data=MoveFields(to_stage=Stage.pool, on=date(2024, 2, 1)),
        )
        cultivations.append(cultivation)
    lines = [f"{f.name},2024-06-30" for f in firms] + ["佛山市批量撤销新企业有限公司,2024-06-30"]
    batch = _stage(session, admin, _csv("企业名称,认定日期", *lines), "gazelle")
    commit_import(session, admin, batch)
    assert batch.recognised_count == 6
    for cultivation in cultivations:
        session.refresh(cultivation)
        assert cultivation.stage == Stage.recognised
    undo_import(session, admin, batch)
    for cultivation in cultivations:
        session.refresh(cultivation)
        assert (cultivation.stage, cultivation.recognised_on) == (Stage.pool, None)
        events = session.exec(
            select(pipeline.CultivationEvent)
            .where(pipeline.CultivationEvent.cultivation_id == cultivation.id)
            .order_by(pipeline.CultivationEvent.id)  # type: ignore[arg-type]
        ).all()
        assert [e.to_stage for e in events] == [
            Stage.candidate,
            Stage.pool,
            Stage.recognised,
            Stage.pool,
        ]
        assert events[-1].note == "撤销导入：名单.csv"
    # The cultivations the batch started are gone, and so is the firm it created.
    started = select(Cultivation).where(
        col(Cultivation.enterprise_id).in_([f.id for f in firms[3:]])
    )
    assert session.exec(started).all() == []
    assert _firm(session, "佛山市批量撤销新企业有限公司") is None
    logged = session.exec(
        select(audit.AuditEntry).where(audit.AuditEntry.action == "undo_import_recognise")
    ).all()
    assert sorted(int(e.object_id) for e in logged) == sorted(c.id or 0 for c in cultivations)
    assert session.exec(select(ImportChange).where(ImportChange.batch_id == batch.id)).all() == []


def test_chain_and_segment_are_checked_and_written_as_memberships(session: Session) -> None:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, name="佛山市环节导入测试有限公司")
    batch = _stage(
        session,
        admin,
        _csv(
            "企业名称,所属产业链,环节",
            f"{firm.name},机器人,伺服系统",
            "佛山市环节导入新企业有限公司,机器人产业链,控制器",
            "佛山市无此环节有限公司,机器人,不存在的环节",
            "佛山市只有产业链有限公司,机器人,",
            "佛山市无此产业链有限公司,火星链,伺服系统",
        ),
    )
    result = preview_import(session, batch)
    assert [r.status for r in result.rows] == ["same", "new", "error", "error", "error"]
    assert result.errors == [
        "第 4 行「环节」：该产业链没有环节“不存在的环节”",
        "第 5 行「产业链」：须同时填写「环节」，企业按环节归入产业链图谱",
        "第 6 行「所属产业链」：未知产业链“火星链”",
        "第 6 行「环节」：填写环节时须同时填写产业链",
    ]
    good = _stage(
        session,
        admin,
        _csv(
            "企业名称,所属产业链,环节",
            f"{firm.name},机器人,伺服系统",
            "佛山市环节导入新企业有限公司,机器人产业链,控制器",
        ),
    )
    commit_import(session, admin, good)
    held = session.exec(select(Membership).where(Membership.enterprise_id == firm.id)).all()
    assert len(held) == 1
    # An import's places wait for the chain chief's review (待确认).
    assert held[0].review == MembershipReview.pending
    assert held[0].entered_by == MembershipSource.imported
    assert held[0].entered_note == f"名单导入（第 {good.id} 批）"
    created = _firm(session, "佛山市环节导入新企业有限公司")
    assert created is not None
    assert session.exec(select(Membership).where(Membership.enterprise_id == created.id)).one()
    undo_import(session, admin, good)
    assert session.exec(select(Membership).where(Membership.enterprise_id == firm.id)).all() == []


def _two_batches(session: Session, admin: User) -> tuple[ImportBatch, ImportBatch]:
    v1 = _stage(
        session,
        admin,
        _csv("企业名称,营业收入", "佛山市两批甲有限公司,100", "佛山市两批乙有限公司,200"),
    )
    commit_import(session, admin, v1)
    v2 = _stage(session, admin, _csv("企业名称,营业收入", "佛山市两批甲有限公司,150"))
    commit_import(session, admin, v2)
    return v1, v2


def test_undo_of_an_earlier_batch_is_refused_while_a_later_one_stands(session: Session) -> None:
    admin = make_user(session, Role.admin)
    v1, v2 = _two_batches(session, admin)
    with pytest.raises(Conflict) as refused:
        undo_import(session, admin, v1)
    assert f"企业「佛山市两批甲有限公司」被后来的导入批次 #{v2.id} 修改" in refused.value.message
    # Nothing was reverted: both firms stand, v1 is still committed.
    assert _firm(session, "佛山市两批乙有限公司") is not None
    session.refresh(v1)
    assert v1.status == ImportStatus.committed
    # Newest first works: v2 gives the firm back as v1 left it, then v1 goes.
    undo_import(session, admin, v2)
    firm = _firm(session, "佛山市两批甲有限公司")
    assert firm is not None and firm.annual_revenue == 100
    undo_import(session, admin, v1)
    assert _firm(session, "佛山市两批甲有限公司") is None
    assert _firm(session, "佛山市两批乙有限公司") is None


def test_undo_is_refused_after_an_edit_or_a_move_and_names_the_firm(session: Session) -> None:
    admin = make_user(session, Role.admin)
    v1, v2 = _two_batches(session, admin)
    firm = _firm(session, "佛山市两批甲有限公司")
    assert firm is not None
    data = EnterpriseUpdate.model_validate(
        firm.model_dump() | {"address": "之后补填的地址", "version": firm.version}
    )
    enterprise_service.update(session=session, actor=admin, enterprise_id=firm.id or 0, data=data)
    with pytest.raises(Conflict, match="企业「佛山市两批甲有限公司」之后被编辑"):
        undo_import(session, admin, v2)
    session.refresh(firm)
    assert (firm.annual_revenue, firm.address) == (150, "之后补填的地址")
    other = _firm(session, "佛山市两批乙有限公司")
    assert other is not None
    pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=other.id or 0,
        designation=designations.get_by_code(session=session, code="gazelle"),
        chain_id=None,
        on=date(2025, 1, 1),
    )
    with pytest.raises(Conflict, match="企业「佛山市两批乙有限公司」之后被移动"):
        undo_import(session, admin, v1)
    assert session.exec(select(Cultivation).where(Cultivation.enterprise_id == other.id)).one()


def test_undo_checks_authority_on_each_firm(session: Session) -> None:
    bureau = make_user(session, Role.park_bureau, park="shunde")
    batch = _stage(session, bureau, _csv("企业名称", "佛山市撤销越权测试有限公司"))
    commit_import(session, bureau, batch)
    firm = _firm(session, "佛山市撤销越权测试有限公司")
    assert firm is not None
    admin = make_user(session, Role.admin)
    data = EnterpriseUpdate.model_validate(
        firm.model_dump()
        | {"park_id": get_park_by_code(session=session, code="nanhai").id, "version": firm.version}
    )
    enterprise_service.update(session=session, actor=admin, enterprise_id=firm.id or 0, data=data)
    with pytest.raises(PermissionDenied, match="属于南海园，您无权修改"):
        undo_import(session, bureau, batch)
    assert _firm(session, "佛山市撤销越权测试有限公司") is not None


def test_a_batch_being_written_is_not_committed_or_undone_twice(session: Session) -> None:
    admin = make_user(session, Role.admin)
    batch = _stage(session, admin, _csv("企业名称", "佛山市并发提交测试有限公司"))
    batch.status, batch.claimed_at = ImportStatus.committing, import_commit.utcnow()
    session.flush()
    with pytest.raises(Conflict, match="正在导入"):
        commit_import(session, admin, batch)
    with pytest.raises(Conflict, match="正在导入或撤销"):
        undo_import(session, admin, batch)
    assert _firm(session, "佛山市并发提交测试有限公司") is None


def test_nonexistent_and_others_batches_are_not_found(session: Session) -> None:
    owner = make_user(session, Role.park_bureau, park="shunde")
    batch = _stage(session, owner, _csv("企业名称", "佛山市他人批次测试有限公司"))
    stranger = make_user(session, Role.park_bureau, park="shunde")
    steps = import_commit.in_one_session(session)
    for actor, batch_id in ((stranger, batch.id or 0), (owner, 2_000_000_000)):
        with pytest.raises(NotFound):
            import_commit.commit(transactions=steps, actor=actor, batch_id=batch_id)
        with pytest.raises(NotFound):
            import_commit.undo(transactions=steps, actor=actor, batch_id=batch_id)


def test_markup_and_quotes_in_cells_are_kept_as_text(session: Session) -> None:
    admin = make_user(session, Role.admin)
    name = "佛山市<script>alert('x')</script>\"引号\"有限公司"
    content = f'企业名称,地址\r\n"{name.replace(chr(34), chr(34) * 2)}","<b>地址</b>"\r\n'.encode()
    batch = _stage(session, admin, content)
    commit_import(session, admin, batch)
    firm = _firm(session, name)
    assert firm is not None and firm.address == "<b>地址</b>"


def test_merge_takes_both_firms_through_locking(session: Session) -> None:
    from enterprises import merge

    admin = make_user(session, Role.admin)
    kept = make_enterprise(session, name="佛山市合并锁定甲有限公司", credit_code=None)
    absorbed = make_enterprise(session, name="合并锁定甲（佛山）有限公司")
    version = kept.version
    merge.merge(session=session, actor=admin, kept=kept, absorbed=absorbed)
    assert kept.version == version + 1
    bureau = make_user(session, Role.park_bureau, park="shunde")
    other = make_enterprise(session, name="佛山市合并越权乙有限公司", park="chancheng")
    with pytest.raises(PermissionDenied):
        merge.merge(session=session, actor=bureau, kept=kept, absorbed=other)
