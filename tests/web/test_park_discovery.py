"""候选发现 on a park's page: discovered firms of the park added as candidates in one step."""

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.accounts import Role
from enterprises.cultivation import designations
from enterprises.cultivation.pipeline import Cultivation, Stage
from enterprises.registry import figures
from enterprises.registry.figures import FigureFields
from enterprises.registry.models import Enterprise
from tests.factories import bearer, login, make_enterprise, make_user


def _growing(session: Session, name: str, park: str) -> Enterprise:
    """A young firm whose revenue grew fast: it meets the gazelle criteria of the seed."""
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, park=park, name=name, founded_date=date(2020, 1, 1))
    for year, revenue in ((2021, 1000.0), (2024, 3000.0)):
        figures.put(
            session=session,
            actor=admin,
            enterprise=firm,
            data=FigureFields(year=year, revenue=revenue),
        )
    return firm


def _gazelle_stage(session: Session, firm: Enterprise) -> str | None:
    gazelle = designations.get_by_code(session=session, code="gazelle")
    found = session.exec(
        select(Cultivation).where(
            Cultivation.enterprise_id == firm.id, Cultivation.designation_id == gazelle.id
        )
    ).first()
    return found.stage if found else None


def test_the_park_page_links_to_discovery_and_a_bureau_adds_candidates(
    client: TestClient, session: Session
) -> None:
    own = _growing(session, "佛山市园区发现甲有限公司", "shunde")
    other = _growing(session, "佛山市园区发现乙有限公司", "nanhai")
    csrf = login(client, session, make_user(session, Role.park_bureau, park="shunde"))
    park_page = client.get("/parks/shunde").text
    assert 'hx-get="/parks/shunde/discovery"' in park_page
    block = client.get("/parks/shunde/discovery", headers={"HX-Request": "true"})
    assert block.text.lstrip().startswith('<section class="card" id="discovery">')
    assert own.name in block.text and other.name not in block.text
    assert "加入候选（瞪羚企业）" in block.text
    added = client.post(
        "/parks/shunde/discovery",
        data={"csrf_token": csrf, "designation": "gazelle", "ids": [str(own.id)]},
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200 and "已加入候选 1 家" in added.text
    assert _gazelle_stage(session, own) == Stage.candidate
    # Another park's firm, and another park's page, are refused; nothing is added.
    refused = client.post(
        "/parks/shunde/discovery",
        data={"csrf_token": csrf, "designation": "gazelle", "ids": [str(other.id)]},
    )
    assert refused.status_code == 422 and "不属于本园区" in refused.text
    elsewhere = client.post(
        "/parks/nanhai/discovery",
        data={"csrf_token": csrf, "designation": "gazelle", "ids": [str(other.id)]},
    )
    assert elsewhere.status_code == 403 and "园区管理局只能维护本园区的企业" in elsewhere.text
    assert "加入候选" not in client.get("/parks/nanhai/discovery").text.split("候选发现")[-1]
    assert _gazelle_stage(session, other) is None


def test_the_api_lists_a_parks_discovery_and_adds_candidates(
    client: TestClient, session: Session
) -> None:
    firm = _growing(session, "佛山市接口园区发现有限公司", "shunde")
    headers = bearer(session, make_user(session, Role.park_bureau, park="shunde"))
    listed = client.get("/api/v1/parks/shunde/discovery", headers=headers).json()
    gazelle = next(d for d in listed if d["designation"] == "gazelle")
    assert firm.id in [f["enterprise_id"] for f in gazelle["found"]]
    added = client.post(
        "/api/v1/parks/shunde/candidates",
        headers=headers,
        json={"designation": "gazelle", "ids": [firm.id]},
    )
    assert added.json() == {"added": 1}
    again = client.post(
        "/api/v1/parks/shunde/candidates",
        headers=headers,
        json={"designation": "gazelle", "ids": [firm.id]},
    )
    assert again.status_code == 409 and "已在“瞪羚企业”培育名单中" in again.json()["detail"]
