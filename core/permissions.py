"""The one place that decides who may read and change what.

Pages, the JSON API and the CLI all ask these functions; nothing else re-implements a rule.
"""

from core.accounts import Role, User
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
