"""Spreadsheets the import tests upload: a designation list as .xlsx, and its headers."""

import io

from openpyxl import Workbook


def xlsx(rows: list[list[object]], title: str | None = "2023年瞪羚企业名单") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
        sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所属园区",
    "营业收入（元）",
    "成立日期",
    "认定年度",
]
