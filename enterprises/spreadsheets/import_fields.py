"""A row's enterprise fields as EnterpriseFields takes them, checked field by field.

A list's names and credit codes are each met once, and pydantic's per-field hooks cost 7–17 µs
a value: a 20,000-row list spent over a second there. Nearly every value a list's cells give is
one the model takes as it is — text without surrounding blanks or control characters and within
its length, a whole number or a finite amount within its bounds, a date, yes or no — so each
field has a shortcut, built from the model's own constraints and validators, that says so in a
microsecond or two. A value the shortcut is not sure of goes to pydantic (cached: parks and
other repeated values), whose errors are the messages people see.

Only the row's own values are checked: a firm the row matched keeps its stored values, which
the row does not touch (an update writes only the row's fields), even one today's rules would
refuse — the row is not the place to fix it, and its message would name a column the file
may not have.
"""

import math
import threading
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from types import NoneType
from typing import Any, cast, get_args

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import ValidationError

from core.text import control_problem
from core.validation import chinese_message
from enterprises.registry import credit_code
from enterprises.registry.models import EnterpriseFields

Check = Callable[[Any], bool]  # True: the model surely takes the value as it is

_MODEL = EnterpriseFields
_ORDER = tuple(_MODEL.model_fields)  # (model_fields is a property that costs a lookup)
_REQUIRED = frozenset(k for k, f in _MODEL.model_fields.items() if f.is_required())

# What a value must be for each of the model's validators to leave it as it is (and pass). A
# field with a validator not named here has no shortcut: pydantic checks its every value.
_KEPT_BY: dict[str, Check] = {
    "_as_input": lambda v: not isinstance(v, str) or control_problem(v) is None,
    "_strip": lambda v: not isinstance(v, str) or v == v.strip(),
    "_blank_code": lambda v: not isinstance(v, str) or (v != "" and v == v.strip().upper()),
    "_check_character": lambda v: v is None or credit_code.problem(v) is None,
}
_SCALARS = (int, float, bool, date)


def _validators(key: str) -> list[str]:
    decorators = _MODEL.__pydantic_decorators__.field_validators.items()
    return [name for name, d in decorators if key in d.info.fields or "*" in d.info.fields]


def _shortcut(key: str) -> Check | None:
    """The field's shortcut, or None if its annotation, constraints or validators are beyond
    what a shortcut knows."""
    field = _MODEL.model_fields[key]
    kinds = set(get_args(field.annotation)) - {NoneType} or {field.annotation}
    rules = [_KEPT_BY.get(name) for name in _validators(key)]
    if len(kinds) != 1 or key in _MODEL.web_addresses or None in rules:
        return None
    kind = kinds.pop()
    low, high = -math.inf, math.inf
    for bound in field.metadata:
        if isinstance(bound, MinLen):
            low = bound.min_length
        elif isinstance(bound, MaxLen):
            high = bound.max_length
        elif isinstance(bound, Ge):
            low = float(cast(float, bound.ge))
        elif isinstance(bound, Le):
            high = float(cast(float, bound.le))
        elif type(bound).__name__ != "FieldInfoMetadata":  # SQLModel's column options
            return None
    if kind not in (str, *_SCALARS):
        return None
    kept_by = tuple(cast(list[Check], rules))

    def shortcut(v: Any) -> bool:
        if type(v) is not kind:  # exactly: pydantic turns True into 1 and 1 into 1.0
            return False
        if kind is str and not low <= len(v) <= high:
            return False
        if kind in (int, float) and not (math.isfinite(v) and low <= v <= high):
            return False
        for rule in kept_by:  # noqa: SIM110 (all() of a generator costs more than the rules)
            if not rule(v):
                return False
        return True

    return shortcut


_SHORTCUTS: dict[str, Check | None] = {key: _shortcut(key) for key in _MODEL.model_fields}


def checked(fields: dict[str, Any], *, new: bool) -> dict[str, Any] | None:
    """The fields as the model validates them, in its order (what model_validate(fields)
    .model_dump(exclude_unset=True) gives); None if any is wrong, or, for a `new` firm,
    a required one is missing."""
    if new and not fields.keys() >= _REQUIRED:
        return None
    result: dict[str, Any] = {}
    for key in _ORDER:
        if key not in fields:
            continue
        value = fields[key]
        shortcut = _SHORTCUTS[key]
        if shortcut is not None and shortcut(value):
            result[key] = value
            continue
        try:  # the type too: 1, 1.0 and True are equal keys, but not the same input
            ok, value = _field_checked(key, type(value).__name__, value)
        except TypeError:  # an unhashable value: validated without the cache
            ok, value = _field_checked.__wrapped__(key, type(value).__name__, value)
        if not ok:
            return None
        result[key] = value
    return result


def problems(fields: dict[str, Any], *, new: bool) -> list[tuple[str, str]]:
    """(field, Chinese message) for each wrong field, and for a `new` firm each missing required
    one, in the model's order (as validating the whole record reports them)."""
    found: list[tuple[str, str]] = []
    for key in _ORDER:
        if key not in fields:
            if new and key in _REQUIRED:
                found.append((key, chinese_message({"type": "missing"})))
            continue
        try:
            _validate(key, fields[key])
        except ValidationError as exc:
            found += [(key, chinese_message(error)) for error in exc.errors()]
    return found


_holders = threading.local()  # a record per thread to validate fields on (making one costs)


def _validate(key: str, value: Any) -> Any:
    """The value as the model takes it for this field; ValidationError if it does not."""
    holder = getattr(_holders, "record", None)
    if holder is None:
        holder = _holders.record = _MODEL.model_construct()
    _MODEL.__pydantic_validator__.validate_assignment(holder, key, value)
    return holder.__dict__[key]


@lru_cache(maxsize=4096)
def _field_checked(key: str, _kind: str, value: Any) -> tuple[bool, Any]:
    """Whether one field's value passes the model, and what it becomes."""
    try:
        return True, _validate(key, value)
    except ValidationError:
        return False, None
