"""Small factories that build test data through the services."""

import itertools
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from chains import editing
from chains import service as chain_service
from chains.models import Chain, ChainGroup, Segment, SegmentFields, Stream
from core import accounts, figure_cache
from core.accounts import Role, User
from core.orgs import get_park_by_code
from core.upsert import upsert
from enterprises.projects import leads
from enterprises.projects.leads import Lead, LeadFields
from enterprises.registry import credit_code
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import Enterprise, EnterpriseCreate, MemberRole, Membership
from enterprises.spreadsheets import import_commit, imports
from enterprises.spreadsheets.import_rows import Preview
from enterprises.spreadsheets.imports import ImportBatch
from web.deps import SESSION_COOKIE

PASSWORD = "Orbit#test-2613"
_serial = itertools.count(1)


def make_user(
    session: Session,
    role: Role,
    *,
    park: str | None = None,
    chains: tuple[str, ...] = (),
    team: str = "测试小组",
) -> User:
    """Create a user of a role with the scope it needs (promotion staff join `team`)."""
    n = next(_serial)
    made_team = (
        accounts.get_or_create_team(session=session, name=team) if role == Role.promotion else None
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
        team_id=made_team.id if made_team else None,
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
        join_segment(session, enterprise, seg, role)
    return enterprise


def login(client: TestClient, session: Session, user: User) -> str:
    """Log a test client in as user; return the CSRF token of the session."""
    token, row = accounts.start_session(session=session, user=user)
    client.cookies.set(SESSION_COOKIE, token)
    return row.csrf_token


def login_form_token(client: TestClient) -> str:
    """Open the login page as a browser does; return the CSRF token its form carries."""
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, "the login form has no CSRF token"
    return found.group(1)


def settled(client: TestClient) -> None:
    """Wait until the app has recomputed the figures its writes changed.

    An API client with a token may read a figure a moment old right after it wrote (README,
    Scale): a test that writes and then reads a figure through the API waits for it first.
    """
    assert figure_cache.wait_refreshed(client.app.state.engine, timeout=30)  # type: ignore[attr-defined]


def bearer(session: Session, user: User) -> dict[str, str]:
    """Return the Authorization header of a fresh API token for user."""
    from datetime import timedelta

    token = accounts.issue_token(session=session, user=user, lifetime=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


def make_chain(
    session: Session,
    segments: list[tuple[str, Stream]],
    links: Sequence[tuple[str, str]] = (),
    *,
    actor: User | None = None,
    technology: dict[str, str] | None = None,
) -> tuple[Chain, dict[str, Segment]]:
    """Create a small chain with these segments and links through the editing service."""
    actor = actor or make_user(session, Role.admin)
    n = next(_serial)
    chain, _ = upsert(
        session=session,
        model=Chain,
        key={"code": f"test-chain-{n}"},
        values={"name": f"测试链{n}", "group": ChainGroup.future, "position": 100 + n},
    )
    made = {
        name: editing.create_segment(
            session=session,
            actor=actor,
            chain=chain,
            data=SegmentFields(name=name, stream=stream, technology=(technology or {}).get(name)),
        )
        for name, stream in segments
    }
    for source, target in links:
        editing.add_link(
            session=session,
            actor=actor,
            chain=chain,
            source_id=made[source].id or 0,
            target_id=made[target].id or 0,
        )
    return chain, made


def join_segment(
    session: Session, enterprise: Enterprise, segment: Segment, role: MemberRole = MemberRole.member
) -> Membership:
    """Place an enterprise in a segment."""
    member = Membership(enterprise_id=enterprise.id, segment_id=segment.id, role=role)
    session.add(member)
    session.flush()
    return member


# What a move to 注册落地 names when a test does not care which firm registered.
LANDED_FIRM: dict[str, Any] = {
    "registered_name": "佛山测试落地有限公司",
    "registered_code_pending": True,
}


def landing_values(stage: str) -> dict[str, Any]:
    """The registered firm a move to `stage` needs: some for 注册落地, none otherwise."""
    return LANDED_FIRM if stage == "registered" else {}


def make_lead(session: Session, owner: User, *, on: date | None = None, **values: Any) -> Lead:
    """Log a lead owned by `owner` through the service; values override the defaults."""
    n = next(_serial)
    data = LeadFields(
        name=values.pop("name", f"测试项目{n}"),
        investor_name=values.pop("investor_name", f"测试投资{n}有限公司"),
        **values,
    )
    return leads.create(session=session, actor=owner, data=data, on=on)


def preview_import(session: Session, batch: ImportBatch, **options: Any) -> Preview:
    """A batch's preview as its uploader sees it."""
    actor = session.get_one(User, batch.actor_id)
    return imports.preview(session=session, batch=batch, actor=actor, **options)


def commit_import(
    session: Session, actor: User, batch: ImportBatch, mapping: dict[int, str | None] | None = None
) -> Preview:
    """Commit a batch chunk by chunk, each chunk a savepoint of the test's session."""
    steps = import_commit.in_one_session(session)
    done = import_commit.commit(
        transactions=steps, actor=actor, batch_id=batch.id or 0, mapping=mapping, chunk_rows=2
    )
    session.refresh(batch)
    return done.preview


def undo_import(session: Session, actor: User, batch: ImportBatch) -> None:
    """Undo a batch chunk by chunk, each chunk a savepoint of the test's session."""
    steps = import_commit.in_one_session(session)
    import_commit.undo(transactions=steps, actor=actor, batch_id=batch.id or 0, chunk_rows=2)
    session.refresh(batch)
