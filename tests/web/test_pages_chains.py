from io import BytesIO
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from chainmaps import figures as chain_figures
from chains import service as chain_service
from chains.models import DossierItem
from core.accounts import Role
from tests.factories import login, make_user

HTMX = {"HX-Request": "true"}


def _segment_id(session: Session, chain: str, code: str) -> int:
    chain_id = chain_service.get_by_code(session=session, code=chain).id or 0
    segments = chain_service.segments_of(session=session, chain_id=chain_id)
    return next(s.id for s in segments if s.code == code and s.id is not None)


@pytest.mark.parametrize(
    ("path", "role", "chains", "status"),
    [
        ("/chains/matrix", Role.viewer, (), 200),
        ("/chains/robotics/work", Role.leader, (), 200),
        ("/chains/robotics/dossier", Role.park_bureau, (), 200),
        ("/chains/robotics/edit", Role.chain_chief, ("robotics",), 200),
        ("/chains/robotics/edit", Role.admin, (), 200),
        ("/chains/robotics/edit", Role.chain_chief, ("hydrogen",), 403),
        ("/chains/robotics/edit", Role.viewer, (), 403),
        ("/chains/robotics/dossier/new?kind=policy", Role.chain_chief, ("robotics",), 200),
        ("/chains/robotics/dossier/new", Role.promotion, (), 403),
        ("/chains/robotics/map.svg", Role.viewer, (), 200),
        ("/chains/robotics/gaps.xlsx", Role.viewer, (), 200),
    ],
)
def test_chain_page_access(
    client: TestClient,
    session: Session,
    path: str,
    role: Role,
    chains: tuple[str, ...],
    status: int,
) -> None:
    login(client, session, make_user(session, role, chains=chains))
    assert client.get(path).status_code == status


def test_a_chain_chief_starts_on_the_work_page_of_their_chain(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.chain_chief, chains=("hydrogen",)))
    response = client.get("/")
    assert response.url.path == "/chains/hydrogen/work"
    assert "补链强链清单（按优先级）" in response.text and "待核实环节" in response.text


def test_the_segment_panel_is_a_fragment_for_htmx_and_the_map_page_otherwise(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.viewer))
    construction = _segment_id(session, "robotics", "construction")
    path = f"/chains/robotics/segments/{construction}"
    panel = client.get(path, headers=HTMX)
    assert "<html" not in panel.text and "博智林" in panel.text and "顺德园" in panel.text
    assert "确认名单无误" not in panel.text
    page = client.get(path)
    assert str(page.url).endswith(f"?segment={construction}#segment-panel")
    assert "<html" in page.text and "博智林" in page.text


def test_downloads_carry_chinese_file_names(client: TestClient, session: Session) -> None:
    login(client, session, make_user(session, Role.viewer))
    svg = client.get("/chains/hydrogen/map.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert unquote(svg.headers["content-disposition"]).endswith("氢能源产业链图谱.svg")
    assert svg.text.startswith("<?xml") and "<svg xmlns=" in svg.text and "制氢" in svg.text
    xlsx = client.get("/chains/hydrogen/gaps.xlsx")
    assert unquote(xlsx.headers["content-disposition"]).endswith("氢能源补链强链清单.xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None and sheet["B1"].value == "环节"


def test_map_editing_forms_show_refusals_beside_the_form(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.chain_chief, chains=("robotics",)))
    sensors = _segment_id(session, "robotics", "sensors")
    industrial = _segment_id(session, "robotics", "industrial")
    cycle = client.post(
        "/chains/robotics/links",
        data={"csrf_token": csrf, "source_id": industrial, "target_id": sensors},
    )
    assert cycle.status_code == 422
    assert "会形成循环：工业机器人 → 机器人传感器 → 工业机器人" in cycle.text
    construction = _segment_id(session, "robotics", "construction")
    delete = client.post(
        f"/chains/robotics/segments/{construction}/delete",
        data={"csrf_token": csrf, "firms_to": ""},
    )
    assert delete.status_code == 422 and "请选择把它们转入哪个环节" in delete.text
    created = client.post(
        "/chains/robotics/segments",
        data={"csrf_token": csrf, "name": "机器人操作系统", "stream": "upstream"},
        follow_redirects=False,
    )
    assert created.status_code == 303 and created.headers["location"].startswith(
        "/chains/robotics/edit#segment-"
    )
    edit = client.get("/chains/robotics/edit").text
    changes = edit.split("最近修改")[1]
    assert "机器人/机器人操作系统" in changes and "chain_chief-" in changes


def test_confirming_from_the_panel_returns_the_updated_panel(
    client: TestClient, session: Session
) -> None:
    chief = make_user(session, Role.chain_chief, chains=("robotics",))
    csrf = login(client, session, chief)
    servo = _segment_id(session, "robotics", "servo")
    panel = client.post(
        f"/chains/robotics/segments/{servo}/confirm", data={"csrf_token": csrf}, headers=HTMX
    )
    assert (
        "<html" not in panel.text and "最近核实" in panel.text and chief.display_name in panel.text
    )
    refused = client.post(f"/chains/robotics/segments/{servo}/confirm", headers=HTMX)
    assert refused.status_code == 403


def test_dossier_form_errors_and_save(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.chain_chief, chains=("robotics",)))
    bad = client.post(
        "/chains/robotics/dossier/new",
        data={"csrf_token": csrf, "kind": "policy", "name": "机器人政策", "url": "ftp://x"},
    )
    assert bad.status_code == 422 and "链接须以 http:// 或 https:// 开头" in bad.text
    good = client.post(
        "/chains/robotics/dossier/new",
        data={
            "csrf_token": csrf,
            "kind": "policy",
            "name": "机器人政策",
            "issued_date": "2025-01-02",
        },
        follow_redirects=False,
    )
    assert good.headers["location"] == "/chains/robotics/dossier#policy"
    page = client.get("/chains/robotics/dossier").text
    assert "机器人政策" in page and "2025-01-02" in page


