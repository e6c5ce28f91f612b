"""The carrier library: who keeps it, which carriers fit a lead, reserving."""

from datetime import date

import pytest
from sqlmodel import Session

from core.accounts import Role
from core.errors import Conflict, FieldErrors, PermissionDenied
from core.orgs import get_park_by_code
from enterprises.projects import carriers, lead_stages
from enterprises.projects.carriers import Carrier, CarrierFields, CarrierKind, CarrierStatus
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import LeadStage, SpaceKind, SpaceUnit
from tests.factories import make_lead, make_user


def _carrier(session: Session, park: str, name: str, kind: CarrierKind, area: float) -> Carrier:
    park_id = get_park_by_code(session=session, code=park).id or 0
    data = CarrierFields(
        park_id=park_id, name=name, kind=kind, total_area=area * 2, available_area=area
    )
    return carriers.create(session=session, actor=make_user(session, Role.admin), data=data)


def test_park_bureaus_keep_their_own_parks_carriers(session: Session) -> None:
    nanhai = get_park_by_code(session=session, code="nanhai").id or 0
    data = CarrierFields(park_id=nanhai, name="南海厂房", total_area=100, available_area=50)
    with pytest.raises(PermissionDenied):
        carriers.create(session=session, actor=make_user(session, Role.park_bureau), data=data)
    made = carriers.create(
        session=session, actor=make_user(session, Role.park_bureau, park="nanhai"), data=data
    )
    with pytest.raises(FieldErrors, match="已有名为"):
        carriers.create(session=session, actor=make_user(session, Role.admin), data=data)
    assert made.status == CarrierStatus.available


def test_available_area_cannot_exceed_the_total() -> None:
    with pytest.raises(FieldErrors) as refused:
        CarrierFields(park_id=1, name="过大", total_area=100, available_area=200)
    assert "available_area" in refused.value.errors


def test_fitting_carriers_match_park_kind_and_size_tightest_first(session: Session) -> None:
    owner = make_user(session, Role.promotion)
    park = get_park_by_code(session=session, code="sanshui")
    _carrier(session, "sanshui", "三水大厂房", CarrierKind.factory, 20_000)
    _carrier(session, "sanshui", "三水小厂房", CarrierKind.factory, 6_000)
    _carrier(session, "sanshui", "三水太小厂房", CarrierKind.factory, 3_000)
    _carrier(session, "sanshui", "三水地块", CarrierKind.land, 60_000)
    _carrier(session, "nanhai", "南海厂房", CarrierKind.factory, 50_000)
    lead = make_lead(session, owner, park_id=park.id, space_need=5000, space_unit=SpaceUnit.m2)
    assert [c.name for c in carriers.fitting(session=session, lead=lead)] == [
        "三水小厂房",
        "三水大厂房",
    ]
    land = make_lead(
        session,
        owner,
        park_id=park.id,
        space_need=80,
        space_unit=SpaceUnit.mu,
        space_kind=SpaceKind.land,
    )  # 80 亩 is 53,333 m²
    assert [c.name for c in carriers.fitting(session=session, lead=land)] == ["三水地块"]


def test_only_signed_projects_reserve_and_a_reserved_carrier_is_taken(session: Session) -> None:
    owner = make_user(session, Role.promotion)
    carrier = _carrier(session, "shunde", "顺德厂房", CarrierKind.factory, 8_000)
    lead = make_lead(session, owner, on=date(2025, 1, 1))
    with pytest.raises(FieldErrors, match="已签约"):
        carriers.reserve(
            session=session, actor=owner, carrier=carrier, lead=lead, on=date(2025, 3, 1)
        )
    lead_stages.move(
        session=session,
        actor=owner,
        lead=lead,
        data=LeadMoveFields(to_stage=LeadStage.signed, on=date(2025, 2, 1)),
    )
    carriers.reserve(session=session, actor=owner, carrier=carrier, lead=lead, on=date(2025, 3, 1))
    other = make_lead(session, owner, on=date(2025, 1, 1))
    lead_stages.move(
        session=session,
        actor=owner,
        lead=other,
        data=LeadMoveFields(to_stage=LeadStage.signed, on=date(2025, 2, 1)),
    )
    with pytest.raises(Conflict, match="已预留"):
        carriers.reserve(
            session=session, actor=owner, carrier=carrier, lead=other, on=date(2025, 3, 1)
        )
    carriers.release(session=session, actor=owner, carrier=carrier, lead=lead)
    assert carrier.status == CarrierStatus.available and carrier.reserved_lead_id is None
