"""Small factories that build test data through the services."""

import itertools
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from chains import service as chain_service
from core import accounts
from core.accounts import Role, User
from core.orgs import get_park_by_code
from enterprises import credit_code
from enterprises import service as enterprise_service
from enterprises.models import Enterprise, EnterpriseCreate, MemberRole, Membership
from web.deps import SESSION_COOKIE

PASSWORD = "Test@pass123"
_serial = itertools.count(1)


def make_user(
    session: Session, role: Role, *, park: str | None = None, chains: tuple[str, ...] = ()
) -> User:
    """Create a user of a role with the scope it needs."""
    n = next(_serial)
    team = (
        accounts.get_or_create_team(session=session, name="测试小组")
        if role == Role.promotion
        else None
    )
    if role == Role.chain_chief and not chains:
        chains = ("robotics",)
    if role == Role.park_bureau and park is None:
        park = "shunde"
    return accounts.create_user(
        session=session,
        username=f"{role.value}-{n}",
        password=PASSWORD,
        role=role,
        park_id=get_park_by_code(session=session, code=park).id if park else None,
        team_id=team.id if team else None,
        chain_ids=[chain_service.get_by_code(session=session, code=c).id for c in chains],
    )


def valid_code(seed: int) -> str:
    """Return a valid unified social credit code that differs for each seed."""
    return credit_code.build("91", "440606", f"MA{seed:06d}")


def make_enterprise(
    session: Session,
    *,
    actor: User | None = None,
    park: str = "shunde",
    segment: tuple[str, str] | None = None,
    role: MemberRole = MemberRole.member,
    **fields: Any,
) -> Enterprise:
    """Create an enterprise through the service (as an admin unless an actor is given)."""
    actor = actor or make_user(session, Role.admin)
    n = next(_serial)
    data = {
        "name": f"佛山市测试{n}号科技有限公司",
        "credit_code": valid_code(n),
        "park_id": get_park_by_code(session=session, code=park).id,
    } | fields
    enterprise = enterprise_service.create(
        session=session, actor=actor, data=EnterpriseCreate(**data)
    )
    if segment:
        chain = chain_service.get_by_code(session=session, code=segment[0])
        seg = next(
            s
            for s in chain_service.segments_of(session=session, chain_id=chain.id)
            if s.code == segment[1]
        )
        session.add(Membership(enterprise_id=enterprise.id, segment_id=seg.id, role=role))
        session.flush()
    return enterprise


def login(client: TestClient, session: Session, user: User) -> str:
    """Log a test client in as user; return the CSRF token of the session."""
    token, row = accounts.start_session(session=session, user=user)
    client.cookies.set(SESSION_COOKIE, token)
    return row.csrf_token


def bearer(session: Session, user: User) -> dict[str, str]:
    """Return the Authorization header of a fresh API token for user."""
    from datetime import timedelta

    token = accounts.issue_token(session=session, user=user, lifetime=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}
