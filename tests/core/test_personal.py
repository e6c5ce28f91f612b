"""Masking personal values, and what a client sends back masked."""

import pytest
from sqlmodel import Session

from core import audit, personal
from core.accounts import Role
from core.errors import NotFound, PermissionDenied
from tests.factories import make_enterprise, make_user


@pytest.mark.parametrize(
    ("phone", "shown"),
    [("13812341234", "138****1234"), ("0757-88886666", "075****6666"), ("12345", "****"), ("", "")],
)
def test_phones_are_masked(phone: str, shown: str) -> None:
    assert personal.mask_phone(phone) == shown


def test_a_record_is_masked_field_by_field() -> None:
    values = {"name": "某公司", "contact_phone": "13812341234", "phone": None, "version": 3}
    assert personal.masked(values) == values | {"contact_phone": "138****1234"}


@pytest.mark.parametrize(
    ("submitted", "stored", "kept"),
    [
        ("138****1234", "13812341234", "13812341234"),  # sent back as shown
        ("13700000000", "13812341234", "13700000000"),  # typed anew
        ("", "13812341234", ""),  # cleared
        ("139****1234", "13812341234", "139****1234"),  # not what was shown: taken as typed
        ("****", "", "****"),
    ],
)
def test_a_masked_phone_sent_back_keeps_the_stored_one(
    submitted: str, stored: str, kept: str
) -> None:
    assert personal.keep_unless_changed(submitted, stored) == kept


def test_only_admins_open_an_audit_entry_whole(session: Session) -> None:
    firm = make_enterprise(session, contact_phone="13812341234")
    entry = audit.history(session=session, object_type="enterprise", object_id=firm.id or 0)[0]
    assert personal.holds_personal(entry)
    with pytest.raises(PermissionDenied):
        personal.reveal_entry(
            session=session, actor=make_user(session, Role.leader), entry_id=entry.id or 0
        )
    with pytest.raises(NotFound):
        personal.reveal_entry(session=session, actor=make_user(session, Role.admin), entry_id=10**9)
