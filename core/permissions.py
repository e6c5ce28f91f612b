"""The one place that decides who may read and change what.

Pages, the JSON API and the CLI all ask these functions; nothing else re-implements a rule.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from core.accounts import Role, User, UserChain
from core.errors import PermissionDenied

_WRITE_ANY_ENTERPRISE = {Role.admin}


def can_edit_enterprise(user: User, park_id: int | None) -> bool:
    """Admins edit every enterprise; a park bureau only those of its own park."""
    if user.role in _WRITE_ANY_ENTERPRISE:
        return True
    return user.role == Role.park_bureau and park_id is not None and park_id == user.park_id


def ensure_can_edit_enterprise(user: User, park_id: int | None) -> None:
    """Raise PermissionDenied unless the user may create or change an enterprise of this park."""
    if not can_edit_enterprise(user, park_id):
        if user.role == Role.park_bureau:
            raise PermissionDenied("园区管理局只能维护本园区的企业")
        raise PermissionDenied("您的角色无权维护企业信息")


def can_create_enterprise(user: User) -> bool:
    """Whether the user may create enterprises at all (in some park)."""
    return user.role in _WRITE_ANY_ENTERPRISE or user.role == Role.park_bureau


def can_see_contact(user: User, park_id: int | None) -> bool:
    """Contact phones are personal information: shown in full to those who maintain the firm."""
    return can_edit_enterprise(user, park_id)


def can_edit_chain(*, session: Session, user: User, chain_id: int) -> bool:
    """Admins edit every chain's map and dossier; a chain chief only the chains they lead."""
    if user.role == Role.admin:
        return True
    if user.role != Role.chain_chief or user.id is None:
        return False
    return session.get(UserChain, (user.id, chain_id)) is not None


def ensure_can_edit_chain(*, session: Session, user: User, chain_id: int) -> None:
    """Raise PermissionDenied unless the user may edit this chain."""
    if not can_edit_chain(session=session, user=user, chain_id=chain_id):
        if user.role == Role.chain_chief:
            raise PermissionDenied("链长只能维护本人负责的产业链")
        raise PermissionDenied("您的角色无权维护产业链图谱")


def can_review_chain(*, session: Session, user: User, chain_id: int) -> bool:
    """Firms entering a chain's segments (by a project, an import, an edit) are confirmed or
    moved out (确认 / 移出) by the chief of that chain, or an admin."""
    return can_edit_chain(session=session, user=user, chain_id=chain_id)


def ensure_can_review_chain(*, session: Session, user: User, chain_id: int) -> None:
    """Raise PermissionDenied unless the user may confirm or remove this chain's new firms."""
    if not can_review_chain(session=session, user=user, chain_id=chain_id):
        raise PermissionDenied("只有该产业链的链长可以确认或移出新进入的企业")


def can_move_out_of_order(user: User) -> bool:
    """Only an admin may skip a cultivation stage or step back (with a stated reason)."""
    return user.role == Role.admin


def can_manage_designations(user: User) -> bool:
    """The designation catalogue (names, tiers, validity, criteria) is the admin's."""
    return user.role == Role.admin


def ensure_can_manage_designations(user: User) -> None:
    """Raise PermissionDenied unless the user may change the designation catalogue."""
    if not can_manage_designations(user):
        raise PermissionDenied("只有管理员可以维护认定称号、梯次和筛选条件")


def park_scope(user: User, requested_park_id: int | None) -> int | None:
    """The park a user's lists and imports are confined to: a park bureau's own, else any."""
    return user.park_id if user.role == Role.park_bureau else requested_park_id


def ensure_can_import(user: User) -> None:
    """Lists are imported by those who maintain firms: admins and park bureaus."""
    if not can_create_enterprise(user):
        raise PermissionDenied("只有管理员和园区管理局可以导入企业名单")


def sees_every_import(user: User) -> bool:
    """Admins see every import batch; others only their own."""
    return user.role == Role.admin


def can_see_import(user: User, uploader_id: int | None) -> bool:
    """An import batch is seen by its uploader and by admins."""
    return sees_every_import(user) or (user.id is not None and user.id == uploader_id)


def can_merge(user: User) -> bool:
    """Merging two firms rewrites both records: admins only."""
    return user.role == Role.admin


def ensure_can_merge(user: User) -> None:
    """Raise PermissionDenied unless the user may merge firms."""
    if not can_merge(user):
        raise PermissionDenied("只有管理员可以合并企业")


@dataclass(frozen=True)
class LeadScope:
    """Which investment leads a user may see; confidential ones only through team or rank."""

    everything: bool = False
    team_id: int | None = None
    owner_id: int | None = None
    open_leads: bool = False
    park_id: int | None = None
    chain_ids: frozenset[int] = field(default_factory=frozenset)


def lead_scope(*, session: Session, user: User) -> LeadScope:
    """Admins and leaders see every lead; promotion staff their team's and every open lead.

    Chain chiefs see the open leads aimed at their chains and park bureaus those intended for
    their park; viewers see none (leads are commercial secrets until they land).
    """
    if user.role in (Role.admin, Role.leader):
        return LeadScope(everything=True)
    if user.role == Role.promotion:
        return LeadScope(team_id=user.team_id, owner_id=user.id, open_leads=True)
    if user.role == Role.park_bureau:
        return LeadScope(park_id=user.park_id)
    if user.role == Role.chain_chief and user.id is not None:
        chains = session.exec(select(UserChain.chain_id).where(UserChain.user_id == user.id))
        return LeadScope(chain_ids=frozenset(chains))
    return LeadScope()


