"""Reading uploaded lists (.xlsx, .xls, .csv in UTF-8 or GBK) into rows, safely.

Limits are checked before anything is parsed: the upload size, the unpacked size of an .xlsx
(a small zip can unpack to gigabytes), and the number of rows.
"""

import csv
import io
import zipfile
from datetime import date, datetime

import xlrd
from openpyxl import load_workbook

from core.errors import FieldErrors

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ROWS = 100_000
HEADER_SCAN = 20

Cell = str | float | int | date | datetime | None


def _refuse(message: str) -> FieldErrors:
    return FieldErrors({"file": message})


def _xlsx(content: bytes) -> list[list[Cell]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise _refuse("文件不是有效的 .xlsx（可能已损坏，或实际是其他格式）") from exc
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED:
        raise _refuse(
            f"文件解压后约 {unpacked >> 20} MB，超过 {MAX_UNPACKED >> 20} MB 上限，已拒绝"
        )
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows: list[list[Cell]] = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(list(values))
        if len(rows) > MAX_ROWS + HEADER_SCAN:
            raise _refuse(f"行数超过上限 {MAX_ROWS:,} 行，请分批导入")
    book.close()
    return rows


def _xls(content: bytes) -> list[list[Cell]]:
    try:
        book = xlrd.open_workbook(file_contents=content)
    except xlrd.XLRDError as exc:
        raise _refuse("文件不是有效的 .xls") from exc
    sheet = book.sheet_by_index(0)
    if sheet.nrows > MAX_ROWS + HEADER_SCAN:
        raise _refuse(f"行数超过上限 {MAX_ROWS:,} 行，请分批导入")
    rows: list[list[Cell]] = []
    for r in range(sheet.nrows):
        row: list[Cell] = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype == xlrd.XL_CELL_EMPTY:
                row.append(None)
            else:
                row.append(cell.value)
        rows.append(row)
    return rows


def _csv(content: bytes) -> list[list[Cell]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse("无法识别文件编码（支持 UTF-8 与 GBK）")
    rows: list[list[Cell]] = []
    for values in csv.reader(io.StringIO(text)):
        rows.append([v if v != "" else None for v in values])
        if len(rows) > MAX_ROWS + HEADER_SCAN:
            raise _refuse(f"行数超过上限 {MAX_ROWS:,} 行，请分批导入")
    return rows


def read(filename: str, content: bytes) -> list[list[Cell]]:
    """Return the first sheet's rows (or the CSV's), refusing oversize or unreadable files."""
    if not content:
        raise _refuse("文件是空的")
    if len(content) > MAX_BYTES:
        raise _refuse(f"文件大小 {len(content) / 2**20:.1f} MB，超过 {MAX_BYTES >> 20} MB 上限")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    readers = {"xlsx": _xlsx, "xls": _xls, "csv": _csv}
    if suffix not in readers:
        raise _refuse("只支持 .xlsx、.xls 和 .csv 文件")
    rows = readers[suffix](content)
    if not any(any(v not in (None, "") for v in row) for row in rows):
        raise _refuse("文件中没有数据")
    return rows
