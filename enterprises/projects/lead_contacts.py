"""The people at an investor the team talks to; their phones are personal information."""

import re

from pydantic import field_validator
from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, locking, permissions, personal
from core.accounts import User
from core.db import require_id
from core.errors import NotFound, PermissionDenied
from core.validation import Input
from enterprises.projects.leads import Lead


class LeadContact(SQLModel, table=True):
    """A person at the investor the team talks to."""

    __tablename__ = "lead_contact"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=40)
    title: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=40)


PHONE_DIGITS = 7  # the shortest number worth keeping: a local line without its area code
# Empty, or digits with spaces and + - ( ): published in the schema, checked by _check_phone.
PHONE_PATTERN = rf"^$|^[+\-() ]*(?:[0-9][+\-() ]*){{{PHONE_DIGITS},}}$"
PHONE_CHARACTERS = re.compile(r"[0-9+\-() ]*")


class ContactFields(Input):
    """What a user gives for a contact."""

    name: str = Field(min_length=1, max_length=40)
    title: str = Field(default="", max_length=60)
    phone: str = Field(
        default="", max_length=40, schema_extra={"json_schema_extra": {"pattern": PHONE_PATTERN}}
    )

    @field_validator("phone", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def _check_phone(cls, value: str) -> str:
        # SQLModel's Field(regex=…) is not applied under pydantic 2: PHONE_PATTERN, checked here
        # with messages that say what is wrong.
        if not PHONE_CHARACTERS.fullmatch(value):
            raise ValueError("只能包含数字、空格和 + - ( )")
        if value and sum(c.isdigit() for c in value) < PHONE_DIGITS:
            raise ValueError(f"至少应有 {PHONE_DIGITS} 位数字")
        return value


CONTACT_LABELS = {"name": "联系人姓名", "title": "职务", "phone": "联系电话"}


def contacts(*, session: Session, lead_id: int) -> list[LeadContact]:
    """The lead's contacts in the order they were added."""
    stmt = select(LeadContact).where(LeadContact.lead_id == lead_id).order_by(col(LeadContact.id))
    return list(session.exec(stmt))


def reveal_phone(*, session: Session, actor: User, lead: Lead, contact_id: int) -> str:
    """A contact's whole phone, for the owner's team and admins; each look is logged.

    Pages and the API show contact phones masked; seeing one whole is a deliberate act.
    """
    contact = session.get(LeadContact, contact_id)
    if contact is None or contact.lead_id != lead.id:
        raise NotFound(f"联系人 {contact_id} 不存在")
    if not permissions.can_see_lead_contacts(actor, lead.team_id):
        raise PermissionDenied("只有项目所属小组和管理员可以查看完整联系电话")
    personal.record_reveal(
        session=session,
        actor=actor,
        object_type="lead_contact",
        object_id=require_id(contact),
        label=f"{lead.name} · {contact.name}",
    )
    return contact.phone


def add_contact(*, session: Session, actor: User, lead: Lead, data: ContactFields) -> LeadContact:
    """Add a contact to a lead."""
    permissions.ensure_can_edit_lead(actor, lead.owner_id)
    locking.lock(session, lead)  # a lead's contacts change one request at a time
    contact = LeadContact(lead_id=require_id(lead), **data.model_dump())
    session.add(contact)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=contact,
        label=f"{lead.name} · {contact.name}",
        after=audit.snapshot(contact, list(ContactFields.model_fields)),
    )
    return contact


def remove_contact(*, session: Session, actor: User, lead: Lead, contact_id: int) -> None:
    """Remove a contact of a lead."""
    permissions.ensure_can_edit_lead(actor, lead.owner_id)
    locking.lock(session, lead)  # so that of two removals the second finds it gone
    contact = session.get(LeadContact, contact_id)
    if contact is None or contact.lead_id != lead.id:
        raise NotFound(f"联系人 {contact_id} 不存在")
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        obj=contact,
        label=f"{lead.name} · {contact.name}",
        before=audit.snapshot(contact, list(ContactFields.model_fields)),
    )
    session.delete(contact)
    session.flush()
