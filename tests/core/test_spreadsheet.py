"""Exported cells never run as formulas, and any stored text or number can be written."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.spreadsheet import write_csv, write_xlsx


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_formula_starts_are_written_as_text(text: str) -> None:
    row = write_csv(["名称"], [[text]]).decode("utf-8-sig").splitlines()[1:]
    assert "".join(row).lstrip('"').startswith("'")
    sheet = load_workbook(BytesIO(write_xlsx("表", ["名称"], [[text]], [10]))).active
    assert sheet is not None
    # (XML reads a lone CR back as a line feed)
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.strip() == text.strip()


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert (
        write_csv(["名称", "数"], [["佛山", 12]]).decode("utf-8-sig").splitlines()[1] == "佛山,12"
    )


# Text stored before input refused control characters (a lone surrogate cannot even be stored,
# but the writers must not depend on that).
STORED = ["佛山\x01科技", "=\x02危险", "换页\x0c", "半个\ud800字", "非字符\ufffe"]


def test_any_stored_text_and_number_is_written() -> None:
    rows = [[text, float("nan"), float("inf")] for text in STORED]
    book = load_workbook(BytesIO(write_xlsx("名单[1]:*?/\\\x01", STORED[:3], rows, [10] * 3)))
    sheet = book.active
    assert sheet is not None and sheet.title == "名单_1______\ufffd"
    assert [c.value for c in sheet[1]] == ["佛山\ufffd科技", "=\ufffd危险", "换页\ufffd"]
    assert [c.value for c in sheet[2]] == ["佛山\ufffd科技", None, None]
    assert sheet["A3"].data_type == "s" and sheet["A3"].value == "=\ufffd危险"
    assert [sheet[f"A{n}"].value for n in (5, 6)] == ["半个\ufffd字", "非字符\ufffd"]
    lines = write_csv(["名称", "数", "数"], rows).decode("utf-8-sig").splitlines()
    assert lines[1:4] == ["佛山\ufffd科技,,", "'=\ufffd危险,,", "换页\ufffd,,"]
