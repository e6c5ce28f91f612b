"""Target firms: create, edit with history, duplicates, search, suggested segments."""

import pytest
from sqlmodel import Session

from chains.matching import MIN_SCORE
from chains.segment_words import set_words
from core.accounts import Role
from core.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from enterprises.prospects import matching, service
from enterprises.prospects.models import FirmSize, Listing, ProspectFields
from tests.enterprises.prospects.factories import make_prospect, prospect_code, worded_chain
from tests.factories import make_user


def test_create_suggests_segments_with_matched_words(session: Session) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    firm = make_prospect(session, admin, products="RV减速器、谐波减速器；工业机器人关节")
    found = service.segments_of(session=session, prospect_ids=[firm.id or 0])[firm.id or 0]
    assert found[0].segment_id == made["精密减速器"].id  # the best; the seed's segments next
    assert set(found[0].words) == {"RV减速器", "谐波减速器"}
    assert MIN_SCORE < found[0].score < 1.0


def test_edit_is_audited_and_refreshes_segments(session: Session) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    firm = make_prospect(session, admin, products="谐波减速器")
    data = ProspectFields(**firm.model_dump(include=set(ProspectFields.model_fields)))
    data.products = "伺服电机、伺服驱动器"
    assert service.update(session=session, actor=admin, prospect=firm, data=data, version=1)
    found = service.segments_of(session=session, prospect_ids=[firm.id or 0])[firm.id or 0]
    assert found[0].segment_id == made["伺服系统"].id
    assert made["精密减速器"].id not in [s.segment_id for s in found]
    history = service.history(session=session, prospect=firm)
    assert [h.action for h in history] == ["update", "create"]
    assert history[0].before == {"products": "谐波减速器"}
    with pytest.raises(Conflict):  # the form read version 1; the firm is at 2 now
        service.update(session=session, actor=admin, prospect=firm, data=data, version=1)


def test_duplicates_by_code_and_normalised_name_are_refused(session: Session) -> None:
    admin = make_user(session, Role.admin)
    make_prospect(session, admin, name="江苏恒立精机股份有限公司", credit_code=prospect_code(1))
    with pytest.raises(FieldErrors) as by_code:
        make_prospect(session, admin, name="另一家公司", credit_code=prospect_code(1))
    assert (
        "统一社会信用代码已属于目标企业“江苏恒立精机股份有限公司”"
        in by_code.value.errors["credit_code"]
    )
    with pytest.raises(FieldErrors) as by_name:
        make_prospect(session, admin, name="苏州恒立精机有限公司")
    assert "同名企业" in by_name.value.errors["name"]


def test_bad_credit_code_names_the_field() -> None:
    with pytest.raises(ValueError, match="校验位"):
        ProspectFields(name="某公司", credit_code=prospect_code(2)[:17] + "0")


@pytest.mark.parametrize("role", [Role.viewer, Role.chain_chief, Role.park_bureau, Role.leader])
def test_only_promotion_and_admins_add_targets(session: Session, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        make_prospect(session, make_user(session, role))


def test_search_filters_and_caps_its_count(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = make_user(session, Role.promotion)
    made = worded_chain(session, staff)
    make_prospect(session, staff, products="协作机器人", size=FirmSize.large, listing=Listing.star)
    make_prospect(session, staff, products="协作机器人", province="浙江省")
    make_prospect(session, staff, products="饮料")
    flt = service.ProspectFilter(q="协作机器人")
    assert service.search(session=session, flt=flt).total == 2
    flt = service.ProspectFilter(segment_id=made["协作机器人"].id, province="浙江省")
    assert service.search(session=session, flt=flt).total == 1
    flt = service.ProspectFilter(listing=Listing.star, size=FirmSize.large)
    assert service.search(session=session, flt=flt).total == 1
    monkeypatch.setattr(service, "COUNT_CAP", 1)
    capped = service.search(session=session, flt=service.ProspectFilter(q="协作"), page_size=1)
    assert (capped.total, capped.capped) == (1, True)


def test_a_segments_new_words_refresh_its_targets(session: Session) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    firm = make_prospect(session, admin, products="行星减速机")
    segment = made["精密减速器"]
    [near] = [
        s
        for s in service.segments_of(session=session, prospect_ids=[firm.id or 0])[firm.id or 0]
        if s.segment_id == segment.id
    ]
    assert near.words == ["「减速」"]  # no word of the segment occurs: the shared n-gram
    chain = segment.chain_id
    from chains.models import Chain

    set_words(
        session=session,
        actor=admin,
        chain=session.get_one(Chain, chain),
        segment=segment,
        words=["精密减速器", "行星减速机"],
    )
    assert matching.refresh_segment(session=session, segment_id=segment.id or 0) == 1
    found = service.segments_of(session=session, prospect_ids=[firm.id or 0])[firm.id or 0]
    assert (found[0].segment_id, found[0].words) == (segment.id, ["行星减速机"])
    assert found[0].score > near.score


def test_missing_target_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="目标企业 999999 不存在"):
        service.get(session=session, prospect_id=999999)


def test_search_by_the_index_of_characters_follows_edits(session: Session) -> None:
    admin = make_user(session, Role.admin)
    firm = make_prospect(
        session, admin, name="常州索引传动有限公司", products="谐波减速器", tags="隐形冠军"
    )
    code = prospect_code(7)
    coded = make_prospect(session, admin, credit_code=code, products="伺服电机")

    def found(term: str) -> set[int | None]:
        rows = service.search(session=session, flt=service.ProspectFilter(q=term)).rows
        return {p.id for p in rows} & {firm.id, coded.id}

    assert found("索引传动") == found("谐波减速") == found("隐形冠军") == {firm.id}
    assert found("速减波谐") == set()  # every character held, not the term: the LIKE decides
    assert found(code.lower()) == {coded.id} and found("、") == set()
    data = ProspectFields(**firm.model_dump(include=set(ProspectFields.model_fields)))
    data.products = "行星减速机"
    service.update(session=session, actor=admin, prospect=firm, data=data, version=1)
    session.flush()
    assert found("谐波") == set() and found("行星减速机") == {firm.id}
