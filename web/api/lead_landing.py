"""The JSON API of landing a project (注册落地) with its registered firm."""

from datetime import date

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from core.db import MAX_ID, china_today
from enterprises.projects import landing, lead_stages, leads
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import LeadStage
from web.api.leads import LeadOut, lead_with_contacts
from web.deps import CurrentUser, PathId, SessionDep, Version, lead_reader

router = APIRouter(prefix="/leads", tags=["leads"], dependencies=[Depends(lead_reader)])


class LandIn(BaseModel):
    """The registered firm: `enterprise_id` of a registry firm (find it with
    /api/v1/leads/{id}/land/firms?q=), or `registered_name` with `registered_credit_code`, or
    with `registered_code_pending` when the code is not known yet."""

    on: date = Field(default_factory=china_today)
    note: str = Field(default="", max_length=500)
    enterprise_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    registered_name: str = Field(default="", max_length=100)
    registered_credit_code: str = Field(default="", max_length=18)
    registered_code_pending: bool = False
    version: Version | None = None


class FirmOut(BaseModel):
    """A registry firm a landing may name, or a landed project's firm."""

    id: int
    name: str
    credit_code: str | None
    credit_code_pending: bool


class FirmCodeIn(BaseModel):
    """The credit code of a landed firm registered with its code pending."""

    credit_code: str = Field(max_length=18)


@router.post("/{lead_id:int}/land")
def land(lead_id: PathId, session: SessionDep, user: CurrentUser, data: LandIn) -> LeadOut:
    """Move the lead to 注册落地 with its registered firm; the firm's entry into the lead's
    segment waits for the chain chief's review. 422 names the missing or wrong field."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    values = data.model_dump(exclude={"version"}) | {"to_stage": LeadStage.registered}
    fields = LeadMoveFields.model_validate(values)
    lead_stages.move(session=session, actor=user, lead=lead, data=fields, version=data.version)
    return lead_with_contacts(session, user, lead)


@router.get("/{lead_id:int}/land/firms")
def firm_choices(
    lead_id: PathId, session: SessionDep, user: CurrentUser, q: str = ""
) -> list[FirmOut]:
    """Registry firms whose name or credit code matches q (at least 2 characters)."""
    leads.get(session=session, user=user, lead_id=lead_id)
    found = landing.firm_choices(session=session, term=q[:100])
    return [FirmOut.model_validate(f, from_attributes=True) for f in found]


@router.post("/{lead_id:int}/firm-code")
def fill_firm_code(
    lead_id: PathId, session: SessionDep, user: CurrentUser, data: FirmCodeIn
) -> FirmOut:
    """Fill in the credit code of the landed firm (409 when it has one already)."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    firm = landing.fill_code(session=session, actor=user, lead=lead, code=data.credit_code)
    return FirmOut.model_validate(firm, from_attributes=True)
