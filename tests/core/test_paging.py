"""Counting up to a cap, and pages that stay walkable beyond it."""

from typing import Any

from sqlmodel import Session, col, select

from core import paging
from core.db import count_up_to
from enterprises.registry.models import Enterprise
from tests.factories import make_enterprise


def _firms(session: Session, marker: str, n: int) -> list[int]:
    return [make_enterprise(session, main_products=f"{marker}产品").id or 0 for _ in range(n)]


def _matching(marker: str) -> Any:
    return select(Enterprise.id).where(col(Enterprise.main_products).like(f"%{marker}%"))


def test_count_up_to_is_exact_up_to_the_cap_and_cap_plus_one_beyond(session: Session) -> None:
    _firms(session, "计数上限", 5)
    counted = [count_up_to(session, _matching("计数上限"), cap) for cap in (10, 5, 4, 2, 0)]
    assert counted == [5, 5, 5, 3, 1]
    assert count_up_to(session, _matching("没有这种产品"), 3) == 0


def test_count_up_to_ignores_the_order_of_the_statement(session: Session) -> None:
    _firms(session, "排序计数", 4)
    ordered = _matching("排序计数").order_by(col(Enterprise.name).desc())
    assert count_up_to(session, ordered, 3) == 4


def test_a_tally_beyond_the_cap_is_a_lower_bound(session: Session) -> None:
    _firms(session, "下限计数", 4)
    assert paging.count(session, _matching("下限计数"), 4) == paging.Tally(4, False)
    assert paging.count(session, _matching("下限计数"), 3) == paging.Tally(3, True)


def test_pages_walk_past_the_cap_and_stop_where_the_rows_end(session: Session) -> None:
    ids = _firms(session, "翻页上限", 5)
    rows = select(Enterprise).where(col(Enterprise.main_products).like("%翻页上限%"))
    rows = rows.order_by(col(Enterprise.id))
    counted = _matching("翻页上限")
    walked, has_next, page = [], True, 0
    while has_next:
        page += 1
        found = paging.paginate(session, rows, counted, page, 2, cap=3)
        assert (found.total, found.total_is_lower_bound, found.total_text) == (3, True, "3+")
        walked += [e.id for e in found.items]
        has_next = found.has_next
    assert (page, walked) == (3, ids)
    beyond = paging.paginate(session, rows, counted, 9, 2, cap=3)
    assert (beyond.page, beyond.items, beyond.has_next, beyond.has_pager) == (9, [], False, True)


def test_an_exact_total_clamps_the_page_and_counts_pages(session: Session) -> None:
    _firms(session, "精确总数", 5)
    rows = select(Enterprise).where(col(Enterprise.main_products).like("%精确总数%"))
    last = paging.paginate(session, rows.order_by(col(Enterprise.id)), _matching("精确总数"), 9, 2)
    assert (last.total, last.total_is_lower_bound, last.page, last.pages) == (5, False, 3, 3)
    assert (len(last.items), last.has_next, last.total_text) == (1, False, "5")
    assert paging.Page([], 12345, 1, 50).total_text == "12,345"
    assert paging.Page([], 1000, 1, 50, total_is_lower_bound=True).total_text == "1,000+"
