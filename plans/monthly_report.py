"""The monthly report: targets, parks, chains and the month's changes, as of a month's end."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from core.accounts import User
from core.spreadsheet import Sheet
from plans import dashboard
from plans.target_status import STATUS_LABELS, Progress
from plans.targets import COMPARATOR_LABELS, Plan


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the report shows for one month."""

    first: date
    last: date
    targets: list[Progress]
    parks: list[dashboard.ParkRow]
    chains: list[dashboard.ChainRow]
    changes: dashboard.Changes


def build(
    *, session: Session, user: User, month: str | None, today: date, plan: Plan | None = None
) -> MonthlyReport:
    """The report of a month (default: this month), judged at its last day or today.

    Its targets are those of one plan, or by default of every plan in force on that day.
    """
    first, last = dashboard.month_bounds(month, today)
    day = min(last, today)
    year_start = day.replace(month=1, day=1)
    return MonthlyReport(
        first=first,
        last=last,
        targets=[
            item
            for item in dashboard.progress(session=session, day=day, current_only=plan is None)
            if plan is None or item.plan.id == plan.id
        ],
        parks=dashboard.park_table(session=session, day=day, year_start=year_start),
        chains=dashboard.chain_table(session=session, day=day, year_start=year_start),
        changes=dashboard.changes(session=session, user=user, first=first, last=day, limit=500),
    )


def _share(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.0f}%"


def sheets(report: MonthlyReport) -> list[Sheet]:
    """The report as workbook sheets."""
    targets = Sheet(
        "目标",
        [
            "规划",
            "目标",
            "当前值",
            "目标值",
            "单位",
            "期限",
            "完成",
            "时间已过",
            "预计到期",
            "状态",
        ],
        [
            [
                p.plan.name,
                p.target.name,
                p.value,
                f"{COMPARATOR_LABELS[p.target.comparator]} {p.target.target_value:g}",
                p.target.unit,
                p.target.deadline,
                _share(p.reached),
                _share(p.elapsed),
                p.projection,
                STATUS_LABELS[p.status],
            ]
            for p in report.targets
        ],
        [30, 40, 10, 12, 8, 12, 8, 10, 10, 10],
    )
    parks = Sheet(
        "园区",
        [
            "园区",
            "企业",
            "规上",
            "高成长企业（有效）",
            "高新技术企业",
            "链主",
            "在谈项目",
            "本年落地",
            "落地计划投资（万元）",
        ],
        [
            [
                r.name,
                r.firms,
                r.above_size,
                r.high_growth,
                r.high_tech,
                r.anchors,
                r.open_leads,
                r.landed,
                r.landed_investment,
            ]
            for r in report.parks
        ],
        [12, 8, 8, 18, 14, 8, 10, 10, 18],
    )
    chains = Sheet(
        "产业链",
        [
            "产业链",
            "企业/机构",
            "高成长企业（有效）",
            "高新技术企业",
            "在谈项目",
            "本年落地",
            "落地计划投资（万元）",
        ],
        [
            [
                r.name,
                r.firms,
                r.high_growth,
                r.high_tech,
                r.open_leads,
                r.landed,
                r.landed_investment,
            ]
            for r in report.chains
        ],
        [16, 10, 18, 14, 10, 10, 18],
    )
    changes = report.changes
    events = Sheet(
        "本月动态",
        ["类别", "日期", "名称", "说明"],
        [["新认定", on, name, title] for on, _, name, title in changes.recognitions]
        + [
            ["新登记项目", x.created_on, x.name, f"计划投资 {x.planned_investment or 0:g} 万元"]
            for x in changes.new_leads
        ]
        + [
            ["补录项目", x.created_on, x.name, f"计划投资 {x.planned_investment or 0:g} 万元"]
            for x in changes.backfilled_leads
        ]
        + [
            ["注册落地", x.registered_on, x.name, f"计划投资 {x.planned_investment or 0:g} 万元"]
            for x in changes.landed
        ],
        [12, 12, 36, 30],
    )
    return [targets, parks, chains, events]
