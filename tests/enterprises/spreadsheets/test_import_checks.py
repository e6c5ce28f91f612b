"""A list's rows checked field by field: every kind of wrong value still gets its message, and a
matched firm is judged on the row's values, not on what it already holds."""

import pytest
from sqlalchemy import update
from sqlmodel import Session, col

from core.accounts import Role
from enterprises.cultivation import designations
from enterprises.registry.models import Enterprise
from enterprises.spreadsheets import imports
from tests.factories import make_enterprise, make_user, preview_import, valid_code

COLUMNS = {  # header: a right value
    "企业名称": "佛山市逐项校验有限公司",
    "统一社会信用代码": valid_code(7301),
    "所属园区": "顺德园",
    "所属区": "顺德区",
    "所属产业链": "机器人",
    "环节": "控制器",
    "注册地址": "佛山市顺德区北滘镇",
    "成立日期": "2015-03-01",
    "主营产品": "伺服电机",
    "营业收入（元）": "12345000",
    "从业人数": "120",
    "是否规上": "是",
    "联系人": "张三",
    "联系电话": "0757-12345678",
    "认定年度": "2023",
    "认定日期": "2023-11-20",
    "阶段": "认定",
    "阶段日期": "2023-11-20",
}


def _preview(session: Session, rows: list[dict[str, str]], designation: str = "gazelle"):
    admin = make_user(session, Role.admin)
    lines = [",".join(COLUMNS)] + [",".join((COLUMNS | row).values()) for row in rows]
    batch = imports.stage(
        session=session,
        actor=admin,
        filename="逐项.csv",
        content="\r\n".join(lines).encode(),
        designation_id=designations.get_by_code(session=session, code=designation).id,
    )
    return preview_import(session, batch)


def test_a_row_of_right_values_in_every_column_is_new(session: Session) -> None:
    [fate] = _preview(session, [{}]).rows
    assert (fate.status, fate.errors) == ("new", [])
    assert fate.fields["employees"] == 120 and fate.fields["annual_revenue"] == 1234.5


# One wrong value of each kind, with the message it has always had: the cell's reading names the
# file's column; the record's rules name the field.
WRONG = [
    ("企业名称", "佛", "第 2 行「企业名称」：不能为空"),
    ("企业名称", "佛" * 101, "第 2 行「企业名称」：过长（最多 100 个字符）"),
    ("企业名称", "佛山\x01市", "第 2 行「企业名称」：含有不可见的控制字符（U+0001），请删除后重试"),
    (
        "统一社会信用代码",
        valid_code(7301)[:17] + "I",
        "第 2 行「统一社会信用代码」：含有不允许的字符：I",
    ),
    ("统一社会信用代码", "9144", "第 2 行「统一社会信用代码」：应为 18 位，实际 4 位"),
    (
        "所属园区",
        "火星园",
        "第 2 行「所属园区」：未知园区“火星园”（应为禅城园、南海园、顺德园、高明园、三水园之一）",
    ),
    ("所属区", "区" * 41, "第 2 行「所属区」：过长（最多 40 个字符）"),
    ("所属产业链", "火星链", "第 2 行「所属产业链」：未知产业链“火星链”"),
    ("环节", "不存在的环节", "第 2 行「环节」：该产业链没有环节“不存在的环节”"),
    ("注册地址", "址" * 201, "第 2 行「地址」：过长（最多 200 个字符）"),
    ("成立日期", "2023-02-30", "第 2 行「成立日期」：“2023-02-30”不是有效日期"),
    ("主营产品", "品" * 501, "第 2 行「主营产品」：过长（最多 500 个字符）"),
    (
        "营业收入（元）",
        "很多",
        "第 2 行「营业收入（元）」：无法识别金额“很多”（可写 1234.5、1,234.5万元 或 12345000元）",
    ),
    ("从业人数", "3.5", "第 2 行「从业人数」：“3.5”不是整数"),
    ("从业人数", "10000001", "第 2 行「从业人数」：不能大于 10,000,000"),
    ("是否规上", "也许", "第 2 行「是否规上」：“也许”应填“是”或“否”"),
    ("联系人", "人" * 41, "第 2 行「联系人」：过长（最多 40 个字符）"),
    ("联系电话", "1" * 41, "第 2 行「联系电话」：过长（最多 40 个字符）"),
    ("认定年度", "1800", "第 2 行「认定年度」：无法识别年度“1800”"),
    (
        "认定日期",
        "去年",
        "第 2 行「认定日期」：无法识别日期“去年”（可写 2023-01-05、2023/1/5 或 2023年1月5日）",
    ),
    ("阶段", "快了", "第 2 行「阶段」：未知阶段“快了”（应为候选、入库培育、申报、认定之一）"),
    ("阶段日期", "2023-13-01", "第 2 行「阶段日期」：“2023-13-01”不是有效日期"),
]


@pytest.mark.parametrize(("header", "value", "message"), WRONG)
def test_a_wrong_value_of_every_kind_gets_its_message(
    session: Session, header: str, value: str, message: str
) -> None:
    [fate] = _preview(session, [{header: value}]).rows
    assert fate.status == "error"
    assert message in fate.errors, fate.errors


def test_each_row_of_a_list_gets_its_own_messages(session: Session) -> None:
    firms = [
        {"企业名称": f"佛山市逐项{n}号有限公司", "统一社会信用代码": ""} for n in range(len(WRONG))
    ]
    rows = [firm | {header: value} for firm, (header, value, _) in zip(firms, WRONG, strict=True)]
    fates = _preview(session, rows).rows
    for fate, (_, _, message) in zip(fates, WRONG, strict=True):
        assert message.replace("第 2 行", f"第 {fate.row} 行") in fate.errors, fate.errors


def test_a_matched_firm_is_judged_on_the_row_not_on_what_it_holds(session: Session) -> None:
    firm = make_enterprise(session, name="佛山市旧值有误有限公司")
    # Values today's rules refuse, as an older release or a direct fix may have stored them (the
    # service would refuse them now): a wrong check character, a control character, more staff
    # than any firm has.
    wrong = {"credit_code": "91440606MA0000000X", "address": "旧\x01址", "employees": 20_000_000}
    session.execute(update(Enterprise).where(col(Enterprise.id) == firm.id).values(wrong))
    session.expire_all()
    # Matched by name (the row has no code); the row sets the revenue and nothing it holds.
    row = {header: "" for header in COLUMNS} | {
        "企业名称": firm.name,
        "营业收入（元）": "50000000",
        "认定年度": "2023",
    }
    [fate] = _preview(session, [row]).rows
    assert (fate.status, fate.errors) == ("update", [])
    assert fate.changes == {"annual_revenue": (None, 5000.0)}
    # The row's own wrong value is refused, named by its column.
    [fate] = _preview(session, [row | {"从业人数": "10000001"}]).rows
    assert fate.errors == ["第 2 行「从业人数」：不能大于 10,000,000"]
