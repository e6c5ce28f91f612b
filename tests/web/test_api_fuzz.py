"""Schemathesis against /openapi.json, as an admin: generated requests for every operation
(a bounded number each) must never cause a server error, and every answer must match the
schema the API publishes for it. Each request is rolled back, as in the permission tests."""

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, make_user
from tests.web.permission_world import World

EXAMPLES = 5  # per operation: the suite must stay fast; CI runs it on both databases


def test_generated_requests_cause_no_server_error_and_match_the_schema(
    session: Session, probe: tuple[FastAPI, TestClient, World]
) -> None:
    app, _, world = probe
    headers = bearer(session, world.users[Role.admin])
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples every run: CI stays deterministic
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            run()
        except Exception as exc:  # noqa: BLE001 — collected, so every operation is tried
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:300]}")
    assert failures == []


def test_an_id_past_what_the_database_holds_is_bad_input(
    client: TestClient, session: Session
) -> None:
    """Found by the run above: such an id used to reach the driver and fail with a 500."""
    headers = bearer(session, make_user(session, Role.admin))
    response = client.get(f"/api/v1/enterprises/{2**70}", headers=headers)
    assert response.status_code == 422 and "超出允许的范围" in response.json()["detail"]
