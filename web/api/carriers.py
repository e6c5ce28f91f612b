"""The carrier library as JSON: list, add, edit, reserve for a signed project, release."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from core.db import china_today
from core.orgs import get_park_by_code
from enterprises.projects import carriers, leads
from enterprises.projects.carriers import CarrierFields, CarrierKind, CarrierStatus
from web.deps import CurrentUser, Id, PathId, SessionDep, Version

router = APIRouter(prefix="/carriers", tags=["carriers"])


class CarrierOut(CarrierFields):
    """A carrier with its reservation."""

    checks_input = False  # shows what is stored (see core.validation.Input)

    id: int
    reserved_lead_id: int | None
    reserved_on: date | None
    version: int


class CarrierUpdateIn(CarrierFields):
    """An edit; send the version you read."""

    version: Version


class ReserveIn(BaseModel):
    """Which signed project the carrier is held for, and since when."""

    lead_id: Id
    on: date = Field(default_factory=china_today)


class ReleaseIn(BaseModel):
    """Which project gives the carrier back."""

    lead_id: Id


def _out(carrier: carriers.Carrier) -> CarrierOut:
    return CarrierOut.model_validate(carrier, from_attributes=True)


@router.get("")
def list_carriers(
    session: SessionDep,
    user: CurrentUser,
    park: Annotated[str, Query(description="park code")] = "",
    kind: CarrierKind | None = None,
    status: CarrierStatus | None = None,
) -> list[CarrierOut]:
    """Carriers by park and name."""
    park_id = get_park_by_code(session=session, code=park).id if park else None
    found = carriers.get_all(session=session, park_id=park_id, kind=kind, status=status)
    return [_out(c) for c in found]


@router.post("", status_code=201)
def create_carrier(session: SessionDep, user: CurrentUser, data: CarrierFields) -> CarrierOut:
    """Add a carrier (admins, or the bureau of its park)."""
    return _out(carriers.create(session=session, actor=user, data=data))


@router.get("/{carrier_id:int}")
def get_carrier(carrier_id: PathId, session: SessionDep, user: CurrentUser) -> CarrierOut:
    """One carrier."""
    return _out(carriers.get(session=session, carrier_id=carrier_id))


@router.put("/{carrier_id:int}")
def update_carrier(
    carrier_id: PathId, session: SessionDep, user: CurrentUser, data: CarrierUpdateIn
) -> CarrierOut:
    """Edit a carrier; a stale version is refused with 409."""
    carrier = carriers.get(session=session, carrier_id=carrier_id)
    fields = CarrierFields.model_validate(data.model_dump(exclude={"version"}))
    carriers.update(session=session, actor=user, carrier=carrier, data=fields, version=data.version)
    return _out(carrier)


@router.post("/{carrier_id:int}/reserve")
def reserve(
    carrier_id: PathId, session: SessionDep, user: CurrentUser, data: ReserveIn
) -> CarrierOut:
    """Hold the carrier for a signed project (the project's owner or an admin)."""
    carrier = carriers.get(session=session, carrier_id=carrier_id)
    lead = leads.get(session=session, user=user, lead_id=data.lead_id)
    return _out(
        carriers.reserve(session=session, actor=user, carrier=carrier, lead=lead, on=data.on)
    )


@router.post("/{carrier_id:int}/release")
def release(
    carrier_id: PathId, session: SessionDep, user: CurrentUser, data: ReleaseIn
) -> CarrierOut:
    """Give the carrier back to the market."""
    carrier = carriers.get(session=session, carrier_id=carrier_id)
    lead = leads.get(session=session, user=user, lead_id=data.lead_id)
    return _out(carriers.release(session=session, actor=user, carrier=carrier, lead=lead))
