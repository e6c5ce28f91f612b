"""The zone's named figures (高新技术企业, 高成长企业, 链主 …): one definition each.

A figure is a target definition (see plans.target_values) with a name. The dashboard's park and
chain tables, the park page and the monthly report all count a figure through `by_park` /
`by_chain` here, on the same day, so they cannot disagree; a plan's computed target names its
figure, so adding a target means choosing one of these rather than writing a definition by hand.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from core import figure_cache
from plans import target_values


@dataclass(frozen=True)
class Figure:
    """A named figure: what it counts, in which unit."""

    code: str
    label: str
    unit: str
    definition: dict[str, Any]

    @property
    def counts_firms(self) -> bool:
        """Whether the figure counts firms (and so splits by park and chain)."""
        return self.definition.get("measure") in ("recognised", "holding")


HIGH_GROWTH_TITLES = ["gazelle", "single-champion", "unicorn"]
FIGURES: dict[str, Figure] = {
    f.code: f
    for f in (
        Figure(
            "high-tech",
            "高新技术企业（有效）",
            "家",
            {"measure": "holding", "designations": ["high-tech"]},
        ),
        Figure(
            "high-tech-above",
            "规上高新技术企业（有效）",
            "家",
            {"measure": "holding", "designations": ["high-tech"], "above_size": True},
        ),
        Figure(
            "high-growth",
            "高成长企业（瞪羚、单打冠军、独角兽，有效）",
            "家",
            {"measure": "holding", "designations": HIGH_GROWTH_TITLES},
        ),
        Figure(
            "high-growth-recognised",
            "规划期内累计认定高成长企业",
            "家",
            {"measure": "recognised", "designations": HIGH_GROWTH_TITLES},
        ),
        Figure(
            "specialised",
            "专精特新企业（有效）",
            "家",
            {"measure": "holding", "designations": ["specialised"]},
        ),
        Figure(
            "anchor", "链主企业（有效）", "家", {"measure": "holding", "designations": ["anchor"]}
        ),
        Figure(
            "anchor-recognised",
            "规划期内累计认定链主企业",
            "家",
            {"measure": "recognised", "designations": ["anchor"]},
        ),
        Figure("output-share", "十大产业链规上工业总产值占比", "%", {"measure": "output_share"}),
    )
}
# The figures of the dashboard's park and chain tables, and the park page.
TABLE_FIGURES = ("high-growth", "high-tech", "anchor")


def get(code: str) -> Figure:
    """Return a figure by code or raise KeyError."""
    return FIGURES[code]


def of_definition(definition: dict[str, Any] | None) -> Figure | None:
    """The named figure a target's definition is, if any."""
    return next((f for f in FIGURES.values() if f.definition == definition), None)


def _start(day: date) -> date:
    # A cumulative figure outside any plan counts from the start of the year.
    return day.replace(month=1, day=1)


def by_park(*, session: Session, day: date) -> dict[str, dict[int | None, float]]:
    """The table figures per park at the end of `day`; cached per registry version."""

    def compute(own: Session) -> dict[str, dict[int | None, float]]:
        return {
            code: target_values.count_by_park(
                session=own,
                ids=target_values.firms_of(
                    session=own, definition=FIGURES[code].definition, day=day, start=_start(day)
                ),
            )
            for code in TABLE_FIGURES
        }

    return figure_cache.cached(session=session, what=f"figures-by-park:{day}", compute=compute)


def by_chain(*, session: Session, day: date) -> dict[str, dict[int, float]]:
    """The table figures per chain at the end of `day`; cached per registry version."""

    def compute(own: Session) -> dict[str, dict[int, float]]:
        return {
            code: target_values.count_by_chain(
                session=own,
                ids=target_values.firms_of(
                    session=own, definition=FIGURES[code].definition, day=day, start=_start(day)
                ),
            )
            for code in TABLE_FIGURES
        }

    return figure_cache.cached(session=session, what=f"figures-by-chain:{day}", compute=compute)


def in_park(*, session: Session, park_id: int, day: date) -> dict[str, float]:
    """The table figures of one park at the end of `day` (the same counts as `by_park`)."""
    return {
        code: counts.get(park_id, 0.0) for code, counts in by_park(session=session, day=day).items()
    }
