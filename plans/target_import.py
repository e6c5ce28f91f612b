"""Importing a plan's targets from a sheet (.xlsx, .xls, .csv): all rows or none.

One row a target. Columns by their headers, found in the top rows under any title rows:
目标名称, 单位, 目标值, 比较方式 (≥ > ≤ ≈, or 不少于/超过/不超过/左右), 期限 (a year),
计算口径 (a figure's code or name: the target is computed; blank: reported), 牵头单位,
驾驶舱 (是/否), 原文, and one column per year (2024, 2025年 …) holding that year's milestone.
Every error names its row and column; if any row has one, nothing is written.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from core import permissions
from core.accounts import User
from core.errors import FieldErrors
from core.validation import parse
from enterprises.spreadsheets import cells, tabular
from plans import figures, plan_writing
from plans.plan_writing import TARGET_LABELS, TargetFields
from plans.targets import Comparator, Plan, Target, TargetKind

COLUMNS = {
    "name": ("目标名称", "指标名称", "目标", "指标"),
    "unit": ("单位",),
    "target_value": ("目标值", "目标数值", "数值"),
    "comparator": ("比较方式", "比较"),
    "deadline_year": ("期限", "期限年份", "完成年份"),
    "figure": ("计算口径", "口径"),
    "lead_units": ("牵头单位", "责任单位"),
    "headline": ("驾驶舱", "驾驶舱显示", "重点"),
    "quote": ("原文", "规划原文", "原文表述"),
}
COMPARATORS = {
    "≥": Comparator.ge,
    ">=": Comparator.ge,
    "不少于": Comparator.ge,
    "达到": Comparator.ge,
    ">": Comparator.gt,
    "超过": Comparator.gt,
    "≤": Comparator.le,
    "<=": Comparator.le,
    "不超过": Comparator.le,
    "≈": Comparator.approx,
    "左右": Comparator.approx,
}
_YEAR_HEADER = re.compile(r"^\s*(\d{4})\s*年?\s*(目标)?\s*$")
TEMPLATE_HEADERS = ["目标名称", "单位", "目标值", "比较方式", "期限", "计算口径", "牵头单位"]


@dataclass(frozen=True)
class Layout:
    """Where the header row is, and which column holds which field or year."""

    header_row: int
    fields: dict[str, int]
    years: dict[int, int]
    headers: list[str]


def _field_of(header: str) -> str | None:
    for field, names in COLUMNS.items():
        if header in names:
            return field
    return None


def layout(rows: list[list[tabular.Cell]]) -> Layout:
    """Find the header row (the one naming most known columns in the top rows)."""
    best: Layout | None = None
    for index, row in enumerate(rows[: tabular.HEADER_SCAN]):
        headers = [cells.text(v) for v in row]
        fields: dict[str, int] = {}
        years: dict[int, int] = {}
        for column, header in enumerate(headers):
            if (field := _field_of(header)) and field not in fields:
                fields[field] = column
            elif match := _YEAR_HEADER.match(header):
                years[int(match.group(1))] = column
        if best is None or len(fields) > len(best.fields):
            best = Layout(index, fields, years, headers)
    if best is None or "name" not in best.fields or "target_value" not in best.fields:
        raise FieldErrors({"file": "找不到表头：须有“目标名称”和“目标值”两列"})
    return best


def _column_name(found: Layout, field: str) -> str:
    return found.headers[found.fields[field]] if field in found.fields else TARGET_LABELS[field]


def _values(found: Layout, row: list[tabular.Cell], problems: dict[str, str]) -> dict[str, Any]:
    """A row's cells as TargetFields input; unreadable cells go to `problems` by field."""

    def cell(field: str) -> Any:
        column = found.fields.get(field)
        return row[column] if column is not None and column < len(row) else None

    values: dict[str, Any] = {
        field: cells.text(cell(field))
        for field in ("name", "unit", "lead_units", "quote", "target_value")
        if cells.text(cell(field))
    }
    raw = cells.text(cell("comparator"))
    if raw:
        if raw not in COMPARATORS:
            problems["comparator"] = f"“{raw}”不是可识别的比较方式（{'、'.join(COMPARATORS)}）"
        else:
            values["comparator"] = COMPARATORS[raw]
    if cells.text(cell("deadline_year")):
        try:
            values["deadline_year"] = cells.parse_year(cell("deadline_year"))
        except ValueError as exc:
            problems["deadline_year"] = str(exc)
    figure = cells.text(cell("figure"))
    if figure:
        chosen = next((f for f in figures.FIGURES.values() if figure in (f.code, f.label)), None)
        if chosen is None:
            problems["figure"] = f"“{figure}”不是已有的计算口径"
        else:
            values["figure"], values["kind"] = chosen.code, TargetKind.computed
    if cells.text(cell("headline")):
        try:
            values["headline"] = cells.parse_flag(cell("headline"))
        except ValueError as exc:
            problems["headline"] = str(exc)
    milestones = {}
    for year, column in found.years.items():
        text = cells.text(row[column]) if column < len(row) else ""
        if text:
            try:
                milestones[year] = float(text.replace(",", ""))
            except ValueError:
                problems[f"year{year}"] = f"“{text}”不是数字"
    values["milestones"] = milestones
    return values


def import_targets(
    *, session: Session, actor: User, plan: Plan, filename: str, content: bytes
) -> list[Target]:
    """Add every row of the sheet as a target of the plan, or none if any row is wrong."""
    permissions.ensure_can_edit_plans(actor)
    rows = tabular.read(filename, content)
    found = layout(rows)
    checked: list[TargetFields] = []
    errors: dict[str, str] = {}
    for index in range(found.header_row + 1, len(rows)):
        row = rows[index]
        if not any(cells.text(v) for v in row):
            continue
        number = index + 1  # as the spreadsheet numbers its rows
        problems: dict[str, str] = {}
        values = _values(found, row, problems)
        data = None
        try:
            data = parse(TargetFields, values, TARGET_LABELS)
            if not problems:
                plan_writing.check_target(plan=plan, data=data)
        except FieldErrors as exc:
            for field, message in exc.errors.items():
                problems.setdefault(field, message)
        for field, message in problems.items():
            if field.startswith("year"):
                column = f"{field[4:]}年"
            else:
                column = _column_name(found, field.split(".")[0])
            errors[f"row{number}.{field}"] = f"第 {number} 行“{column}”：{message}"
        if data is not None and not problems:
            checked.append(data)
    if not checked and not errors:
        raise FieldErrors({"file": "表中没有目标行"})
    if errors:
        raise FieldErrors(errors)
    return [
        plan_writing.add_target(session=session, actor=actor, plan=plan, data=data)
        for data in checked
    ]
