"""The import check's field-by-field validation says what validating the whole record says."""

import math
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from core import bounds
from core.validation import chinese_message
from enterprises.registry.models import EnterpriseFields
from enterprises.spreadsheets import import_checks, import_fields
from tests.factories import valid_code

RECORDS = [
    {"name": "  佛山市甲有限公司 ", "credit_code": " 91440606mb0000010t "},
    {"name": "佛山市乙有限公司", "park_id": 1, "employees": 3, "annual_revenue": 12.5},
    {"name": "佛山市丙有限公司", "employees": True, "district": " 顺德区 "},
    {"name": "佛山市丁有限公司", "credit_code": "", "address": ""},
    {"name": "佛山市戊有限公司", "founded_date": date(2020, 1, 2), "above_size": True},
]
WRONG = [
    {"credit_code": None},  # the name is required
    {"name": "佛山市戊有限公司", "employees": -1},
    {"name": "佛山市己有限公司", "credit_code": "91440606MB0000019X"},  # check digit
    {"name": "佛\x01山"},
    {"name": "佛", "district": "区" * 41, "annual_output": math.inf, "contact_phone": 5},
]


def _whole(record: dict[str, Any]) -> dict[str, Any]:
    return EnterpriseFields.model_validate(record).model_dump(exclude_unset=True)


@pytest.mark.parametrize("record", RECORDS)
def test_fields_checked_one_by_one_as_the_whole_record(record: dict[str, Any]) -> None:
    assert import_fields.checked(record, new=True) == _whole(record)
    assert import_fields.checked(record, new=True) == _whole(record)  # from the cache too


@pytest.mark.parametrize("record", WRONG)
def test_a_wrong_field_says_what_the_whole_record_says(record: dict[str, Any]) -> None:
    assert import_fields.checked(record, new=True) is None
    with pytest.raises(ValidationError) as caught:
        EnterpriseFields.model_validate(record)
    whole = [(str(e["loc"][0]), chinese_message(e)) for e in caught.value.errors()]
    assert import_fields.problems(record, new=True) == whole


def test_a_matched_firm_needs_no_name_from_the_row() -> None:
    assert import_fields.checked({"park_id": 1}, new=False) == {"park_id": 1}
    assert import_fields.checked({"park_id": 1}, new=True) is None
    assert import_fields.problems({"park_id": 1}, new=False) == []
    assert import_fields.problems({"park_id": 1}, new=True) == [("name", "必填")]


# Values of every kind a field may be handed: right ones, at and beyond each bound, of other
# types, with blanks around or control characters within.
SAMPLES: list[Any] = [
    None,
    "",
    " ",
    "佛",
    "佛山",
    " 佛山市甲有限公司 ",
    "佛山市甲有限公司",
    "佛山\x01市",
    "佛山\u3000",
    "a" * 18,
    "佛" * 40,
    "佛" * 41,
    "佛" * 100,
    "佛" * 101,
    "佛" * 500,
    "佛" * 501,
    valid_code(1),
    valid_code(1).lower(),
    f" {valid_code(1)}",
    valid_code(1)[:17] + ("0" if valid_code(1)[17] != "0" else "1"),
    0,
    1,
    -1,
    1948,
    1949,
    2100,
    2101,
    bounds.PEOPLE,
    bounds.PEOPLE + 1,
    2**31,
    True,
    False,
    0.0,
    1.5,
    -0.5,
    bounds.MONEY_WAN,
    bounds.MONEY_WAN * 1.0001,
    math.inf,
    math.nan,
    date(2020, 1, 2),
    datetime(2020, 1, 2, 0, 0),
    "2020-01-02",
]


@pytest.mark.parametrize("key", sorted(import_fields._SHORTCUTS))
def test_a_shortcut_takes_only_what_the_model_takes_unchanged(key: str) -> None:
    shortcut = import_fields._SHORTCUTS[key]
    if shortcut is None:
        return
    for value in SAMPLES:
        if not shortcut(value):
            continue
        taken = EnterpriseFields.model_validate({"name": "佛山市甲有限公司", key: value})
        assert getattr(taken, key) == value, (key, value)
        assert type(getattr(taken, key)) is type(value), (key, value)


def test_every_field_a_list_sets_has_a_shortcut() -> None:
    listed = import_checks.ENTERPRISE_KEYS | {"park_id"}
    assert {k for k in listed if import_fields._SHORTCUTS[k] is None} == set()


def test_a_validator_a_shortcut_does_not_know_leaves_the_field_to_pydantic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(import_fields._KEPT_BY, "_strip")
    assert import_fields._shortcut("name") is None
    assert import_fields._shortcut("employees") is not None
