"""Writing tables to .xlsx and .csv for download; every export goes through here."""

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO, StringIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A text cell beginning with one of these would run as a formula in Excel (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


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
        sheet = book.create_sheet(item.title[:31])
        sheet.append(list(item.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in item.rows:
            sheet.append(list(values))
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


def _inert(value: Any) -> Any:
    """Return a CSV cell that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return UTF-8 CSV with a byte-order mark, so Excel opens the Chinese text correctly."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for values in rows:
        writer.writerow([_inert(v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
