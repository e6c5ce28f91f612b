import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from core import audit, bulk, paging, personal
from core.accounts import Role
from core.db import utcnow
from core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from core.orgs import get_park_by_code
from core.validation import parse
from enterprises import merge
from enterprises.registry import bulk_firms, service
from enterprises.registry.char_index import chars_estimate, narrowing
from enterprises.registry.models import (
    FIELD_LABELS,
    Enterprise,
    EnterpriseCreate,
    EnterpriseUpdate,
    MemberRole,
    Origin,
    sampled_estimate,
)
from enterprises.registry.service import EnterpriseFilter
from enterprises.spreadsheets.import_writes import _DEFAULTS
from tests.factories import make_enterprise, make_user, valid_code


def _update_data(enterprise, **changes) -> EnterpriseUpdate:
    fields = enterprise.model_dump(include=set(EnterpriseUpdate.model_fields))
    return EnterpriseUpdate(**(fields | changes))


def test_create_records_audit_entry(session: Session) -> None:
    enterprise = make_enterprise(session, main_products="伺服电机")
    [entry] = audit.history(session=session, object_type="enterprise", object_id=enterprise.id)
    assert entry.action == "create"
    assert entry.after["main_products"] == "伺服电机"


def test_bad_check_character_names_the_field() -> None:
    with pytest.raises(FieldErrors) as err:
        parse(
            EnterpriseCreate,
            {"name": "佛山市错误代码有限公司", "credit_code": "91110108551385082a"},
            FIELD_LABELS,
        )
    assert err.value.errors == {"credit_code": "统一社会信用代码校验位错误（第 18 位应为 Q）"}


def test_duplicate_credit_code_is_refused(session: Session) -> None:
    first = make_enterprise(session)
    with pytest.raises(FieldErrors) as err:
        make_enterprise(session, credit_code=first.credit_code)
    assert first.name in err.value.errors["credit_code"]


def test_park_bureau_creates_in_its_own_park_only(session: Session) -> None:
    bureau = make_user(session, Role.park_bureau, park="shunde")
    make_enterprise(session, actor=bureau, park="shunde")
    with pytest.raises(PermissionDenied, match="本园区"):
        make_enterprise(session, actor=bureau, park="nanhai")


def test_park_bureau_cannot_edit_another_parks_enterprise(session: Session) -> None:
    other = make_enterprise(session, park="nanhai")
    bureau = make_user(session, Role.park_bureau, park="shunde")
    with pytest.raises(PermissionDenied):
        service.update(
            session=session,
            actor=bureau,
            enterprise_id=other.id,
            data=_update_data(other, name="改名企业有限公司"),
        )
    session.refresh(other)
    assert other.name != "改名企业有限公司"


def test_park_bureau_cannot_move_its_firm_to_another_park(session: Session) -> None:
    bureau = make_user(session, Role.park_bureau, park="shunde")
    own = make_enterprise(session, actor=bureau, park="shunde")
    nanhai = get_park_by_code(session=session, code="nanhai").id
    with pytest.raises(PermissionDenied):
        service.update(
            session=session,
            actor=bureau,
            enterprise_id=own.id,
            data=_update_data(own, park_id=nanhai),
        )


def test_update_bumps_version_and_audits_only_changes(session: Session) -> None:
    admin = make_user(session, Role.admin)
    enterprise = make_enterprise(session, actor=admin, employees=10)
    updated = service.update(
        session=session,
        actor=admin,
        enterprise_id=enterprise.id,
        data=_update_data(enterprise, employees=12),
    )
    assert updated.version == 2
    latest = audit.history(session=session, object_type="enterprise", object_id=enterprise.id)[0]
    assert (latest.before, latest.after) == ({"employees": 10}, {"employees": 12})


def test_stale_version_conflicts_and_writes_nothing(session: Session) -> None:
    admin = make_user(session, Role.admin)
    enterprise = make_enterprise(session, actor=admin, employees=10)
    stale = _update_data(enterprise, employees=99)
    service.update(
        session=session,
        actor=admin,
        enterprise_id=enterprise.id,
        data=_update_data(enterprise, employees=12),
    )
    with pytest.raises(Conflict) as err:
        service.update(session=session, actor=admin, enterprise_id=enterprise.id, data=stale)
    assert err.value.current["employees"] == 12
    session.refresh(enterprise)
    assert (enterprise.employees, enterprise.version) == (12, 2)


def test_search_matches_chinese_substrings_in_name_and_products(session: Session) -> None:
    by_name = make_enterprise(session, name="佛山市绿藻青苔科技有限公司")
    by_product = make_enterprise(session, main_products="青苔提取物")
    make_enterprise(session, name="佛山市无关企业有限公司")
    found = service.search(session=session, flt=EnterpriseFilter(q="青苔"))
    assert {e.id for e in found.items} == {by_name.id, by_product.id}


