"""Importing lists of target firms (专精特新 lists, listed companies, exhibitors) from sheets.

The firm import's experience: the sheet is read safely (enterprises.spreadsheets.tabular), the
header row is found under merged titles, columns are mapped from their Chinese headers (and the
mapping can be corrected), and the preview says every row's fate — new, update of a target
already held (by credit code, then normalised name), unchanged, or an error naming row and
column. The commit writes every row or none.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core import audit, bulk, permissions
from core.accounts import User
from core.db import utcnow
from core.errors import FieldErrors, NotFound
from core.text import refuse_control
from core.validation import chinese_message
from enterprises.prospects.models import (
    EDITABLE,
    LISTING_LABELS,
    LISTING_WORDS,
    PROSPECT_LABELS,
    SIZE_LABELS,
    FirmSize,
    ImportState,
    Listing,
    Prospect,
    ProspectFields,
    ProspectImport,
)
from enterprises.prospects.service import name_key
from enterprises.spreadsheets import cells, tabular

# field: header aliases, the label people expect first. 主营产品 and 经营范围 may both be mapped:
# their texts are joined, since both say what a firm makes.
FIELDS: dict[str, list[str]] = {
    "name": ["企业名称", "公司名称", "公司全称", "企业全称", "单位名称", "名称"],
    "credit_code": ["统一社会信用代码", "社会信用代码", "信用代码"],
    "province": ["省份", "所在省份", "所属省份", "省"],
    "city": ["城市", "所在城市", "所属城市", "地市", "市"],
    "products": ["主营产品", "主要产品", "主导产品", "主营业务", "经营范围", "产品", "细分领域"],
    "size": ["企业规模", "规模"],
    "listing": ["上市情况", "上市板块", "上市状态", "是否上市", "板块"],
    "source_list": ["来源名单", "名单来源", "来源"],
    "tags": ["标签", "类别", "资质", "荣誉"],
    "note": ["备注", "说明"],
}
MULTI = {"products", "tags"}  # fields several columns may feed
_NOISE = re.compile(r"[\s（(].*$|[*＊:：]")
PREVIEW_ROWS = 200


def guess_field(header: str) -> str | None:
    """The field a header names, if any (an exact alias first, then the longest contained one)."""
    base = _NOISE.sub("", header.replace(" ", "").replace("\u3000", ""))
    if not base:
        return None
    for key, aliases in FIELDS.items():
        if base in aliases:
            return key
    contained = [(len(a), k) for k, aliases in FIELDS.items() for a in aliases if a in base]
    return max(contained)[1] if contained else None


def find_header(rows: list[list[tabular.Cell]]) -> int:
    """The index of the header row: the one naming most known columns among the top rows."""
    best, best_hits = 0, -1
    for index, row in enumerate(rows[: tabular.HEADER_SCAN]):
        hits = len({guess_field(cells.text(v)) for v in row} - {None})
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def parse_size(raw: str) -> FirmSize:
    """大型/中型/小型/微型 (or 大/中/小/微, 大型企业 …); empty is unknown."""
    if not raw or raw in ("未知", "-", "—"):
        return FirmSize.unknown
    for size, label in SIZE_LABELS.items():
        if raw.startswith(label[0]) and size != FirmSize.unknown:
            return size
    raise ValueError(f"无法识别“{raw}”（可写 大型、中型、小型、微型）")


def parse_listing(raw: str) -> Listing:
    """A board's name (科创板, 创业板, 港股 …), 是/否 or empty."""
    if raw in ("", "否", "无", "未上市", "-", "—"):
        return Listing.none
    for listing, label in LISTING_LABELS.items():
        if raw == label:
            return listing
    for word, listing in LISTING_WORDS.items():
        if word in raw:
            return listing
    if raw in ("是", "已上市", "上市"):
        return Listing.main
    raise ValueError(
        f"无法识别“{raw}”（可写 沪深主板、科创板、创业板、北交所、新三板、港股 或 否）"
    )


@dataclass
class RowFate:
    """What committing would do with one row."""

    row: int  # as the sheet numbers it
    status: str  # new | update | same | error
    name: str = ""
    prospect_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    """A batch's rows under a column mapping."""

    header_row: int
    columns: list[tuple[int, str, str | None]]  # index, header text, mapped field
    rows: list[RowFate]

    def count(self, status: str) -> int:
        """Rows with this fate."""
        return sum(1 for r in self.rows if r.status == status)

    @property
    def errors(self) -> list[str]:
        """Every row error, in row order."""
        return [e for r in self.rows for e in r.errors]


