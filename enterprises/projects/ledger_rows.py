"""Reading a promotion team's project ledger (项目台账): its columns, and each row checked.

The header is found under merged titles and the cells are read as the firm import reads them
(enterprises.spreadsheets: amounts in 万元/亿元, dates as people write them, chains, segments
and parks by name); every problem is told as 第 N 行「列」：reason.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from core import permissions
from core.accounts import User
from core.db import china_today
from core.errors import FieldErrors
from core.validation import parse
from enterprises.projects import lead_duplicates
from enterprises.projects.lead_stages import DROP_REASON_LABELS, DropReason
from enterprises.projects.leads import (
    FLOW,
    LEAD_LABELS,
    LEAD_STAGE_LABELS,
    SOURCE_LABELS,
    LeadFields,
    LeadStage,
)
from enterprises.registry.names import core_name
from enterprises.spreadsheets import cells, tabular
from enterprises.spreadsheets.cell_readers import Lookups, convert
from enterprises.spreadsheets.import_headers import Fields, find_header, guess_field, header_unit

SIGNED = FLOW.index(LeadStage.signed)
# The stages a ledger dates: the flow after 线索, and the side states.
DATED = [*FLOW[1:], LeadStage.on_hold, LeadStage.dropped]


def _dated(stage: LeadStage, *more: str) -> tuple[str, list[str], str]:
    label = LEAD_STAGE_LABELS[stage]
    names = [f"{label}日期", f"{label}时间", *more]
    return (f"{label}日期", names, "date")


LEDGER_FIELDS: Fields = {
    "name": ("项目名称", ["项目名称", "项目"], "text"),
    "investor_name": ("投资方", ["投资方", "投资主体", "投资企业", "签约主体", "企业名称"], "text"),
    "investor_credit_code": ("统一社会信用代码", ["统一社会信用代码", "信用代码"], "code"),
    "parent": ("母公司/集团", ["母公司", "所属集团", "母公司/集团", "集团"], "text"),
    "source": ("招商渠道", ["招商渠道", "渠道", "项目来源"], "text"),
    "chain": ("所属产业链", ["所属产业链", "产业链"], "chain"),
    "segment": ("环节", ["产业链环节", "环节", "细分领域"], "segment"),
    "park": ("意向园区", ["意向园区", "落户园区", "所属园区", "园区"], "park"),
    "planned_investment": (
        "计划投资额",
        ["计划投资额", "计划总投资", "总投资", "投资额"],
        "amount",
    ),
    "expected_output": ("预计年产值", ["预计年产值", "达产产值", "年产值"], "amount"),
    "expected_tax": ("预计年税收", ["预计年税收", "年税收"], "amount"),
    "space_need": ("用地/厂房需求（平方米）", ["用地/厂房需求", "用地需求", "厂房需求"], "amount"),
    "owner": ("负责人", ["负责人", "项目负责人", "跟进人"], "text"),
    "created_on": ("登记日期", ["登记日期", "登记时间", "录入日期"], "date"),
    **{f"{s}_on": _dated(s) for s in DATED},
    # The firm a landed project registered: never taken from the investor (landing with care).
    "registered_name": (
        "注册企业",
        ["注册企业", "注册企业名称", "落地企业", "落地企业名称"],
        "text",
    ),
    "registered_code": (
        "注册企业信用代码",
        ["注册企业信用代码", "注册企业统一社会信用代码", "落地企业信用代码"],
        "code",
    ),
    "drop_reason": ("终止原因", ["终止原因"], "text"),
    "arrived": ("到资金额", ["到资金额", "已到资", "实际到资", "累计到资", "到资"], "amount"),
    "arrived_on": ("到资日期", ["到资日期", "到资时间"], "date"),
    "contact_name": ("联系人", ["联系人", "对方联系人", "对接人"], "text"),
    "contact_title": ("联系人职务", ["联系人职务", "职务"], "text"),
    "contact_phone": ("联系电话", ["联系电话", "电话", "手机", "联系方式"], "text"),
    "progress": ("最新进展", ["最新进展", "进展情况", "项目进展", "推进情况"], "text"),
    "progress_on": ("进展日期", ["进展日期", "进展时间", "更新日期"], "date"),
    "issues": ("存在问题/需协调事项", ["存在问题", "需协调事项", "存在问题/需协调事项"], "text"),
}
_SOURCES = {label: key for key, label in SOURCE_LABELS.items()}
_REASONS = {label: key for key, label in DROP_REASON_LABELS.items()}


@dataclass
class LedgerRow:
    """One row of the ledger: its values by field, and its fate (new, duplicate or error)."""

    number: int  # as the sheet counts rows
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "error" if self.errors else "duplicate" if self.duplicates else "new"

    def stages(self) -> list[tuple[LeadStage, date]]:
        """The dated stages of the flow, in order."""
        return [(s, self.values[f"{s}_on"]) for s in FLOW[1:] if self.values.get(f"{s}_on")]


@dataclass
class Ledger:
    """A read ledger: the header row, each column's header and field, and the rows."""

    header_row: int
    headers: list[str]
    mapping: dict[int, str | None]
    rows: list[LedgerRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def read(
    session: Session,
    actor: User,
    filename: str,
    content: bytes,
    mapping: dict[int, str | None] | None = None,
) -> Ledger:
    """Read and check every row; `mapping` (column → field) corrects the guessed columns."""
    rows = tabular.read(filename, content)
    top = find_header(rows, LEDGER_FIELDS)
    headers = [cells.text(v) for v in rows[top]] if rows else []
    guessed = {i: guess_field(h, LEDGER_FIELDS) for i, h in enumerate(headers)}
    columns = guessed | {i: f for i, f in (mapping or {}).items() if i < len(headers)}
    if "name" not in columns.values() or "investor_name" not in columns.values():
        raise FieldErrors({"file": "未找到“项目名称”和“投资方”两列，请检查表头或调整列对应"})
    lookups, owners = Lookups(session), _owners(session)
    found = [
        _row(top + 2 + i, raw, headers, columns, lookups, owners, actor)
        for i, raw in enumerate(rows[top + 1 :])
        if any(cells.text(v) for v in raw)
    ]
    _mark_duplicates(session, actor, found)
    return Ledger(top + 1, headers, columns, found)


def _owners(session: Session) -> dict[str, int]:
    people: dict[str, int] = {}
    for user in session.exec(select(User).where(User.is_active)):
        for key in (user.username, user.display_name):
            if key and user.id is not None:
                people.setdefault(key, user.id)
    return people


def _row(
    number: int,
    raw: list[tabular.Cell],
    headers: list[str],
    columns: dict[int, str | None],
    lookups: Lookups,
    owners: dict[str, int],
    actor: User,
) -> LedgerRow:
    row = LedgerRow(number)
    where = {}
    for index in sorted(columns, key=lambda i: columns[i] != "chain"):  # chain before segment
        key = columns[index]
        if key is None or index >= len(raw) or not cells.text(raw[index]):
            continue
        where[key] = headers[index]
        kind = LEDGER_FIELDS[key][2]
        try:
            chain = row.values.get("chain")
            row.values[key] = convert(kind, raw[index], header_unit(headers[index]), lookups, chain)
        except ValueError as exc:
            row.errors.append(f"第 {number} 行「{headers[index]}」：{exc}")
    _check(row, where, owners, actor)
    return row


def _check(row: LedgerRow, where: dict[str, str], owners: dict[str, int], actor: User) -> None:
    """The rules across a row's cells; each problem names its column."""
    v, n = row.values, row.number

    def fail(key: str, message: str) -> None:
        row.errors.append(f"第 {n} 行「{where.get(key, LEDGER_FIELDS[key][0])}」：{message}")

    if "source" in v and v["source"] not in _SOURCES:
        fail("source", f"未知招商渠道“{v['source']}”（应为{'、'.join(_SOURCES)}之一）")
    if "owner" in v:
        owner = owners.get(v["owner"])
        if owner is None:
            fail("owner", f"没有名为“{v['owner']}”的在岗用户")
        elif owner != actor.id and not permissions.can_assign_lead(actor):
            fail("owner", "只有管理员可以导入由他人负责的项目")
        v["owner_id"] = owner
    try:
        lead_fields(row)
    except FieldErrors as exc:
        for key, message in exc.errors.items():
            fail(key if key in LEDGER_FIELDS else "name", message)
    today, stages = china_today(), row.stages()
    v.setdefault("created_on", min([d for _, d in stages], default=today))
    if v["created_on"] > today:
        fail("created_on", "登记日期不能晚于今天")
    previous = ("created_on", v["created_on"])
    for stage, on in stages + _side(row):
        key = f"{stage}_on"
        if on > today:
            fail(key, "日期不能晚于今天")
        elif on < previous[1]:
            fail(key, f"日期早于「{LEDGER_FIELDS[previous[0]][0]}」{previous[1].isoformat()}")
        previous = (key, on)
    reached = [FLOW.index(s) for s, _ in stages]
    for index in range(SIGNED + 1, max(reached, default=0)):
        if index not in reached:
            later = LEAD_STAGE_LABELS[FLOW[max(reached)]]
            fail(f"{FLOW[index]}_on", f"有{later}日期时须填写（签约后逐级推进）")
    if v.get(f"{LeadStage.registered}_on") and not v.get("registered_name"):
        fail(
            "registered_name", "有注册落地日期时须填写注册企业名称（信用代码未知可留空，记为待补）"
        )
    if len(_side(row)) > 1:
        fail("dropped_on", "暂缓日期与终止日期只能填一个")
    if v.get("drop_reason") and v["drop_reason"] not in _REASONS:
        v["drop_note"] = v["drop_reason"]
    if v.get("arrived") and max(reached, default=0) < SIGNED:
        fail("arrived", "签约前的项目不能登记到资（请填写签约日期）")


def _side(row: LedgerRow) -> list[tuple[LeadStage, date]]:
    side = (LeadStage.on_hold, LeadStage.dropped)
    return [(s, row.values[f"{s}_on"]) for s in side if row.values.get(f"{s}_on")]


def drop_reason(row: LedgerRow) -> DropReason:
    """The reason a dropped project's row gives (其他 when the words are its own)."""
    return _REASONS.get(row.values.get("drop_reason", ""), DropReason.other)


def lead_fields(row: LedgerRow) -> LeadFields:
    """The row as a new lead's fields (FieldErrors keyed by the row's fields)."""
    v = row.values
    notes = [f"母公司/集团：{v['parent']}" if v.get("parent") else "", v.get("issues", "")]
    data = {
        "name": v.get("name", ""),
        "investor_name": v.get("investor_name", ""),
        "investor_credit_code": v.get("investor_credit_code"),
        "source": _SOURCES.get(v.get("source", ""), "other"),
        "chain_id": v.get("chain"),
        "segment_id": v.get("segment"),
        "park_id": v.get("park"),
        "planned_investment": v.get("planned_investment"),
        "expected_output": v.get("expected_output"),
        "expected_tax": v.get("expected_tax"),
        "space_need": v.get("space_need"),
        "owner_id": v.get("owner_id"),
        "description": "\n".join(x for x in notes if x)[:2000],
    }
    return parse(LeadFields, data, LEAD_LABELS)


def _mark_duplicates(session: Session, actor: User, rows: list[LedgerRow]) -> None:
    """Rows whose investor is already a project, or an earlier row of the same file."""
    seen: dict[str, int] = {}
    for row in (r for r in rows if not r.errors):
        name = row.values["investor_name"]
        found = lead_duplicates.duplicates(
            session=session,
            user=actor,
            investor_name=name,
            credit=row.values.get("investor_credit_code"),
            exclude=None,
        )
        row.duplicates = [f"已有项目：{d.name}" for d in found if d.kind == "lead"]
        core = core_name(name)
        if core in seen:
            row.duplicates.append(f"与第 {seen[core]} 行投资方相同")
        seen.setdefault(core, row.number)