def test_search_ignores_the_case_of_latin_letters_and_finds_credit_codes(
    session: Session,
) -> None:
    latin = make_enterprise(session, name="佛山市QXZ智能装备有限公司")
    found = service.search(session=session, flt=EnterpriseFilter(q="qxz"))
    assert [e.id for e in found.items] == [latin.id]
    code = latin.credit_code or ""
    by_code = service.search(session=session, flt=EnterpriseFilter(q=code[4:12].lower()))
    assert latin.id in {e.id for e in by_code.items}


def test_search_finds_the_same_firms_whether_few_or_many_match(session: Session) -> None:
    # Few matches (under one firm in a hundred) are found first and sorted (on PostgreSQL
    # through its index of characters), many are read off the list's order.
    admin = make_user(session, Role.admin)
    for n in range(120):
        make_enterprise(session, actor=admin, name=f"佛山市填充{n}号有限公司")
    latin = make_enterprise(session, actor=admin, name="佛山市Abb琥珀测试有限公司")
    apart = make_enterprise(session, actor=admin, name="佛山市琥测试珀有限公司")  # not the term
    amber = [
        make_enterprise(session, actor=admin, main_products=f"琥珀饰品{n}", annual_output=n)
        for n in range(3)
    ]
    for term, expected in (
        ("abb琥珀", [latin]),
        ("琥珀", [*reversed(amber), latin]),  # largest output first, none last
        ("琥测试珀", [apart]),
        ("填充", None),
    ):
        found = service.search(session=session, flt=EnterpriseFilter(q=term))
        if expected is None:
            assert found.total == 120 and len(found.items) == 50
        else:
            assert found.total == len(expected), term
            assert [e.id for e in found.items] == [e.id for e in expected], term


def test_search_takes_wildcards_in_the_term_literally(session: Session) -> None:
    percent = make_enterprise(
        session, name="佛山市百分之百_科技有限公司", main_products="纯度99%铝材"
    )
    make_enterprise(session, name="佛山市九九铝材有限公司", main_products="纯度99.5铝材")
    for term in ("99%", "百_科", "%"):
        found = service.search(session=session, flt=EnterpriseFilter(q=term))
        assert [e.id for e in found.items] == [percent.id], term


def test_search_follows_renames_product_changes_merges_and_punctuation(session: Session) -> None:
    # The index of characters (SQLite: kept by triggers) follows every write of the two columns.
    admin = make_user(session, Role.admin)

    def found(term: str) -> list[int | None]:
        return [e.id for e in service.search(session=session, flt=EnterpriseFilter(q=term)).items]

    firm = make_enterprise(session, actor=admin, name="佛山市旧名砗磲有限公司")
    other = make_enterprise(session, actor=admin, name="佛山市（砗磲）分公司", credit_code=None)
    assert found("旧名砗磲") == [firm.id]
    service.update(
        session=session,
        actor=admin,
        enterprise_id=firm.id or 0,
        data=_update_data(firm, name="佛山市新名玳瑁有限公司", main_products="玳瑁—饰品"),
    )
    assert found("旧名砗磲") == [] and found("新名玳瑁") == [firm.id]
    assert found("玳瑁—饰") == [firm.id] and found("（砗磲）") == [other.id]
    assert found("—") == [firm.id]  # punctuation alone: no index to narrow by, still found
    merge.merge(session=session, actor=admin, kept=other, absorbed=firm)
    assert found("新名玳瑁") == [] and found("砗磲") == [other.id]


def test_filters_by_chain_segment_park_and_size(session: Session) -> None:
    servo = make_enterprise(
        session,
        segment=("robotics", "servo"),
        above_size=True,
        park="nanhai",
        name="佛山市过滤伺服有限公司",
    )
    make_enterprise(session, segment=("robotics", "agv"), name="佛山市过滤搬运有限公司")
    make_enterprise(session, segment=("hydrogen", "storage"), name="佛山市过滤储氢有限公司")
    robotics = service.search(
        session=session, flt=EnterpriseFilter(q="过滤", chain_id=_chain(session, "robotics"))
    )
    assert robotics.total == 2
    nanhai = get_park_by_code(session=session, code="nanhai").id
    narrowed = service.search(
        session=session, flt=EnterpriseFilter(q="过滤", park_id=nanhai, above_size=True)
    )
    assert [e.id for e in narrowed.items] == [servo.id]


def _chain(session: Session, code: str) -> int:
    from chains import service as chain_service

    return chain_service.get_by_code(session=session, code=code).id