def stage(
    *, session: Session, actor: User, filename: str, content: bytes, source_list: str = ""
) -> ProspectImport:
    """Keep an uploaded list as a pending batch after checking that it can be read."""
    permissions.ensure_can_edit_prospects(actor)
    refuse_control(
        {"file": filename, "source_list": source_list},
        {"file": "文件名", "source_list": "来源名单"},
    )
    if len(source_list) > 100:
        raise FieldErrors({"source_list": "来源名单过长（最多 100 个字符）"})
    tabular.read(filename, content)
    batch = ProspectImport(
        filename=filename[:200],
        content=content,
        source_list=source_list.strip(),
        actor_id=actor.id,
        actor_name=actor.username,
    )
    session.add(batch)
    session.flush()
    return batch


def get(*, session: Session, user: User, batch_id: int) -> ProspectImport:
    """A batch of the target library's imports (for those who may edit the library)."""
    permissions.ensure_can_edit_prospects(user)
    batch = session.get(ProspectImport, batch_id)
    if batch is None:
        raise NotFound(f"导入批次 {batch_id} 不存在")
    return batch


def recent(*, session: Session, limit: int = 50) -> list[ProspectImport]:
    """The latest batches, newest first (without their files)."""
    stmt = select(ProspectImport).order_by(col(ProspectImport.id).desc()).limit(limit)
    return list(session.exec(stmt))


def set_mapping(*, session: Session, batch: ProspectImport, mapping: dict[str, str]) -> None:
    """Keep the user's column mapping (column index → field, or '' for not imported)."""
    if batch.status != ImportState.pending:
        raise FieldErrors({"mapping": "该批次已导入，不能再修改列的对应关系"})
    unknown = [v for v in mapping.values() if v and v not in FIELDS]
    if unknown:
        raise FieldErrors({"mapping": f"未知字段：{unknown[0][:20]}"})
    batch.mapping = {k: v for k, v in mapping.items() if v}
    session.flush()


def _columns(
    header: list[tabular.Cell], mapping: dict[str, str] | None
) -> list[tuple[int, str, str | None]]:
    columns: list[tuple[int, str, str | None]] = []
    taken: set[str] = set()
    for index, value in enumerate(header):
        text = cells.text(value)
        if mapping is not None:
            chosen = mapping.get(str(index))
        else:
            chosen = guess_field(text)
            if chosen in taken and chosen not in MULTI:
                chosen = None  # the first column of a field wins
        if chosen:
            taken.add(chosen)
        columns.append((index, text, chosen))
    return columns


