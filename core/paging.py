"""Pages of a list, with a total that is exact up to a cap.

A list counts its matches only as far as COUNT_CAP: beyond it the total is a lower bound
("1,000+"), and whether a next page exists comes from reading one row more than a page.
"""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from core.db import count_up_to

T = TypeVar("T")

COUNT_CAP = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; `total` is exact, or the cap when `total_is_lower_bound`."""

    items: list[T]
    total: int
    page: int
    page_size: int
    total_is_lower_bound: bool = False
    has_next: bool = False

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


def page_of(found: list[T], tally: Tally, page: int, page_size: int) -> Page[T]:
    """A page from the rows read for it: up to page_size + 1 (the one more says a next follows)."""
    return Page(
        items=found[:page_size],
        total=tally.total,
        page=page,
        page_size=page_size,
        total_is_lower_bound=tally.is_lower_bound,
        has_next=len(found) > page_size,
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