def test_pages_hold_page_size_rows_and_clamp_past_the_end(session: Session) -> None:
    for _ in range(5):
        make_enterprise(session, main_products="分页测试产品")
    flt = EnterpriseFilter(q="分页测试产品")
    assert len(service.search(session=session, flt=flt, page=1, page_size=2).items) == 2
    last = service.search(session=session, flt=flt, page=99, page_size=2)
    assert (last.page, len(last.items), last.pages) == (3, 1, 3)


def test_leading_members_put_anchor_firms_first(session: Session) -> None:
    small_anchor = make_enterprise(
        session, segment=("hydrogen", "storage"), role=MemberRole.anchor, annual_output=1
    )
    make_enterprise(session, segment=("hydrogen", "storage"), annual_output=10_000)
    members = service.leading_members(session=session, chain_id=_chain(session, "hydrogen"))
    first = next(iter(v for v in members.values() if v))[0]
    assert (first[0].id, first[1]) == (small_anchor.id, MemberRole.anchor)


def test_a_whole_phone_is_shown_only_to_its_maintainers_and_logged(session: Session) -> None:
    enterprise = make_enterprise(session, park="shunde", contact_phone="13812341234")
    viewer = make_user(session, Role.viewer)
    bureau = make_user(session, Role.park_bureau, park="shunde")
    assert personal.mask_phone(enterprise.contact_phone) == "138****1234"
    with pytest.raises(PermissionDenied):
        service.reveal_phone(session=session, actor=viewer, enterprise=enterprise)
    shown = service.reveal_phone(session=session, actor=bureau, enterprise=enterprise)
    assert shown == "13812341234"
    session.flush()
    looks = audit.history(session=session, object_type="enterprise", object_id=enterprise.id or 0)
    assert [(e.action, e.actor_name) for e in looks][:1] == [("view_phone", bureau.username)]


def test_valid_code_factory_makes_valid_codes() -> None:
    from enterprises.registry.credit_code import problem

    assert problem(valid_code(42)) is None


def test_a_search_counts_up_to_the_cap_and_its_pages_still_reach_every_match(
    session: Session,
) -> None:
    made = {make_enterprise(session, main_products="封顶计数产品").id for _ in range(5)}
    flt = EnterpriseFilter(q="封顶计数")
    first = service.search(session=session, flt=flt, page=1, page_size=2, cap=3)
    assert (first.total, first.total_is_lower_bound, first.has_next) == (3, True, True)
    seen = [
        e.id
        for p in (1, 2, 3)
        for e in service.search(session=session, flt=flt, page=p, page_size=2, cap=3).items
    ]
    assert len(seen) == 5 and set(seen) == made
    exact = service.search(session=session, flt=flt, page=1, page_size=2, cap=5)
    assert (exact.total, exact.total_is_lower_bound, exact.pages) == (5, False, 3)


def test_the_estimate_of_a_terms_firms_stops_counting_where_asked(session: Session) -> None:
    for n in range(6):
        make_enterprise(session, name=f"佛山市估算{n}号有限公司")
    make_enterprise(session, name="佛山市估有限公司", main_products="算盘")  # both characters
    make_enterprise(session, name="佛山市估价有限公司")  # one of them only
    counted = [chars_estimate(session, "估算", up_to) for up_to in (3, 7, 100)]
    if session.get_bind().dialect.name == "sqlite":
        assert counted == [3, 7, 7]
    else:  # no estimate: PostgreSQL's index counts only by reading the rows
        assert counted == [None, None, None]


