import gc
import io
import zipfile
from datetime import date

import pytest
import xlwt  # type: ignore[import-untyped]
from openpyxl import Workbook
from sqlmodel import Session, select

from core import audit
from core.accounts import Role
from core.errors import FieldErrors
from enterprises.cultivation import designations
from enterprises.cultivation.pipeline import Cultivation, Stage
from enterprises.registry import figures, names
from enterprises.registry.models import Enterprise
from enterprises.spreadsheets import import_checks, import_undo, import_writes, imports, tabular
from tests.enterprises.spreadsheets.sheets import HEADERS, xlsx
from tests.factories import (
    commit_import,
    make_enterprise,
    make_user,
    preview_import,
    undo_import,
    valid_code,
)


def _stage(
    session: Session, content: bytes, name: str = "名单.xlsx", designation: str | None = None
):
    admin = make_user(session, Role.admin)
    designation_id = (
        designations.get_by_code(session=session, code=designation).id if designation else None
    )
    batch = imports.stage(
        session=session, actor=admin, filename=name, content=content, designation_id=designation_id
    )
    return admin, batch


def test_headers_below_a_merged_title_are_found_and_mapped(session: Session) -> None:
    content = xlsx(
        [
            HEADERS,
            [
                1,
                "佛山市导入甲有限公司",
                valid_code(901),
                "顺德园",
                "12,345,000元",
                "2019/3/5",
                "2023年",
            ],
        ]
    )
    _, batch = _stage(session, content)
    result = preview_import(session, batch)
    assert result.header_row == 3
    mapped = {header: key for _, header, key in result.columns}
    assert mapped["企业名称"] == "name" and mapped["营业收入（元）"] == "annual_revenue"
    assert mapped["序号"] is None
    row = result.rows[0]
    assert row.status == "new" and row.row == 4
    assert row.values["annual_revenue"] == pytest.approx(1234.5)
    assert row.values["founded_date"] == date(2019, 3, 5)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"统一社会信用代码": "91440606MA00000000"}, "第 4 行「统一社会信用代码」：校验位错误"),
        ({"所属园区": "火星园"}, "第 4 行「所属园区」：未知园区“火星园”"),
        ({"企业名称": None}, "第 4 行：缺少必填值「企业名称」"),
        ({"成立日期": "去年春天"}, "第 4 行「成立日期」：无法识别日期“去年春天”"),
        ({"营业收入（元）": "很多"}, "第 4 行「营业收入（元）」：无法识别金额“很多”"),
        ({"营业收入（元）": "9" * 400}, "第 4 行「营业收入（元）」：金额“999"),
        (
            {"营业收入（元）": 1e20},
            "第 4 行「营业收入（元）」：金额“100000000000000000000”超出范围",
        ),
        ({"营业收入（元）": -5}, "第 4 行「营业收入（元）」：金额不能为负数"),
    ],
)
def test_each_defect_names_row_column_and_reason(
    session: Session, cells: dict[str, object], message: str
) -> None:
    values = dict(
        zip(
            HEADERS,
            [1, "佛山市缺陷测试有限公司", valid_code(902), "顺德园", 1000, "2020-01-01", 2023],
            strict=True,
        )
    )
    values |= cells
    _, batch = _stage(session, xlsx([HEADERS, list(values.values())]))
    errors = preview_import(session, batch).errors
    assert any(e.startswith(message) for e in errors), errors


def test_duplicates_within_the_file_and_dates_in_every_form(session: Session) -> None:
    rows = [
        HEADERS,
        [1, "佛山市日期甲有限公司", None, "顺德", None, "2023年1月5日", None],
        [2, "佛山市日期乙有限公司", None, "南海园", None, 44931, None],
        [3, "佛山市日期甲有限公司", None, "顺德园", None, "2023-01-05", None],
    ]
    _, batch = _stage(session, xlsx(rows))
    result = preview_import(session, batch)
    assert result.rows[0].values["founded_date"] == date(2023, 1, 5)
    assert result.rows[1].values["founded_date"] == date(2023, 1, 5)
    assert result.rows[2].errors == ["第 6 行：与第 4 行重复（佛山市日期甲有限公司）"]


