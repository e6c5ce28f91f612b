"""What a row of a list may do, beyond its cells being right: the preview's verdict on a row.

A row that matches an existing firm (by credit code, then exact name) may change it only if the
importer may edit that firm where it stands now and where the row would put it
(core.permissions); a designation list may not recognise a firm at a date before the last
event of its cultivation record, since the roster and the as-of counts would then disagree.
The commit and the undo ask `authority_problem` again for every record they write: the preview
may be stale.
"""

from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from core import bulk, permissions
from core.accounts import User
from core.db import china_today
from core.orgs import Park
from enterprises.cultivation.designations import Designation
from enterprises.cultivation.pipeline import (
    ORDER,
    STAGE_LABELS,
    Cultivation,
    CultivationEvent,
    Stage,
    is_ordinary,
)
from enterprises.registry.models import FIELD_LABELS, EnterpriseFields
from enterprises.spreadsheets import import_fields
from enterprises.spreadsheets.import_headers import IMPORT_FIELDS
from enterprises.spreadsheets.import_rows import RowFate

ENTERPRISE_KEYS = frozenset(IMPORT_FIELDS) & frozenset(EnterpriseFields.model_fields)
Latest = dict[tuple[int, int | None], tuple[date, Stage]]  # (firm, chain) → last event
Firm = Any  # a firm a row matched: a row of the enterprise table (its columns as attributes)
# The columns of a matched firm the check reads: those a list may change, and its id.
FIRM_COLUMNS = ("id", *sorted(ENTERPRISE_KEYS | {"park_id"}))


def park_names(session: Session) -> dict[int | None, str]:
    """Each park's name by id (None: a firm in no park)."""
    names: dict[int | None, str] = {p.id: p.name for p in session.exec(select(Park))}
    names[None] = "未分园区"
    return names


def authority_problem(
    actor: User,
    row: int | None,
    name: str,
    park_id: int | None,
    target_park_id: int | None,
    parks: dict[int | None, str],
) -> str | None:
    """Why the actor may not write this row's firm (in `park_id`, to be in `target_park_id`)."""
    at = f"第 {row} 行：" if row is not None else ""
    if not permissions.can_edit_enterprise(actor, park_id):
        return f"{at}企业「{name}」属于{parks.get(park_id, '其他园区')}，您无权修改"
    if not permissions.can_edit_enterprise(actor, target_park_id):
        where = parks.get(target_park_id, "其他园区")
        return f"{at}企业「{name}」不能移入{where}，您无权维护该园区的企业"
    return None


def latest_events(session: Session, designation: Designation | None, firm_ids: list[int]) -> Latest:
    """The last event of each of these firms' cultivations toward the designation."""
    if designation is None or not firm_ids:
        return {}
    latest: Latest = {}
    last = (
        select(
            Cultivation.enterprise_id,
            Cultivation.chain_id,
            func.max(CultivationEvent.on),
        )
        .join(CultivationEvent, col(CultivationEvent.cultivation_id) == col(Cultivation.id))
        .where(Cultivation.designation_id == designation.id)
        .group_by(col(Cultivation.enterprise_id), col(Cultivation.chain_id))
    )
    for among in bulk.among(session, Cultivation.enterprise_id, firm_ids):
        for firm_id, chain_id, on in session.exec(last.where(among)):
            latest[(firm_id, chain_id)] = (on, Stage.candidate)
    stages = select(Cultivation.enterprise_id, Cultivation.chain_id, Cultivation.stage).where(
        Cultivation.designation_id == designation.id
    )
    for among in bulk.among(session, Cultivation.enterprise_id, list({k[0] for k in latest})):
        for firm_id, chain_id, stage in session.exec(stages.where(among)):
            if (firm_id, chain_id) in latest:
                latest[(firm_id, chain_id)] = (latest[(firm_id, chain_id)][0], Stage(stage))
    return latest


def recognition_date(values: dict[str, Any]) -> date:
    """The date a listed recognition took effect: the stated date, else the year's last day."""
    return values.get("recognised_on") or date(values["year"], 12, 31)


def target_stage(values: dict[str, Any], list_stage: Stage) -> Stage:
    """The stage a row places its firm at: its own 阶段, else the one the list was uploaded for."""
    return Stage(values.get("stage") or list_stage)


def step_date(values: dict[str, Any], target: Stage, today: date | None = None) -> date:
    """The date a row's firm reached its stage: a recognition's date, else the stated 阶段日期,
    else the day of the import."""
    if target == Stage.recognised:
        return recognition_date(values)
    return values.get("stage_on") or today or china_today()


def order_problem(actor: User, current: Stage, target: Stage) -> str | None:
    """Why a list may not move a cultivation from `current` to `target` (pipeline's rules: one
    stage on, or a restart after an exit; skipping needs an admin; a list never steps back).
    A recognition list keeps its own rule (any stage may be recognised, not backdated)."""
    if target == Stage.recognised or current == target:
        return None
    if current in ORDER and ORDER.index(target) < ORDER.index(current):
        return f"已处于“{STAGE_LABELS[current]}”阶段，名单不能将其退回“{STAGE_LABELS[target]}”"
    if is_ordinary(current, target, False) or permissions.can_move_out_of_order(actor):
        return None
    return (
        f"处于“{STAGE_LABELS[current]}”阶段，直接列为“{STAGE_LABELS[target]}”不符合培育顺序，"
        "须由管理员导入"
    )


