"""The import check's per-field validation gives what validating the whole record gives."""

import pytest

from enterprises.registry.models import EnterpriseFields
from enterprises.spreadsheets import import_checks

RECORDS = [
    {"name": "  佛山市甲有限公司 ", "credit_code": " 91440606mb0000010t "},
    {"name": "佛山市乙有限公司", "park_id": 1, "employees": 3, "annual_revenue": 12.5},
    {"name": "佛山市丙有限公司", "employees": True, "district": " 顺德区 "},
    {"name": "佛山市丁有限公司", "credit_code": "", "address": ""},
]
WRONG = [
    {"credit_code": None},  # the name is required
    {"name": "佛山市戊有限公司", "employees": -1},
    {"name": "佛山市己有限公司", "credit_code": "91440606MB0000019X"},  # check digit
    {"name": "佛\x01山"},
]


@pytest.mark.parametrize("record", RECORDS)
def test_fields_checked_one_by_one_as_the_whole_record(record: dict[str, object]) -> None:
    whole = EnterpriseFields.model_validate(record).model_dump(exclude_unset=True)
    assert import_checks._fields_checked(record) == whole
    assert import_checks._fields_checked(record) == whole  # from the cache too


@pytest.mark.parametrize("record", WRONG)
def test_a_wrong_field_leaves_the_record_to_the_whole_validation(record: dict[str, object]) -> None:
    assert import_checks._fields_checked(record) is None
