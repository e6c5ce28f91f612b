from datetime import date
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from core.accounts import Role
from enterprises.cultivation import designations, pipeline, standing
from enterprises.cultivation.pipeline import Stage
from enterprises.registry import figures
from enterprises.registry.figures import FigureFields
from tests.factories import bearer, login, make_enterprise, make_user


def _candidate(session: Session, name: str, park: str = "shunde", code: str = "gazelle") -> int:
    firm = make_enterprise(session, park=park, name=name)
    cultivation = pipeline.start(
        session=session,
        actor=make_user(session, Role.admin),
        enterprise_id=firm.id or 0,
        designation=designations.get_by_code(session=session, code=code),
        chain_id=None,
        on=date(2023, 1, 5),
    )
    return cultivation.id or 0


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/cultivation", Role.park_bureau, 200),
        ("/cultivation?view=board&designation=gazelle&stage=candidate", Role.admin, 200),
        ("/cultivation?designation=nope", Role.viewer, 404),
        ("/designations", Role.leader, 200),
        ("/designations/unicorn?as_of=2022-12-31", Role.viewer, 200),
        ("/designations/nope", Role.viewer, 404),
    ],
)
def test_cultivation_page_access(
    client: TestClient, session: Session, path: str, role: Role, status: int
) -> None:
    login(client, session, make_user(session, role))
    assert client.get(path).status_code == status


def test_a_park_bureau_sees_only_its_park(client: TestClient, session: Session) -> None:
    _candidate(session, "佛山市顺德培育页测试有限公司", park="shunde")
    _candidate(session, "佛山市南海培育页测试有限公司", park="nanhai")
    login(client, session, make_user(session, Role.park_bureau))
    page = client.get("/cultivation?q=培育页测试&park=nanhai").text
    assert "佛山市顺德培育页测试有限公司" in page and "佛山市南海培育页测试有限公司" not in page


def test_bulk_move_from_the_page(client: TestClient, session: Session) -> None:
    ids = [_candidate(session, f"佛山市页面批量{n}有限公司") for n in ("甲", "乙")]
    csrf = login(client, session, make_user(session, Role.park_bureau))
    refused = client.post(
        "/cultivation/bulk-move?q=页面批量",
        data={"csrf_token": csrf, "ids": ids, "to_stage": "recognised", "on": "2023-03-01"},
    )
    assert refused.status_code == 403 and "全部未移动" in refused.text  # skipping needs an admin
    moved = client.post(
        "/cultivation/bulk-move?q=页面批量",
        data={
            "csrf_token": csrf,
            "ids": ids,
            "to_stage": "pool",
            "on": "2023-03-01",
            "note": "入库",
        },
        headers={"HX-Request": "true"},
    )
    assert "已移动 2 家企业" in moved.text and "<html" not in moved.text
    assert all(pipeline.get(session=session, cultivation_id=i).stage == Stage.pool for i in ids)


