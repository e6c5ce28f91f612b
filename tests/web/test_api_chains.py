import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from chains import service as chain_service
from chains.models import Stream
from core.accounts import Role
from tests.factories import bearer, make_user, settled


def _segment_id(session: Session, chain: str, code: str) -> int:
    chain_id = chain_service.get_by_code(session=session, code=chain).id or 0
    segments = chain_service.segments_of(session=session, chain_id=chain_id)
    return next(s.id for s in segments if s.code == code and s.id is not None)


def test_map_has_positioned_nodes_with_figures_and_drawn_edges(
    client: TestClient, session: Session
) -> None:
    headers = bearer(session, make_user(session, Role.viewer))
    body = client.get("/api/v1/chains/robotics/map", headers=headers).json()
    nodes = {n["name"]: n for n in body["nodes"]}
    assert len(nodes) == 13 and len(body["edges"]) == 21
    assert nodes["机器人传感器"]["x"] < nodes["工业机器人"]["x"] < nodes["汽车领域系统集成"]["x"]
    assert (
        nodes["精密减速器"]["status"] == "missing"
        and "无本地企业" in nodes["精密减速器"]["explanation"]
    )
    assert all(e["path"].startswith("M") for e in body["edges"])
    assert body["width"] >= max(n["x"] + n["width"] for n in body["nodes"])


@pytest.mark.parametrize(
    ("role", "chains", "status"),
    [
        (Role.admin, (), 201),
        (Role.chain_chief, ("robotics",), 201),
        (Role.chain_chief, ("hydrogen",), 403),
        (Role.leader, (), 403),
        (Role.promotion, (), 403),
        (Role.park_bureau, (), 403),
        (Role.viewer, (), 403),
    ],
)
def test_only_the_chains_chief_or_an_admin_edits_its_map(
    client: TestClient, session: Session, role: Role, chains: tuple[str, ...], status: int
) -> None:
    headers = bearer(session, make_user(session, role, chains=chains))
    response = client.post(
        "/api/v1/chains/robotics/segments",
        headers=headers,
        json={"name": "谐波减速器", "stream": "upstream"},
    )
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"]


def test_segment_and_link_editing_through_the_api(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.chain_chief, chains=("robotics",)))
    created = client.post(
        "/api/v1/chains/robotics/segments",
        headers=headers,
        json={"name": "谐波减速器", "stream": "upstream", "technology": "减速器"},
    )
    segment = created.json()
    assert created.status_code == 201 and segment["technology"] == "减速器"
    industrial = _segment_id(session, "robotics", "industrial")
    link = client.post(
        "/api/v1/chains/robotics/links",
        headers=headers,
        json={"source_id": segment["id"], "target_id": industrial},
    )
    assert link.status_code == 201
    cycle = client.post(
        "/api/v1/chains/robotics/links",
        headers=headers,
        json={"source_id": industrial, "target_id": segment["id"]},
    )
    assert cycle.status_code == 422
    assert cycle.json()["errors"]["target_id"].startswith("会形成循环：工业机器人 → 谐波减速器")
    renamed = client.put(
        f"/api/v1/chains/robotics/segments/{segment['id']}",
        headers=headers,
        json={"name": "RV减速器", "stream": Stream.upstream},
    )
    assert renamed.json()["name"] == "RV减速器"
    choke = client.put(
        f"/api/v1/chains/robotics/segments/{segment['id']}/choke-point",
        headers=headers,
        json={"choke_point": True, "choke_note": "精密减速器依赖日本进口"},
    )
    assert choke.json()["choke_point"] is True
    settled(client)
    gaps = client.get("/api/v1/chains/robotics/gaps", headers=headers).json()
    assert gaps[0]["name"] == "RV减速器" and "卡脖子环节" in gaps[0]["explanation"]
    removed = client.delete(
        f"/api/v1/chains/robotics/links/{segment['id']}/{industrial}", headers=headers
    )
    assert removed.status_code == 204
    deleted = client.delete(f"/api/v1/chains/robotics/segments/{segment['id']}", headers=headers)
    assert deleted.status_code == 204
    settled(client)
    names = {
        s["name"] for s in client.get("/api/v1/chains/robotics", headers=headers).json()["segments"]
    }
    assert "RV减速器" not in names


