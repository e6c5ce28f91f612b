"""Landing a project (注册落地): the firm it registered, chosen from the registry or entered.

The registered firm is the one the project set up in the zone, not its investor: it is chosen
from the registry, or entered by name and credit code, or by name alone with the code marked
pending (待补代码) to be filled in later. It enters the project's segment as pending, for the
chain chief to confirm (see enterprises.registry.membership_review).
"""

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from core import audit, permissions
from core.accounts import User
from core.errors import Conflict, FieldErrors
from enterprises.projects.leads import Lead, take
from enterprises.registry import credit_code, membership_review
from enterprises.registry.models import Enterprise, MembershipSource, Origin
from enterprises.registry.names import core_name

PICKER_LIMIT = 10


@dataclass(frozen=True)
class RegisteredFirm:
    """What a user gives for the registered firm: one chosen, or a name with a code or not."""

    enterprise_id: int | None = None
    name: str = ""
    code: str = ""
    code_pending: bool = False


def _code_owner(session: Session, code: str) -> Enterprise | None:
    return session.exec(select(Enterprise).where(Enterprise.credit_code == code)).first()


def _checked_code(code: str, field: str) -> str:
    """The code in capitals, after its check; "" when none was given."""
    code = code.strip().upper()
    if code and (problem := credit_code.problem(code)):
        raise FieldErrors({field: f"统一社会信用代码{problem}"})
    return code


def registered_firm(
    *, session: Session, actor: User, lead: Lead, given: RegisteredFirm
) -> Enterprise:
    """The firm the lead registered: the chosen one, the registry's holder of the code given,
    or a new firm of the name given (with its code, or marked 待补代码)."""
    if given.enterprise_id is not None:
        chosen = session.get(Enterprise, given.enterprise_id)
        if chosen is None:
            raise FieldErrors({"enterprise_id": f"企业库中没有编号为 {given.enterprise_id} 的企业"})
        return chosen
    name = given.name.strip()
    if not name:
        raise FieldErrors(
            {"registered_name": "注册落地须指明注册企业：在企业库中选择，或填写注册企业名称"}
        )
    if len(name) < 2:
        raise FieldErrors({"registered_name": "注册企业名称至少 2 个字"})
    code = _checked_code(given.code, "registered_credit_code")
    if code:
        if (holder := _code_owner(session, code)) is not None:
            return holder  # the code names the firm: it is already in the registry
    elif not given.code_pending:
        raise FieldErrors(
            {"registered_credit_code": "请填写统一社会信用代码；尚不知道时请勾选“代码待补”"}
        )
    firm = Enterprise(
        name=name,
        credit_code=code or None,
        credit_code_pending=not code,
        park_id=lead.park_id,
        main_products=lead.description[:500],
        origin=Origin.manual,
    )
    session.add(firm)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=firm,
        label=firm.name,
        after={"name": firm.name, "credit_code": firm.credit_code, "from_lead": lead.id},
    )
    return firm


def land(*, session: Session, actor: User, lead: Lead, given: RegisteredFirm) -> Enterprise:
    """Link the lead to its registered firm; the firm enters the lead's segment as pending."""
    firm = registered_firm(session=session, actor=actor, lead=lead, given=given)
    if lead.segment_id is not None:
        membership_review.enter(
            session=session,
            actor=actor,
            enterprise=firm,
            segment_id=lead.segment_id,
            source=MembershipSource.project,
            note=f"项目“{lead.name}”注册落地",
        )
    return firm


def fill_code(*, session: Session, actor: User, lead: Lead, code: str) -> Enterprise:
    """Fill in the credit code of the firm a landed lead registered with its code pending."""
    permissions.ensure_can_edit_lead(actor, lead.owner_id)
    take(session, lead)
    if lead.enterprise_id is None:
        raise Conflict("项目尚未注册落地，没有可补填代码的企业")
    firm = session.get(Enterprise, lead.enterprise_id)
    if firm is None:
        raise Conflict("项目的落地企业已不在企业库中")
    if firm.credit_code:
        raise Conflict(f"“{firm.name}”已有统一社会信用代码 {firm.credit_code}")
    checked = _checked_code(code, "credit_code")
    if not checked:
        raise FieldErrors({"credit_code": "请填写统一社会信用代码"})
    if (holder := _code_owner(session, checked)) is not None:
        raise FieldErrors({"credit_code": f"该代码已属于企业库中的“{holder.name}”"})
    audit.update(
        session=session,
        actor=actor,
        obj=firm,
        label=firm.name,
        values={"credit_code": checked, "credit_code_pending": False},
    )
    firm.version += 1  # an editor of the firm who read it before is told it changed
    session.flush()
    return firm


def firm_choices(*, session: Session, term: str) -> list[Enterprise]:
    """Registry firms a landing may choose: by credit code, or by name (its core name too)."""
    term = term.strip()
    if len(term) < 2:
        return []
    core = core_name(term)
    same = [col(Enterprise.name).contains(term), col(Enterprise.credit_code) == term.upper()]
    if len(core) >= 2 and core != term:
        same.append(col(Enterprise.name).contains(core))
    stmt = select(Enterprise).where(or_(*same)).order_by(col(Enterprise.name)).limit(PICKER_LIMIT)
    return list(session.exec(stmt))


def pending_code_firm(*, session: Session, lead: Lead) -> Enterprise | None:
    """The lead's registered firm while its credit code is still to be filled in."""
    if lead.enterprise_id is None:
        return None
    firm = session.get(Enterprise, lead.enterprise_id)
    return firm if firm is not None and firm.credit_code_pending else None
