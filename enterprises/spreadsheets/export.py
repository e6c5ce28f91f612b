"""Enterprise and cultivation lists as tables for .xlsx / .csv export (Chinese headers)."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from core import personal
from core.accounts import User
from core.errors import FieldErrors
from core.orgs import park_names
from enterprises.cultivation import roster
from enterprises.cultivation.pipeline import STAGE_LABELS
from enterprises.registry.models import (
    FIELD_LABELS,
    KIND_LABELS,
    Enterprise,
    EnterpriseKind,
    Origin,
)
from enterprises.registry.service import EnterpriseFilter, filter_conditions

EXPORT_LIMIT = 50_000
ORIGIN_LABELS = {Origin.plan: "行动方案", Origin.manual: "录入", Origin.demo: "演示数据"}
_ENTERPRISE_COLUMNS = [
    "name",
    "credit_code",
    "kind",
    "park_id",
    "district",
    "address",
    "founded_date",
    "above_size",
    "main_products",
    "figures_year",
    "annual_output",
    "annual_revenue",
    "employees",
    "rd_spend",
    "contact_person",
    "contact_phone",
]
ENTERPRISE_HEADERS = [FIELD_LABELS[c] for c in _ENTERPRISE_COLUMNS] + ["数据来源"]
ENTERPRISE_WIDTHS = [34, 22, 10, 10, 10, 40, 12, 8, 30, 8, 14, 14, 10, 12, 10, 16, 10]


def _check_size(total: int) -> None:
    if total > EXPORT_LIMIT:
        raise FieldErrors(
            {"export": f"共 {total:,} 行，超过导出上限 {EXPORT_LIMIT:,} 行，请缩小筛选范围"}
        )


def enterprise_rows(
    *, session: Session, flt: EnterpriseFilter, user: User
) -> tuple[int, Iterator[list[Any]]]:
    """Return (row count, rows) of the filtered registry; phones masked as on screen."""
    conds = filter_conditions(flt)
    stmt = select(Enterprise).where(*conds).order_by(col(Enterprise.name))
    firms = list(session.exec(stmt.limit(EXPORT_LIMIT + 1)))
    _check_size(len(firms))
    parks = park_names(session=session)

    def rows() -> Iterator[list[Any]]:
        for firm in firms:
            values = [getattr(firm, c) for c in _ENTERPRISE_COLUMNS]
            values[_ENTERPRISE_COLUMNS.index("kind")] = KIND_LABELS[EnterpriseKind(firm.kind)]
            values[_ENTERPRISE_COLUMNS.index("park_id")] = parks.get(firm.park_id or 0, "")
            values[_ENTERPRISE_COLUMNS.index("above_size")] = "是" if firm.above_size else "否"
            values[_ENTERPRISE_COLUMNS.index("contact_phone")] = personal.mask_phone(
                firm.contact_phone
            )
            yield [*values, ORIGIN_LABELS[Origin(firm.origin)]]

    return len(firms), rows()


ROSTER_HEADERS = [
    "企业名称",
    "园区",
    "认定称号",
    "梯次",
    "阶段",
    "批次",
    "认定日期",
    "有效期至",
    "即将到期",
]
ROSTER_WIDTHS = [34, 10, 16, 12, 10, 14, 12, 12, 10]


def roster_rows(
    *, session: Session, flt: roster.RosterFilter, today: date
) -> tuple[int, Iterator[list[Any]]]:
    """Return (row count, rows) of a filtered cultivation list."""
    total, found = roster.search(
        session=session, flt=flt, today=today, page=1, page_size=EXPORT_LIMIT
    )
    _check_size(total)
    return total, (
        [
            r.enterprise_name,
            r.park,
            r.designation,
            r.tier or "",
            STAGE_LABELS[r.stage],
            r.batch,
            r.recognised_on,
            r.valid_until,
            "是" if r.due_soon else "",
        ]
        for r in found
    )
