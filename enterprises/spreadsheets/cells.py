"""Reading the values people type into government spreadsheets: dates, amounts, yes/no.

Each parser returns the value or raises ValueError with a Chinese reason.
"""

import math
import re
from datetime import date, datetime, timedelta

from core import bounds

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, counting its 1900 leap-year bug
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_YEAR = re.compile(r"^\s*(\d{4})")
_AMOUNT = re.compile(r"^\s*([-+]?[\d,，]*\.?\d+)\s*(亿元|万元|元|亿|万)?\s*$")
UNIT_FACTORS = {"元": 0.0001, "万元": 1.0, "万": 1.0, "亿元": 10000.0, "亿": 10000.0}


def text(value: object) -> str:
    """Return a cell as trimmed text (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: object) -> date:
    """Accept 2023/1/5, 2023-01-05, 2023年1月5日, 2023.1.5, Excel serial days, date cells."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and 1 <= value < 80000:
        return EXCEL_EPOCH + timedelta(days=int(value))
    raw = text(value)
    if raw.isdigit() and 20000 < int(raw) < 80000:
        return EXCEL_EPOCH + timedelta(days=int(raw))
    match = _DATE.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"“{raw}”不是有效日期") from exc
    match = _YEAR_MONTH.match(raw)
    if match:
        return date(int(match.group(1)), int(match.group(2)), 1)
    raise ValueError(f"无法识别日期“{raw}”（可写 2023-01-05、2023/1/5 或 2023年1月5日）")


def parse_amount(value: object, header_unit: str = "万元") -> float:
    """Return an amount in 万元; a unit in the cell wins over the unit stated in the header."""
    raw = text(value)
    if isinstance(value, int | float):
        amount = float(value) * UNIT_FACTORS[header_unit]
    else:
        match = _AMOUNT.match(raw)
        if not match:
            raise ValueError(f"无法识别金额“{raw}”（可写 1234.5、1,234.5万元 或 12345000元）")
        number = float(match.group(1).replace(",", "").replace("，", ""))
        amount = number * UNIT_FACTORS[match.group(2) or header_unit]
    if amount < 0:
        raise ValueError(f"金额不能为负数（“{raw}”）")
    if not math.isfinite(amount) or amount > bounds.MONEY_WAN:
        raise ValueError(f"金额“{raw}”超出范围（最多 {bounds.MONEY_WAN:,.0f} 万元）")
    return amount


def parse_count(value: object) -> int:
    """Return a whole non-negative number."""
    raw = text(value).replace(",", "")
    if not raw.isdigit():
        raise ValueError(f"“{raw}”不是整数")
    return int(raw)


def parse_year(value: object) -> int:
    """Accept 2023, 2023年, 2023年第一批 or a date; return the year."""
    if isinstance(value, date):
        return value.year
    match = _YEAR.match(text(value))
    if not match or not 1949 <= int(match.group(1)) <= 2100:
        raise ValueError(f"无法识别年度“{text(value)}”")
    return int(match.group(1))


def parse_flag(value: object) -> bool:
    """Accept 是/否, Y/N, 1/0, √."""
    raw = text(value).lower()
    if raw in ("是", "y", "yes", "1", "√", "true", "规上"):
        return True
    if raw in ("否", "n", "no", "0", "", "false", "规下"):
        return False
    raise ValueError(f"“{text(value)}”应填“是”或“否”")
