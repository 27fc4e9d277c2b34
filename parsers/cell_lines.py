"""Table rows rebuilt from one-cell-per-line text that has no tabs.

Text copied from a web page, or ``pdftotext`` output without ``-layout``, gives every table
cell its own line and nothing else: no tab, no rule, often no sign of where a row ends::

    一、本年新收政府信息公开申请数量      <- a row label (parsers.schema knows it)
    0                                     <- its seven cells, one per line; a blank cell
    <blank line>                          <- is an empty line, or a line of &nbsp;
    ...
    （三）不 / 予 / 公 / 开               <- a vertical label, one character per line
    1.属于国家秘密

Rows are rebuilt from the labels the template knows and the number of columns the row has:

* lines are *labels* (text), *values* (numbers, "—", "/", "无", "0件"), *blank cells* (a line
  of non-breaking spaces), *gaps* (empty lines: a blank cell or just the end of a row) or
  *prose* (a sentence: it ends any row);
* consecutive label lines (gaps between them ignored) form one label: "（三）不" "予" "公" "开"
  "1.属于国家秘密" is one row label; a new label starts after the values of the previous row,
  or, when the previous label already names a row, at a numbered line ("2.重复申请") or after
  a run of gaps as long as the row (a row of empty cells);
* the shortest tail of a label that names a row is the row's label; header words before it
  ("信息内容", "申请人情况", "第二十条第（一）项") become header rows, so a header repeated at
  a page break is read as a header again, and anything else before it (the group label
  "三、本年度办理结果") stays the row's first label cell;
* the row's cells are a window of exactly as many lines as the row has columns that holds every
  value and blank cell after the label. When the gaps around the values allow more than one
  window, the placements are handed on as the row's ``readings``: the table reader takes the
  one reading that adds up, or reports the row ``ambiguous_row``. One regularity of the table
  itself narrows them first: when every row whose placement is certain (two at least) starts
  its cells at the same distance from its label, and every uncertain row could start there
  too, the uncertain rows are read so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from parsers import schema
from parsers.rows import Line, Row
from parsers.text import label_key, looks_like_value

_PROSE_CHARS = 45  # the longest template label has 37 characters; prose runs longer
_NUMBERED = re.compile(r"^[(（]?[一二三四五六七八九十\d]+[)）.、．]")
_RULE = re.compile(r"^[\-=_—]{4,}$")
_PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$").match
_HEADER_WORDS = {
    "active": ("第二十条", "信息内容"),
    "requests": ("申请人情况", "自然人", "商业企业", "科研机构", "法律服务机构", "勾稽"),
    "review_litigation": ("行政复议", "行政诉讼", "维持", "纠正", "审结", "直接起诉", "复议后起诉"),
}
_REVIEW_WIDTH = len(schema.REVIEW_KEYS)
# a label word ending in a number: "规章0", "一、本年新收政府信息公开申请数量3件"
_GLUED_VALUE = re.compile(r"^(.*[\u4e00-\u9fff)）])([+-]?\d+(?:\.\d+)?(?:件|万元|元)?)$")

LABEL, VALUE, BLANK, GAP, PROSE = "label", "value", "blank", "gap", "prose"


@dataclass
class _Pending:
    labels: list[str] = field(default_factory=list)
    slots: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)


@dataclass
class _Built:
    label_cells: list[str]
    values: list[str] | None  # one certain placement, or None
    placements: list[tuple[int, list[str]]]  # (lead, values) when uncertain
    header: bool = False


def _kind(line: Line) -> tuple[str, str]:
    if not line.text:
        return (BLANK if line.blank_cell else GAP), ""
    text = line.text
    if looks_like_value(text):
        return VALUE, text
    key = label_key(text)
    if _RULE.match(key):
        return GAP, ""
    if len(key) > _PROSE_CHARS or key.endswith(("。", "：", ":")):
        return PROSE, text
    return LABEL, text


def _tokens(line: Line) -> list[tuple[str, str]]:
    """A line's token; a line that ends in space-separated values ("规章 0 0 1", as PDF text
    lines without a table grid give it) is its label and its values."""
    text = line.text
    if _PAGE_NUMBER(text):  # "- 2 -", "第2页 共5页": a page break inside the table, no cell
        return []
    if " " not in text:
        return [_kind(line)]
    words = text.split()
    if all(looks_like_value(word) for word in words):  # "0 0 0 0 0": a row of values
        return [(VALUE, word) for word in words]
    split = len(words)
    while split > 0 and looks_like_value(words[split - 1]):
        split -= 1
    if split == len(words):
        return [_kind(line)]
    values = words[split:]
    glued = _GLUED_VALUE.match(words[split - 1])
    if glued:  # clean_line drops the space between a label and a number: "规章0 0 1"
        words[split - 1] = glued.group(1)
        values.insert(0, glued.group(2))
    kind, head = _kind(Line(" ".join(words[:split])))
    if kind != LABEL:  # a sentence that happens to end in numbers
        return [_kind(line)]
    return [(LABEL, head)] + [(VALUE, word) for word in values]


class _Table:
    """What the rebuild needs to know about one table: which labels name a row, how wide it is."""

    def __init__(self, table: str, template: str) -> None:
        self.table = table
        self.template = template
        self.header_words = _HEADER_WORDS[table]

    def width(self, label: str) -> int | None:
        """Columns of the row ``label`` names, None when it names no row of this table."""
        return _row_width(self.table, self.template, label_key(label))

    def is_header(self, label: str) -> bool:
        key = label_key(label)
        return any(word in key for word in self.header_words)


@lru_cache(maxsize=4096)
def _row_width(table: str, template: str, key: str) -> int | None:
    if table == "active":
        spec = schema.first_match(key, schema.TABLE2_ROWS[template])
        return len(spec.columns) if spec else None
    if table == "requests":
        item = schema.first_match(key, schema.REQUEST_ITEMS)
        group = schema.first_match(key, schema.REQUEST_GROUPS)
        named = item or (group and group[0] in schema.SINGLE_ROW_GROUPS)
        named = named or (group and group[0] == "other" and template == "2019")
        named = named or re.sub(r"^\d+[.、．]", "", key) == schema.OTHER_OTHER_FRAGMENT
        return len(schema.REQUEST_COLUMNS) if named else None
    return None


def rebuild_rows(lines: list[Line], table: str, template: str, table_id: int) -> list[Row]:
    """Rows of ``table`` (``active``, ``requests`` or ``review_litigation``) of a ``template``
    report rebuilt from the tab-less lines of its part; header rows included, prose left out.

    >>> rows = rebuild_rows([Line("规章"), Line("0"), Line(""), Line("2")], "active", "2021", 1)
    >>> rows[0].cells
    ('规章', '0', '', '2')
    """
    spec = _Table(table, template)
    built: list[_Built] = []
    pending = _Pending()
    for kind, text in (token for line in lines for token in _tokens(line)):
        if kind == PROSE:
            _flush(pending, spec, built)
            pending = _Pending()
        elif kind == LABEL:
            if any(k in (VALUE, BLANK) for k, _ in pending.slots) or _starts_new_row(pending, text, spec):
                _flush(pending, spec, built)
                pending = _Pending()
            pending.labels.append(text)
            pending.slots = []
        elif pending.labels or kind != GAP:
            pending.slots.append((kind, text))
    _flush(pending, spec, built)
    _settle_by_common_lead(built)
    return [_row(b, table_id) for b in built]


def _starts_new_row(pending: _Pending, text: str, spec: _Table) -> bool:
    """A label line after a label that already names a row, with only gaps between them."""
    if not pending.labels:
        return False
    width = spec.width("".join(pending.labels))
    if width is None:
        return False
    return bool(_NUMBERED.match(label_key(text))) or spec.width(text) is not None or len(pending.slots) >= width


def _flush(pending: _Pending, spec: _Table, built: list[_Built]) -> None:
    labels, slots = pending.labels, pending.slots
    if not labels and not any(k != GAP for k, _ in slots):
        return
    # the shortest tail of the label lines that names a row is the row's own label
    split, width = len(labels), None
    for start in range(len(labels) - 1, -1, -1):
        width = spec.width("".join(labels[start:]))
        if width is not None:
            split = start
            break
    if spec.table == "review_litigation":
        split, width = len(labels), _REVIEW_WIDTH
    prefix, own = labels[:split], labels[split:]
    label_cells = ["".join(own)] if own else []
    if prefix:
        if any(spec.is_header(p) for p in prefix):
            for header in _header_rows(prefix, spec):
                built.append(_Built(header, [], [], header=True))
        else:
            label_cells.insert(0, "".join(prefix))
    if not any(k != GAP for k, _ in slots) and width is None:
        return
    built.append(_place(label_cells, slots, width))


def _header_rows(prefix: list[str], spec: _Table) -> list[list[str]]:
    """Header lines as rows. Table 2 starts a header row at each 第二十条/信息内容 line and
    joins a column name broken over lines ("本年新" + "制作数量", "…（单位：" + "万元）")."""
    rows: list[list[str]] = []
    for text in prefix:
        key = label_key(text)
        if not rows or (spec.table == "active" and key.startswith(("第二十条", "信息内容"))):
            rows.append([text])
        elif spec.table == "active" and _unfinished_column(rows[-1][-1], spec.template):
            rows[-1][-1] += text
        else:
            rows[-1].append(text)
    return rows


def _unfinished_column(cell: str, template: str) -> bool:
    key = label_key(cell)
    if key.startswith(("第二十条", "信息内容")):
        return False
    return schema.first_match(key, schema.TABLE2_COLUMNS[template]) is None or key.count("(") > key.count(")")


def _place(label_cells: list[str], slots: list[tuple[str, str]], width: int | None) -> _Built:
    kept = [i for i, (k, _) in enumerate(slots) if k in (VALUE, BLANK)]
    texts = [text for _, text in slots]
    if width is None or len(kept) > width or len(slots) < width or not kept:
        # unknown row, stray cells, cells missing from the text, or nothing but blanks: the
        # table reader judges the values as they stand. A row is all blank only when its empty
        # lines are there to say so and its label holds no number ("规章：3件" is not blank).
        all_blank = not kept and width is not None and len(slots) >= width and not _digits_in(label_cells)
        values = [""] * width if all_blank else [texts[i] for i in kept]
        return _Built(label_cells, values, [])
    first, last = kept[0], kept[-1]
    starts = range(max(0, last - width + 1), min(first, len(slots) - width) + 1)
    placements = [(start, texts[start : start + width]) for start in starts]
    if not placements:  # the values lie further apart than the row is wide
        return _Built(label_cells, [texts[i] for i in kept], [])
    if len({tuple(values) for _, values in placements}) == 1:
        return _Built(label_cells, placements[0][1], [(placements[0][0], placements[0][1])] if len(placements) == 1 else [])
    return _Built(label_cells, None, placements)


def _digits_in(label_cells: list[str]) -> bool:
    return any(ch.isdigit() for cell in label_cells for ch in _NUMBERED.sub("", label_key(cell)))


def _settle_by_common_lead(built: list[_Built]) -> None:
    certain = {b.placements[0][0] for b in built if b.values is not None and len(b.placements) == 1}
    count = sum(1 for b in built if b.values is not None and len(b.placements) == 1)
    if len(certain) != 1 or count < 2:
        return
    (lead,) = certain
    if any(b.values is None and all(start != lead for start, _ in b.placements) for b in built):
        return  # a row that cannot start there: the table is not that regular
    for b in built:
        if b.values is None:
            chosen = [values for start, values in b.placements if start == lead]
            if chosen:
                b.values = chosen[0]


def _row(b: _Built, table_id: int) -> Row:
    if b.header:
        return Row(tuple(b.label_cells), table_id)
    if b.values is not None:
        return Row(tuple(b.label_cells + list(b.values)), table_id)
    readings = tuple(tuple(values) for _, values in b.placements)
    return Row(tuple(b.label_cells + list(readings[0])), table_id, readings=readings)
