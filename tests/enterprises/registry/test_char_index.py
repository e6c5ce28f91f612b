from sqlmodel import Session

from enterprises.registry.char_index import chars_estimate, narrowing
from tests.factories import make_enterprise


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


def test_the_index_is_asked_for_a_terms_rarest_characters_not_those_every_firm_holds() -> None:
    counts = {"": 100, "佛": 100, "山": 99, "卓": 8, "峰": 9, "厂": 2, "智": 20, "能": 21}
    assert narrowing("佛山卓峰智能厂", counts) == "厂卓峰"  # rarest three, commonest left out
    assert narrowing("佛山新字", counts) == "字新"  # characters the sample never saw: rarest
    assert narrowing("佛山", counts) == ""  # held by most firms: the index narrows nothing
    assert narrowing("ABB卓", counts) == "卓"  # Latin letters stay out of the lookup
