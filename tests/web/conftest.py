"""Fixtures of the web tests: the app runs its own request transactions (web.deps.get_session)
against a committed database of the test's own, cloned from a migrated and seeded one.

Nothing replaces the app's session dependency here: an override hid that every error page of a
logged-in user failed once the request's session had been rolled back (issue 17). The test's
`session` writes into the same database and is committed before and after every request the
`client` sends, as another user's work would be.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from core import figure_cache
from core.accounts import Role, User
from core.db import make_engine
from core.settings import Settings
from tests.databases import clone, drop_scratch, seeded_scratch
from tests.web.permission_world import World, build_world
from web.app import create_app


@dataclass(frozen=True)
class Template:
    """A committed database to clone, and the world's users and ids in it."""

    url: str
    user_ids: dict[Role, int]
    ids: dict[str, dict[str, Any]]


def _template(database_url: str, tmp_dir: Path, with_world: bool) -> Template:
    made: dict[str, Any] = {}

    def build(session: Session) -> None:
        if with_world:
            world = build_world(session)
            made["users"] = {role: user.id for role, user in world.users.items()}
            made["ids"] = world.ids

    url = seeded_scratch(database_url, tmp_dir, build)
    return Template(url, made.get("users", {}), made.get("ids", {}))


@pytest.fixture(scope="session")
def seeded_template(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Template]:
    """The plan's chains, parks and targets, committed."""
    template = _template(database_url, tmp_path_factory.mktemp("web"), with_world=False)
    yield template
    drop_scratch(template.url, database_url)


@pytest.fixture(scope="session")
def world_template(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Template]:
    """As seeded_template, with the permission tests' world (tests.web.permission_world)."""
    template = _template(database_url, tmp_path_factory.mktemp("world"), with_world=True)
    yield template
    drop_scratch(template.url, database_url)


@pytest.fixture
def template(request: pytest.FixtureRequest) -> Template:
    """The database a test starts from: with the permission world if the test probes it."""
    wanted = "world_template" if "probe" in request.fixturenames else "seeded_template"
    found: Template = request.getfixturevalue(wanted)
    return found


@pytest.fixture
def web_database(template: Template, database_url: str, tmp_path: Path) -> Iterator[str]:
    url = clone(template.url, database_url, tmp_path)
    yield url
    drop_scratch(url, database_url)


@pytest.fixture
def settings(web_database: str) -> Settings:
    return Settings(database_url=web_database, secret_key="test-secret-key-" + "x" * 32)


@pytest.fixture
def session(web_database: str) -> Iterator[Session]:
    """The test's own session on the test's database (committed around every request)."""
    engine = make_engine(web_database)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def client(settings: Settings, session: Session) -> Iterator[TestClient]:
    """A client of the app as it runs in production, its own transactions included."""
    app = create_app(settings)

    def commit(_: object) -> None:
        # What the test wrote is seen by the request, and what the request wrote by the test.
        session.commit()

    with TestClient(app) as test_client:
        test_client.event_hooks = {"request": [commit], "response": [commit]}
        yield test_client
    figure_cache.wait_refreshed(app.state.engine, timeout=30)
    app.state.engine.dispose()


@pytest.fixture
def probe(
    world_template: Template, session: Session, client: TestClient
) -> tuple[FastAPI, TestClient, World]:
    """The app, a client, and the world it meets (on a database cloned from world_template)."""
    users = {role: session.get_one(User, uid) for role, uid in world_template.user_ids.items()}
    app = client.app
    assert isinstance(app, FastAPI)
    return app, client, World(users, world_template.ids)
