import pytest
from sqlmodel import Session

from core import audit, personal
from core.accounts import Role
from core.errors import Conflict, FieldErrors, PermissionDenied
from core.orgs import get_park_by_code
from core.validation import parse
from enterprises.registry import service
from enterprises.registry.models import (
    FIELD_LABELS,
    EnterpriseCreate,
    EnterpriseUpdate,
    MemberRole,
)
from tests.factories import make_enterprise, make_user, valid_code


def _update_data(enterprise, **changes) -> EnterpriseUpdate:
    fields = enterprise.model_dump(include=set(EnterpriseUpdate.model_fields))
    return EnterpriseUpdate(**(fields | changes))


def test_create_records_audit_entry(session: Session) -> None:
    enterprise = make_enterprise(session, main_products="伺服电机")
    [entry] = audit.history(session=session, object_type="enterprise", object_id=enterprise.id)
    assert entry.action == "create"
    assert entry.after["main_products"] == "伺服电机"


def test_bad_check_character_names_the_field() -> None:
    with pytest.raises(FieldErrors) as err:
        parse(
            EnterpriseCreate,
            {"name": "佛山市错误代码有限公司", "credit_code": "91110108551385082a"},
            FIELD_LABELS,
        )
    assert err.value.errors == {"credit_code": "统一社会信用代码校验位错误（第 18 位应为 Q）"}


def test_duplicate_credit_code_is_refused(session: Session) -> None:
    first = make_enterprise(session)
    with pytest.raises(FieldErrors) as err:
        make_enterprise(session, credit_code=first.credit_code)
    assert first.name in err.value.errors["credit_code"]


def test_park_bureau_creates_in_its_own_park_only(session: Session) -> None:
    bureau = make_user(session, Role.park_bureau, park="shunde")
    make_enterprise(session, actor=bureau, park="shunde")
    with pytest.raises(PermissionDenied, match="本园区"):
        make_enterprise(session, actor=bureau, park="nanhai")


def test_park_bureau_cannot_edit_another_parks_enterprise(session: Session) -> None:
    other = make_enterprise(session, park="nanhai")
    bureau = make_user(session, Role.park_bureau, park="shunde")
    with pytest.raises(PermissionDenied):
        service.update(
            session=session,
            actor=bureau,
            enterprise_id=other.id,
            data=_update_data(other, name="改名企业有限公司"),
        )
    session.refresh(other)
    assert other.name != "改名企业有限公司"


def test_park_bureau_cannot_move_its_firm_to_another_park(session: Session) -> None:
    bureau = make_user(session, Role.park_bureau, park="shunde")
    own = make_enterprise(session, actor=bureau, park="shunde")
    nanhai = get_park_by_code(session=session, code="nanhai").id
    with pytest.raises(PermissionDenied):
        service.update(
            session=session,
            actor=bureau,
            enterprise_id=own.id,
            data=_update_data(own, park_id=nanhai),
        )


def test_update_bumps_version_and_audits_only_changes(session: Session) -> None:
    admin = make_user(session, Role.admin)
    enterprise = make_enterprise(session, actor=admin, employees=10)
    updated = service.update(
        session=session,
        actor=admin,
        enterprise_id=enterprise.id,
        data=_update_data(enterprise, employees=12),
    )
    assert updated.version == 2
    latest = audit.history(session=session, object_type="enterprise", object_id=enterprise.id)[0]
    assert (latest.before, latest.after) == ({"employees": 10}, {"employees": 12})


def test_stale_version_conflicts_and_writes_nothing(session: Session) -> None:
    admin = make_user(session, Role.admin)
    enterprise = make_enterprise(session, actor=admin, employees=10)
    stale = _update_data(enterprise, employees=99)
    service.update(
        session=session,
        actor=admin,
        enterprise_id=enterprise.id,
        data=_update_data(enterprise, employees=12),
    )
    with pytest.raises(Conflict) as err:
        service.update(session=session, actor=admin, enterprise_id=enterprise.id, data=stale)
    assert err.value.current["employees"] == 12
    session.refresh(enterprise)
    assert (enterprise.employees, enterprise.version) == (12, 2)


def _chain(session: Session, code: str) -> int:
    from chains import service as chain_service

    return chain_service.get_by_code(session=session, code=code).id


def test_leading_members_put_anchor_firms_first(session: Session) -> None:
    small_anchor = make_enterprise(
        session, segment=("hydrogen", "storage"), role=MemberRole.anchor, annual_output=1
    )
    make_enterprise(session, segment=("hydrogen", "storage"), annual_output=10_000)
    members = service.leading_members(session=session, chain_id=_chain(session, "hydrogen"))
    first = next(iter(v for v in members.values() if v))[0]
    assert (first[0].id, first[1]) == (small_anchor.id, MemberRole.anchor)


def test_a_whole_phone_is_shown_only_to_its_maintainers_and_logged(session: Session) -> None:
    enterprise = make_enterprise(session, park="shunde", contact_phone="13812341234")
    viewer = make_user(session, Role.viewer)
    bureau = make_user(session, Role.park_bureau, park="shunde")
    assert personal.mask_phone(enterprise.contact_phone) == "138****1234"
    with pytest.raises(PermissionDenied):
        service.reveal_phone(session=session, actor=viewer, enterprise=enterprise)
    shown = service.reveal_phone(session=session, actor=bureau, enterprise=enterprise)
    assert shown == "13812341234"
    session.flush()
    looks = audit.history(session=session, object_type="enterprise", object_id=enterprise.id or 0)
    assert [(e.action, e.actor_name) for e in looks][:1] == [("view_phone", bureau.username)]


def test_valid_code_factory_makes_valid_codes() -> None:
    from enterprises.registry.credit_code import problem

    assert problem(valid_code(42)) is None
