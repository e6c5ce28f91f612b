"""按图招商 in the browser and as JSON: a segment's words, its ranked targets and coverage."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from chains import service as chain_service
from chains.models import Segment
from core.accounts import Role
from tests.enterprises.prospects.factories import make_prospect
from tests.factories import bearer, login, make_user

MARKUP = "<b>粗</b>"


def _robot_segment(session: Session, name: str = "精密减速器") -> Segment:
    chain = chain_service.get_by_code(session=session, code="robotics")
    return next(
        s
        for s in chain_service.segments_of(session=session, chain_id=chain.id or 0)
        if s.name == name
    )


def test_the_panel_ranks_targets_and_counts_coverage(client: TestClient, session: Session) -> None:
    staff = make_user(session, Role.promotion)
    segment = _robot_segment(session)
    make_prospect(session, staff, name=f"{MARKUP}传动有限公司", products="精密减速器")
    login(client, session, staff)
    panel = client.get(
        f"/chains/robotics/segments/{segment.id}", headers={"HX-Request": "true"}
    ).text
    assert "目标企业 1 家，已立项 0" in panel and "转为项目" in panel
    assert MARKUP not in panel and "&lt;b&gt;粗" in panel
    gaps = client.get("/prospects/gaps?chain=robotics")
    assert gaps.status_code == 200 and "精密减速器" in gaps.text
    assert client.get("/prospects/gaps?chain=no-such").status_code == 404


def test_a_chief_edits_words_on_the_panel(client: TestClient, session: Session) -> None:
    chief = make_user(session, Role.chain_chief, chains=("robotics",))
    segment = _robot_segment(session)
    target = make_prospect(session, make_user(session, Role.admin), products="行星减速机")
    csrf = login(client, session, chief)
    url = f"/chains/robotics/segments/{segment.id}/words"
    form = {"csrf_token": csrf, "words": "精密减速器\n行星减速机", "version": str(segment.version)}
    saved = client.post(url, data=form, headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert "行星减速机" in saved.text and f"/prospects/{target.id}" in saved.text
    stale = client.post(url, data=form | {"words": "精密减速器"}, headers={"HX-Request": "true"})
    assert stale.status_code == 409
    short = client.post(url, data=form | {"words": "减"}, follow_redirects=False)
    assert short.status_code == 422 and "太短" in short.text


@pytest.mark.parametrize("role", [Role.chain_chief, Role.promotion, Role.leader, Role.viewer])
def test_others_may_not_edit_words(client: TestClient, session: Session, role: Role) -> None:
    user = make_user(session, role, chains=("hydrogen",)) if role == Role.chain_chief else None
    user = user or make_user(session, role)
    segment = _robot_segment(session)
    csrf = login(client, session, user)
    response = client.post(
        f"/chains/robotics/segments/{segment.id}/words",
        data={"csrf_token": csrf, "words": "减速机", "version": str(segment.version)},
    )
    assert response.status_code == 403
    api = client.put(
        f"/api/v1/chains/robotics/segments/{segment.id}/words",
        headers=bearer(session, user),
        json={"words": ["减速机"], "version": segment.version},
    )
    assert api.status_code == 403


def test_words_and_targets_as_json(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    segment = _robot_segment(session, "协作机器人")
    make_prospect(session, admin, products="协作机器人", listing="star")
    headers = bearer(session, admin)
    base = f"/api/v1/chains/robotics/segments/{segment.id}"
    words = client.get(f"{base}/words", headers=headers).json()
    assert {"word": "协作机器人", "source": "plan"} in words["words"]
    edited = client.put(
        f"{base}/words",
        headers=headers,
        json={"words": ["协作机器人", "协作臂"], "version": words["version"]},
    )
    assert edited.status_code == 200 and edited.json()["changed"] is True
    targets = client.get(f"{base}/prospects", headers=headers).json()
    assert targets["coverage"]["targets"] == 1
    assert targets["targets"][0]["listing"] == "star"
    assert (
        client.get(
            f"{base}/prospects", headers=bearer(session, make_user(session, Role.viewer))
        ).status_code
        == 403
    )
    assert (
        client.get("/api/v1/chains/robotics/segments/999999/prospects", headers=headers).status_code
        == 404
    )
    assert (
        client.get("/api/v1/chains/robotics/segments/999999/words", headers=headers).status_code
        == 404
    )


def test_reasons_say_whether_words_or_ngrams_matched(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    segment = _robot_segment(session)  # its words: 精密减速器
    worded = make_prospect(session, admin, products="精密减速器")
    near = make_prospect(session, admin, products="行星减速机")  # no word of it, 减速 shared
    login(client, session, admin)
    panel = client.get(
        f"/chains/robotics/segments/{segment.id}", headers={"HX-Request": "true"}
    ).text
    assert "含关键词“精密减速器”" in panel and "字面相近 「减速」" in panel
    found = client.get(
        f"/api/v1/chains/robotics/segments/{segment.id}/prospects", headers=bearer(session, admin)
    ).json()["targets"]
    assert [(t["prospect_id"], t["matched_by"], t["words"]) for t in found] == [
        (worded.id, "words", ["精密减速器"]),
        (near.id, "ngrams", ["「减速」"]),
    ]
    assert found[0]["score"] > found[1]["score"]


def test_the_chief_reviews_suggestions(client: TestClient, session: Session) -> None:
    from chainmaps import suggestions
    from tests.factories import make_enterprise

    segment = _robot_segment(session, "协作机器人")
    firm = make_enterprise(session, name=f"佛山市{MARKUP}协作有限公司", main_products="协作机器人")
    suggestions.refresh_firms(session=session, enterprise_ids=[firm.id or 0])
    chief = make_user(session, Role.chain_chief, chains=("robotics",))
    csrf = login(client, session, chief)
    page = client.get("/chains/robotics/suggestions")
    assert page.status_code == 200 and "协作机器人" in page.text and MARKUP not in page.text
    review = client.get("/chains/robotics/review")  # the chief's review page holds them too
    assert 'id="review-suggestions"' in review.text and f'{firm.id}">' in review.text
    listed = client.get("/api/v1/chains/robotics/suggestions", headers=bearer(session, chief))
    item = next(i for i in listed.json()["items"] if i["enterprise_id"] == firm.id)
    assert (item["segment_id"], item["words"]) == (segment.id, ["协作机器人"])
    assert item["matched_by"] == "words" and "含关键词“协作机器人”" in page.text
    url = f"/chains/robotics/suggestions/{item['id']}/accept"
    done = client.post(url, data={"csrf_token": csrf}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and 'id="review-suggestions"' in done.text
    again = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 409
    missing = client.post("/chains/robotics/suggestions/999999/reject", data={"csrf_token": csrf})
    assert missing.status_code == 404
    other = make_user(session, Role.chain_chief, chains=("hydrogen",))
    login(client, session, other)
    assert client.get("/chains/robotics/suggestions").status_code == 403
    assert 'id="review-suggestions"' not in client.get("/chains/robotics/review").text


def test_a_firms_new_products_are_suggested_at_once(client: TestClient, session: Session) -> None:
    from sqlmodel import select

    from chainmaps.suggestions import MembershipSuggestion

    admin = make_user(session, Role.admin)
    segment = _robot_segment(session, "协作机器人")
    headers = bearer(session, admin)
    made = client.post(
        "/api/v1/enterprises",
        headers=headers,
        json={"name": "佛山市建议测试有限公司", "park_id": 1, "main_products": "协作机器人"},
    )
    assert made.status_code == 201, made.text
    found = session.exec(
        select(MembershipSuggestion.segment_id).where(
            MembershipSuggestion.enterprise_id == made.json()["id"]
        )
    ).all()
    assert segment.id in found
