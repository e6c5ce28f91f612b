"""What a preview says about each row, and how a clean preview is kept for its commit.

A preview without errors is stored, compressed, on its batch under a key made of the
registry's version token and the designation's rules. The commit uses it only if the key is
still the same — no firm, park, chain, segment or designation rule changed in between — and
the same columns are mapped; otherwise it checks the file afresh. Reading and checking are
most of an import's time.
"""

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from core import personal, versions
from enterprises.cultivation.designations import Designation

_DATES = frozenset({"founded_date", "recognised_on", "stage_on"})
_COMMITTED = frozenset({"chain", "segment", "year", "recognised_on", "stage", "stage_on"})


@dataclass
class RowFate:
    """What committing would do with one row."""

    row: int  # as the spreadsheet numbers it
    status: str  # new | update | same | error
    name: str = ""
    enterprise_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)  # checked enterprise fields to write
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def shown_changes(self) -> dict[str, tuple[Any, Any]]:
        """The changes as anyone may be shown them: a firm's phone masked (core.personal)."""
        return {
            k: (personal.masked({k: old})[k], personal.masked({k: new})[k])
            for k, (old, new) in self.changes.items()
        }


@dataclass
class Preview:
    """The preview of a batch under a mapping."""

    header_row: int
    columns: list[tuple[int, str, str | None]]  # index, header text, mapped field
    rows: list[RowFate]
    units: dict[str, str]
    problems: list[str] = field(default_factory=list)  # about the file, not a row

    def count(self, status: str) -> int:
        """Rows with this fate."""
        return sum(1 for r in self.rows if r.status == status)

    @property
    def errors(self) -> list[str]:
        """The file's problems, then every row error in row order."""
        return [*self.problems, *(e for r in self.rows for e in r.errors)]


def key(session: Session, designation: Designation | None) -> str:
    """What a preview's verdicts depend on besides the file and the mapping."""
    # Read through the attributes: model_dump of an expired object (after a commit) is empty.
    rules = (
        json.dumps(
            {name: getattr(designation, name) for name in type(designation).model_fields},
            default=str,
            sort_keys=True,
        )
        if designation is not None
        else ""
    )
    digest = hashlib.sha256(rules.encode()).hexdigest()[:16]
    return f"{versions.current(session=session)}:{digest}"


def pack(preview: Preview) -> bytes:
    """A preview as compressed JSON."""
    # A commit needs of the parsed values only those that are not enterprise fields.
    rows = [
        vars(f) | {"values": {k: f.values[k] for k in _COMMITTED & f.values.keys()}}
        for f in preview.rows
    ]
    data = vars(preview) | {"rows": rows}
    text = json.dumps(data, ensure_ascii=False, default=date.isoformat)
    return zlib.compress(text.encode(), 1)


def unpack(packed: bytes) -> Preview:
    """The preview that pack() stored."""
    data = json.loads(zlib.decompress(packed))
    rows = [
        RowFate(
            **fate
            | {
                "values": _revive(fate["values"]),
                "fields": _revive(fate["fields"]),
                "changes": {k: (_date(k, a), _date(k, b)) for k, (a, b) in fate["changes"].items()},
            }
        )
        for fate in data.pop("rows")
    ]
    columns = [(i, header, chosen) for i, header, chosen in data.pop("columns")]
    return Preview(rows=rows, columns=columns, **data)


def _date(key: str, value: Any) -> Any:
    return date.fromisoformat(value) if key in _DATES and isinstance(value, str) else value


def _revive(values: dict[str, Any]) -> dict[str, Any]:
    for key in _DATES & values.keys():
        values[key] = _date(key, values[key])
    return values
