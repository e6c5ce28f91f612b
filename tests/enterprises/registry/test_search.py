import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from core import bulk, paging
from core.accounts import Role
from core.db import utcnow
from core.errors import DomainError
from core.orgs import get_park_by_code
from core.paging import Page
from enterprises import merge
from enterprises.registry import bulk_firms, search, service
from enterprises.registry.models import Enterprise, EnterpriseUpdate, Origin
from enterprises.registry.search import sampled_estimate
from enterprises.registry.service import EnterpriseFilter
from enterprises.spreadsheets.import_writes import _DEFAULTS
from tests.factories import make_enterprise, make_user


def _update_data(enterprise, **changes) -> EnterpriseUpdate:
    fields = enterprise.model_dump(include=set(EnterpriseUpdate.model_fields))
    return EnterpriseUpdate(**(fields | changes))


def test_search_matches_chinese_substrings_in_name_and_products(session: Session) -> None:
    by_name = make_enterprise(session, name="佛山市绿藻青苔科技有限公司")
    by_product = make_enterprise(session, main_products="青苔提取物")
    make_enterprise(session, name="佛山市无关企业有限公司")
    found = search.search(session=session, flt=EnterpriseFilter(q="青苔"))
    assert {e.id for e in found.items} == {by_name.id, by_product.id}


def test_search_ignores_the_case_of_latin_letters_and_finds_credit_codes(
    session: Session,
) -> None:
    latin = make_enterprise(session, name="佛山市QXZ智能装备有限公司")
    found = search.search(session=session, flt=EnterpriseFilter(q="qxz"))
    assert [e.id for e in found.items] == [latin.id]
    code = latin.credit_code or ""
    by_code = search.search(session=session, flt=EnterpriseFilter(q=code[4:12].lower()))
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
        found = search.search(session=session, flt=EnterpriseFilter(q=term))
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
        found = search.search(session=session, flt=EnterpriseFilter(q=term))
        assert [e.id for e in found.items] == [percent.id], term