def test_commit_is_all_or_nothing(session: Session) -> None:
    rows = [
        HEADERS,
        [1, "佛山市全有甲有限公司", None, "顺德园", None, None, None],
        [2, "", None, "火星园", None, None, None],
    ]
    admin, batch = _stage(session, xlsx(rows))
    with pytest.raises(FieldErrors, match="未导入任何数据"):
        commit_import(session, admin, batch, None)
    assert (
        session.exec(select(Enterprise).where(Enterprise.name == "佛山市全有甲有限公司")).first()
        is None
    )


def test_reimport_updates_matches_and_undo_restores(session: Session) -> None:
    existing = make_enterprise(session, name="佛山市再导入有限公司", annual_revenue=500.0)
    code = existing.credit_code
    rows = [
        HEADERS,
        [1, "佛山市再导入有限公司", code, "顺德园", "8000000", "2018-06-01", "2023"],
        [2, "佛山市名单新企业有限公司", valid_code(903), "顺德园", None, None, "2023"],
    ]
    admin, batch = _stage(session, xlsx(rows), designation="gazelle")
    result = preview_import(session, batch)
    assert [r.status for r in result.rows] == ["update", "new"]
    assert result.rows[0].changes["annual_revenue"] == (500.0, 800.0)
    mapping = {i: key for i, _, key in result.columns}
    commit_import(session, admin, batch, mapping)
    assert (batch.created_count, batch.updated_count, batch.recognised_count) == (1, 1, 2)
    assert existing.annual_revenue == 800.0
    gazelle = designations.get_by_code(session=session, code="gazelle")
    recognised = session.exec(
        select(Cultivation).where(
            Cultivation.designation_id == gazelle.id, Cultivation.enterprise_id == existing.id
        )
    ).one()
    assert recognised.stage == Stage.recognised and recognised.recognised_on == date(2023, 12, 31)
    with pytest.raises(Exception, match="已经提交过"):
        commit_import(session, admin, batch, mapping)
    undo_import(session, admin, batch)
    session.refresh(existing)
    assert existing.annual_revenue == 500.0
    assert (
        session.exec(
            select(Enterprise).where(Enterprise.name == "佛山市名单新企业有限公司")
        ).first()
        is None
    )
    assert (
        session.exec(select(Cultivation).where(Cultivation.enterprise_id == existing.id)).first()
        is None
    )


def test_csv_in_gbk_and_refused_files(session: Session) -> None:
    text = "企业名称,所属园区\r\n佛山市编码测试有限公司,三水园\r\n"
    _, batch = _stage(session, text.encode("gbk"), name="名单.csv")
    assert preview_import(session, batch).rows[0].values["park"]
    admin = make_user(session, Role.admin)
    for name, content, message in (
        ("空.csv", b"", "文件是空的"),
        ("图.png", b"\x89PNG", "只支持 .xlsx、.xls 和 .csv 文件"),
        ("坏.xlsx", b"not a zip", "不是有效的 .xlsx"),
        ("大.csv", b"a" * (10 * 1024 * 1024 + 1), "超过 10 MB 上限"),
    ):
        with pytest.raises(FieldErrors, match=message):
            imports.stage(
                session=session, actor=admin, filename=name, content=content, designation_id=None
            )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/huge.xml", b"0" * (210 * 1024 * 1024))
    with pytest.raises(FieldErrors, match="解压后约"):
        imports.stage(
            session=session,
            actor=admin,
            filename="炸弹.xlsx",
            content=bomb.getvalue(),
            designation_id=None,
        )


def test_a_park_bureau_imports_only_its_own_park(session: Session) -> None:
    bureau = make_user(session, Role.park_bureau)
    rows = [
        HEADERS,
        [1, "佛山市外园企业有限公司", None, "南海园", None, None, None],
        [2, "佛山市本园企业有限公司", None, None, None, None, None],
    ]
    batch = imports.stage(
        session=session, actor=bureau, filename="x.xlsx", content=xlsx(rows), designation_id=None
    )
    result = preview_import(session, batch)
    assert result.rows[0].errors == ["第 4 行「所属园区」：园区管理局只能导入本园区的企业"]
    assert result.rows[1].values["park"] == bureau.park_id
    with pytest.raises(Exception, match="只有管理员和园区管理局"):
        imports.stage(
            session=session,
            actor=make_user(session, Role.viewer),
            filename="x.csv",
            content=b"a",
            designation_id=None,
        )


