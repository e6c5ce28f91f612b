"""Importing target lists: headers under titles, mapping, row errors, duplicates, all or nothing."""

import pytest
from sqlmodel import Session, select

from core.accounts import Role, User
from core.errors import FieldErrors, PermissionDenied
from enterprises.prospects import imports, service
from enterprises.prospects.models import FirmSize, Listing, Prospect
from tests.enterprises.prospects.factories import make_prospect, prospect_code, worded_chain
from tests.enterprises.spreadsheets.sheets import xlsx
from tests.factories import make_user

HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所在省份",
    "城市",
    "主营产品",
    "经营范围",
    "企业规模",
    "上市板块",
]


def _stage(
    session: Session, user: User, rows: list[list[object]], **kw: str
) -> imports.ProspectImport:
    content = xlsx([HEADERS, *rows], title="第五批专精特新“小巨人”企业名单")
    return imports.stage(session=session, actor=user, filename="小巨人.xlsx", content=content, **kw)


def test_preview_finds_the_header_under_a_title_and_reads_each_row(session: Session) -> None:
    staff = make_user(session, Role.promotion)
    batch = _stage(
        session,
        staff,
        [
            [
                1,
                "江苏某某减速机有限公司",
                prospect_code(11),
                "江苏省",
                "苏州市",
                "RV减速器",
                "齿轮制造",
                "中型",
                "科创板",
            ],
            [2, "浙江某某电机有限公司", "", "浙江", "宁波", "伺服电机", "", "小", "否"],
        ],
        source_list="第五批小巨人",
    )
    result = imports.preview(session=session, batch=batch)
    assert result.header_row == 3
    assert [r.status for r in result.rows] == ["new", "new"]
    first = result.rows[0].values
    assert first["products"] == "RV减速器；齿轮制造"  # 主营产品 and 经营范围 both read
    assert (first["size"], first["listing"]) == (FirmSize.medium, Listing.star)
    assert first["source_list"] == "第五批小巨人"


def test_row_errors_name_row_and_column_and_nothing_is_written(session: Session) -> None:
    staff = make_user(session, Role.promotion)
    bad_code = prospect_code(12)[:17] + ("0" if prospect_code(12)[17] != "0" else "1")
    batch = _stage(
        session,
        staff,
        [
            [1, "甲公司有限公司", bad_code, "", "", "", "", "", ""],
            [2, "乙公司有限公司", "", "", "", "", "", "巨型", ""],
            [3, "广东乙公司有限公司", "", "", "", "", "", "", ""],
            [4, "丙公司有限公司", "", "", "", "", "", "", ""],
        ],
    )
    result = imports.preview(session=session, batch=batch)
    assert [r.status for r in result.rows] == ["error", "error", "error", "new"]
    assert "第 4 行：“统一社会信用代码”校验位错误" in result.errors[0]
    assert result.errors[1] == "第 5 行：“企业规模”列无法识别“巨型”（可写 大型、中型、小型、微型）"
    assert result.errors[2] == "第 6 行：与第 5 行是同一企业"
    with pytest.raises(FieldErrors, match="未导入任何行"):
        imports.commit(session=session, actor=staff, batch=batch)
    assert session.exec(select(Prospect).where(Prospect.name == "丙公司有限公司")).first() is None


def test_commit_creates_updates_and_suggests(session: Session) -> None:
    staff = make_user(session, Role.promotion)
    made = worded_chain(session, staff)
    held = make_prospect(session, staff, name="江苏已有精机有限公司", products="")
    batch = _stage(
        session,
        staff,
        [
            [1, "苏州已有精机股份有限公司", "", "江苏省", "苏州市", "谐波减速器", "", "大型", ""],
            [
                2,
                "新来协作机器人有限公司",
                prospect_code(13),
                "上海市",
                "上海市",
                "协作机器人",
                "",
                "",
                "",
            ],
        ],
    )
    result = imports.commit(session=session, actor=staff, batch=batch)
    assert [r.status for r in result.rows] == ["update", "new"]
    assert (batch.created_count, batch.updated_count, batch.status) == (1, 1, "committed")
    session.refresh(held)
    assert (held.products, held.size, held.version) == ("谐波减速器", FirmSize.large, 2)
    from enterprises.prospects import matching

    matching.refresh_prospects(session=session, prospect_ids=imports.changed_ids(result))
    new = session.exec(select(Prospect).where(Prospect.name == "新来协作机器人有限公司")).one()
    assert new.import_id == batch.id
    segments = service.segments_of(session=session, prospect_ids=[held.id or 0, new.id or 0])
    assert segments[held.id or 0][0].segment_id == made["精密减速器"].id
    assert made["协作机器人"].id in [s.segment_id for s in segments[new.id or 0]]
    assert [h.action for h in service.history(session=session, prospect=held)] == [
        "import",
        "create",
    ]
    assert [h.action for h in service.history(session=session, prospect=new)] == ["import"]
    with pytest.raises(FieldErrors, match="已经导入过"):
        imports.commit(session=session, actor=staff, batch=batch)


def test_a_corrected_mapping_is_used(session: Session) -> None:
    staff = make_user(session, Role.promotion)
    content = xlsx([["公司", "产品线"], ["丁公司有限公司", "伺服电机"]], title=None)
    batch = imports.stage(session=session, actor=staff, filename="展商.xlsx", content=content)
    with pytest.raises(FieldErrors, match="企业名称"):
        imports.preview(session=session, batch=batch)
    imports.set_mapping(session=session, batch=batch, mapping={"0": "name", "1": "products"})
    result = imports.preview(session=session, batch=batch)
    assert result.rows[0].values["products"] == "伺服电机"


def test_chiefs_may_not_import(session: Session) -> None:
    with pytest.raises(PermissionDenied):
        _stage(
            session,
            make_user(session, Role.chain_chief),
            [[1, "某公司", "", "", "", "", "", "", ""]],
        )
