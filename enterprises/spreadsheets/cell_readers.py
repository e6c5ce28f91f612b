"""Reading a list's cells into field values: text, dates, amounts in the column's unit, credit
codes, and the parks, chains, segments and stages named as people write them.

A reader is chosen once a column (import_headers says each field's kind), not once a cell; it
raises ValueError with a Chinese reason, which the preview puts beside the row and column.
"""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlmodel import Session, select

from chains.models import Chain, Segment
from core.db import require_id
from core.orgs import Park
from enterprises.cultivation.pipeline import ORDER, STAGE_LABELS, Stage
from enterprises.registry import credit_code
from enterprises.spreadsheets import cells, tabular


class Lookups:
    """Parks, chains and segments by the names people write, loaded once per preview."""

    def __init__(self, session: Session) -> None:
        self.parks: dict[str, int] = {}
        for park in session.exec(select(Park)):
            for key in (park.name, park.code, park.name.removesuffix("园"), park.district):
                if key:
                    self.parks.setdefault(key, require_id(park))
        self.chains = {
            key: require_id(c)
            for c in session.exec(select(Chain))
            for key in (c.name, f"{c.name}产业链", c.code)
        }
        self.segments = {(s.chain_id, s.name): require_id(s) for s in session.exec(select(Segment))}


# The names lists give the stages of cultivation (pipeline.STAGE_LABELS and their variants).
STAGE_NAMES = {STAGE_LABELS[s]: s for s in ORDER} | {
    "候选企业": Stage.candidate,
    "入库": Stage.pool,
    "培育": Stage.pool,
    "培育库": Stage.pool,
    "入库企业": Stage.pool,
    "已申报": Stage.applied,
    "申报企业": Stage.applied,
    "已认定": Stage.recognised,
}


_UNKNOWN_STAGE = "未知阶段“{}”（应为候选、入库培育、申报、认定之一）"
_UNKNOWN_PARK = "未知园区“{}”（应为禅城园、南海园、顺德园、高明园、三水园之一）"
# Kinds whose few values repeat down a column (a year, a park): each is read once a column.
_REPEATED = frozenset({"date", "flag", "year", "stage", "park", "chain"})
Reader = Callable[[tabular.Cell, int | None], Any]  # a cell, and the row's chain → a value


def reader(kind: str, unit: str, lookups: Lookups) -> Reader:
    """How a column of the field's kind reads a cell (chosen once a column, not once a cell);
    it raises ValueError with a Chinese reason. The row's chain is for a segment's column."""
    simple: dict[str, Callable[[tabular.Cell], Any]] = {
        "text": _text,
        "date": cells.parse_date,
        "amount": lambda v: cells.parse_amount(v, unit),
        "count": cells.parse_count,
        "flag": cells.parse_flag,
        "year": cells.parse_year,
        "stage": lambda v: _named(STAGE_NAMES, v, _UNKNOWN_STAGE).value,
        "code": _code,
        "park": lambda v: _named(lookups.parks, v, _UNKNOWN_PARK),
        "chain": lambda v: _named(lookups.chains, v, "未知产业链“{}”"),
    }
    if kind in simple:
        read = simple[kind]
        if kind in _REPEATED:
            read = lru_cache(maxsize=None, typed=True)(read)
        return lambda value, _: read(value)

    def segment(value: tabular.Cell, chain_id: int | None) -> int:
        if chain_id is None:
            raise ValueError("填写环节时须同时填写产业链")
        name = _text(value)
        if (chain_id, name) not in lookups.segments:
            raise ValueError(f"该产业链没有环节“{name}”")
        return lookups.segments[(chain_id, name)]

    return segment


def convert(kind: str, raw: Any, unit: str, lookups: Lookups, chain_id: int | None) -> Any:
    """One cell as the field's kind reads it; ValueError with a Chinese reason otherwise."""
    return reader(kind, unit, lookups)(raw, chain_id)


def _text(value: tabular.Cell) -> str:
    # cells.text, quicker for the text most cells hold
    return value.strip() if type(value) is str else cells.text(value)


def _named(known: dict[str, Any], value: tabular.Cell, unknown: str) -> Any:
    name = _text(value)
    if name not in known:
        raise ValueError(unknown.format(name))
    return known[name]


def _code(value: tabular.Cell) -> str:
    code = _text(value).upper()
    if problem := credit_code.problem(code):
        raise ValueError(problem)
    return code