def test_search_follows_renames_product_changes_merges_and_punctuation(session: Session) -> None:
    # The index of characters (SQLite: kept by triggers) follows every write of the two columns.
    admin = make_user(session, Role.admin)

    def found(term: str) -> list[int | None]:
        return [e.id for e in search.search(session=session, flt=EnterpriseFilter(q=term)).items]

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
    robotics = search.search(
        session=session, flt=EnterpriseFilter(q="过滤", chain_id=_chain(session, "robotics"))
    )
    assert robotics.total == 2
    nanhai = get_park_by_code(session=session, code="nanhai").id
    narrowed = search.search(
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
    assert len(search.search(session=session, flt=flt, page=1, page_size=2).items) == 2
    last = search.search(session=session, flt=flt, page=99, page_size=2)
    assert (last.page, len(last.items), last.pages) == (3, 1, 3)


def test_a_search_counts_up_to_the_cap_and_its_pages_still_reach_every_match(
    session: Session,
) -> None:
    made = {make_enterprise(session, main_products="封顶计数产品").id for _ in range(5)}
    flt = EnterpriseFilter(q="封顶计数")
    first = search.search(session=session, flt=flt, page=1, page_size=2, cap=3)
    assert (first.total, first.total_is_lower_bound, first.has_next) == (3, True, True)
    seen = [
        e.id
        for p in (1, 2, 3)
        for e in search.search(session=session, flt=flt, page=p, page_size=2, cap=3).items
    ]
    assert len(seen) == 5 and set(seen) == made
    exact = search.search(session=session, flt=flt, page=1, page_size=2, cap=5)
    assert (exact.total, exact.total_is_lower_bound, exact.pages) == (5, False, 3)


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


def test_a_search_finds_a_whole_firm_name_made_of_common_characters(session: Session) -> None:
    # Every firm holds 佛山 and 有限公司: the index is asked for the name's rarer characters
    # only, and the whole name is matched on the firms it finds.
    admin = make_user(session, Role.admin)
    for n in range(30):
        make_enterprise(session, actor=admin, name=f"佛山市第{n}机械有限公司")
    wanted = make_enterprise(session, actor=admin, name="佛山市卓峰智能装备有限公司")
    make_enterprise(session, actor=admin, name="佛山市峰卓装备智能有限公司")  # same characters
    for term in ("佛山市卓峰智能装备有限公司", "卓峰智能", "市卓峰"):
        found = search.search(session=session, flt=EnterpriseFilter(q=term))
        assert [e.id for e in found.items] == [wanted.id], term


def _walk_pages(session: Session, flt: EnterpriseFilter, pages: int) -> list[Page[Enterprise]]:
    """The first pages (two firms each), each read from where the previous ended."""
    walked: list[Page[Enterprise]] = []
    for page in range(1, pages + 1):
        after = walked[-1].next_after if walked else None
        found = search.search(session=session, flt=flt, page=page, page_size=2, after=after)
        assert found.page == page
        walked.append(found)
    return walked


def _walk(session: Session, flt: EnterpriseFilter, pages: int) -> list[list[int]]:
    """The ids of the first pages (two firms each), each read from where the previous ended."""
    return [[e.id for e in found.items] for found in _walk_pages(session, flt, pages)]


def _walk_back(session: Session, flt: EnterpriseFilter, found: Page[Enterprise]) -> list[list[int]]:
    """The ids of the pages before `found`, nearest first, each read back from where the page
    after it began (page 2 links page 1 by its number alone)."""
    walked = []
    while found.page > 1:
        page = found.page - 1
        assert (found.prev_before is None) == (page == 1)
        before = found.prev_before
        found = search.search(session=session, flt=flt, page=page, page_size=2, before=before)
        assert found.page == page and found.has_next
        walked.append([e.id for e in found.items])
    return walked


def _numbered(session: Session, flt: EnterpriseFilter, pages: int) -> list[list[int]]:
    return [
        [e.id for e in search.search(session=session, flt=flt, page=p, page_size=2).items]
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
        pages = _walk_pages(session, flt, 4)
        forward, statements[:] = list(statements), []
        walked_back = _walk_back(session, flt, pages[-1])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    # The sorted plan adds to the output (SORTED_KEY), so that no index matches its order.
    for read in (forward, statements):
        assert any("-1) + " in statement for statement in read) == (fillers > 0)
    walked = [[e.id for e in found.items] for found in pages]
    numbered = _numbered(session, flt, 4)
    assert walked == numbered
    assert walked_back == numbered[2::-1]  # pages 3, 2, 1
    by_output = sorted(made, key=lambda e: (-(e.annual_output or -1), e.id))
    assert sum(walked, []) == [e.id for e in by_output]
    assert search.search(session=session, flt=flt, page=4, page_size=2).next_after is None


@pytest.mark.parametrize("fillers", [0, 700], ids=["many match", "few match"])
def test_a_page_read_back_to_the_top_of_the_list_is_page_1(session: Session, fillers: int) -> None:
    # Three firms of output 5 (a tie across pages 1 and 2), two without output (a tie across
    # pages 3 and 4): a page read back from page 2's start holds page 1's firms, whatever
    # number the link gave it, and one read back from page 4's start is page 3 with its links.
    ids = bulk.reserve_ids(session, Enterprise, fillers)
    now = utcnow()
    common = _DEFAULTS | {"origin": Origin.manual, "version": 1, "created_at": now}
    filler_rows = [common | {"id": i, "name": f"佛山市垫底{i}号", "updated_at": now} for i in ids]
    bulk_firms.insert(session, filler_rows)
    for output in [5, None, 5, 3, None, 5, 0.00005]:
        make_enterprise(session, main_products="回翻产品", annual_output=output)
    flt = EnterpriseFilter(q="回翻")
    numbered = _numbered(session, flt, 4)
    pages = _walk_pages(session, flt, 4)
    second_begins = search._position(pages[1].items[0])
    for page in (1, 2, 5):
        top = search.search(session=session, flt=flt, page=page, page_size=2, before=second_begins)
        assert (top.page, [e.id for e in top.items]) == (1, numbered[0])
        assert top.prev_before is None and top.next_after == pages[0].next_after
    third = search.search(
        session=session, flt=flt, page=3, page_size=2, before=pages[3].prev_before
    )
    assert [e.id for e in third.items] == numbered[2]
    assert (third.next_after, third.prev_before) == (pages[2].next_after, pages[2].prev_before)
    # A page read by its number also says where it began: its previous page reads back too.
    assert search.search(session=session, flt=flt, page=3, page_size=2).prev_before == (
        third.prev_before
    )


def test_a_page_is_read_from_one_position_only(session: Session) -> None:
    position = paging.Position(5.0, 1)
    with pytest.raises(DomainError, match="不能同时"):
        search.search(session=session, flt=EnterpriseFilter(), after=position, before=position)


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
    for name in ("after", "before"):
        with pytest.raises(DomainError, match=f"翻页位置（{name}）无效"):
            search.parse_position(text, name)


def test_a_position_reads_back_as_written() -> None:
    for key, row in ((5.0, 1), (-1.0, 7), (0.00005, 3), (123456789.123, 2**31 - 1)):
        after = search.parse_position(paging.Position(key, row).text(), "after")
        assert after == paging.Position(key, row)
    assert search.parse_position("", "after") is None
