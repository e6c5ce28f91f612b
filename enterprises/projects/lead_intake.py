"""Logging a lead in one go (登记项目): the lead, its first contact and its first next step.

After a phone call a promotion officer writes down the project, the person spoken to and what
happens next. This creates the three together, all or nothing: a refusal of any part leaves no
lead behind, and its error names the field (联系人电话, 下一步截止日期 …).
"""

from dataclasses import dataclass
from datetime import date

from pydantic import field_validator
from sqlmodel import Field, Session

from core.accounts import User
from core.db import china_today
from core.errors import FieldErrors
from core.validation import Input
from enterprises.projects import followups, lead_contacts, leads
from enterprises.projects.followups import FollowUp, FollowUpFields, FollowUpKind
from enterprises.projects.lead_contacts import CONTACT_LABELS, ContactFields, LeadContact
from enterprises.projects.leads import LEAD_LABELS, Lead, LeadCreateFields, LeadFields

# The follow-up written when only a next step is given: the call that produced the lead.
FIRST_NOTES = "登记项目"


class FirstStepFields(Input):
    """The first follow-up: what was said (optional) and what happens next, by when."""

    kind: FollowUpKind = FollowUpKind.call
    notes: str = Field(default="", max_length=2000)
    step: str = Field(default="", max_length=200)
    due: date | None = None

    @field_validator("notes", "step", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    def is_blank(self) -> bool:
        """Nothing was written: no follow-up is logged."""
        return not (self.notes or self.step or self.due)


FIRST_STEP_LABELS = {
    "kind": "跟进方式",
    "notes": "跟进情况",
    "step": "下一步",
    "due": "下一步截止日期",
}


class IntakeFields(LeadCreateFields):
    """A new lead with, optionally, its first contact and its first next step."""

    contact: ContactFields | None = None
    next_step: FirstStepFields | None = None

    def lead_fields(self) -> LeadFields:
        """The lead's own fields."""
        return LeadFields.model_validate(
            self.model_dump(exclude={"contact", "next_step", "created_on"})
        )


# Every field of the one form, keyed as the API reports them ("contact.phone").
INTAKE_LABELS = (
    LEAD_LABELS
    | {"contact": "联系人", "next_step": "下一步"}
    | {f"contact.{k}": v for k, v in CONTACT_LABELS.items()}
    | {f"next_step.{k}": v for k, v in FIRST_STEP_LABELS.items()}
)


@dataclass(frozen=True)
class Intake:
    """What one submit created."""

    lead: Lead
    contact: LeadContact | None
    follow_up: FollowUp | None


# A follow-up's own field names as the first step calls them.
_STEP_NAMES = {"on": "due", "next_step": "step", "next_due": "due"}


def _prefixed(prefix: str, exc: FieldErrors, names: dict[str, str] | None = None) -> FieldErrors:
    names = names or {}
    return FieldErrors({f"{prefix}.{names.get(k, k)}": v for k, v in exc.errors.items()})


def _check_step(step: FirstStepFields, today: date) -> None:
    """Refuse a step the follow-up log would refuse, before anything is written."""
    if step.due is not None and not step.step:
        raise FieldErrors({"next_step.step": "填写了截止日期，请写明下一步做什么"})
    if step.due is not None and step.due < today:
        raise FieldErrors({"next_step.due": "下一步截止日期不能早于今天"})


def create(*, session: Session, actor: User, data: IntakeFields, on: date | None = None) -> Intake:
    """Create the lead, then its contact and first follow-up, in one savepoint.

    Errors of the contact are keyed `contact.<field>`, of the step `next_step.<field>`.
    """
    registered = on or data.created_on
    step = None if data.next_step is None or data.next_step.is_blank() else data.next_step
    if step is not None:
        _check_step(step, china_today())
    with session.begin_nested():  # a refusal of any part leaves nothing written
        lead = leads.create(session=session, actor=actor, data=data.lead_fields(), on=registered)
        person = None
        if data.contact is not None:
            try:
                person = lead_contacts.add_contact(
                    session=session, actor=actor, lead=lead, data=data.contact
                )
            except FieldErrors as exc:
                raise _prefixed("contact", exc) from exc
        entry = None
        if step is not None:
            try:
                fields = FollowUpFields(
                    kind=step.kind,
                    on=registered or china_today(),
                    notes=step.notes or FIRST_NOTES,
                    next_step=step.step,
                    next_due=step.due,
                )
                entry = followups.log(session=session, actor=actor, lead=lead, data=fields)
            except FieldErrors as exc:
                raise _prefixed("next_step", exc, _STEP_NAMES) from exc
    return Intake(lead, person, entry)
