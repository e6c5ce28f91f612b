"""Recognising the columns of an uploaded list from its Chinese headers."""

import re

from enterprises.spreadsheets import cells, tabular

# field: (label, header aliases, kind); the first alias is the label people expect.
IMPORT_FIELDS: dict[str, tuple[str, list[str], str]] = {
    "name": ("企业名称", ["企业名称", "单位名称", "公司名称", "企业（单位）名称", "名称"], "text"),
    "credit_code": ("统一社会信用代码", ["统一社会信用代码", "社会信用代码", "信用代码"], "code"),
    "park": ("所属园区", ["所属园区", "园区"], "park"),
    "district": ("所属区", ["所属区", "所在区", "行政区", "区"], "text"),
    "chain": ("产业链", ["产业链", "所属产业链"], "chain"),
    "segment": ("环节", ["产业链环节", "环节", "细分领域"], "segment"),
    "address": ("地址", ["注册地址", "企业地址", "通讯地址", "地址"], "text"),
    "founded_date": ("成立日期", ["成立日期", "成立时间", "注册日期", "注册时间"], "date"),
    "main_products": ("主营产品", ["主营产品", "主要产品", "主营业务"], "text"),
    "annual_revenue": ("营业收入", ["营业收入", "年营业收入", "主营业务收入"], "amount"),
    "annual_output": ("工业总产值", ["工业总产值", "年工业总产值", "产值"], "amount"),
    "rd_spend": ("研发投入", ["研发投入", "研发费用", "研发经费"], "amount"),
    "employees": ("从业人数", ["从业人数", "员工人数", "职工人数", "员工数"], "count"),
    "above_size": ("规上企业", ["是否规上", "规上企业", "规模以上"], "flag"),
    "contact_person": ("联系人", ["联系人"], "text"),
    "contact_phone": ("联系电话", ["联系电话", "联系方式", "电话", "手机"], "text"),
    "year": ("认定年度", ["认定年度", "认定年份", "认定批次", "批次", "年度"], "year"),
    "recognised_on": ("认定日期", ["认定日期", "认定时间", "发证日期", "发证时间"], "date"),
    # A cultivation list (候选 / 入库培育 / 申报): the stage of each row and the date it was
    # reached, where the list says so (else the stage chosen on upload, and the day of import).
    "stage": ("阶段", ["培育阶段", "所处阶段", "阶段"], "stage"),
    "stage_on": ("阶段日期", ["列入日期", "入库日期", "申报日期", "阶段日期"], "date"),
}
_UNIT = re.compile(r"[（(]\s*(亿元|万元|元)\s*[)）]")
_NOISE = re.compile(r"[\s（(].*$|[*＊:：]")


def _base(header: str) -> str:
    """A header without spaces, notes in brackets and markers such as * or :."""
    return _NOISE.sub("", header.replace(" ", "").replace("\u3000", ""))


Fields = dict[str, tuple[str, list[str], str]]


def guess_field(header: str, fields: Fields = IMPORT_FIELDS) -> str | None:
    """Return the field a header names, if any (exact alias first, then contained alias)."""
    base = _base(header)
    if not base:
        return None
    for key, (_, aliases, _) in fields.items():
        if base in aliases:
            return key
    contained = [(len(a), k) for k, (_, aliases, _) in fields.items() for a in aliases if a in base]
    return max(contained)[1] if contained else None


def find_header(rows: list[list[tabular.Cell]], fields: Fields = IMPORT_FIELDS) -> int:
    """Return the index of the header row: the one naming most known columns in the top rows
    (titles merged across the columns above it name one column at most)."""
    best, best_hits = 0, -1
    for index, row in enumerate(rows[: tabular.HEADER_SCAN]):
        hits = len({guess_field(cells.text(v), fields) for v in row} - {None})
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def header_unit(header: str) -> str:
    """The unit a header states for amounts (万元 unless it says 元 or 亿元)."""
    match = _UNIT.search(header)
    return match.group(1) if match else "万元"
