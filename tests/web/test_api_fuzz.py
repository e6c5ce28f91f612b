"""Schemathesis against /openapi.json with every check it has, as an admin and as a viewer:
generated requests (valid and invalid, a bounded number for each operation and kind) through
the app's own transactions on a committed copy of the permission world must cause no server
error, and every answer must be the one the schema publishes (status, content type, headers,
body), invalid input refused, valid input accepted.

Valid input: some operations check rules no JSON schema can state (a credit code's check
character, the chain, park or owner a body names existing, one date before another, a stage
that allows the change, a password's strength, a file's contents, filters typed as text for
the pages' forms). There, and only
for the fields RULES names, a schema-valid request may be refused with 422; any other refusal
of valid input still fails (the check `valid_input_is_accepted` replaces schemathesis's
positive_data_acceptance for those operations only).
"""

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, make_user
from tests.web.permission_world import World

EXAMPLES = 5  # per operation and kind: the suite must stay fast; CI runs it on both databases

_DATES = {"登记日期（起）", "登记日期（止）", "计划投资额下限", "计划投资额上限"}
# Operation -> the fields whose rules the schema cannot state.
RULES: dict[str, set[str]] = {
    "POST /api/v1/enterprises": {"credit_code", "park_id"},
    "PUT /api/v1/enterprises/{enterprise_id}": {"credit_code", "park_id", "version"},
    # the pipeline's rules: a firm once per designation, moves in order unless an admin
    # gives a reason, recognitions with a date
    "POST /api/v1/cultivations": {"enterprise_id", "designation", "chain_id", "on"},
    "POST /api/v1/cultivations/{cultivation_id}/moves": {"to_stage", "note", "on", "tier_id"},
    "POST /api/v1/cultivations/bulk-moves": {"ids", "to_stage", "note", "on"},
    "POST /api/v1/imports": {"file", "designation", "stage"},
    "POST /api/v1/imports/{batch_id}/commit": {"mapping"},
    "POST /api/v1/leads": {
        "investor_credit_code",
        "chain_id",
        "segment_id",
        "park_id",
        "owner_id",  # an active promotion user
        "created_on",  # not after today
    },
    "PUT /api/v1/leads/{lead_id}": {
        "investor_credit_code",
        "chain_id",
        "segment_id",
        "park_id",
        "owner_id",
        "version",
    },
    "POST /api/v1/leads/{lead_id}/arrivals": {"amount", "arrived_on"},  # signed projects only
    "PUT /api/v1/leads/{lead_id}/moves/{move_id}/date": {"on"},  # between its neighbours
    "POST /api/v1/leads/imports": {"file"},
    "POST /api/v1/leads/imports/{batch_id}/commit": {"mapping"},
    "GET /api/v1/leads": _DATES,
    "GET /api/v1/leads/board": _DATES,
    "GET /api/v1/leads/export.{fmt}": _DATES,
    "POST /api/v1/leads/{lead_id}/followups": {"next_step", "next_due"},
    "POST /api/v1/carriers": {"park_id", "landmark_id", "available_area"},
    "PUT /api/v1/carriers/{carrier_id}": {"park_id", "landmark_id", "available_area", "version"},
    "GET /api/v1/audit": {"start", "end"},
    "POST /api/v1/users": {"password", "username"},
    "PUT /api/v1/users/{user_id}/active": {"active"},  # not one's own account
    "POST /api/v1/account/password": {"current", "password"},
    # landing: a credit code's check digit, a firm that exists, the lead's version
    "POST /api/v1/leads/{lead_id}/land": {
        "on",
        "enterprise_id",
        "registered_name",
        "registered_credit_code",
        "registered_code_pending",
        "version",
    },
    "POST /api/v1/leads/{lead_id}/firm-code": {"credit_code"},
    "POST /api/v1/enterprises/{enterprise_id}/segments": {"segment_id"},  # one of the park's chain
    "PUT /api/v1/chains/{code}/segments/{segment_id}/words": {"words", "version"},
    "POST /api/v1/parks/{code}/candidates": {"designation", "ids"},  # the park's discovered firms
    # plans: a period in order, milestones keyed by years inside it, a figure the kind needs
    "POST /api/v1/plans": {"period_end_year", "name"},
    "POST /api/v1/plans/{plan_id}/targets": {
        "name",
        "kind",
        "figure",
        "target_value",
        "deadline_year",
        "milestones",
    },
    "POST /api/v1/plans/{plan_id}/copy": {"start_year", "name"},
    "POST /api/v1/plans/{plan_id}/import": {"file"},
    # the target library: a credit code's check digit, one target per code and name
    "POST /api/v1/prospects": {"credit_code", "name"},
    "PUT /api/v1/prospects/{prospect_id}": {"credit_code", "name", "version"},
    "POST /api/v1/prospects/imports": {"file", "source_list"},
    "POST /api/v1/prospects/imports/{prospect_batch_id}/commit": {"mapping"},
    "POST /api/v1/prospects/{prospect_id}/project": {"segment_id"},
}
ACCEPTED = {401, 403, 404, 409}


def _label(case: schemathesis.Case) -> str:
    return f"{case.operation.method.upper()} {case.operation.path}"


def valid_input_is_accepted(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """Valid input gets a success, or a refusal of who or what; or a 422 naming a RULES field."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status in ACCEPTED:
        return None
    fields = set(response.json().get("errors", {})) if status == 422 else set()
    ruled = RULES[_label(case)]
    assert fields and all(f in ruled or f.split(".")[0] in ruled for f in fields), (
        f"valid input refused with {status}: {response.text[:300]}"
    )
    return None


def _runner(operation: Any, mode: GenerationMode, headers: dict[str, str], ruled: bool) -> Any:
    """Hypothesis's test of one operation and kind of input, with every check."""

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: CI stays deterministic
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=headers,
            excluded_checks=[positive_data_acceptance] if ruled else [],
            additional_checks=[valid_input_is_accepted] if ruled else [],
        )

    return run


@pytest.mark.parametrize("role", [Role.admin, Role.viewer], ids=lambda r: r.value)
def test_generated_requests_pass_every_check(
    session: Session, probe: tuple[FastAPI, TestClient, World], role: Role
) -> None:
    app, _, world = probe
    headers = bearer(session, world.users[role])
    session.commit()  # schemathesis calls the app itself, not through the fixture's client
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {f"{op.method.upper()} {op.path}" for op in operations}
    assert set(RULES) <= labels, "RULES names an operation the API no longer has"
    failures: list[str] = []
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _runner(operation, mode, headers, label in RULES)()
            except Unsatisfiable:  # nothing to make invalid: an operation without input
                assert mode == GenerationMode.NEGATIVE
            except (Exception, BaseExceptionGroup) as exc:  # collected: every one is tried
                failures.append(f"{label} ({mode.value}): {str(exc)[:600]}")
    assert failures == [], f"{len(failures)} failures:\n" + "\n\n".join(failures)


def test_an_id_past_what_the_database_holds_is_bad_input(
    client: TestClient, session: Session
) -> None:
    """Found by the run above: such an id reached the driver and failed with a 500; the
    schema now declares the largest id, and a larger one is refused before the database."""
    headers = bearer(session, make_user(session, Role.admin))
    for path in (f"/api/v1/enterprises/{2**70}", f"/api/v1/leads/stalled?park_id={2**31}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 422, path
        assert "不能大于 2,147,483,647" in response.json()["detail"]