def test_bad_input_names_the_field_in_chinese(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.admin))
    bad = client.post(
        "/api/v1/chains/robotics/segments",
        headers=headers,
        json={"name": "x", "stream": "sideways"},
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert errors["name"].startswith("环节名称") and errors["stream"].startswith("位置")
    threshold = client.patch("/api/v1/chains/robotics", headers=headers, json={"weak_threshold": 0})
    assert threshold.json()["errors"]["weak_threshold"].startswith("强链标准（家）")
    firms = _segment_id(session, "robotics", "servo")
    refused = client.delete(f"/api/v1/chains/robotics/segments/{firms}", headers=headers)
    assert refused.status_code == 422 and "请选择把它们转入哪个环节" in refused.json()["detail"]


def test_settings_confirmation_and_firm_roles(client: TestClient, session: Session) -> None:
    chief = make_user(session, Role.chain_chief, chains=("robotics",))
    headers = bearer(session, chief)
    settings = client.patch(
        "/api/v1/chains/robotics", headers=headers, json={"weak_threshold": 5, "anchor_target": 2}
    ).json()
    assert (settings["weak_threshold"], settings["anchor_target"]) == (5, 2)
    construction = _segment_id(session, "robotics", "construction")
    confirmed = client.post(
        f"/api/v1/chains/robotics/segments/{construction}/confirm", headers=headers
    ).json()
    assert confirmed["confirmed_by"] == chief.display_name
    stale = client.get("/api/v1/chains/robotics/unconfirmed", headers=headers).json()
    assert construction not in {s["id"] for s in stale} and len(stale) == 12
    firms = client.get(
        f"/api/v1/chains/robotics/segments/{construction}/firms", headers=headers
    ).json()
    bozhilin = next(f for f in firms["items"] if f["name"] == "博智林")
    role = client.put(
        f"/api/v1/chains/robotics/segments/{construction}/firms/{bozhilin['id']}",
        headers=headers,
        json={"role": "anchor", "hidden_champion": True},
    )
    assert role.json()["role"] == "anchor"
    settled(client)  # a token's reader may see figures a moment old right after a write
    detail = client.get("/api/v1/chains/robotics", headers=headers).json()
    assert detail["anchor_count"] == 1


def test_dossier_crud_and_matrix(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.chain_chief, chains=("hydrogen",)))
    item = client.post(
        "/api/v1/chains/hydrogen/dossier",
        headers=headers,
        json={"kind": "advisory", "name": "氢能产业专家咨询委员会", "issuer": "佛山高新区管委会"},
    )
    assert item.status_code == 201
    changed = client.put(
        f"/api/v1/chains/hydrogen/dossier/{item.json()['id']}",
        headers=headers,
        json={"kind": "advisory", "name": "氢能产业专家咨询委员会", "summary": "每季度会商"},
    )
    assert changed.json()["summary"] == "每季度会商"
    listed = client.get("/api/v1/chains/hydrogen/dossier", headers=headers).json()
    assert {"advisory", "policy"} <= {i["kind"] for i in listed}
    gone = client.delete(f"/api/v1/chains/hydrogen/dossier/{item.json()['id']}", headers=headers)
    assert gone.status_code == 204
    other = client.post(
        "/api/v1/chains/robotics/dossier", headers=headers, json={"kind": "policy", "name": "越权"}
    )
    assert other.status_code == 403
    matrix = client.get("/api/v1/chain-matrix", headers=headers).json()
    assert len(matrix) == 30 and {c["stream"] for c in matrix} == {s.value for s in Stream}


def test_changes_sent_with_a_stale_version_are_refused(
    client: TestClient, session: Session
) -> None:
    headers = bearer(session, make_user(session, Role.admin))
    chain = client.get("/api/v1/chains/robotics", headers=headers).json()
    servo = next(s for s in chain["segments"] if s["code"] == "servo")
    path = f"/api/v1/chains/robotics/segments/{servo['id']}"
    fields = {"name": "伺服系统", "stream": servo["stream"]}
    saved = client.put(path, headers=headers, json=fields | {"version": servo["version"]})
    assert saved.status_code == 200 and saved.json()["version"] == servo["version"] + 1
    for stale in (servo["version"], -1, str(servo["version"])):
        refused = client.put(path, headers=headers, json=fields | {"version": stale})
        assert refused.status_code == 409 and refused.json()["current"]["version"] == (
            servo["version"] + 1
        )
    assert client.put(path, headers=headers, json=fields | {"version": "一"}).status_code == 422
    settings = {"weak_threshold": 4, "version": chain["version"]}
    assert client.patch("/api/v1/chains/robotics", headers=headers, json=settings).json()[
        "version"
    ] == (chain["version"] + 1)
    stale = client.patch("/api/v1/chains/robotics", headers=headers, json=settings)
    assert stale.status_code == 409 and "参数已被他人修改" in stale.json()["detail"]
