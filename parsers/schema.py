"""The canonical keys of tables 2, 3 and 4 and the label wordings that lead to them.

Keys follow the report-format spec (``table.row.column``) and are the archive's public
interface. Each row and column also lists the *fragments* a label must contain, compared
after ``parsers.text.label_key`` (half-width, no whitespace, 其它 -> 其他). To accept a new
wording of a label, add a fragment here (see docs/parser.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Column:
    key: str
    fragments: tuple[str, ...]
    money: bool = False
    signed: bool = False


@dataclass(frozen=True)
class Row:
    key: str
    fragments: tuple[str, ...]
    columns: tuple[str, ...]


# ------------------------------------------------------------------------------ table 2

_MADE = Column("made", ("新制作",))
_PUBLISHED = Column("published", ("新公开",))
_TOTAL2 = Column("total", ("公开总数", "总数量"))
_PREV = Column("prev_items", ("上一年项目", "上年项目"))
_CHANGE = Column("change", ("增/减", "增减", "增(减)"), signed=True)
_DECISIONS = Column("decisions", ("处理决定",))
_ITEMS = Column("items", ("采购项目",))
_PROC_AMOUNT = Column("amount", ("采购总金额", "采购金额", "总金额"), money=True)
_ISSUED = Column("issued", ("制发",))
_REPEALED = Column("repealed", ("废止",))
_IN_FORCE = Column("in_force", ("现行有效",))
_FEE_AMOUNT = Column("amount", ("收费金额", "金额"), money=True)

TABLE2_COLUMNS = {
    "2019": (_MADE, _PUBLISHED, _TOTAL2, _PREV, _CHANGE, _DECISIONS, _ITEMS, _PROC_AMOUNT),
    "2021": (_ISSUED, _REPEALED, _IN_FORCE, _DECISIONS, _FEE_AMOUNT),
}

# The first row whose fragment the label contains wins ("规章" before "规范性文件": no label
# of one contains the other's fragment). Row order is also the order of keys in a record.
TABLE2_ROWS = {
    "2019": (
        Row("art20_1.rules", ("规章",), ("made", "published", "total")),
        Row("art20_1.normative", ("规范性文件",), ("made", "published", "total")),
        Row("art20_5.licensing", ("行政许可",), ("prev_items", "change", "decisions")),
        Row("art20_5.other_services", ("对外管理服务",), ("prev_items", "change", "decisions")),
        Row("art20_6.penalty", ("行政处罚",), ("prev_items", "change", "decisions")),
        Row("art20_6.coercion", ("行政强制",), ("prev_items", "change", "decisions")),
        Row("art20_8.fees", ("事业性收费", "行政收费"), ("prev_items", "change")),
        Row("art20_9.procurement", ("集中采购", "政府采购"), ("items", "amount")),
    ),
    "2021": (
        Row("art20_1.rules", ("规章",), ("issued", "repealed", "in_force")),
        Row("art20_1.normative", ("规范性文件",), ("issued", "repealed", "in_force")),
        Row("art20_5.licensing", ("行政许可",), ("decisions",)),
        Row("art20_6.penalty", ("行政处罚",), ("decisions",)),
        Row("art20_6.coercion", ("行政强制",), ("decisions",)),
        Row("art20_8.fees", ("事业性收费", "行政收费"), ("amount",)),
    ),
}

# ------------------------------------------------------------------------------ table 3

REQUEST_COLUMNS = (
    Column("natural_person", ("自然人",)),
    Column("commercial", ("商业企业", "商业")),
    Column("research", ("科研机构", "科研")),
    Column("social_org", ("社会公益组织", "公益组织", "社会公益")),
    Column("legal_service", ("法律服务机构", "法律服务")),
    Column("other_org", ("其他",)),
    Column("total", ("总计", "合计")),
)
REQUEST_PARTS = tuple(c.key for c in REQUEST_COLUMNS[:6])

# Groups of table 3: (group key, fragments). A row label names its group, its item, or both.
REQUEST_GROUPS = (
    ("carried_forward", ("结转下年度", "下年度继续办理", "转下年")),
    ("new", ("本年新收", "新收政府信息", "本年度新收")),
    ("carried_over", ("上年结转",)),
    ("withheld", ("不予公开",)),
    ("granted", ("予以公开",)),
    ("partial", ("部分公开",)),
    ("unable", ("无法提供",)),
    ("not_processed", ("不予处理",)),
    ("other", ("其他处理",)),
    ("total", ("总计", "合计")),
)

# Items inside groups: (group, key, fragments). Item fragments are unique across groups,
# except the 2021 "3.其他", which is only read inside (六)其他处理.
REQUEST_ITEMS = (
    ("withheld", "withheld.state_secret", ("国家秘密",)),
    ("withheld", "withheld.other_law", ("法律行政法规禁止", "法律法规禁止", "其他法律", "行政法规禁止")),
    ("withheld", "withheld.security_stability", ("三安全一稳定", "危及")),
    ("withheld", "withheld.third_party", ("第三方",)),
    ("withheld", "withheld.internal_affairs", ("内部事务",)),
    ("withheld", "withheld.process_info", ("过程性",)),
    ("withheld", "withheld.enforcement_file", ("执法案卷",)),
    ("withheld", "withheld.query_matter", ("查询事项", "行政查询")),
    ("unable", "unable.not_held", ("不掌握",)),
    ("unable", "unable.needs_creation", ("另行制作", "没有现成")),
    ("unable", "unable.unclear", ("仍不明确", "补正后")),
    ("not_processed", "not_processed.petition", ("信访", "举报投诉")),
    ("not_processed", "not_processed.duplicate", ("重复申请",)),
    ("not_processed", "not_processed.publication", ("出版物",)),
    ("not_processed", "not_processed.excessive", ("大量反复",)),
    ("not_processed", "not_processed.confirmation", ("重新出具", "确认或重新")),
    ("other", "other.overdue_correction", ("逾期不补正", "不补正")),
    ("other", "other.overdue_fee", ("缴纳费用", "收费通知", "逾期未按")),
)
OTHER_OTHER_FRAGMENT = "其他"

_ROWS_COMMON_HEAD = (
    "new", "carried_over", "granted", "partial",
    "withheld.state_secret", "withheld.other_law", "withheld.security_stability",
    "withheld.third_party", "withheld.internal_affairs", "withheld.process_info",
    "withheld.enforcement_file", "withheld.query_matter",
    "unable.not_held", "unable.needs_creation", "unable.unclear",
    "not_processed.petition", "not_processed.duplicate", "not_processed.publication",
    "not_processed.excessive", "not_processed.confirmation",
)
REQUEST_ROWS = {
    "2019": _ROWS_COMMON_HEAD + ("other", "total", "carried_forward"),
    "2021": _ROWS_COMMON_HEAD
    + ("other.overdue_correction", "other.overdue_fee", "other.other", "total", "carried_forward"),
}
SINGLE_ROW_GROUPS = frozenset({"new", "carried_over", "granted", "partial", "total", "carried_forward"})

# ------------------------------------------------------------------------------ table 4

REVIEW_GROUPS = (
    # Checked in this order: "复议后起诉" contains "复议", "未经复议直接起诉" too.
    ("litigation_after_review", ("复议后起诉",)),
    ("litigation_direct", ("直接起诉", "未经复议")),
    ("review", ("行政复议", "复议")),
)
REVIEW_OUTCOMES = (
    Column("upheld", ("维持",)),
    Column("corrected", ("纠正",)),
    Column("other", ("其他",)),
    Column("pending", ("未审结", "尚未")),
    Column("total", ("总计", "合计")),
)
REVIEW_KEYS = tuple(
    f"{group}.{outcome.key}"
    for group in ("review", "litigation_direct", "litigation_after_review")
    for outcome in REVIEW_OUTCOMES
)


@lru_cache(maxsize=None)
def template_keys(template: str) -> tuple[str, ...]:
    """Every canonical cell key of ``template`` (``2019`` or ``2021``), in table order."""
    keys = [f"active.{row.key}.{col}" for row in TABLE2_ROWS[template] for col in row.columns]
    keys += [f"requests.{row}.{col.key}" for row in REQUEST_ROWS[template] for col in REQUEST_COLUMNS]
    keys += [f"review_litigation.{key}" for key in REVIEW_KEYS]
    return tuple(keys)


@lru_cache(maxsize=None)
def table_keys(template: str, table: str) -> tuple[tuple[str, str, str], ...]:
    """(key, key without the table, row key) of every cell of one table of ``template``."""
    prefix = table + "."
    return tuple(
        (key, key[len(prefix):], key.rsplit(".", 1)[0]) for key in template_keys(template) if key.startswith(prefix)
    )


def first_match(text: str, candidates):
    """The first candidate (anything with ``fragments`` or a (..., fragments) tuple) found in text."""
    for candidate in candidates:
        fragments = candidate.fragments if hasattr(candidate, "fragments") else candidate[-1]
        if any(fragment in text for fragment in fragments):
            return candidate
    return None
