"""Possible duplicates of a project's investor: projects and registry firms with the same
core name or credit code, told only as far as the asker may see them.
"""

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from core import permissions
from core.accounts import User
from core.db import require_id
from enterprises.projects.leads import Lead, admits, stage_label
from enterprises.registry.models import Enterprise
from enterprises.registry.names import core_name

HIDDEN_CONFIDENTIAL = "已有同名保密项目，请联系管理员"
HIDDEN_ELSEWHERE = "已有同名项目（不在您的查看范围内），请联系管理员"


@dataclass(frozen=True)
class Duplicate:
    """An existing lead or firm that may be the same investor (a hidden lead: no id, no name)."""

    kind: str  # "lead" or "enterprise"
    id: int | None
    name: str
    detail: str
    visible: bool


def duplicates(
    *,
    session: Session,
    user: User,
    investor_name: str,
    credit: str | None,
    exclude: int | None,
    own_firm: int | None = None,
) -> list[Duplicate]:
    """Leads and registered firms with the same credit code or a name of the same core; the
    project's own registered firm (`own_firm`) is no duplicate of it.

    Leads the user may not see are only hinted at, to those who log leads, as one line without
    id, name or stage: enough not to log the investor twice, nothing of the project itself.
    """
    core = core_name(investor_name.strip())
    if len(core) < 2 and not credit:
        return []
    same = [col(Lead.investor_core) == core] if len(core) >= 2 else []
    if credit:
        same.append(col(Lead.investor_credit_code) == credit)
    scope = permissions.lead_scope(session=session, user=user)
    found: list[Duplicate] = []
    hidden: set[str] = set()
    for lead in session.exec(
        select(Lead).where(or_(*same), col(Lead.id) != (exclude or 0)).limit(10)
    ):
        if admits(scope, lead):
            detail = f"{lead.investor_name} · {stage_label(lead)}"
            found.append(Duplicate("lead", require_id(lead), lead.name, detail, True))
        elif permissions.may_hear_of_hidden_leads(user):
            hidden.add(HIDDEN_CONFIDENTIAL if lead.confidential else HIDDEN_ELSEWHERE)
    found += [Duplicate("lead", None, hint, "", False) for hint in sorted(hidden)]
    firm_same = [col(Enterprise.credit_code) == credit] if credit else []
    if len(core) >= 2:
        firm_same.append(col(Enterprise.name).contains(core))
    others = select(Enterprise).where(or_(*firm_same), col(Enterprise.id) != (own_firm or 0))
    for firm in session.exec(others.limit(5)):
        detail = f"已在企业库：{firm.credit_code or '无信用代码'}"
        found.append(Duplicate("enterprise", require_id(firm), firm.name, detail, True))
    return found