def _values(
    raw: list[tabular.Cell], columns: list[tuple[int, str, str | None]]
) -> tuple[dict[str, Any], list[str]]:
    """A row's values by field, and the problems naming their column."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for index, header, key in columns:
        if key is None or index >= len(raw):
            continue
        text = cells.text(raw[index])
        if not text:
            continue
        try:
            if key == "size":
                values[key] = parse_size(text)
            elif key == "listing":
                values[key] = parse_listing(text)
            elif key in MULTI and key in values:
                values[key] = f"{values[key]}；{text}"
            else:
                values[key] = text
        except ValueError as exc:
            problems.append(f"“{header}”列{exc}")
    return values, problems


def _existing(
    session: Session, fates: list[RowFate]
) -> tuple[dict[str, Prospect], dict[str, Prospect]]:
    codes = [f.values["credit_code"] for f in fates if f.values.get("credit_code")]
    names = [name_key(f.values["name"]) for f in fates if f.values.get("name")]
    by_code: dict[str, Prospect] = {}
    by_name: dict[str, Prospect] = {}
    for condition in bulk.among(session, Prospect.credit_code, codes):
        for p in session.exec(select(Prospect).where(condition)):
            by_code[p.credit_code or ""] = p
    for condition in bulk.among(session, Prospect.name_core, names):
        for p in session.exec(select(Prospect).where(condition)):
            by_name.setdefault(p.name_core, p)
    return by_code, by_name


def preview(*, session: Session, batch: ProspectImport) -> Preview:
    """Every row's fate under the batch's mapping (guessed from the headers until set)."""
    rows = tabular.read(batch.filename, batch.content)
    header_index = find_header(rows)
    columns = _columns(rows[header_index], batch.mapping)
    if "name" not in {c for _, _, c in columns}:
        raise FieldErrors({"mapping": "没有找到“企业名称”列：请在列的对应关系中指定"})
    fates: list[RowFate] = []
    seen: dict[str, int] = {}
    for offset, raw in enumerate(rows[header_index + 1 :]):
        number = header_index + 2 + offset
        if not any(cells.text(v) for v in raw):
            continue
        values, problems = _values(raw, columns)
        values.setdefault("source_list", batch.source_list)
        fate = RowFate(row=number, status="new", name=str(values.get("name", "")))
        try:
            checked = ProspectFields.model_validate(values)
            fate.values = checked.model_dump(exclude_unset=True)
        except ValidationError as exc:
            for error in exc.errors():
                key = str(error["loc"][0]) if error["loc"] else ""
                label = PROSPECT_LABELS.get(key, key)
                problems.append(f"“{label}”{chinese_message(error)}")
        for marker in filter(None, [values.get("credit_code"), name_key(fate.name)]):
            marker = str(marker).upper()
            if marker in seen and not problems:
                problems.append(f"与第 {seen[marker]} 行是同一企业")
            seen.setdefault(marker, number)
        if problems:
            fate.status = "error"
            fate.errors = [f"第 {number} 行：{p}" for p in problems]
        fates.append(fate)
    by_code, by_name = _existing(session, [f for f in fates if f.status != "error"])
    for fate in fates:
        if fate.status == "error":
            continue
        code = fate.values.get("credit_code")
        twin = by_code.get(code) if code else None
        twin = twin or by_name.get(name_key(fate.values["name"]))
        if twin is None:
            continue
        fate.prospect_id = twin.id
        if twin.credit_code and code and twin.credit_code != code:
            fate.status = "error"
            fate.errors = [f"第 {fate.row} 行：与目标企业“{twin.name}”同名，但统一社会信用代码不同"]
            continue
        # A list fills what it knows: an empty cell never clears what is held.
        fate.changes = {
            k: (getattr(twin, k), v)
            for k, v in fate.values.items()
            if v not in ("", None, FirmSize.unknown) and getattr(twin, k) != v
        }
        fate.status = "update" if fate.changes else "same"
    return Preview(header_row=header_index + 1, columns=columns, rows=fates)


def commit(*, session: Session, actor: User, batch: ProspectImport) -> Preview:
    """Write every row of the batch, or nothing if any row has an error; return the preview."""
    permissions.ensure_can_edit_prospects(actor)
    if batch.status != ImportState.pending:
        raise FieldErrors({"file": "该批次已经导入过"})
    result = preview(session=session, batch=batch)
    if result.errors:
        listed = "；".join(result.errors[:5])
        more = f"等 {len(result.errors)} 处" if len(result.errors) > 5 else ""
        raise FieldErrors({"file": f"文件有错误，未导入任何行：{listed}{more}"})
    now = utcnow()
    new = [f for f in result.rows if f.status == "new"]
    ids = bulk.reserve_ids(session, Prospect, len(new))
    rows = []
    for fate, prospect_id in zip(new, ids, strict=True):
        values = ProspectFields(**fate.values).model_dump()
        rows.append(
            values
            | {
                "id": prospect_id,
                "name_core": name_key(values["name"]),
                "import_id": batch.id,
                "created_at": now,
                "updated_at": now,
            }
        )
        fate.prospect_id = prospect_id
    bulk.insert_rows(session, Prospect, rows)
    audit.record_created(
        session=session,
        actor=actor,
        action="import",
        object_type="prospect",
        rows=[
            (r["id"], r["name"], {k: r[k] for k in EDITABLE if r[k] not in ("", None)})
            for r in rows
        ],
    )
    updates = [f for f in result.rows if f.status == "update"]
    held = {p.id: p for p in _by_ids(session, [f.prospect_id or 0 for f in updates])}
    for fate in updates:
        prospect = held[fate.prospect_id]
        for key, (_old, value) in fate.changes.items():
            setattr(prospect, key, value)
        prospect.name_core = name_key(prospect.name)
        prospect.updated_at = now
        prospect.version += 1
        audit.record(
            session=session,
            actor=actor,
            action="import",
            obj=prospect,
            label=prospect.name,
            before={k: old for k, (old, _new) in fate.changes.items()},
            after={k: new for k, (_old, new) in fate.changes.items()},
        )
    batch.status = ImportState.committed
    batch.committed_at = now
    batch.rows_total = len(result.rows)
    batch.created_count = len(new)
    batch.updated_count = len(updates)
    batch.unchanged_count = result.count("same")
    session.flush()
    return result


def _by_ids(session: Session, ids: list[int]) -> list[Prospect]:
    found: list[Prospect] = []
    for condition in bulk.among(session, Prospect.id, ids):
        found.extend(session.exec(select(Prospect).where(condition)))
    return found


def changed_ids(result: Preview) -> list[int]:
    """The target firms a committed batch created or changed (to refresh their segments)."""
    return [f.prospect_id for f in result.rows if f.status in ("new", "update") and f.prospect_id]
