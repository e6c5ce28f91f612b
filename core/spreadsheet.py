"""Writing tables to .xlsx and .csv for download; every export goes through here.

Whatever text the database holds, the file is written: characters XML cannot carry become
U+FFFD (core.text), numbers that are not finite become empty cells, and text that a
spreadsheet would run as a formula stays text.
"""

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO, StringIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.text import xml_safe

# A text cell beginning with one of these would run as a formula in Excel (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
_NOT_IN_TITLE = re.compile(r"[\\/?*\[\]:]")  # Excel refuses these in a sheet's name


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: title, bold headers, rows and column widths."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int]


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """Return an .xlsx of these sheets; text never becomes a formula."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for item in sheets:
        sheet = book.create_sheet(_NOT_IN_TITLE.sub("_", xml_safe(item.title))[:31])
        sheet.append([_writable(h) for h in item.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in item.rows:
            sheet.append([_writable(v) for v in values])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
        for index, width in enumerate(item.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(
    sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
) -> bytes:
    """Return an .xlsx with one sheet: bold headers, then rows."""
    return write_workbook([Sheet(sheet_title, headers, rows, widths)])


def _writable(value: Any) -> Any:
    """Return a cell value any spreadsheet can hold: text XML can carry, a finite number."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _inert(value: Any) -> Any:
    """Return a CSV cell that a spreadsheet will show as text, never run as a formula."""
    value = _writable(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return UTF-8 CSV with a byte-order mark, so Excel opens the Chinese text correctly."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_writable(h) for h in headers])
    for values in rows:
        writer.writerow([_inert(v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
