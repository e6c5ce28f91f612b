from fastapi.testclient import TestClient
from sqlmodel import Session

from core.accounts import Role
from tests.factories import bearer, login, make_user

CSV = "企业名称,所属园区,营业收入（万元）\r\n佛山市网页导入测试有限公司,顺德园,1200\r\n".encode(
    "gbk"
)


def test_upload_preview_commit_and_undo_in_pages(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.park_bureau))
    uploaded = client.post(
        "/imports",
        data={"csrf_token": csrf, "designation": ""},
        files={"file": ("名单.csv", CSV, "text/csv")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    preview_path = uploaded.headers["location"]
    page = client.get(preview_path).text
    assert "佛山市网页导入测试有限公司" in page and "新增" in page
    committed = client.post(f"{preview_path}/commit", data={"csrf_token": csrf})
    assert "已导入：新增 1 家" in committed.text
    assert "佛山市网页导入测试有限公司" in client.get("/enterprises?q=网页导入测试").text
    client.post(f"{preview_path}/undo", data={"csrf_token": csrf})
    after_undo = client.get("/enterprises?q=网页导入测试").text
    assert "佛山市网页导入测试有限公司" not in after_undo


def test_an_empty_upload_is_refused_on_the_page(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.admin))
    response = client.post(
        "/imports", data={"csrf_token": csrf}, files={"file": ("空.csv", b"", "text/csv")}
    )
    assert response.status_code == 422 and "文件是空的" in response.text


def test_import_api_with_a_corrected_mapping(client: TestClient, session: Session) -> None:
    headers = bearer(session, make_user(session, Role.admin))
    content = "单位,园区\r\n佛山市接口导入测试有限公司,南海园\r\n".encode()
    preview = client.post(
        "/api/v1/imports", headers=headers, files={"file": ("x.csv", content, "text/csv")}
    ).json()
    assert preview["counts"]["error"] == 1  # "单位" is not recognised as the name column
    fixed = client.post(
        f"/api/v1/imports/{preview['id']}/commit",
        headers=headers,
        json={"mapping": {"0": "name", "1": "park"}},
    )
    assert fixed.status_code == 200 and fixed.json()["status"] == "committed"
    again = client.post(f"/api/v1/imports/{preview['id']}/commit", headers=headers, json={})
    assert again.status_code == 409
    viewer = bearer(session, make_user(session, Role.viewer))
    assert client.get(f"/api/v1/imports/{preview['id']}", headers=viewer).status_code == 404


def test_the_column_mapping_can_be_corrected_in_the_page(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.admin))
    content = "单位,园区\r\n佛山市映射页面测试有限公司,南海园\r\n".encode()
    uploaded = client.post(
        "/imports",
        data={"csrf_token": csrf},
        files={"file": ("x.csv", content, "text/csv")},
        follow_redirects=False,
    )
    path = uploaded.headers["location"]
    assert "未找到「企业名称」列" in client.get(path).text
    client.post(f"{path}/mapping", data={"csrf_token": csrf, "col-0": "name", "col-1": "park"})
    page = client.get(path).text
    assert "未找到「企业名称」列" not in page and "确认导入（新增 1" in page


def test_a_waiting_page_can_follow_the_import_under_its_key(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.park_bureau)
    csrf = login(client, session, user)
    uploaded = client.post(
        "/imports",
        data={"csrf_token": csrf, "designation": "", "progress": "key-upload-1"},
        files={"file": ("名单.csv", CSV, "text/csv")},
        follow_redirects=False,
    )
    assert uploaded.headers["location"].endswith("?progress=key-upload-1")
    preview_path = uploaded.headers["location"].split("?")[0]
    client.get(uploaded.headers["location"])
    assert client.get("/imports/progress/key-upload-1").json() == {
        "stage": "比对企业库",
        "done": 1,
        "total": 1,
    }
    client.post(f"{preview_path}/commit", data={"csrf_token": csrf, "progress": "key-commit-1"})
    assert client.get("/imports/progress/key-commit-1").json()["stage"] == "记录导入批次"
    login(client, session, make_user(session, Role.park_bureau))
    # Another user's key tells nothing.
    assert client.get("/imports/progress/key-commit-1").json() == {
        "stage": "上传中",
        "done": 0,
        "total": 0,
    }


def test_a_candidate_list_is_chosen_on_the_form_and_in_the_api(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.park_bureau))
    form = client.get("/imports").text
    assert '<select name="stage">' in form and '<option value="candidate">候选</option>' in form
    content = "企业名称,所属园区\r\n佛山市网页候选测试有限公司,顺德园\r\n".encode()
    uploaded = client.post(
        "/imports",
        data={"csrf_token": csrf, "designation": "gazelle", "stage": "candidate"},
        files={"file": ("候选.csv", content, "text/csv")},
        follow_redirects=False,
    )
    preview_path = uploaded.headers["location"]
    assert "瞪羚企业候选名单" in client.get(preview_path).text
    committed = client.post(f"{preview_path}/commit", data={"csrf_token": csrf})
    assert "登记瞪羚企业培育阶段 1 家" in committed.text
    refused = client.post(
        "/imports",
        data={"csrf_token": csrf, "designation": "gazelle", "stage": "lapsed"},
        files={"file": ("候选.csv", content, "text/csv")},
    )
    assert refused.status_code == 422 and "阶段应为候选、入库培育、申报、认定之一" in refused.text
    headers = bearer(session, make_user(session, Role.admin))
    preview = client.post(
        "/api/v1/imports",
        headers=headers,
        data={"designation": "gazelle", "stage": "pool"},
        files={
            "file": ("x.csv", "企业名称\r\n佛山市接口入库测试有限公司\r\n".encode(), "text/csv")
        },
    ).json()
    assert preview["counts"]["new"] == 1
    wrong = client.post(
        "/api/v1/imports",
        headers=headers,
        data={"designation": "gazelle", "stage": "lapsed"},
        files={"file": ("x.csv", b"a\r\n", "text/csv")},
    )
    assert wrong.status_code == 422