def test_enterprise_page_shows_the_timeline_and_refusals_beside_the_form(
    client: TestClient, session: Session
) -> None:
    cid = _candidate(session, "佛山市时间线测试有限公司")
    cultivation = pipeline.get(session=session, cultivation_id=cid)
    csrf = login(client, session, make_user(session, Role.park_bureau))
    page = client.get(f"/enterprises/{cultivation.enterprise_id}").text
    assert "认定与培育" in page and "2023-01-05" in page and "瞪羚企业" in page
    skip = client.post(
        f"/cultivations/{cid}/move",
        data={"csrf_token": csrf, "to_stage": "recognised", "on": "2023-02-01"},
    )
    assert skip.status_code == 403 and "须由管理员操作并说明原因" in skip.text
    ok = client.post(
        f"/cultivations/{cid}/move",
        data={"csrf_token": csrf, "to_stage": "pool", "on": "2023-02-01", "version": 1},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert pipeline.get(session=session, cultivation_id=cid).stage == Stage.pool


def test_admin_maintains_the_catalogue_and_others_may_not(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.park_bureau))
    assert (
        client.post(
            "/designations", data={"csrf_token": csrf, "code": "x", "name": "某称号"}
        ).status_code
        == 403
    )
    csrf = login(client, session, make_user(session, Role.admin))
    made = client.post(
        "/designations",
        data={"csrf_token": csrf, "code": "little-giant", "name": "专精特新小巨人", "active": "on"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    tier = client.post(
        "/designations/new-species/tiers",
        data={"csrf_token": csrf, "tier_code": "dragon", "tier_name": "超级独角兽"},
        follow_redirects=False,
    )
    assert tier.status_code == 303
    bad = client.post(
        "/designations/gazelle/criteria", data={"csrf_token": csrf, "revenue_min": "很多"}
    )
    assert bad.status_code == 422 and "最近年度营业收入不低于（万元）须为数字" in bad.text
    page = client.get("/designations").text
    assert "专精特新小巨人" in page and "超级独角兽" in page


def test_discovered_firms_go_straight_into_the_pool(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, name="佛山市发现入库有限公司", founded_date=date(2020, 1, 1))
    for year, revenue in ((2021, 1000.0), (2024, 3000.0)):
        figures.put(
            session=session,
            actor=admin,
            enterprise=firm,
            data=FigureFields(year=year, revenue=revenue),
        )
    csrf = login(client, session, make_user(session, Role.park_bureau))
    page = client.get("/designations/gazelle").text
    assert "佛山市发现入库有限公司" in page
    client.post("/designations/gazelle/discovered", data={"csrf_token": csrf, "ids": [firm.id]})
    assert standing.enterprise_ids_in(
        session=session, designation=designations.get_by_code(session=session, code="gazelle")
    ) >= {firm.id}
    rows = client.get("/api/v1/cultivations?q=发现入库").json()
    assert rows["items"][0]["stage"] == "pool"


def test_lists_export_to_xlsx_and_csv_with_chinese_headers(
    client: TestClient, session: Session
) -> None:
    make_enterprise(session, name='=HYPERLINK("x")导出测试有限公司', contact_phone="13812345678")
    _candidate(session, "佛山市导出培育测试有限公司")
    login(client, session, make_user(session, Role.viewer))
    csv_text = client.get("/enterprises/export.csv?q=导出测试").content.decode("utf-8-sig")
    header, row = csv_text.splitlines()[:2]
    assert header.startswith("企业名称,统一社会信用代码")
    assert row.startswith("\"'=HYPERLINK") and "138****5678" in row and "13812345678" not in row
    book = load_workbook(BytesIO(client.get("/enterprises/export.xlsx?q=导出测试").content))
    sheet = book.active
    assert sheet is not None and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["A2"].data_type == "s"
    roster = client.get("/api/v1/cultivations/export?format=csv&q=导出培育").content
    assert "佛山市导出培育测试有限公司,顺德园,瞪羚企业,,候选" in roster.decode("utf-8-sig")
    assert client.get("/cultivation/export.pdf").status_code == 404


def test_merge_from_the_page_and_the_api(client: TestClient, session: Session) -> None:
    kept = make_enterprise(session, name="佛山市页面合并甲有限公司", credit_code=None)
    twin = make_enterprise(session, name="页面合并甲（佛山）有限公司")
    twin_id, twin_code = twin.id, twin.credit_code
    csrf = login(client, session, make_user(session, Role.admin))
    merged = client.post(
        f"/enterprises/{kept.id}/merge",
        data={"csrf_token": csrf, "other": twin_code},
    )
    assert "页面合并甲（佛山）有限公司" in merged.text and "合并" in merged.text
    assert client.get(f"/enterprises/{twin_id}").status_code == 404
    third = make_enterprise(session, name="佛山市页面合并乙有限公司")
    refused = client.post(
        f"/api/v1/enterprises/{kept.id}/merge",
        json={"other_id": third.id},
        headers=bearer(session, make_user(session, Role.park_bureau)),
    )
    assert refused.status_code == 403 and refused.json()["detail"] == "只有管理员可以合并企业"
