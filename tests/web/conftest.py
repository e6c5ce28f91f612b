"""Fixtures of the web tests."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.settings import Settings
from tests.web.permission_world import World, build_world
from web.app import create_app
from web.deps import get_session


@pytest.fixture
def probe(settings: Settings, session: Session) -> Iterator[tuple[FastAPI, TestClient, World]]:
    """An app whose every request is rolled back, a client, and the world it meets."""
    world = build_world(session)
    app = create_app(settings)

    def rolled_back() -> Iterator[Session]:
        request = session.begin_nested()
        try:
            yield session
        finally:
            request.rollback()

    app.dependency_overrides[get_session] = rolled_back
    with TestClient(app) as client:
        yield app, client, world
