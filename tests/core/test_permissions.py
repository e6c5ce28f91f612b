import pytest
from sqlmodel import Session

from chains import service as chain_service
from core import permissions
from core.accounts import Role
from core.errors import PermissionDenied
from tests.factories import make_user


@pytest.mark.parametrize(
    ("role", "chains", "robotics", "hydrogen"),
    [
        (Role.admin, (), True, True),
        (Role.chain_chief, ("robotics",), True, False),
        (Role.chain_chief, ("robotics", "hydrogen"), True, True),
        (Role.leader, (), False, False),
        (Role.promotion, (), False, False),
        (Role.park_bureau, (), False, False),
        (Role.viewer, (), False, False),
    ],
)
def test_who_may_edit_a_chain(
    session: Session, role: Role, chains: tuple[str, ...], robotics: bool, hydrogen: bool
) -> None:
    user = make_user(session, role, chains=chains)
    for code, expected in (("robotics", robotics), ("hydrogen", hydrogen)):
        chain_id = chain_service.get_by_code(session=session, code=code).id or 0
        assert permissions.can_edit_chain(session=session, user=user, chain_id=chain_id) is expected


def test_a_chief_is_told_why_another_chain_is_refused(session: Session) -> None:
    chief = make_user(session, Role.chain_chief, chains=("robotics",))
    hydrogen = chain_service.get_by_code(session=session, code="hydrogen").id or 0
    with pytest.raises(PermissionDenied, match="链长只能维护本人负责的产业链"):
        permissions.ensure_can_edit_chain(session=session, user=chief, chain_id=hydrogen)
