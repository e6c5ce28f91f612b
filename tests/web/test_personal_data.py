"""Personal data (contact phones) masked on every path, for every role; every whole one logged.

A crawl reads every GET route of the app — pages, htmx fragments, API answers, downloads —
as every role, with a firm whose phone was changed (so its history and the audit log hold
both numbers) and a lead contact's phone, and looks for the whole numbers in each answer.
"""

import io
import re
import zipfile
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from core import audit, personal
from core.accounts import Role
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import EnterpriseFields, EnterpriseUpdate
from tests.factories import bearer, login, make_enterprise, make_user
from tests.web.permission_world import ROLES, World

OLD_PHONE, FIRM_PHONE, CONTACT_PHONE = "13911112222", "13933334444", "13800001111"
# Paths that hand out whole phones to those allowed, and log it (tested below).
WHOLE_FOR_TEAM = {"/leads/export.{fmt}", "/api/v1/leads/export.{fmt}"}
SKIPPED = {"/api/docs", "/docs/oauth2-redirect", "/openapi.json", "/imports/progress/{key}"}


def read_routes(app: FastAPI) -> set[str]:
    found: set[str] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
            elif "GET" in (getattr(route, "methods", None) or set()):
                found.add((prefix + route.path).replace(":int}", "}"))

    walk(app.routes, "")
    return found - SKIPPED


def _code(path: str, world: World) -> str:
    if path.startswith(("/designations", "/api/v1/designations")):
        return "gazelle"
    if "/targets" in path:
        return str(world.of("target", "mine"))
    if path.startswith("/parks"):
        return "shunde"
    return str(world.of("chain", "mine"))


def _urls(path: str, world: World) -> list[str]:
    values = {
        "carrier_id": world.of("carrier", "mine"),
        "segment_id": world.of("segment", "mine"),
        "cultivation_id": world.of("cultivation", "mine"),
        "enterprise_id": world.of("firm", "mine"),
        "batch_id": world.of("batch", "mine"),
        "lead_id": world.of("lead", "mine"),
        "item_id": world.of("dossier", "mine"),
        "code": _code(path, world),
    }
    filled = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), path)
    return [filled.replace("{fmt}", f) for f in ("csv", "xlsx")] if "{fmt}" in filled else [filled]


def _text(response: Response) -> str:
    """What an answer shows: its text, or every part of an .xlsx unpacked."""
    if response.content[:2] != b"PK":
        return response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())


def _give_the_firm_a_phone(session: Session, world: World) -> None:
    admin = world.users[Role.admin]
    firm_id = world.of("firm", "mine")
    for phone in (OLD_PHONE, FIRM_PHONE):
        firm = enterprise_service.get(session=session, enterprise_id=firm_id)
        fields = firm.model_dump(include=set(EnterpriseFields.model_fields))
        data = EnterpriseUpdate(**fields | {"contact_phone": phone}, version=firm.version)
        enterprise_service.update(session=session, actor=admin, enterprise_id=firm_id, data=data)
    session.flush()


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_no_page_answer_or_download_shows_a_whole_phone(
    probe: tuple[FastAPI, TestClient, World], session: Session, role: Role
) -> None:
    app, client, world = probe
    _give_the_firm_a_phone(session, world)
    login(client, session, world.users[role])
    token = bearer(session, world.users[role])
    leaks = []
    htmx = {"HX-Request": "true"}  # the fragments htmx swaps in
    for path in sorted(read_routes(app)):
        for url in _urls(path, world):
            for headers in [token] if url.startswith("/api/") else [{}, htmx]:
                response = client.get(url, headers=headers)
                assert response.status_code < 500, f"{url}: {response.status_code}"
                shown = _text(response)
                whole = [p for p in (OLD_PHONE, FIRM_PHONE, CONTACT_PHONE) if p in shown]
                may = path in WHOLE_FOR_TEAM and role in (Role.admin, Role.promotion)
                if whole and not (may and whole == [CONTACT_PHONE]):
                    leaks.append(f"{url}{' (htmx)' if headers is htmx else ''}: {whole}")
    assert leaks == []


