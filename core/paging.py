"""Pages of a list, with a total that is exact up to a cap.

A list counts its matches only as far as COUNT_CAP: beyond it the total is a lower bound
("1,000+"), and whether a next page exists comes from reading one row more than a page.
A list ordered by a number (largest first) and then by id can also hand out where a page
ended and where it began (`Position`): the next page reads on from the one, the previous page
reads back from the other, instead of skipping every row before it.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from core.db import MAX_ID, count_up_to
from core.errors import DomainError

T = TypeVar("T")

COUNT_CAP = 1000


_POSITION = re.compile(r"(-?[0-9]{1,17}(?:\.[0-9]{1,20})?(?:e[-+]?[0-9]{1,3})?)_([0-9]{1,10})")

BOTH_POSITIONS = "翻页位置 after 与 before 不能同时给出：请从第 1 页重新翻页"


def bad_position(name: str) -> str:
    """The message for a link's position (`after` or `before`) that is no place in the list."""
    return f"翻页位置（{name}）无效，可能是链接被改动或截断：请从第 1 页重新翻页"


def keyset_order(key: Any, row: Any, backwards: bool = False) -> tuple[Any, Any]:
    """The order of a list paged by Position: largest number first, then ascending id; read
    backwards (from a page's start towards the list's top), the exact reverse."""
    return (key.asc(), row.desc()) if backwards else (key.desc(), row.asc())


@dataclass(frozen=True)
class Position:
    """Where a page ended or began in a list ordered by keyset_order: that row's number and id.
    Written into links as `<number>_<id>` (e.g. `1234.5_678`; a tiny number as `5e-05_678`,
    whose + or - a link must escape)."""

    key: float
    id: int

    @classmethod
    def parse(cls, text: str, lowest: float, highest: float, name: str) -> "Position":
        """Read a link's position (its parameter is `name`: `after` or `before`); one that is
        not a position the list can hold (malformed, truncated, edited past the bounds) raises
        a DomainError (400) rather than reaching SQL."""
        found = _POSITION.fullmatch(text)
        if found is None:
            raise DomainError(bad_position(name))
        key, row = float(found[1]), int(found[2])
        if not (math.isfinite(key) and lowest <= key <= highest and 1 <= row <= MAX_ID):
            raise DomainError(bad_position(name))
        return cls(key, row)

    def text(self) -> str:
        """The position as a link carries it (repr of a float reads back as the same float)."""
        return f"{self.key!r}_{self.id}"

    def following(self, key: Any, row: Any) -> Any:
        """The condition "after this position" in keyset_order on the list's number and id
        expressions (ties of the number go by id). `key <= k` is stated apart so that an index
        on the number can start reading at k."""
        return sa.and_(key <= self.key, sa.or_(key < self.key, row > self.id))

    def preceding(self, key: Any, row: Any) -> Any:
        """The condition "before this position" in keyset_order: the mirror of `following`
        (an index on the number is read backwards from k)."""
        return sa.and_(key >= self.key, sa.or_(key > self.key, row < self.id))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; `total` is exact, or the cap when `total_is_lower_bound`."""

    items: list[T]
    total: int
    page: int
    page_size: int
    total_is_lower_bound: bool = False
    has_next: bool = False
    next_after: Position | None = None  # where this page ended, when a next page follows
    # Where this page began, when the page before it is not the first (page 1 needs none).
    prev_before: Position | None = None

    @property
    def pages(self) -> int:
        """Number of pages known (at least one; more may follow when the total is a bound)."""
        return max(1, -(-self.total // self.page_size))

    @property
    def total_text(self) -> str:
        """The total as a list shows it: "1,234", or "1,000+" beyond the cap."""
        return f"{self.total:,}+" if self.total_is_lower_bound else f"{self.total:,}"

    @property
    def has_pager(self) -> bool:
        """Whether the list needs previous / next links."""
        return self.page > 1 or self.has_next


@dataclass(frozen=True)
class Tally:
    """A count up to a cap: `total` exact, or the cap when `is_lower_bound`."""

    total: int
    is_lower_bound: bool

    @classmethod
    def of(cls, counted: int, cap: int) -> "Tally":
        """Read count_up_to's answer (cap + 1 means more than cap)."""
        return cls(min(counted, cap), counted > cap)

    def last_page(self, page_size: int) -> int | None:
        """The last page, when the total is exact."""
        return None if self.is_lower_bound else max(1, -(-self.total // page_size))


def count(session: Session, stmt: sa.Select[Any], cap: int | None = None) -> Tally:
    """Count the rows of stmt up to cap (COUNT_CAP when not given)."""
    cap = COUNT_CAP if cap is None else cap
    return Tally.of(count_up_to(session, stmt, cap), cap)


def clamp(page: int, tally: Tally, page_size: int) -> int:
    """A page number within the list (any page from 1 when the total is a lower bound)."""
    last = tally.last_page(page_size)
    return max(1, page if last is None else min(page, last))


def page_of(
    found: list[T],
    tally: Tally,
    page: int,
    page_size: int,
    position: Callable[[T], Position] | None = None,
    backwards: bool = False,
) -> Page[T]:
    """A page from the rows read for it: up to page_size + 1 (the one more says a next follows);
    `position` tells where a row stands, for the links to the next and previous pages.
    Read `backwards` (from a later page's start), the rows come nearest first and the one
    more is the row before the page; the rows the reading started from follow it."""
    items = found[:page_size]
    if backwards:
        items.reverse()
    has_next = backwards or len(found) > page_size
    placed = position if items else None  # an empty page (past the end) links by number
    return Page(
        items=items,
        total=tally.total,
        page=page,
        page_size=page_size,
        total_is_lower_bound=tally.is_lower_bound,
        has_next=has_next,
        next_after=placed(items[-1]) if has_next and placed else None,
        prev_before=placed(items[0]) if page > 2 and placed else None,
    )


def read_page(
    session: Session, rows: SelectOfScalar[T], tally: Tally, page: int, page_size: int
) -> Page[T]:
    """Read one page of rows (ordered), one row more to tell whether another page follows."""
    page = clamp(page, tally, page_size)
    found = list(session.exec(rows.offset((page - 1) * page_size).limit(page_size + 1)))
    return page_of(found, tally, page, page_size)


def paginate(
    session: Session,
    rows: SelectOfScalar[T],
    counted: sa.Select[Any],
    page: int,
    page_size: int,
    cap: int | None = None,
) -> Page[T]:
    """One page of rows and the total of counted (the same filter), exact up to cap."""
    return read_page(session, rows, count(session, counted, cap), page, page_size)
