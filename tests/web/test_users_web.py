"""The user pages and API: admins manage accounts; a temporary password opens nothing else."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role, get_user_by_username
from tests.factories import bearer, login, make_user


def test_an_admin_creates_a_user_who_must_change_the_password_first(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.admin))
    page = client.get("/users")
    assert page.status_code == 200 and "新建账号" in page.text
    refused = client.post(
        "/users",
        data={
            "csrf_token": csrf,
            "username": "bureau1",
            "role": "park_bureau",
            "password": "Aa123456",
        },
    )
    assert refused.status_code == 422 and "过于常见" in refused.text
    missing_park = client.post(
        "/users",
        data={
            "csrf_token": csrf,
            "username": "bureau1",
            "role": "park_bureau",
            "password": "Nanhai#desk-7",
        },
    )
    assert missing_park.status_code == 422 and "须指定所属园区" in missing_park.text
    created = client.post(
        "/users",
        data={
            "csrf_token": csrf,
            "username": "viewer1",
            "display_name": "查看员",
            "role": "viewer",
            "password": "Nanhai#seat-7",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    newcomer = get_user_by_username(session=session, username="viewer1")
    assert newcomer is not None and newcomer.must_change_password

    csrf = login(client, session, newcomer)
    blocked = client.get("/chains", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"] == "/account/password"
    token = bearer(session, newcomer)
    assert client.get("/api/v1/chains", headers=token).status_code == 403
    wrong = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current": "Nanhai#seat-7",
            "password": "Fresh!view-42",
            "confirm": "other",
        },
    )
    assert wrong.status_code == 422 and "不一致" in wrong.text
    changed = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current": "Nanhai#seat-7",
            "password": "Fresh!view-42",
            "confirm": "Fresh!view-42",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert client.get("/chains").status_code == 200
    # The token issued before the change was revoked with the other sessions.
    assert client.get("/api/v1/chains", headers=token).status_code == 401


def test_disabling_a_user_signs_it_out_at_once(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    staff = make_user(session, Role.promotion)
    staff_client_token = bearer(session, staff)
    assert client.get("/api/v1/chains", headers=staff_client_token).status_code == 200
    admin_token = bearer(session, admin)
    listed = client.get("/api/v1/users", headers=admin_token).json()
    assert any(u["username"] == staff.username and u["tokens"] == 1 for u in listed)
    off = client.put(
        f"/api/v1/users/{staff.id}/active", json={"active": False}, headers=admin_token
    )
    assert off.status_code == 200 and off.json()["tokens"] == 0 and not off.json()["is_active"]
    assert client.get("/api/v1/chains", headers=staff_client_token).status_code == 401
    assert (
        client.get(
            "/api/v1/users", headers=bearer(session, make_user(session, Role.leader))
        ).status_code
        == 403
    )
    created = client.post(
        "/api/v1/users",
        json={
            "username": "chief9",
            "role": "chain_chief",
            "password": "Robot#chain-2026",
            "chains": ["robotics"],
        },
        headers=admin_token,
    )
    assert created.status_code == 201 and created.json()["must_change_password"]


def test_an_admin_resets_a_forgotten_password_from_the_user_list(
    client: TestClient, session: Session
) -> None:
    staff = make_user(session, Role.viewer)
    csrf = login(client, session, make_user(session, Role.admin))
    weak = client.post(
        f"/users/{staff.id}/password", data={"csrf_token": csrf, "password": "Admin@123"}
    )
    assert weak.status_code == 422 and "常见单词" in weak.text
    done = client.post(
        f"/users/{staff.id}/password",
        data={"csrf_token": csrf, "password": "Reset#key-5150"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.refresh(staff)
    assert staff.must_change_password
