"""The largest number each kind of figure may take, stated once for every model and form.

A bound is far beyond anything a zone — or the largest firm in China — reaches, so only a
slip of the keyboard or an attack meets it; and small enough that a sum over a million rows
stays finite and exact to the unit (a float holds integers exactly up to 9 × 10^15), so that
no board, dashboard or export sums to infinity. Infinity and NaN are refused everywhere.

Each constant below says what it bounds.
"""

import math

from core.errors import FieldErrors

# 10 万亿元. A firm's annual output, revenue, tax and R&D (美的集团's revenue ≈ 4 × 10^7 万元);
# a project's planned investment, expected output and tax; a capital arrival; a carrier's
# price; a screening threshold in 万元.
MONEY_WAN = 1e9
PEOPLE = 10_000_000  # a firm's employees (the largest employers have 2–3 million)
PATENTS = 1_000_000  # a firm's invention patents
AREA = 1e8  # m² or 亩 (100 km²): a carrier's total and available area, a project's space need
RENT = 1e5  # 元/m²·月: a carrier's rent
FLOOR_LOAD = 1e3  # kN/m²: a carrier's floor load
FIGURE = 1e12  # a plan target's reported value and its shares (counts, %, 万元, 亿元)
POSITION = 100_000  # a sort position (either sign)


def problem(value: float, *, low: float, high: float) -> str | None:
    """Say why value may not be entered (not finite, or outside [low, high]); None if it may."""
    if math.isfinite(value) and low <= value <= high:
        return None
    return f"须在 {low:,.0f} 到 {high:,.0f} 之间"


def check(value: float, *, low: float, high: float, key: str, label: str) -> float:
    """Return value if finite and within [low, high]; else raise FieldErrors naming the label."""
    if reason := problem(value, low=low, high=high):
        raise FieldErrors({key: f"{label}{reason}"})
    return value