def test_a_sample_of_the_tables_first_pages_estimates_a_terms_share(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL samples; SQLite counts its index of characters")
    for n in range(4):
        make_enterprise(session, name=f"佛山市抽样{n}号有限公司")
    make_enterprise(session, name="佛山市其他有限公司")
    held = [Enterprise.name.contains("抽样")]  # type: ignore[attr-defined]
    stored = session.exec(select(func.count()).select_from(Enterprise)).one()
    # A registry this small lies within the sampled pages: counted exactly.
    assert sampled_estimate(session, held, stored) == 4
    # A registry ten times what the sample saw: its share scaled up to it.
    assert sampled_estimate(session, held, stored * 10) == 40


def test_the_index_is_asked_for_a_terms_rarest_characters_not_those_every_firm_holds() -> None:
    counts = {"": 100, "佛": 100, "山": 99, "卓": 8, "峰": 9, "厂": 2, "智": 20, "能": 21}
    assert narrowing("佛山卓峰智能厂", counts) == "厂卓峰"  # rarest three, commonest left out
    assert narrowing("佛山新字", counts) == "字新"  # characters the sample never saw: rarest
    assert narrowing("佛山", counts) == ""  # held by most firms: the index narrows nothing
    assert narrowing("ABB卓", counts) == "卓"  # Latin letters stay out of the lookup


def test_a_search_finds_a_whole_firm_name_made_of_common_characters(session: Session) -> None:
    # Every firm holds 佛山 and 有限公司: the index is asked for the name's rarer characters
    # only, and the whole name is matched on the firms it finds.
    admin = make_user(session, Role.admin)
    for n in range(30):
        make_enterprise(session, actor=admin, name=f"佛山市第{n}机械有限公司")
    wanted = make_enterprise(session, actor=admin, name="佛山市卓峰智能装备有限公司")
    make_enterprise(session, actor=admin, name="佛山市峰卓装备智能有限公司")  # same characters
    for term in ("佛山市卓峰智能装备有限公司", "卓峰智能", "市卓峰"):
        found = service.search(session=session, flt=EnterpriseFilter(q=term))
        assert [e.id for e in found.items] == [wanted.id], term


def _walk(session: Session, flt: EnterpriseFilter, pages: int) -> list[list[int]]:
    """The ids of the first pages (two firms each), each read from where the previous ended."""
    walked, after = [], None
    for page in range(1, pages + 1):
        found = service.search(session=session, flt=flt, page=page, page_size=2, after=after)
        assert found.page == page
        walked.append([e.id for e in found.items])
        after = found.next_after
    return walked


def _numbered(session: Session, flt: EnterpriseFilter, pages: int) -> list[list[int]]:
    return [
        [e.id for e in service.search(session=session, flt=flt, page=p, page_size=2).items]
        for p in range(1, pages + 1)
    ]


@pytest.mark.parametrize("fillers", [0, 700], ids=["many match", "few match"])
def test_pages_read_from_where_the_previous_ended_are_the_numbered_pages(
    session: Session, fillers: int
) -> None:
    # Many matches walk the list's index from the position, few are found and sorted (one
    # firm in a hundred or fewer); ties of the output and firms without one go by id.
    admin = make_user(session, Role.admin)
    ids = bulk.reserve_ids(session, Enterprise, fillers)
    now = utcnow()
    common = _DEFAULTS | {"origin": Origin.manual, "version": 1, "created_at": now}
    filler_rows = [common | {"id": i, "name": f"佛山市垫底{i}号", "updated_at": now} for i in ids]
    bulk_firms.insert(session, filler_rows)
    outputs = [5, None, 5, 3, None, 5, 0.00005]
    made = [
        make_enterprise(session, actor=admin, main_products="键集产品", annual_output=output)
        for output in outputs
    ]
    flt = EnterpriseFilter(q="键集")
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        walked = _walk(session, flt, 4)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    # The sorted plan adds to the output (SORTED_KEY), so that no index matches its order.
    sorted_plan = any("-1) + " in statement for statement in statements)
    assert sorted_plan == (fillers > 0)
    assert walked == _numbered(session, flt, 4)
    by_output = sorted(made, key=lambda e: (-(e.annual_output or -1), e.id))
    assert sum(walked, []) == [e.id for e in by_output]
    assert service.search(session=session, flt=flt, page=4, page_size=2).next_after is None


def test_a_walk_keeps_the_filters_and_works_without_a_term(session: Session) -> None:
    admin = make_user(session, Role.admin)
    for n, park in enumerate(["shunde", "nanhai"] * 6):
        make_enterprise(session, actor=admin, park=park, annual_output=n % 3, above_size=True)
    park = get_park_by_code(session=session, code="nanhai")
    for flt in (EnterpriseFilter(park_id=park.id, above_size=True), EnterpriseFilter()):
        walked = _walk(session, flt, 3)
        assert walked == _numbered(session, flt, 3)
    in_park = sum(_walk(session, EnterpriseFilter(park_id=park.id, above_size=True), 3), [])
    assert {service.get(session=session, enterprise_id=i).park_id for i in in_park} == {park.id}


@pytest.mark.parametrize(
    "text",
    [
        "x",
        "5_",
        "_5",
        "5.0_0",
        "nan_5",
        "inf_5",
        "1e400_5",
        "-2_5",
        "5_99999999999",
        "5_1_1",
        " 5_1",
    ],
)
def test_a_position_that_is_no_place_in_the_list_is_refused(text: str) -> None:
    with pytest.raises(DomainError, match="翻页位置"):
        service.parse_after(text)


def test_a_position_reads_back_as_written() -> None:
    for key, row in ((5.0, 1), (-1.0, 7), (0.00005, 3), (123456789.123, 2**31 - 1)):
        after = service.parse_after(paging.After(key, row).text())
        assert after == paging.After(key, row)
    assert service.parse_after("") is None
