"""No page runs statements per row: its statement count stays the same as the registry grows."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from core import figure_cache
from core.accounts import Role, User
from enterprises.registry.models import Enterprise, Origin
from seeds import demo, demo_volume
from tests.factories import bearer, make_user

PAGES = [
    ("admin", "/enterprises"),
    ("admin", "/enterprises?q=科技&size=above"),
    ("admin", "/enterprises?chain=robotics&park=shunde"),
    ("admin", "/api/v1/enterprises?chain=smart-equipment"),
    ("admin", "/enterprises/{firm}"),
    ("admin", "/chains/smart-equipment"),
    ("admin", "/api/v1/chains/smart-equipment/map"),
    ("admin", "/api/v1/chains/smart-equipment/gaps"),
    ("park", "/cultivation"),
    ("park", "/parks/shunde"),
    ("promoter", "/leads/board"),
    ("promoter", "/leads"),
    ("promoter", "/leads/mine"),
    ("admin", "/leads/board"),
    ("admin", "/leads/evaluation"),
    ("leader", "/dashboard"),
    ("leader", "/targets"),
]
MOST = 40  # statements a page may run at all
# Without their cache these compute each target's standing (plan 003 has 21), a fixed number.
COMPUTED = {"/dashboard (leader)": 160, "/targets (leader)": 130}


@pytest.fixture
def counted(session: Session) -> Iterator[list[str]]:
    """Every statement sent to the database while the test runs."""
    engine: Engine = session.get_bind().engine
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def _grow(session: Session, firms: int, seed: int) -> None:
    demo.generate(session=session, count=firms, seed=seed)
    demo_volume.histories(session=session, events=firms * 5, seed=seed)
    demo_volume.leads(session=session, count=firms, seed=seed)


def _counts(
    client: TestClient,
    session: Session,
    counted: list[str],
    headers: dict[str, dict[str, str]],
    firm: int,
) -> dict[str, int]:
    counts = {}
    for who, path in PAGES:
        url = path.format(firm=firm)
        figure_cache.forget()  # figures are computed afresh each time, as after a write
        session.expunge_all()  # requests share the test's session; each starts empty, as served
        before = len(counted)
        response = client.get(url, headers=headers[who])
        assert response.status_code == 200, url
        counts[f"{url} ({who})"] = len(counted) - before
    return counts


def test_statements_per_page_do_not_grow_with_the_data(
    client: TestClient, session: Session, counted: list[str]
) -> None:
    _grow(session, 150, seed=1)  # enough that every stage of the board holds leads
    promoter = demo_volume._staff(session)[0][0]
    users = {
        "admin": make_user(session, Role.admin),
        "leader": make_user(session, Role.leader),
        "park": make_user(session, Role.park_bureau, park="shunde"),
    }
    headers = {who: bearer(session, user) for who, user in users.items()}
    headers["promoter"] = bearer(session, session.get_one(User, promoter))
    firm = session.exec(select(Enterprise.id).where(Enterprise.origin == Origin.demo)).first()
    assert firm is not None
    small = _counts(client, session, counted, headers, firm)
    _grow(session, 900, seed=2)
    large = _counts(client, session, counted, headers, firm)
    grown = {page: (small[page], large[page]) for page in small if large[page] > small[page]}
    assert not grown, grown  # (statements with 150 firms and leads, with 1,050)
    over = {page: n for page, n in small.items() if n > COMPUTED.get(page, MOST)}
    assert not over, over
