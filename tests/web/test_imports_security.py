"""Imports through the real request lifecycle: another park's firm, masked and audited previews,
undo refused beside later work, batches that are not the user's (issue 17)."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core import audit
from core.accounts import Role
from enterprises.registry.models import Enterprise
from tests.factories import bearer, login, make_enterprise, make_user


def _upload(client: TestClient, csrf: str, text: str) -> str:
    uploaded = client.post(
        "/imports",
        data={"csrf_token": csrf},
        files={"file": ("名单.csv", text.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    return uploaded.headers["location"]


def test_another_parks_firm_is_refused_in_the_preview_and_the_commit(
    client: TestClient, session: Session
) -> None:
    other = make_enterprise(session, park="chancheng", name="佛山市网页越权测试有限公司")
    session.commit()
    csrf = login(client, session, make_user(session, Role.park_bureau, park="shunde"))
    path = _upload(
        client, csrf, f"企业名称,统一社会信用代码\r\n{other.name},{other.credit_code}\r\n"
    )
    reason = f"第 2 行：企业「{other.name}」属于禅城园，您无权修改"
    assert reason in client.get(path).text
    committed = client.post(f"{path}/commit", data={"csrf_token": csrf})
    assert committed.status_code == 422 and reason in committed.text
    session.expire_all()
    assert session.get_one(Enterprise, other.id).park_id == other.park_id


def test_the_preview_masks_phones_and_every_upload_and_preview_is_audited(
    client: TestClient, session: Session
) -> None:
    firm = make_enterprise(session, name="佛山市网页电话测试有限公司", contact_phone="13912345678")
    bureau = make_user(session, Role.park_bureau, park="shunde")
    session.commit()
    csrf = login(client, session, bureau)
    path = _upload(client, csrf, f"企业名称,联系电话\r\n{firm.name},0\r\n")
    page = client.get(path).text
    assert "13912345678" not in page and "139****5678" in page
    batch_id = path.rsplit("/", 1)[-1]
    api = client.get(f"/api/v1/imports/{batch_id}", headers=bearer(session, bureau))
    assert "13912345678" not in api.text and "139****5678" in api.text
    session.commit()
    actions = [
        e.action
        for e in audit.history(session=session, object_type="import_batch", object_id=batch_id)
    ]
    assert actions.count("import_upload") == 1 and actions.count("import_preview") == 2


def test_undo_after_a_later_batch_is_refused_naming_it_and_then_works_newest_first(
    client: TestClient, session: Session
) -> None:
    csrf = login(client, session, make_user(session, Role.admin))
    first = _upload(client, csrf, "企业名称,营业收入\r\n佛山市网页撤销甲有限公司,100\r\n")
    assert client.post(f"{first}/commit", data={"csrf_token": csrf}).status_code == 200
    second = _upload(client, csrf, "企业名称,营业收入\r\n佛山市网页撤销甲有限公司,150\r\n")
    client.post(f"{second}/commit", data={"csrf_token": csrf})
    refused = client.post(f"{first}/undo", data={"csrf_token": csrf})
    second_id = second.rsplit("/", 1)[-1]
    assert refused.status_code == 409
    assert f"企业「佛山市网页撤销甲有限公司」被后来的导入批次 #{second_id} 修改" in refused.text
    assert client.post(f"{second}/undo", data={"csrf_token": csrf}).status_code == 200
    assert client.post(f"{first}/undo", data={"csrf_token": csrf}).status_code == 200
    session.expire_all()
    found = select(Enterprise).where(Enterprise.name == "佛山市网页撤销甲有限公司")
    assert session.exec(found).first() is None


def test_nonexistent_and_others_batches_answer_404(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.park_bureau, park="shunde")
    stranger = make_user(session, Role.park_bureau, park="shunde")
    session.commit()
    path = _upload(
        client, login(client, session, owner), "企业名称\r\n佛山市他人批次网页有限公司\r\n"
    )
    csrf = login(client, session, stranger)
    for target in (path, "/imports/2000000000"):
        assert client.get(target).status_code == 404
        for action in ("commit", "undo"):
            assert client.post(f"{target}/{action}", data={"csrf_token": csrf}).status_code == 404
    headers = bearer(session, stranger)
    batch_id = path.rsplit("/", 1)[-1]
    for action in ("commit", "undo"):
        answer = client.post(f"/api/v1/imports/{batch_id}/{action}", headers=headers, json={})
        assert answer.status_code == 404


def test_markup_in_cells_is_escaped_in_the_preview(client: TestClient, session: Session) -> None:
    csrf = login(client, session, make_user(session, Role.admin))
    path = _upload(
        client, csrf, '企业名称,地址\r\n"佛山市<img src=x onerror=alert(1)>""引""有限公司",a\r\n'
    )
    page = client.get(path).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
