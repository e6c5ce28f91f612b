"""The permission matrix's table: every write operation of the JSON API, and which roles may do
it to an object inside their scope and to one outside it. test_permission_matrix sends each
operation by every role; test_permission_pages holds the page forms to the same rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.accounts import Role
from core.db import china_today
from enterprises.projects.leads import LeadStage
from tests.factories import PASSWORD
from tests.web.permission_world import ADMIN, EVERYONE, World

Body = Callable[[World, str], Any]


@dataclass(frozen=True)
class Op:
    """One write operation: who may do it to an object of their own scope, and of another."""

    method: str
    path: str  # with {name} placeholders filled from World.ids
    mine: set[Role]
    theirs: set[Role]
    body: Body | None = None
    files: bool = False


def _chain_op(method: str, path: str, body: Body | None = None) -> Op:
    return Op(method, path, {Role.admin, Role.chain_chief}, ADMIN, body)


SEGMENT = {"name": "矩阵环节", "stream": "mid"}
DOSSIER = {"kind": "technology", "name": "矩阵条目"}
LEAD_BODY = {"name": "矩阵新项目", "investor_name": "矩阵投资有限公司"}
LEAD_EDITORS = {Role.admin, Role.promotion}
PLAN_WRITERS = {Role.admin, Role.leader}

API_OPS: list[Op] = [
    _chain_op("PATCH", "/api/v1/chains/{chain}", lambda w, s: {}),
    _chain_op("POST", "/api/v1/chains/{chain}/segments", lambda w, s: SEGMENT),
    _chain_op("PUT", "/api/v1/chains/{chain}/segments/{segment}", lambda w, s: SEGMENT),
    _chain_op("DELETE", "/api/v1/chains/{chain}/segments/{segment}"),
    _chain_op(
        "POST", "/api/v1/chains/{chain}/segments/{segment}/shift", lambda w, s: {"offset": 1}
    ),
    _chain_op(
        "PUT",
        "/api/v1/chains/{chain}/segments/{segment}/choke-point",
        lambda w, s: {"choke_point": True},
    ),
    _chain_op("POST", "/api/v1/chains/{chain}/segments/{segment}/confirm"),
    _chain_op("POST", "/api/v1/chains/{chain}/suggestions/{suggestion}/accept"),
    _chain_op("POST", "/api/v1/chains/{chain}/suggestions/{suggestion}/reject"),
    _chain_op(
        "PUT",
        "/api/v1/chains/{chain}/segments/{segment}/words",
        lambda w, s: {"words": ["矩阵词"], "version": 1},
    ),
    _chain_op("POST", "/api/v1/chains/{chain}/review/{membership}/confirm"),
    _chain_op("DELETE", "/api/v1/chains/{chain}/review/{membership}"),
    _chain_op(
        "PUT",
        "/api/v1/chains/{chain}/segments/{segment}/firms/{firm}",
        lambda w, s: {"role": "key"},
    ),
    _chain_op(
        "POST",
        "/api/v1/chains/{chain}/links",
        lambda w, s: {"source_id": w.of("segment", s), "target_id": w.of("segment2", s)},
    ),
    _chain_op("DELETE", "/api/v1/chains/{chain}/links/{link_source}/{link_target}"),
    _chain_op("POST", "/api/v1/chains/{chain}/dossier", lambda w, s: DOSSIER),
    _chain_op("PUT", "/api/v1/chains/{chain}/dossier/{dossier}", lambda w, s: DOSSIER),
    _chain_op("DELETE", "/api/v1/chains/{chain}/dossier/{dossier}"),
    Op(
        "POST",
        "/api/v1/enterprises",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"name": "佛山市矩阵新建有限公司", "park_id": w.of("park", s)},
    ),
    Op(
        "PUT",
        "/api/v1/enterprises/{firm}",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {
            "name": "佛山市矩阵改名有限公司",
            "park_id": w.of("park", s),
            "version": w.of("firm_version", s),
        },
    ),
    Op(
        "POST",
        "/api/v1/enterprises/{firm}/merge",
        ADMIN,
        ADMIN,
        lambda w, s: {"other_id": w.of("firm", "theirs" if s == "mine" else "mine")},
    ),
    Op("POST", "/api/v1/enterprises/{firm}/phone", {Role.admin, Role.park_bureau}, ADMIN),
    Op(
        "PUT",
        "/api/v1/enterprises/{firm}/figures",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"year": 2025, "revenue": 100},
    ),
    Op(
        "POST",
        "/api/v1/cultivations",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {
            "enterprise_id": w.of("firm", s),
            "designation": "single-champion",
            "on": "2026-02-01",
        },
    ),
    Op(
        "POST",
        "/api/v1/parks/{park_code}/candidates",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"designation": "single-champion", "ids": [w.of("firm", s)]},
    ),
    Op(
        "POST",
        "/api/v1/cultivations/{cultivation}/moves",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"to_stage": "pool", "on": "2026-02-01"},
    ),
    Op(
        "POST",
        "/api/v1/cultivations/bulk-moves",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"to_stage": "pool", "on": "2026-02-01", "ids": [w.of("cultivation", s)]},
    ),
    Op(
        "POST",
        "/api/v1/imports",
        {Role.admin, Role.park_bureau},
        {Role.admin, Role.park_bureau},
        files=True,
    ),
    Op(
        "POST",
        "/api/v1/imports/{batch}/commit",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {},
    ),
    Op("POST", "/api/v1/imports/{batch}/undo", {Role.admin, Role.park_bureau}, ADMIN),
    Op(
        "POST",
        "/api/v1/enterprises/{firm}/segments",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"segment_id": w.of("segment2", s), "note": "矩阵环节"},
    ),
    Op("POST", "/api/v1/leads", LEAD_EDITORS, LEAD_EDITORS, lambda w, s: LEAD_BODY),
    # The target library (招商目标库) has no scope: promotion staff and admins keep all of it.
    Op("POST", "/api/v1/prospects", LEAD_EDITORS, LEAD_EDITORS, lambda w, s: {"name": f"矩阵{s}"}),
    Op(
        "PUT",
        "/api/v1/prospects/{prospect}",
        LEAD_EDITORS,
        LEAD_EDITORS,
        lambda w, s: {"name": f"矩阵目标{s}改", "version": 1},
    ),
    Op("POST", "/api/v1/prospects/{prospect}/project", LEAD_EDITORS, LEAD_EDITORS, lambda w, s: {}),
    Op("POST", "/api/v1/prospects/imports", LEAD_EDITORS, LEAD_EDITORS, files=True),
    Op(
        "POST",
        "/api/v1/prospects/imports/{prospect_batch}/commit",
        LEAD_EDITORS,
        LEAD_EDITORS,
        lambda w, s: {},
    ),
    Op("POST", "/api/v1/leads/imports", LEAD_EDITORS, LEAD_EDITORS, files=True),
    Op("POST", "/api/v1/leads/imports/{ledger}/commit", LEAD_EDITORS, ADMIN, lambda w, s: {}),
    Op("POST", "/api/v1/leads/imports/{ledger}/undo", LEAD_EDITORS, ADMIN),
    Op("PUT", "/api/v1/leads/limits", ADMIN, ADMIN, lambda w, s: {}),
    Op(
        "PUT",
        "/api/v1/leads/{lead}",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: LEAD_BODY | {"version": w.of("lead_version", s)},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/moves",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"to_stage": LeadStage.contact},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/land",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"registered_name": "矩阵落地有限公司", "registered_code_pending": True},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/firm-code",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"credit_code": "91440604MA4UABC123"},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/followups",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"on": "2026-02-01", "notes": "矩阵跟进"},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/arrivals",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"amount": 10, "arrived_on": "2026-02-01"},
    ),
    Op(
        "POST",
        "/api/v1/leads/{lead}/contacts",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"name": "新联系人"},
    ),
    Op(
        "PUT",
        "/api/v1/leads/{lead}/moves/{move}/date",
        ADMIN,
        ADMIN,
        lambda w, s: {"on": china_today().isoformat(), "reason": "矩阵更正"},
    ),
    Op("DELETE", "/api/v1/leads/{lead}/contacts/{contact}", LEAD_EDITORS, ADMIN),
    Op("POST", "/api/v1/leads/{lead}/contacts/{contact}/phone", LEAD_EDITORS, ADMIN),
    Op(
        "POST",
        "/api/v1/carriers",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {
            "park_id": w.of("park", s),
            "name": "矩阵新载体",
            "total_area": 10,
            "available_area": 5,
        },
    ),
    Op(
        "PUT",
        "/api/v1/carriers/{carrier}",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {
            "park_id": w.of("park", s),
            "name": "矩阵载体改",
            "total_area": 10,
            "available_area": 5,
            "version": 1,
        },
    ),
    # A carrier is held by the project's owner; the carrier's park bureau may also let it go.
    Op(
        "POST",
        "/api/v1/carriers/{carrier}/reserve",
        LEAD_EDITORS,
        ADMIN,
        lambda w, s: {"lead_id": w.of("lead", s)},
    ),
    Op(
        "POST",
        "/api/v1/carriers/{carrier}/release",
        LEAD_EDITORS | {Role.park_bureau},
        ADMIN,
        lambda w, s: {"lead_id": w.of("lead", s)},
    ),
    Op(
        "POST",
        "/api/v1/targets/{target}/values",
        ADMIN,
        ADMIN,
        lambda w, s: {"value": 1, "as_of": "2026-01-31", "source": "矩阵"},
    ),
    # Plans and their targets are written by admins and leaders.
    Op(
        "POST",
        "/api/v1/plans",
        PLAN_WRITERS,
        PLAN_WRITERS,
        lambda w, s: {"name": "矩阵规划", "period_start_year": 2026, "period_end_year": 2028},
    ),
    Op(
        "POST",
        "/api/v1/plans/{plan}/targets",
        PLAN_WRITERS,
        PLAN_WRITERS,
        lambda w, s: {"name": "矩阵目标", "target_value": 1},
    ),
    Op(
        "POST",
        "/api/v1/plans/{plan}/copy",
        PLAN_WRITERS,
        PLAN_WRITERS,
        lambda w, s: {"start_year": 2031},
    ),
    Op("POST", "/api/v1/plans/{plan}/import", PLAN_WRITERS, PLAN_WRITERS, files=True),
    Op(
        "POST",
        "/api/v1/users",
        ADMIN,
        ADMIN,
        lambda w, s: {"username": f"matrix-{s}", "role": "viewer", "password": "Matrix#user-2026"},
    ),
    Op("PUT", "/api/v1/users/{user}/unit", ADMIN, ADMIN, lambda w, s: {"unit_id": w.of("unit", s)}),
    # A task's progress is reported by its lead units' members (the park bureau's account
    # belongs to a lead unit of "mine") and by admins.
    Op(
        "POST",
        "/api/v1/tasks/{task}/reports",
        {Role.admin, Role.park_bureau},
        ADMIN,
        lambda w, s: {"on": "2026-01-31", "text": "矩阵进展", "status": "in_progress"},
    ),
    Op("PUT", "/api/v1/users/{user}/active", ADMIN, ADMIN, lambda w, s: {"active": False}),
    Op("POST", "/api/v1/users/{user}/end-sessions", ADMIN, ADMIN),
    Op("POST", "/api/v1/audit/{entry}/reveal", ADMIN, ADMIN),
    Op(
        "POST",
        "/api/v1/users/{user}/password",
        ADMIN,
        ADMIN,
        lambda w, s: {"password": "Matrix#reset-2026"},
    ),
    Op(
        "POST",
        "/api/v1/account/password",
        EVERYONE,
        EVERYONE,
        lambda w, s: {"current": PASSWORD, "password": "Matrix#new-2026"},
    ),
]