def test_look_alike_names_without_a_credit_code_are_flagged(session: Session) -> None:
    known = make_enterprise(session, name="佛山市顺德区相似测试机械有限公司")
    rows = [HEADERS, [1, "相似测试机械（佛山）有限公司", None, "顺德园", None, None, None]]
    _, batch = _stage(session, xlsx(rows))
    fate = preview_import(session, batch).rows[0]
    assert fate.status == "new"
    expected = f"可能与已有企业“{known.name}”重复（名称相近，信用代码 {known.credit_code}），请核对"
    assert fate.notes == [expected]
    assert names.core_name("佛山华盛机械") == "华盛机械"


def test_a_sheet_without_a_name_column_is_refused_as_a_whole(session: Session) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "说明"
    sheet.append(["填表说明：请在第二个工作表填写"])
    sheet.append(["月份", "备注"])
    sheet.append(["1月", "无"])
    buffer = io.BytesIO()
    book.save(buffer)
    _, batch = _stage(session, buffer.getvalue())
    errors = preview_import(session, batch).errors
    assert errors[0].startswith("未找到「企业名称」列")


def test_imported_firms_carry_their_creation_in_the_audit_record(session: Session) -> None:
    rows = [HEADERS, [1, "佛山市导入审计测试有限公司", None, "顺德园", None, None, "2024"]]
    admin, batch = _stage(session, xlsx(rows))
    commit_import(session, admin, batch, None)
    firm = session.exec(
        select(Enterprise).where(Enterprise.name == "佛山市导入审计测试有限公司")
    ).one()
    entry = audit.history(session=session, object_type="enterprise", object_id=firm.id or 0)[0]
    assert (entry.action, entry.actor_id, entry.after["name"]) == (
        "import_create",
        admin.id,
        firm.name,
    )


def test_a_per_chain_designation_list_needs_the_chain(session: Session) -> None:
    rows = [HEADERS, [1, "佛山市链主名单测试有限公司", None, "顺德园", None, None, "2023"]]
    _, batch = _stage(session, xlsx(rows), designation="anchor")
    errors = preview_import(session, batch).errors
    assert errors == ["第 4 行：“链主企业”按产业链认定，须填写「产业链」"]


