"""Reading uploaded lists (.xlsx, .xls, .csv in UTF-8 or GBK) into rows, safely.

Every limit is checked before anything is parsed: the upload size, that the content is what its
extension says (magic bytes), and for an .xlsx the number of zip members, their unpacked size
and compression ratio (a small zip can unpack to gigabytes) and that no XML part declares a DTD
(entity expansion — "billion laughs" — needs one). Workbooks are read by calamine (Rust), which
never expands entities and reads a 100,000-row sheet in about a second; the row limit is
enforced while reading.
"""

import csv
import io
import zipfile
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import cast

from python_calamine import CalamineError, CalamineWorkbook

from core.errors import FieldErrors

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_RATIO = 200  # unpacked / packed size of one zip member; real sheets stay far below
MAX_ROWS = 100_000
HEADER_SCAN = 20
_PROLOGUE = 4096  # a DOCTYPE must come before the root element, so this much shows it

_MAGIC = {"xlsx": b"PK\x03\x04", "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}

Cell = str | float | int | date | datetime | time | timedelta | None  # empty cells are ""


def _refuse(message: str) -> FieldErrors:
    return FieldErrors({"file": message})


def _too_many_rows() -> FieldErrors:
    return _refuse(f"行数超过上限 {MAX_ROWS:,} 行，请分批导入")


def _check_archive(content: bytes) -> None:
    """Refuse an .xlsx whose zip could exhaust memory or whose XML declares entities."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _refuse("文件不是有效的 .xlsx（可能已损坏，或实际是其他格式）") from exc
    if len(members) > MAX_MEMBERS:
        raise _refuse(f"文件包含 {len(members):,} 个部件，超过 {MAX_MEMBERS:,} 个上限，已拒绝")
    unpacked = sum(info.file_size for info in members)
    if unpacked > MAX_UNPACKED:
        raise _refuse(
            f"文件解压后约 {unpacked >> 20} MB，超过 {MAX_UNPACKED >> 20} MB 上限，已拒绝"
        )
    for info in members:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * info.compress_size:
            raise _refuse(f"文件部件 {info.filename} 的压缩比异常（疑似压缩炸弹），已拒绝")
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as part:
                if b"<!DOCTYPE" in part.read(_PROLOGUE).upper():
                    raise _refuse(f"文件部件 {info.filename} 含有 DTD 声明（不安全），已拒绝")


def _workbook(content: bytes, kind: str) -> list[list[Cell]]:
    if kind == "xlsx":
        _check_archive(content)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = book.get_sheet_by_index(0)
        # Rows from row 1 (not from the first filled cell) so row numbers match the sheet's.
        values = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + HEADER_SCAN + 1)
    except (CalamineError, ValueError, IndexError) as exc:
        raise _refuse(f"文件不是有效的 .{kind}（可能已损坏，或实际是其他格式）") from exc
    if len(values) > MAX_ROWS + HEADER_SCAN:
        raise _too_many_rows()
    return cast(list[list[Cell]], values)  # empty cells are "", as in a CSV


def _csv(content: bytes) -> list[list[Cell]]:
    if b"\x00" in content[:_PROLOGUE]:
        raise _refuse("文件内容不是文本，与 .csv 扩展名不符")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse("无法识别文件编码（支持 UTF-8 与 GBK）")
    # Read one row past the limit at most, in C (a loop here was half of reading a list).
    rows = list(islice(csv.reader(io.StringIO(text)), MAX_ROWS + HEADER_SCAN + 1))
    if len(rows) > MAX_ROWS + HEADER_SCAN:
        raise _too_many_rows()
    return cast(list[list[Cell]], rows)


def read(filename: str, content: bytes) -> list[list[Cell]]:
    """Return the first sheet's rows (or the CSV's), refusing oversize or unreadable files."""
    if not content:
        raise _refuse("文件是空的")
    if len(content) > MAX_BYTES:
        raise _refuse(f"文件大小 {len(content) / 2**20:.1f} MB，超过 {MAX_BYTES >> 20} MB 上限")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in ("xlsx", "xls", "csv"):
        raise _refuse("只支持 .xlsx、.xls 和 .csv 文件")
    if suffix in _MAGIC and not content.startswith(_MAGIC[suffix]):
        raise _refuse(f"文件不是有效的 .{suffix}（内容与扩展名不符，或文件已损坏）")
    rows = _csv(content) if suffix == "csv" else _workbook(content, suffix)
    if not any(any(v not in (None, "") for v in row) for row in rows):
        raise _refuse("文件中没有数据")
    return rows