def _version_in(page: str, action: str) -> str:
    """The version the form posting to `action` was drawn from."""
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return form.split('name="version" value="', 1)[1].split('"', 1)[0]


def test_two_tabs_renaming_one_segment_the_second_is_told_and_keeps_its_text(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.chain_chief, chains=("robotics",)))
    servo = _segment_id(session, "robotics", "servo")
    action = f"/chains/robotics/segments/{servo}"
    drawn = _version_in(client.get("/chains/robotics/edit").text, action)  # both tabs
    form = {"csrf_token": csrf, "stream": "midstream", "version": drawn}
    first = client.post(action, data=form | {"name": "伺服系统（甲）"}, follow_redirects=False)
    assert first.status_code == 303
    second = client.post(action, data=form | {"name": "伺服系统（乙）"})
    assert second.status_code == 409 and "已被他人修改" in second.text
    assert 'value="伺服系统（乙）"' in second.text  # what the second tab typed is kept
    again = _version_in(second.text, action)
    assert again != drawn  # drawn anew: saving again is a deliberate overwrite
    resaved = client.post(action, data=form | {"name": "伺服系统（乙）", "version": again})
    assert resaved.status_code == 200 and "伺服系统（乙）" in resaved.text


def test_two_tabs_editing_one_dossier_item(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.chain_chief, chains=("robotics",)))
    item = {"csrf_token": csrf, "kind": "policy", "name": "机器人扶持办法"}
    client.post("/chains/robotics/dossier/new", data=item)
    named = select(DossierItem.id).where(DossierItem.name == "机器人扶持办法")
    item_id = session.exec(named).one()
    action = f"/chains/robotics/dossier/{item_id}/edit"
    drawn = _version_in(client.get(action).text, action)
    first = client.post(
        action, data=item | {"summary": "甲稿", "version": drawn}, follow_redirects=False
    )
    assert first.status_code == 303
    second = client.post(action, data=item | {"summary": "乙稿", "version": drawn})
    assert second.status_code == 409 and "已被他人修改" in second.text and "乙稿" in second.text
    bad = client.post(action, data=item | {"url": "ftp://x", "version": str(int(drawn) + 1)})
    # A refusal changes nothing: the version shown again is still the current one.
    assert bad.status_code == 422 and _version_in(bad.text, action) == str(int(drawn) + 1)


def test_the_map_draws_inferred_links_dashed_and_the_panel_labels_each_basis(
    client: TestClient, session: Session
) -> None:
    login(client, session, make_user(session, Role.viewer))
    page = client.get("/chains/polymers").text
    assert 'class="edge inferred"' in page and "推断的供给关系（待链长确认）" in page
    view = chain_figures.detail(session=session, code="polymers")
    pigments = next(s for s in view.segments if s.name == "有机颜料")
    panel = client.get(f"/chains/polymers/segments/{pigments.id}", headers={"HX-Request": "true"})
    assert "规划原文" in panel.text and "德美化工" in panel.text
    assert "环节规划原文" in panel.text and "园区推断" in panel.text