def sees_leads(user: User) -> bool:
    """Whether the project library has anything for this role (viewers see no leads)."""
    return user.role != Role.viewer


def ensure_sees_leads(user: User) -> None:
    """Raise PermissionDenied for a role the project library holds nothing for."""
    if not sees_leads(user):
        raise PermissionDenied("您的角色无权查看招商项目")


def can_create_lead(user: User) -> bool:
    """Leads are logged by promotion staff and admins."""
    return user.role in (Role.admin, Role.promotion)


def ensure_can_create_lead(user: User) -> None:
    """Raise PermissionDenied unless the user may log leads."""
    if not can_create_lead(user):
        raise PermissionDenied("只有招商人员和管理员可以登记项目")


def may_hear_of_hidden_leads(user: User) -> bool:
    """Those who log leads are told that one they may not see names the same investor (no more)."""
    return can_create_lead(user)


def can_assign_lead(user: User) -> bool:
    """Only admins log a lead in someone else's name."""
    return user.role == Role.admin


def can_edit_lead(user: User, owner_id: int | None) -> bool:
    """A lead is worked by its owner; admins may step in."""
    return user.role == Role.admin or (user.id is not None and user.id == owner_id)


def ensure_can_edit_lead(user: User, owner_id: int | None) -> None:
    """Raise PermissionDenied unless the user may change this lead."""
    if not can_edit_lead(user, owner_id):
        raise PermissionDenied("只有项目负责人和管理员可以修改该项目")


def can_correct_move_dates(user: User) -> bool:
    """A stage move's recorded date is corrected by admins only (with a reason)."""
    return user.role == Role.admin


def ensure_can_correct_move_dates(user: User) -> None:
    """Raise PermissionDenied unless the user may correct the date of a stage move."""
    if not can_correct_move_dates(user):
        raise PermissionDenied("只有管理员可以更正阶段移动的日期")


def can_see_lead_contacts(user: User, team_id: int | None) -> bool:
    """Contacts' phones are shown in full only to the owner's team and admins."""
    return user.role == Role.admin or (team_id is not None and user.team_id == team_id)


def can_edit_carrier(user: User, park_id: int | None) -> bool:
    """Carriers are kept by admins and by the bureau of the park they stand in."""
    return can_edit_enterprise(user, park_id)


def ensure_can_edit_carrier(user: User, park_id: int | None) -> None:
    """Raise PermissionDenied unless the user may change carriers of this park."""
    if not can_edit_carrier(user, park_id):
        raise PermissionDenied("只有管理员和载体所在园区的管理局可以维护载体")


def can_set_time_limits(user: User) -> bool:
    """The stall and staleness limits are zone policy: admins only."""
    return user.role == Role.admin


def can_report_targets(user: User) -> bool:
    """Reported target values are entered by admins (from the lead units' returns)."""
    return user.role == Role.admin


def ensure_can_report_targets(user: User) -> None:
    """Raise PermissionDenied unless the user may enter reported target values."""
    if not can_report_targets(user):
        raise PermissionDenied("只有管理员可以填报目标数值")


def can_read_audit(user: User) -> bool:
    """The audit log is read by admins only."""
    return user.role == Role.admin


def ensure_can_read_audit(user: User) -> None:
    """Raise PermissionDenied unless the user may read the audit log."""
    if not can_read_audit(user):
        raise PermissionDenied("只有管理员可以查看操作日志")


def can_manage_users(user: User) -> bool:
    """Accounts are created, disabled and signed out by admins."""
    return user.role == Role.admin


def ensure_can_manage_users(user: User) -> None:
    """Raise PermissionDenied unless the user may manage accounts."""
    if not can_manage_users(user):
        raise PermissionDenied("只有管理员可以管理用户账号")


def can_report_task(user: User, lead_unit_ids: set[int]) -> bool:
    """A plan task's progress is reported by the members of its lead units, or by admins."""
    if user.role == Role.admin:
        return True
    return user.unit_id is not None and user.unit_id in lead_unit_ids


def ensure_can_report_task(user: User, lead_unit_ids: set[int]) -> None:
    """Raise PermissionDenied unless the user may report the task's progress."""
    if not can_report_task(user, lead_unit_ids):
        raise PermissionDenied("只有牵头单位的人员或管理员可以报送该任务的进展")


def can_edit_plans(user: User) -> bool:
    """Plans and their targets are written by admins and leaders; everyone else reads them."""
    return user.role in (Role.admin, Role.leader)


def ensure_can_edit_plans(user: User) -> None:
    """Raise PermissionDenied unless the user may write plans and their targets."""
    if not can_edit_plans(user):
        raise PermissionDenied("只有管理员和领导可以编写规划和目标")


def sees_prospects(user: User) -> bool:
    """The target library (招商目标库) is for everyone who sees projects (not viewers)."""
    return sees_leads(user)


def ensure_sees_prospects(user: User) -> None:
    """Raise PermissionDenied for a role the target library holds nothing for."""
    if not sees_prospects(user):
        raise PermissionDenied("您的角色无权查看招商目标库")


def can_edit_prospects(user: User) -> bool:
    """Target firms are added, imported and edited by promotion staff and admins."""
    return user.role in (Role.admin, Role.promotion)


def ensure_can_edit_prospects(user: User) -> None:
    """Raise PermissionDenied unless the user may change the target library."""
    if not can_edit_prospects(user):
        raise PermissionDenied("只有招商人员和管理员可以维护招商目标库")
