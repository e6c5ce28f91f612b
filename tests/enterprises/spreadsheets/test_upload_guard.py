"""The upload guard: files refused before they are parsed (wrong type, bombs, entities)."""

import io
import zipfile

import pytest
from sqlmodel import Session

from core.accounts import Role
from core.errors import FieldErrors
from enterprises.spreadsheets import imports, tabular
from tests.enterprises.spreadsheets.sheets import HEADERS, xlsx
from tests.factories import (
    make_user,
)


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("改名.xlsx", "企业名称\n甲公司\n".encode(), "内容与扩展名不符"),
        ("改名.xls", xlsx([["企业名称"]]), "内容与扩展名不符"),
        ("改名.csv", xlsx([["企业名称"]]), "与 .csv 扩展名不符"),
        ("部件多.xlsx", _zipped({f"xl/{n}.xml": b"<a/>" for n in range(1001)}), "1,001 个部件"),
        ("压缩比.xlsx", _zipped({"xl/worksheets/sheet1.xml": b" " * (5 << 20)}), "压缩比异常"),
    ],
)
def test_the_upload_guard_refuses_before_parsing(
    session: Session, name: str, content: bytes, message: str
) -> None:
    admin = make_user(session, Role.admin)
    with pytest.raises(FieldErrors, match=message):
        imports.stage(
            session=session, actor=admin, filename=name, content=content, designation_id=None
        )


def test_an_xlsx_declaring_entities_is_refused(session: Session) -> None:
    """Billion laughs: a DTD in any part is refused before the workbook is parsed."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([HEADERS])))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["xl/sharedStrings.xml"] = BILLION_LAUGHS
    admin = make_user(session, Role.admin)
    with pytest.raises(FieldErrors, match="sharedStrings.xml 含有 DTD 声明"):
        imports.stage(
            session=session,
            actor=admin,
            filename="笑.xlsx",
            content=_zipped(parts),
            designation_id=None,
        )


def test_a_csv_over_the_row_limit_is_refused_and_one_at_it_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)
    at_limit = "企业名称\r\n" + "佛山市甲有限公司\r\n" * (5 + tabular.HEADER_SCAN - 1)
    assert len(tabular.read("名单.csv", at_limit.encode())) == 5 + tabular.HEADER_SCAN
    with pytest.raises(FieldErrors, match="行数超过上限 5 行"):
        tabular.read("名单.csv", (at_limit + "佛山市乙有限公司\r\n").encode())