def enterprise_values(values: dict[str, Any]) -> dict[str, Any]:
    """The row's values as enterprise fields (park → park_id)."""
    fields = {k: v for k, v in values.items() if k in ENTERPRISE_KEYS}
    if "park" in values:
        fields["park_id"] = values["park"]
    return fields


def judge(
    fate: RowFate,
    *,
    actor: User,
    park_id: int | None,
    designation: Designation | None,
    firm: Firm | None,
    seen: dict[str, int],
    parks: dict[int | None, str],
    latest: Latest,
    list_stage: Stage = Stage.recognised,
) -> None:
    """Settle a parsed row's fate: error, new, update (with its changes) or same.

    `park_id` is the park a park bureau's batch is confined to; `firm` the existing firm the
    row matched; `seen` the credit codes and names of the rows before it.
    """
    values = fate.values
    for key in (values.get("credit_code"), values.get("name")):
        if key and key in seen:
            fate.errors.append(f"第 {fate.row} 行：与第 {seen[key]} 行重复（{key}）")
        elif key:
            seen[key] = fate.row
    if park_id is not None:
        if values.get("park", park_id) != park_id:
            fate.errors.append(f"第 {fate.row} 行「所属园区」：园区管理局只能导入本园区的企业")
        if firm is None:
            values.setdefault("park", park_id)
    per_chain = designation is not None and designation.per_chain
    if designation is not None and per_chain and not values.get("chain"):
        fate.errors.append(f"第 {fate.row} 行：“{designation.name}”按产业链认定，须填写「产业链」")
    target = target_stage(values, list_stage)
    if designation is None and values.get("stage"):
        fate.errors.append(
            f"第 {fate.row} 行「阶段」：企业名单不登记培育阶段，请在名单类型中选择称号"
        )
    elif (
        designation is not None
        and target == Stage.recognised
        and not (values.get("year") or values.get("recognised_on"))
    ):
        fate.errors.append(
            f"第 {fate.row} 行：导入“{designation.name}”认定名单须有「认定年度」或「认定日期」"
        )
    # A firm joins a chain's map through a segment; a chain alone would be dropped unseen
    # (it is kept only as the chain a per-chain designation is recognised for).
    if values.get("chain") and not values.get("segment"):
        segment_unread = any("「环节」" in e or "「产业链环节」" in e for e in fate.errors)
        if not per_chain and not segment_unread:
            fate.errors.append(
                f"第 {fate.row} 行「产业链」：须同时填写「环节」，企业按环节归入产业链图谱"
            )
        else:
            fate.notes.append("未填环节，只按此产业链登记认定，不归入产业链图谱")
    if firm is not None:
        _check_matched(fate, actor, designation, firm, parks, latest, target)
    fields = enterprise_values(values)
    checked = import_fields.checked(fields, new=firm is None)
    if checked is None:
        for key, message in import_fields.problems(fields, new=firm is None):
            fate.errors.append(f"第 {fate.row} 行「{FIELD_LABELS.get(key, key)}」：{message}")
    if fate.errors:
        fate.status = "error"
        return
    assert checked is not None
    if firm is None:
        fate.status = "new"
        fate.fields = checked  # the rest are defaults
        return
    fate.enterprise_id = firm.id
    fate.changes = {k: (old, v) for k, v in checked.items() if (old := getattr(firm, k)) != v}
    fate.status = "update" if fate.changes else "same"


def _check_matched(
    fate: RowFate,
    actor: User,
    designation: Designation | None,
    firm: Firm,
    parks: dict[int | None, str],
    latest: Latest,
    to_stage: Stage,
) -> None:
    values = fate.values
    if values.get("credit_code") and firm.credit_code not in (None, values["credit_code"]):
        fate.errors.append(
            f"第 {fate.row} 行：名称与已有企业相同但信用代码不同（{firm.credit_code}）"
        )
    target = values.get("park", firm.park_id)
    if problem := authority_problem(actor, fate.row, firm.name, firm.park_id, target, parks):
        fate.errors.append(problem)
    if designation is None or fate.errors:
        return
    chain_id = values.get("chain") if designation.per_chain else None
    last = latest.get((firm.id or 0, chain_id))
    on = step_date(values, to_stage)
    if to_stage != Stage.recognised:
        if last is None or last[1] == to_stage:
            return
        if problem := order_problem(actor, last[1], to_stage):
            fate.errors.append(f"第 {fate.row} 行「阶段」：企业「{firm.name}」{problem}")
        elif on < last[0]:
            fate.errors.append(
                f"第 {fate.row} 行：企业「{firm.name}」列为“{STAGE_LABELS[to_stage]}”的日期"
                f" {on.isoformat()} 早于其培育记录的最近一步（{last[0].isoformat()}"
                f" {STAGE_LABELS[last[1]]}），请核对「阶段日期」"
            )
        return
    if last is not None and on < last[0] and last[1] != Stage.recognised:
        fate.errors.append(
            f"第 {fate.row} 行：企业「{firm.name}」的认定日期 {on.isoformat()} 早于其培育记录的"
            f"最近一步（{last[0].isoformat()} {STAGE_LABELS[last[1]]}），"
            "补登会使名单与历史统计不一致，请核对认定日期或先在培育记录中处理"
        )
