"""The chain chief's review page and API: who may confirm or remove, htmx and plain forms,
markup in names and notes, and the map's figures that change only once a firm is confirmed."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from chainmaps import figures as chain_figures
from chains import service as chain_service
from chains.models import Segment
from core import audit
from core.accounts import Role, User
from enterprises.registry import membership_review
from enterprises.registry.models import Membership, MembershipReview, MembershipSource
from tests.factories import bearer, login, make_enterprise, make_user, settled

MARKUP = '<img src=x onerror="alert(1)">"引号"'


def _robotics_segment(session: Session) -> Segment:
    robotics = chain_service.get_by_code(session=session, code="robotics")
    segments = chain_service.segments_of(session=session, chain_id=robotics.id or 0)
    empty = [s for s in segments if s.technology is None and s.id not in _held(session)]
    return empty[0]


def _held(session: Session) -> set[int]:
    return set(session.exec(select(Membership.segment_id)).all())


def _pending(session: Session, segment: Segment, name: str = "待确认测试企业") -> Membership:
    firm = make_enterprise(session, name=name)
    return membership_review.enter(
        session=session,
        actor=make_user(session, Role.park_bureau),
        enterprise=firm,
        segment_id=segment.id or 0,
        source=MembershipSource.edit,
        note=f"园区填报 {MARKUP}",
    )


def _users(session: Session) -> dict[str, User]:
    return {
        "chief": make_user(session, Role.chain_chief, chains=("robotics",)),
        "other chief": make_user(session, Role.chain_chief, chains=("smart-appliances",)),
        "park": make_user(session, Role.park_bureau),
        "admin": make_user(session, Role.admin),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("chief", 303), ("admin", 303), ("other chief", 403), ("park", 403)],
)
def test_who_may_confirm(client: TestClient, session: Session, who: str, status: int) -> None:
    member = _pending(session, _robotics_segment(session))
    csrf = login(client, session, _users(session)[who])
    url = f"/chains/robotics/review/{member.id}/confirm"
    response = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == status
    session.refresh(member)
    confirmed = member.review == MembershipReview.confirmed
    assert confirmed is (status == 303)


def test_the_review_page_lists_pending_firms_escaped(client: TestClient, session: Session) -> None:
    member = _pending(session, _robotics_segment(session), name=f"{MARKUP}公司")
    users = _users(session)
    login(client, session, users["chief"])
    page = client.get("/chains/robotics/review")
    assert page.status_code == 200
    assert "<img src=x" not in page.text and "&lt;img src=x" in page.text
    assert "企业信息编辑" in page.text and f"/review/{member.id}/confirm" in page.text
    assert client.get("/chains/robotics").text.count("/chains/robotics/review") >= 1
    login(client, session, users["park"])
    seen = client.get("/chains/robotics/review")
    assert seen.status_code == 200 and f"/review/{member.id}/confirm" not in seen.text
    assert client.get("/chains/no-such-chain/review").status_code == 404


def test_confirming_by_htmx_replaces_the_row_and_is_audited(
    client: TestClient, session: Session
) -> None:
    member = _pending(session, _robotics_segment(session))
    csrf = login(client, session, _users(session)["chief"])
    url = f"/chains/robotics/review/{member.id}/confirm"
    row = client.post(url, data={"csrf_token": csrf}, headers={"HX-Request": "true"})
    assert row.status_code == 200 and "已确认" in row.text and "<tr>" in row.text
    entry = audit.history(session=session, object_type="membership", object_id=member.id or 0)[0]
    assert entry.action == "confirm"


def test_the_map_counts_a_firm_only_once_confirmed(client: TestClient, session: Session) -> None:
    segment = _robotics_segment(session)
    robotics = chain_service.get_by_code(session=session, code="robotics")

    def figures() -> tuple[str, int, int]:
        view = chain_figures.detail(session=session, code="robotics")
        gap = next(g for g in chain_figures.gap_report(view) if g.segment_id == segment.id)
        counts = chain_figures.chain_counts(session=session, chain_id=robotics.id)
        return str(gap.status), gap.firms, counts[robotics.id or 0][1]

    status, firms, chain_firms = figures()
    assert (status, firms) == ("missing", 0)
    member = _pending(session, segment, name="待确认计数企业")
    csrf = login(client, session, _users(session)["chief"])
    session.commit()
    settled(client)
    assert figures() == (status, firms, chain_firms)  # a pending firm counts nowhere
    listed = client.get(f"/enterprises?chain=robotics&segment={segment.id}")
    assert "待确认计数企业" not in listed.text
    panel = client.get(
        f"/chains/robotics/segments/{segment.id}", headers={"HX-Request": "true"}
    ).text
    assert "待确认计数企业" in panel and "待确认</a>" in panel and "另有 1 家待确认" in panel
    page = client.get("/chains/robotics").text
    assert "/chains/robotics/review" in page and "待链长确认" in page
    assert "待确认1</text>" in page  # the segment's badge on the map
    url = f"/chains/robotics/review/{member.id}/confirm"
    assert client.post(url, data={"csrf_token": csrf}).status_code == 200
    session.expire_all()
    settled(client)
    assert figures() == ("weak", 1, chain_firms + 1)
    listed = client.get(f"/enterprises?chain=robotics&segment={segment.id}")
    assert "待确认计数企业" in listed.text


def test_removing_deletes_the_place(client: TestClient, session: Session) -> None:
    member_id = _pending(session, _robotics_segment(session)).id
    csrf = login(client, session, _users(session)["chief"])
    url = f"/chains/robotics/review/{member_id}/remove"
    done = client.post(url, data={"csrf_token": csrf})
    assert done.status_code == 200 and "已移出" in done.text
    session.expire_all()
    assert session.get(Membership, member_id) is None
    again = client.post(url, data={"csrf_token": csrf})
    assert again.status_code == 404
    missing = client.post("/chains/robotics/review/999999/confirm", data={"csrf_token": csrf})
    assert missing.status_code == 404


def test_a_place_of_another_chain_is_unknown_here(client: TestClient, session: Session) -> None:
    appliances = chain_service.get_by_code(session=session, code="smart-appliances")
    segment = chain_service.segments_of(session=session, chain_id=appliances.id or 0)[0]
    member = _pending(session, segment)
    csrf = login(client, session, _users(session)["chief"])
    url = f"/chains/robotics/review/{member.id}/confirm"
    assert client.post(url, data={"csrf_token": csrf}).status_code == 404


def test_review_through_the_api(client: TestClient, session: Session) -> None:
    member = _pending(session, _robotics_segment(session), name=f"{MARKUP}接口")
    users = _users(session)
    chief, other = bearer(session, users["chief"]), bearer(session, users["other chief"])
    listed = client.get("/api/v1/chains/robotics/review", headers=chief).json()
    [row] = [r for r in listed if r["membership_id"] == member.id]
    assert row["enterprise_name"] == f"{MARKUP}接口" and row["source"] == "edit"
    assert row["note"] == f"园区填报 {MARKUP}"
    base = f"/api/v1/chains/robotics/review/{member.id}"
    assert client.post(f"{base}/confirm", headers=other).status_code == 403
    assert client.delete(base, headers=other).status_code == 403
    confirmed = client.post(f"{base}/confirm", headers=chief)
    assert confirmed.json() == {"membership_id": member.id, "review": "confirmed"}
    assert client.get("/api/v1/chains/robotics/review", headers=chief).json() == [
        r for r in listed if r["membership_id"] != member.id
    ]
    assert client.delete("/api/v1/chains/robotics/review/999999", headers=chief).status_code == 404


def test_a_park_bureau_places_its_firm_pending(client: TestClient, session: Session) -> None:
    segment = _robotics_segment(session)
    own = make_enterprise(session, name="园区自填企业", park="shunde")
    other = make_enterprise(session, name="他园企业", park="nanhai")
    bureau = make_user(session, Role.park_bureau, park="shunde")
    csrf = login(client, session, bureau)
    page = client.get(f"/enterprises/{own.id}")
    assert 'action="/enterprises/' in page.text and "待链长确认" in page.text
    form = {"csrf_token": csrf, "segment_id": str(segment.id), "note": MARKUP}
    placed = client.post(f"/enterprises/{own.id}/segments", data=form)
    assert placed.status_code == 200 and "待确认" in placed.text
    member = session.exec(select(Membership).where(Membership.enterprise_id == own.id)).one()
    assert member.review == MembershipReview.pending and member.entered_note == MARKUP
    assert client.post(f"/enterprises/{other.id}/segments", data=form).status_code == 403
    assert client.post("/enterprises/999999/segments", data=form).status_code == 404
    bad = client.post(f"/enterprises/{own.id}/segments", data=form | {"segment_id": "999999"})
    assert bad.status_code == 422
    headers = bearer(session, bureau)
    api = client.post(
        f"/api/v1/enterprises/{other.id}/segments",
        json={"segment_id": segment.id},
        headers=headers,
    )
    assert api.status_code == 403
    chief = _users(session)["chief"]
    login(client, session, chief)
    review = client.get("/chains/robotics/review").text
    assert "园区自填企业" in review and "企业信息编辑" in review
