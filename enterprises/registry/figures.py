"""Enterprises' annual figures, and the discovery of firms that meet a designation's criteria."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, col, select

from core import audit, bounds, bulk, locking, permissions, versions
from core.accounts import User
from core.db import require_id, table_of
from core.validation import Input
from enterprises.registry.models import Enterprise


class FigureFields(Input):
    """One year's figures of an enterprise; amounts in 万元."""

    year: int = Field(ge=1949, le=2100)
    revenue: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    output: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    tax: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    rd_spend: float | None = Field(default=None, ge=0, le=bounds.MONEY_WAN)
    employees: int | None = Field(default=None, ge=0, le=bounds.PEOPLE)
    invention_patents: int | None = Field(default=None, ge=0, le=bounds.PATENTS)


FIGURE_LABELS = {
    "year": "年度",
    "revenue": "营业收入（万元）",
    "output": "工业总产值（万元）",
    "tax": "税收（万元）",
    "rd_spend": "研发投入（万元）",
    "employees": "从业人数",
    "invention_patents": "发明专利（件）",
}


class EnterpriseFigure(FigureFields, table=True):
    """An enterprise's figures for one year."""

    __tablename__ = "enterprise_figure"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")


versions.track(EnterpriseFigure)


def of(*, session: Session, enterprise_id: int) -> list[EnterpriseFigure]:
    """Return an enterprise's figures, latest year first."""
    stmt = (
        select(EnterpriseFigure)
        .where(EnterpriseFigure.enterprise_id == enterprise_id)
        .order_by(col(EnterpriseFigure.year).desc())
    )
    return list(session.exec(stmt))


def put(
    *, session: Session, actor: User, enterprise: Enterprise, data: FigureFields
) -> EnterpriseFigure:
    """Enter or correct one year's figures of an enterprise."""
    permissions.ensure_can_edit_enterprise(actor, enterprise.park_id)
    locking.lock(session, enterprise)  # two entries of one year: the second corrects the first
    found = session.exec(
        select(EnterpriseFigure).where(
            EnterpriseFigure.enterprise_id == enterprise.id, EnterpriseFigure.year == data.year
        )
    ).first()
    label = f"{enterprise.name}/{data.year}年"
    if found is None:
        found = EnterpriseFigure(enterprise_id=require_id(enterprise), **data.model_dump())
        session.add(found)
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="create",
            obj=found,
            label=label,
            after=audit.snapshot(found, list(FigureFields.model_fields)),
        )
        _follow_latest(session, actor, enterprise, found)
        return found
    audit.update(session=session, actor=actor, obj=found, label=label, values=data.model_dump())
    _follow_latest(session, actor, enterprise, found)
    return found


# The firm's own fields that summarise its latest year, and the yearly column each comes from.
SUMMARY = {
    "annual_revenue": "revenue",
    "annual_output": "output",
    "rd_spend": "rd_spend",
    "employees": "employees",
}


def _follow_latest(
    session: Session, actor: User, enterprise: Enterprise, row: EnterpriseFigure
) -> None:
    """A year as recent as the firm's data year becomes its summary (list, card, chain sums)."""
    if enterprise.figures_year is not None and row.year < enterprise.figures_year:
        return
    values: dict[str, object] = {"figures_year": row.year}
    values |= {
        field: getattr(row, column)
        for field, column in SUMMARY.items()
        if getattr(row, column) is not None
    }
    if audit.update(
        session=session,
        actor=actor,
        obj=enterprise,
        label=f"{enterprise.name}（{row.year}年经营数据）",
        values=values,
    ):
        enterprise.version += 1
        session.flush()


def follow_summary(*, session: Session, actor: User, enterprise: Enterprise) -> None:
    """An edit of the firm's summary corrects its data year's row too, where there is one."""
    if enterprise.figures_year is None:
        return
    row = session.exec(
        select(EnterpriseFigure).where(
            EnterpriseFigure.enterprise_id == enterprise.id,
            EnterpriseFigure.year == enterprise.figures_year,
        )
    ).first()
    if row is None:
        return
    values = {
        column: getattr(enterprise, field)
        for field, column in SUMMARY.items()
        if getattr(enterprise, field) is not None
    }
    audit.update(
        session=session,
        actor=actor,
        obj=row,
        label=f"{enterprise.name}/{row.year}年",
        values=values,
    )


def follow_summaries(
    *, session: Session, actor: User, action: str, enterprise_ids: Collection[int]
) -> None:
    """follow_summary for firms whose summaries a bulk statement changed (an import, its undo):
    each one's data-year row, where there is one, takes the summary's values; audited."""
    firms, rows = table_of(Enterprise), table_of(EnterpriseFigure)
    query = (
        sa.select(
            rows.c.id,
            rows.c.year,
            firms.c.name,
            *(rows.c[column].label(f"row_{column}") for column in SUMMARY.values()),
            *(firms.c[field].label(f"firm_{field}") for field in SUMMARY),
        )
        .join(firms, firms.c.id == rows.c.enterprise_id)
        .where(rows.c.year == firms.c.figures_year)
        .with_for_update(of=rows)
    )
    corrected: list[tuple[int, str, dict[str, Any], dict[str, Any]]] = []
    for among in bulk.among(session, firms.c.id, sorted(enterprise_ids)):
        for row in session.execute(query.where(among)):
            before, after = {}, {}
            for field, column in SUMMARY.items():
                value = getattr(row, f"firm_{field}")
                if value is not None and value != getattr(row, f"row_{column}"):
                    before[column], after[column] = getattr(row, f"row_{column}"), value
            if after:
                corrected.append((row.id, f"{row.name}/{row.year}年", before, after))
    for keys in {tuple(after) for *_, after in corrected}:
        session.execute(
            sa.update(rows)
            .where(rows.c.id == sa.bindparam("row_id"))
            .values({key: sa.bindparam(f"v_{key}") for key in keys}),
            [
                {"row_id": row_id} | {f"v_{key}": after[key] for key in keys}
                for row_id, _, _, after in corrected
                if tuple(after) == keys
            ],
        )
    audit.record_changes(
        session=session,
        actor=actor,
        action=action,
        object_type="enterprise_figure",
        rows=corrected,
    )
    bulk.reread(session, EnterpriseFigure, [row_id for row_id, *_ in corrected])


@dataclass(frozen=True)
class Current:
    """A firm's figures as its card shows them, and the year they are of."""

    year: int | None
    revenue: float | None
    output: float | None
    rd_spend: float | None
    employees: int | None


def current(enterprise: Any, yearly: list[EnterpriseFigure]) -> Current:
    """The card's figures: the latest yearly row as recent as the firm's data year, else the
    firm's own fields. The card, the yearly table and the list show one number for one year."""
    latest = max(yearly, key=lambda f: f.year, default=None)
    if latest is not None and latest.year >= (enterprise.figures_year or 0):
        return Current(
            latest.year,
            latest.revenue if latest.revenue is not None else enterprise.annual_revenue,
            latest.output if latest.output is not None else enterprise.annual_output,
            latest.rd_spend if latest.rd_spend is not None else enterprise.rd_spend,
            latest.employees if latest.employees is not None else enterprise.employees,
        )
    return Current(
        enterprise.figures_year,
        enterprise.annual_revenue,
        enterprise.annual_output,
        enterprise.rd_spend,
        enterprise.employees,
    )