def test_the_firm_history_shows_phone_changes_masked_to_every_role(
    client: TestClient, session: Session
) -> None:
    bureau = make_user(session, Role.park_bureau, park="shunde")
    firm = make_enterprise(session, park="shunde", contact_phone=OLD_PHONE)
    fields = firm.model_dump(include=set(EnterpriseFields.model_fields))
    data = EnterpriseUpdate(**fields | {"contact_phone": FIRM_PHONE}, version=firm.version)
    enterprise_service.update(session=session, actor=bureau, enterprise_id=firm.id or 0, data=data)
    for role in (Role.viewer, Role.park_bureau, Role.admin):
        login(client, session, bureau if role == Role.park_bureau else make_user(session, role))
        page = client.get(f"/enterprises/{firm.id}").text
        assert OLD_PHONE not in page and FIRM_PHONE not in page
        assert "139****2222 → 139****4444" in page
        assert "时间（北京时间）" in page and "UTC" not in page


def test_an_admin_reveals_an_audit_entry_and_the_look_is_logged(
    client: TestClient, session: Session
) -> None:
    firm = make_enterprise(session, contact_phone=FIRM_PHONE)
    entry = audit.history(session=session, object_type="enterprise", object_id=firm.id or 0)[0]
    admin = make_user(session, Role.admin)
    csrf = login(client, session, admin)
    page = client.get(f"/audit?object_type=enterprise&object_id={firm.id}").text
    assert FIRM_PHONE not in page and "139****4444" in page and "显示完整号码" in page
    shown = client.post(f"/audit/{entry.id}/reveal", data={"csrf_token": csrf})
    assert shown.status_code == 200 and FIRM_PHONE in shown.text
    api = client.post(f"/api/v1/audit/{entry.id}/reveal", headers=bearer(session, admin))
    assert api.json()["after"]["contact_phone"] == FIRM_PHONE
    listed = client.get("/api/v1/audit?object_type=enterprise", headers=bearer(session, admin))
    assert FIRM_PHONE not in listed.text
    looks = [
        e
        for e in audit.history(session=session, object_type="enterprise", object_id=firm.id or 0)
        if e.action == personal.REVEAL
    ]
    assert [(e.actor_id, (e.after or {}).get("audit_entry")) for e in looks] == [
        (admin.id, entry.id),
        (admin.id, entry.id),
    ]
    login(client, session, make_user(session, Role.leader))
    refused = client.post(f"/audit/{entry.id}/reveal", data={"csrf_token": csrf})
    assert refused.status_code == 403


def test_a_phone_sent_back_masked_is_kept(client: TestClient, session: Session) -> None:
    """The edit form and the API show the phone masked; saving that back changes nothing."""
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, actor=admin, contact_phone=FIRM_PHONE)
    csrf = login(client, session, admin)
    form = client.get(f"/enterprises/{firm.id}/edit").text
    assert FIRM_PHONE not in form and 'value="139****4444"' in form
    headers = bearer(session, admin)
    shown = client.get(f"/api/v1/enterprises/{firm.id}", headers=headers).json()
    body = {k: v for k, v in shown.items() if k in EnterpriseFields.model_fields}
    saved = client.put(
        f"/api/v1/enterprises/{firm.id}",
        headers=headers,
        json=body | {"main_products": "机器人", "version": shown["version"]},
    )
    assert saved.status_code == 200
    session.refresh(firm)
    assert firm.contact_phone == FIRM_PHONE and firm.main_products == "机器人"
    stale = client.put(
        f"/api/v1/enterprises/{firm.id}", headers=headers, json=body | {"version": 1}
    )
    assert stale.status_code == 409 and FIRM_PHONE not in stale.text
    typed = client.post(
        f"/enterprises/{firm.id}/edit",
        data=body | {"contact_phone": "13700000000", "version": firm.version, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert typed.status_code == 303
    session.refresh(firm)
    assert firm.contact_phone == "13700000000"


def test_an_export_with_whole_phones_logs_each_one(client: TestClient, session: Session) -> None:
    from enterprises.projects import lead_contacts
    from enterprises.projects.lead_contacts import ContactFields
    from tests.factories import make_lead

    owner = make_user(session, Role.promotion, team="甲组")
    lead = make_lead(session, owner, name="导出电话项目")
    contact = lead_contacts.add_contact(
        session=session,
        actor=owner,
        lead=lead,
        data=ContactFields(name="周总", phone=CONTACT_PHONE),
    )
    for reader, whole in ((owner, True), (make_user(session, Role.leader), False)):
        login(client, session, reader)
        export = client.get("/leads/export.csv?q=导出电话项目").content.decode("utf-8-sig")
        assert (CONTACT_PHONE in export) is whole
        looks = [
            e
            for e in audit.history(
                session=session, object_type="lead_contact", object_id=contact.id or 0
            )
            if e.action == personal.REVEAL and e.actor_id == reader.id
        ]
        assert [(e.after or {}).get("via") for e in looks] == (["export"] if whole else [])
