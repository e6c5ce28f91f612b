"""Exported cells never run as formulas, whatever they start with."""

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