def test_commit_uses_the_kept_preview_unless_the_registry_changed(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [HEADERS, [1, "佛山市保留预览甲有限公司", valid_code(9101), "南海园", "", "", ""]]
    admin, batch = _stage(session, xlsx(rows))
    preview_import(session, batch, keep=True)
    assert batch.checked is not None
    make_enterprise(session, name="佛山市保留预览甲有限公司", credit_code=valid_code(9101))
    # The registry changed since the preview: the row is checked again and found to exist.
    applied = commit_import(session, admin, batch, None)
    assert [r.status for r in applied.rows] == ["update"]  # not a second firm

    rows = [HEADERS, [1, "佛山市保留预览乙有限公司", "", "南海园", "", "2019年3月1日", ""]]
    admin, batch = _stage(session, xlsx(rows))
    preview_import(session, batch, keep=True)

    def unread(*_: object) -> None:
        raise AssertionError("the kept preview should have been used")

    monkeypatch.setattr(tabular, "read", unread)
    applied = commit_import(session, admin, batch, None)
    firm = (
        session.get(Enterprise, applied.rows[0].enterprise_id or 0)
        or session.exec(
            select(Enterprise).where(Enterprise.name == "佛山市保留预览乙有限公司")
        ).one()
    )
    assert firm.founded_date == date(2019, 3, 1)
    assert batch.checked is None


def test_an_xls_list_is_read_with_its_dates(session: Session) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    for c, header in enumerate(["企业名称", "所属园区", "成立日期", "营业收入（元）"]):
        sheet.write(1, c, header)
    sheet.write(0, 0, "2023年企业名单")
    sheet.write(2, 0, "佛山市旧格式有限公司")
    sheet.write(2, 1, "顺德园")
    sheet.write(2, 2, date(2016, 5, 4), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(2, 3, 12_500_000)
    buffer = io.BytesIO()
    book.save(buffer)
    _, batch = _stage(session, buffer.getvalue(), name="名单.xls")
    [row] = preview_import(session, batch).rows
    assert row.status == "new" and row.row == 3
    assert row.values["founded_date"] == date(2016, 5, 4)
    assert row.values["annual_revenue"] == 1250.0


def test_a_control_character_in_a_cell_or_the_file_name_is_refused(session: Session) -> None:
    content = "企业名称,所属园区,地址\n佛山\x01控制有限公司,顺德园,季华路\x0b1号\n".encode()
    _, batch = _stage(session, content, name="名单.csv")
    errors = preview_import(session, batch).errors
    assert "第 2 行「企业名称」：含有不可见的控制字符（U+0001），请删除后重试" in errors
    assert "第 2 行「地址」：含有不可见的控制字符（U+000B），请删除后重试" in errors
    with pytest.raises(FieldErrors) as refused:
        _stage(session, content, name="名单\x01.csv")
    assert refused.value.errors == {"file": "文件名含有不可见的控制字符（U+0001），请删除后重试"}


def test_a_list_s_new_figures_reach_the_data_year_row_and_undo_takes_them_back(
    session: Session,
) -> None:
    existing = make_enterprise(session, name="佛山市年度数据导入有限公司")
    admin = make_user(session, Role.admin)
    row = figures.put(
        session=session,
        actor=admin,
        enterprise=existing,
        data=figures.FigureFields(year=2024, revenue=500.0, employees=40),
    )
    assert existing.figures_year == 2024 and existing.annual_revenue == 500.0
    content = xlsx(
        [HEADERS, [1, existing.name, existing.credit_code, "顺德园", "8000000", None, None]]
    )
    admin, batch = _stage(session, content)
    commit_import(
        session, admin, batch, {i: k for i, _, k in preview_import(session, batch).columns}
    )
    # The card reads the data year's row: it shows the list's figure, not the one before.
    assert (row.revenue, row.employees) == (800.0, 40)
    card = figures.current(existing, figures.of(session=session, enterprise_id=existing.id or 0))
    assert card.revenue == 800.0
    logged = audit.history(session=session, object_type="enterprise_figure", object_id=row.id or 0)
    assert [(e.action, e.before, e.after) for e in logged][0] == (
        "import_update",
        {"revenue": 500.0},
        {"revenue": 800.0},
    )
    undo_import(session, admin, batch)
    assert row.revenue == 500.0 and existing.annual_revenue == 500.0
    newest = audit.history(session=session, object_type="enterprise_figure", object_id=row.id or 0)
    assert (newest[0].action, newest[0].after) == ("undo_import", {"revenue": 500.0})


def test_the_check_the_commit_and_the_undo_run_with_the_collector_paused(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    collecting: dict[str, bool] = {}

    def noting(name: str, step):  # type: ignore[no-untyped-def]
        def noted(*args, **kwargs):  # type: ignore[no-untyped-def]
            collecting[name] = gc.isenabled()
            return step(*args, **kwargs)

        return noted

    monkeypatch.setattr(import_checks, "judge", noting("check", import_checks.judge))
    monkeypatch.setattr(import_writes, "write", noting("commit", import_writes.write))
    monkeypatch.setattr(import_undo, "revert", noting("undo", import_undo.revert))
    rows = [HEADERS, [1, "佛山市回收暂停有限公司", valid_code(9301), "南海园", "", "", "2024"]]
    admin, batch = _stage(session, xlsx(rows), designation="gazelle")
    gc.enable()
    preview_import(session, batch, keep=True)
    commit_import(session, admin, batch, None)
    undo_import(session, admin, batch)
    assert collecting == {"check": False, "commit": False, "undo": False}
    assert gc.isenabled()
