"""Importing a project ledger: header under merged titles, row errors, duplicates, history at
its dates, 补录, one transaction, undo."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

from core.accounts import Role, User
from core.db import china_today
from core.errors import Conflict, FieldErrors, NotFound
from enterprises.projects import followups, lead_contacts, lead_stages, leads, ledger_import
from enterprises.projects.leads import Lead, LeadFields, LeadStage
from enterprises.registry.models import Enterprise
from enterprises.spreadsheets.imports import ImportBatch
from tests.factories import make_lead, make_user

HEADERS = [
    "序号", "项目名称", "投资方", "所属产业链", "环节", "计划投资额（亿元）", "负责人",
    "登记日期", "洽谈日期", "签约日期", "注册落地日期", "到资金额", "联系人", "联系电话",
    "最新进展", "注册企业",
]  # fmt: skip


def ledger(*rows: list[object], title: bool = True) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append(["2024年度招商项目台账"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
        sheet.append(["填报单位：招商一组"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_row(
    name: str = "华光精密伺服项目", investor: str = "苏州华光精密有限公司"
) -> list[object]:
    return [
        1, name, investor, "机器人", "伺服系统", "1.5", "", "2024-01-10", "2024/2/1",
        "2024年3月15日", "2024-05-20", "3000", "周总", "13912345678", "已完成厂房装修",
        f"佛山{name}有限公司",
    ]  # fmt: skip


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session, Role.promotion, team="招商一组")


def _stage(session: Session, actor: User, content: bytes) -> ImportBatch:
    return ledger_import.stage(session=session, actor=actor, filename="台账.xlsx", content=content)


def test_a_ledger_comes_in_with_its_history_at_its_dates(session: Session, owner: User) -> None:
    batch = _stage(session, owner, ledger(good_row()))
    preview = ledger_import.preview(session=session, actor=owner, batch=batch)
    assert preview.header_row == 3 and [r.status for r in preview.rows] == ["new"]
    done = ledger_import.commit(session=session, actor=owner, batch=batch)
    assert (done.created, done.skipped) == (1, 0)
    lead = session.exec(select(Lead).where(Lead.name == "华光精密伺服项目")).one()
    assert lead.backfilled and lead.created_on == date(2024, 1, 10)
    assert lead.planned_investment == 15000  # 1.5 亿元
    assert lead.stage == LeadStage.registered and lead.stage_since == date(2024, 5, 20)
    assert lead.registered_on == date(2024, 5, 20) and lead.capital_arrived == 3000
    firm = session.get(
        Enterprise, lead.enterprise_id
    )  # the firm the ledger names, not the investor
    assert firm is not None and firm.name == "佛山华光精密伺服项目有限公司"
    assert firm.credit_code_pending
    moves = lead_stages.moves(session=session, lead_id=lead.id or 0)
    assert [(m.to_stage, m.on) for m in reversed(moves)] == [
        (LeadStage.negotiation, date(2024, 2, 1)),
        (LeadStage.signed, date(2024, 3, 15)),
        (LeadStage.registered, date(2024, 5, 20)),
    ]
    assert moves[0].since == date(2024, 3, 15)  # the stay in 签约 at its real length
    assert [c.name for c in lead_contacts.contacts(session=session, lead_id=lead.id or 0)] == [
        "周总"
    ]
    assert followups.of_lead(session=session, lead_id=lead.id or 0)[0].notes == "已完成厂房装修"


def test_row_errors_name_row_and_column_and_nothing_is_written(
    session: Session, owner: User
) -> None:
    future = (china_today() + timedelta(days=30)).isoformat()
    rows = [
        good_row(),
        [2, "坏项目甲", "某某投资有限公司", "不存在的链", "", "很多", "", "2024-01-01"],
        [3, "坏项目乙", "另一投资有限公司", "", "", "", "", "2024-03-01", future],
        [4, "坏项目丙", "第三投资有限公司", "", "", "", "", "2024-03-01", "2024-02-01"],
    ]
    batch = _stage(session, owner, ledger(*rows))
    preview = ledger_import.preview(session=session, actor=owner, batch=batch)
    errors = [e for r in preview.rows for e in r.errors]
    assert "第 5 行「所属产业链」：未知产业链“不存在的链”" in errors
    assert any(e.startswith("第 5 行「计划投资额（亿元）」：无法识别金额") for e in errors)
    assert "第 6 行「洽谈日期」：日期不能晚于今天" in errors
    assert "第 7 行「洽谈日期」：日期早于「登记日期」2024-03-01" in errors
    with pytest.raises(FieldErrors) as caught:
        ledger_import.commit(session=session, actor=owner, batch=batch)
    assert "台账有 4 处错误" in caught.value.errors["file"]
    assert session.exec(select(Lead).where(Lead.name == "华光精密伺服项目")).first() is None


def test_after_signing_a_ledger_passes_every_milestone(session: Session, owner: User) -> None:
    row = [1, "跳级项目", "跳级投资有限公司", "", "", "", "", "2024-01-01", "", "2024-02-01", ""]
    row += [""] * 5
    content = ledger(row)
    book_row = list(row)
    batch = _stage(session, owner, content)
    assert ledger_import.preview(session=session, actor=owner, batch=batch).rows[0].status == "new"
    HEADERS.append("开工日期")
    try:
        batch = _stage(session, owner, ledger([*book_row, "2024-06-01"]))
        errors = ledger_import.preview(session=session, actor=owner, batch=batch).rows[0].errors
    finally:
        HEADERS.pop()
    assert errors == ["第 4 行「注册落地日期」：有开工日期时须填写（签约后逐级推进）"]


def test_duplicates_against_projects_and_within_the_file_are_left_out(
    session: Session, owner: User
) -> None:
    existing = make_lead(session, owner, investor_name="深圳市华创电池有限公司")
    rows = [
        good_row("华创电池基地", "华创电池股份有限公司"),
        good_row("新项目一", "佛山新一投资有限公司"),
        good_row("新项目二", "佛山新一投资有限公司"),
    ]
    batch = _stage(session, owner, ledger(*rows))
    preview = ledger_import.preview(session=session, actor=owner, batch=batch)
    assert [r.status for r in preview.rows] == ["duplicate", "new", "duplicate"]
    assert preview.rows[0].duplicates == [f"已有项目：{existing.name}"]
    assert preview.rows[2].duplicates == ["与第 5 行投资方相同"]
    done = ledger_import.commit(session=session, actor=owner, batch=batch)
    assert (done.created, done.skipped) == (1, 2)


def test_a_mapping_corrects_a_column_the_header_did_not_name(session: Session, owner: User) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["项目名称", "投资方", "对方单位代码说明"])
    sheet.append(["映射项目", "映射投资有限公司", "2023-05-06"])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = _stage(session, owner, buffer.getvalue())
    preview = ledger_import.preview(
        session=session, actor=owner, batch=batch, mapping={2: "created_on"}
    )
    assert preview.rows[0].values["created_on"] == date(2023, 5, 6)
    assert ledger_import.preview(session=session, actor=owner, batch=batch).mapping[2] == (
        "created_on"
    )
    with pytest.raises(FieldErrors):
        ledger_import.preview(session=session, actor=owner, batch=batch, mapping={2: "nonsense"})


def test_undo_removes_the_projects_unless_changed_since(session: Session, owner: User) -> None:
    batch = _stage(session, owner, ledger(good_row(), good_row("第二项目", "第二投资有限公司")))
    ledger_import.commit(session=session, actor=owner, batch=batch)
    second = session.exec(select(Lead).where(Lead.name == "第二项目")).one()
    data = LeadFields.model_validate(second.model_dump(include=set(LeadFields.model_fields)))
    data.description = "导入后改过"
    leads.update(session=session, actor=owner, lead=second, data=data, version=second.version)
    with pytest.raises(Conflict) as caught:
        ledger_import.undo(session=session, actor=owner, batch=batch)
    assert "第二项目" in caught.value.message
    other = _stage(session, owner, ledger(good_row("第三项目", "第三投资有限公司")))
    ledger_import.commit(session=session, actor=owner, batch=other)
    assert ledger_import.undo(session=session, actor=owner, batch=other) == 1
    session.expire_all()
    assert session.exec(select(Lead).where(Lead.name == "第三项目")).first() is None
    with pytest.raises(Conflict):
        ledger_import.undo(session=session, actor=owner, batch=other)


def test_only_promotion_staff_import_and_a_batch_is_its_uploaders(
    session: Session, owner: User
) -> None:
    from core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _stage(session, make_user(session, Role.park_bureau), ledger(good_row()))
    batch = _stage(session, owner, ledger(good_row()))
    stranger = make_user(session, Role.promotion, team="另一组")
    with pytest.raises(NotFound):
        ledger_import.get(session=session, actor=stranger, batch_id=batch.id or 0)
    with pytest.raises(NotFound):
        ledger_import.get(session=session, actor=owner, batch_id=10**9)
    assert ledger_import.get(session=session, actor=owner, batch_id=batch.id or 0) is batch


def test_the_template_is_read_back_as_a_ledger(session: Session, owner: User) -> None:
    from enterprises.projects.ledger_rows import LEDGER_FIELDS

    batch = _stage(session, owner, ledger_import.template())
    preview = ledger_import.preview(session=session, actor=owner, batch=batch)
    assert preview.header_row == 2 and preview.rows == []
    assert sorted(f for f in preview.mapping.values() if f) == sorted(LEDGER_FIELDS)


def test_a_promoter_imports_only_projects_of_their_own(session: Session, owner: User) -> None:
    colleague = make_user(session, Role.promotion, team="招商一组")
    row = good_row()
    row[6] = colleague.username
    batch = _stage(session, owner, ledger(row))
    errors = ledger_import.preview(session=session, actor=owner, batch=batch).rows[0].errors
    assert errors == ["第 4 行「负责人」：只有管理员可以导入由他人负责的项目"]
    admin = make_user(session, Role.admin)
    batch = _stage(session, admin, ledger(row))
    ledger_import.commit(session=session, actor=admin, batch=batch)
    lead = session.exec(select(Lead).where(Lead.name == "华光精密伺服项目")).one()
    assert lead.owner_id == colleague.id and lead.team_id == colleague.team_id


def test_a_landed_row_names_its_registered_firm(session: Session, owner: User) -> None:
    row = good_row()
    row[-1] = ""
    batch = _stage(session, owner, ledger(row))
    errors = ledger_import.preview(session=session, actor=owner, batch=batch).rows[0].errors
    assert errors == [
        "第 4 行「注册企业」：有注册落地日期时须填写注册企业名称（信用代码未知可留空，记为待补）"
    ]
