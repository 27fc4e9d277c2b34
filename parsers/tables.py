"""Tables 2, 3 and 4 from table rows to cells under canonical keys.

Rows are found by their labels (``parsers.schema`` fragments), never by their position.
Columns come from the header grid when the rows come from a real grid whose header names
every column; text rows (whose empty cells do not line up) take the values that follow the
row label, in the order the header names the columns. A row with more values than columns
("a stray cell") is resolved only when every reading agrees or exactly one reading adds up;
otherwise its cells stay empty and a problem says why. Words in a number cell, a repeated row
that disagrees with itself and an unknown row label are problems too: never a guessed number.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

from parsers import schema
from parsers.models import Problem
from parsers.rows import Row
from parsers.text import Reading, label_key, looks_like_value, read_count, read_money

_NUMBERING = re.compile(r"^[(（]?[一二三四五六七八九十\d]+[)）.、．]\s*")
_REQUEST_HEADER = ("自然人", "商业企业", "科研机构", "申请人情况", "勾稽", "法律服务机构")
_REVIEW_HEADER = ("复议", "诉讼", "维持", "纠正", "审结", "结果")
_UNIT_WAN = ("万元",)


@dataclass
class TableResult:
    """What one table yielded: readings by key (key without the table prefix) and problems."""

    readings: dict[str, tuple[Reading, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    found: bool = False
    confidence: dict[str, float] = field(default_factory=dict)
    """OCR confidence (0-100) of the grid slot each reading's raw text came from, by key;
    only for rows read from an image (``Row.confidence``)."""

    def put(self, key: str, reading: Reading, raw: str, prefix: str, confidence: float | None = None) -> None:
        previous = self.readings.get(key)
        if previous is not None and previous[0].value != reading.value:
            self.problems.append(
                Problem("conflicting_rows", f"{prefix}.{key} is given twice: {previous[1]!r} and {raw!r}", f"{prefix}.{key}")
            )
            self.readings[key] = (Reading(None, "conflict"), f"{previous[1]} / {raw}")
            self._set_confidence(key, min((c for c in (confidence, self.confidence.get(key)) if c is not None), default=None))
            return
        if previous is None or previous[0].status != "conflict":
            self.readings[key] = (reading, raw)
            if previous is not None:  # the same value twice: as sure as the surer reading
                confidence = max((c for c in (confidence, self.confidence.get(key)) if c is not None), default=None)
            self._set_confidence(key, confidence)

    def _set_confidence(self, key: str, confidence: float | None) -> None:
        if confidence is None:
            self.confidence.pop(key, None)
        else:
            self.confidence[key] = confidence


def _keys(row: Row) -> list[str]:
    return [label_key(c) for c in row.cells]


def _has_number(cells: list[str]) -> bool:
    return any(c and looks_like_value(c) and any(ch.isdigit() for ch in c) for c in cells)


def _is_label(cell: str) -> bool:
    return bool(cell) and not looks_like_value(cell)


def _split(cells: list[str], recognised) -> tuple[list[str], list[str]]:
    """Label cells and value cells of a text row: labels run up to the last label cell before
    the first non-empty value; unrecognised trailing label cells are words in number cells."""
    first_value = next((i for i, c in enumerate(cells) if c and looks_like_value(c)), len(cells))
    label_end = max((i for i in range(first_value) if _is_label(cells[i])), default=-1)
    if label_end == -1 and first_value == len(cells):
        label_end = max((i for i, c in enumerate(cells) if _is_label(c)), default=-1)
    while label_end > 0 and not recognised(cells[label_end]) and any(recognised(c) for c in cells[:label_end]):
        label_end -= 1
    return cells[: label_end + 1], cells[label_end + 1 :]


def _fit(values: list[str], width: int) -> list[list[int]]:
    """Candidate alignments of ``values`` to ``width`` columns (more than one: stray cells),
    each as the indices into ``values`` it keeps."""
    kept = list(range(len(values)))
    while len(kept) > width and values[kept[-1]] == "":
        kept.pop()
    while len(kept) > width and values[kept[0]] == "":
        kept.pop(0)
    if len(kept) <= width:
        return [kept]
    extra = len(kept) - width
    if extra > 2:
        return []
    return [
        [v for i, v in enumerate(kept) if i not in dropped]
        for dropped in itertools.combinations(range(len(kept)), extra)
    ]


def _slot_confidence(row: Row, indices) -> list[float | None]:
    """The OCR confidence of ``row``'s cells at ``indices`` (None where unknown)."""
    return [row.confidence[i] if 0 <= i < len(row.confidence) else None for i in indices]


# ------------------------------------------------------------------------------ table 3


@lru_cache(maxsize=2048)
def _group_of(cell: str):
    return schema.first_match(cell, schema.REQUEST_GROUPS)


@lru_cache(maxsize=2048)
def _item_of(cell: str):
    return schema.first_match(cell, schema.REQUEST_ITEMS)


def _request_key(labels: list[str], context: str | None, template: str) -> tuple[str | None, str | None]:
    """(row key, group) for a table 3 row; row key None when the label names no row."""
    cells = [c for c in labels if c]
    group = None
    for cell in reversed(cells):
        match = _group_of(cell)
        if match:
            group = match[0]
            break
    last = cells[-1] if cells else ""
    item = _item_of(last) or _item_of("".join(cells))
    if item:
        return item[1], item[0]
    if (group or context) == "other" and _NUMBERING.sub("", last) == schema.OTHER_OTHER_FRAGMENT:
        return ("other.other" if template == "2021" else None), "other"
    if group in schema.SINGLE_ROW_GROUPS:
        return group, group
    if group == "other" and template == "2019":
        return "other", group
    return None, group


def _request_recognised(cell: str) -> bool:
    return bool(_group_of(cell) or _item_of(cell))


def _grid_columns(rows: list[Row], columns, header_test, ordered=None, fits=False) -> dict[str, int] | None:
    """Column index per column key from the header rows of one grid, or None if unusable.

    With ``fits``, also None when no data row reaches the header's last column: the header
    cells span other grid columns than the data cells (each header cell two columns wide,
    each data cell one), so the header grid does not say where the data sits."""
    header = [_keys(r) for r in rows if _is_header(r, header_test)]
    if not header:
        return None
    found = _header_columns(header, columns, ordered)
    if found is None or not fits:
        return found
    extent = max((max(i for i, c in enumerate(r.cells) if c) for r in rows if _has_number(_keys(r))), default=-1)
    return found if extent >= max(found.values()) else None


def _header_columns(header: list[list[str]], columns, ordered) -> dict[str, int] | None:
    width = max(len(r) for r in header)
    found: dict[str, int] = {}
    for c in range(width):
        leaf = next((h[c] for h in reversed(header) if c < len(h) and h[c]), "")
        path = "".join(h[c] for h in header if c < len(h))
        key = ordered(leaf, path) if ordered else _column_for_leaf(leaf, columns)
        if key is None:
            continue
        if key in found:
            if found[key] != c and header[-1][c:c + 1] != header[-1][found[key]:found[key] + 1]:
                return None
            continue
        found[key] = c
    return found if len(found) == len(columns) else None


def _column_for_leaf(leaf: str, columns) -> str | None:
    if leaf in ("其他", "其他组织"):
        return "other_org"
    for column in columns:
        if column.key != "other_org" and any(f in leaf for f in column.fragments):
            return column.key
    return None


def _is_header(row: Row, markers) -> bool:
    cells = _keys(row)
    return not _has_number(cells) and any(m in c for c in cells for m in markers)


def read_requests(rows: list[Row], template: str) -> TableResult:
    """Table 3: every row by its label, seven applicant columns each."""
    result = TableResult()
    columns = [c.key for c in schema.REQUEST_COLUMNS]
    grid_maps: dict[int, dict[str, int] | None] = {}
    context: str | None = None
    for row in rows:
        cells = _keys(row)
        if _is_header(row, _REQUEST_HEADER):
            continue
        if row.grid and row.table not in grid_maps:
            grid_maps[row.table] = _grid_columns(
                [r for r in rows if r.table == row.table], schema.REQUEST_COLUMNS, _REQUEST_HEADER, fits=True
            )
        grid = grid_maps.get(row.table) if row.grid else None
        labels, values, slots = _row_parts(row, cells, grid, _request_recognised)
        if not any(labels) and not any(values):
            continue
        key, group = _request_key(labels, context, template)
        context = group or context
        if key is None:
            if any(values):
                label = "".join(c for c in labels if c) or "(no label)"
                result.problems.append(Problem("unknown_row_label", f"table 3 row {label!r} matches no row of the {template} template"))
            continue
        result.found = True
        _store_row(result, f"requests.{key}", key, columns, values, row.cells, grid, _requests_row_adds_up,
                   placements=row.readings, confidences=_slot_confidence(row, slots))
    return result


def _row_parts(row: Row, cells: list[str], grid: dict[str, int] | None, recognised):
    """(labels, values, slots) — values already in column order when the grid locates them;
    ``slots``: the index in ``cells`` of each value."""
    if grid:
        first = min(grid.values())
        last = max(grid.values())
        beyond = [c for c in cells[last + 1 :] if c]
        # a row that does not line up with the header (a number among the label cells, cells
        # beyond the last column, or a value in a column the header names nothing for, as
        # when each header cell spans two columns and the data cells one) is read as text
        if not beyond and not _has_number(cells[:first]) and not _off_grid(cells, first, grid):
            return cells[:first], [cells[i] if i < len(cells) else "" for i in grid.values()], list(grid.values())
    labels, values = _split(cells, recognised)
    return labels, values, list(range(len(labels), len(cells)))


def _off_grid(cells: list[str], first: int, grid: dict[str, int]) -> bool:
    """A value in a column no header names (a merged cell repeating its left neighbour aside)."""
    mapped = set(grid.values())
    return any(
        cells[i] and i not in mapped and cells[i] != cells[i - 1] for i in range(first, min(len(cells), max(mapped) + 1))
    )


def _requests_row_adds_up(values: list[Reading]) -> bool:
    if any(v.value is None for v in values):
        return False
    return sum(v.value for v in values[:6]) == values[6].value


def _store_row(result, prefix, key, columns, values, raw_cells, grid, adds_up, readers=None, placements=(),
               confidences=()) -> None:
    """Put one row's values under ``key.<column>``, resolving stray cells or reporting them.
    ``placements``: the readings a rebuilt text row allows (``Row.readings``);
    ``confidences``: the OCR confidence of each of ``values`` (empty: not OCR'd)."""
    width = len(columns)
    raw_by_key: dict[str, str] = {}
    for cell in raw_cells:
        # "12" and "1 2" share a key; the spaced one (read as words, never as 12) wins
        cell_key = label_key(cell)
        if cell_key not in raw_by_key or len(cell) > len(raw_by_key[cell_key]):
            raw_by_key[cell_key] = cell
    readers = readers or [lambda text: read_count(text)] * width
    if placements:
        candidates = [list(p) for p in placements]
        slots = [[None] * len(p) for p in placements]
    else:
        slots = [list(range(len(values)))] if grid else _fit(values, width)
        candidates = [[values[i] for i in kept] for kept in slots]
    # values are label keys (no whitespace); each is read from its raw text, where "1 2" is
    # still two numbers
    raw = raw_by_key.get
    fitting = [(c, s) for c, s in zip(candidates, slots, strict=True) if len(c) == width]
    readings = [[readers[i](raw(v, v)) for i, v in enumerate(c)] for c, _ in fitting]
    chosen = None
    if readings:
        distinct = {tuple((r.value, r.status) for r in rs) for rs in readings}
        if len(distinct) == 1:
            chosen = readings[0]
        else:
            adding = [rs for rs in readings if adds_up(rs)]
            if len({tuple(r.value for r in rs) for rs in adding}) == 1:
                chosen = adding[0]
    if chosen is None:
        shown = " | ".join(v or "∅" for v in values)
        if placements:
            message = (
                f"{prefix}: blank lines leave {len(placements)} placements of its values in {width} columns "
                f"open and no single one adds up: {shown}"
            )
            code = "ambiguous_row"
        elif candidates and len(candidates[0]) < width:
            message = f"{prefix} has {len(candidates[0])} values for {width} columns: {shown}"
            code = "missing_cells"
        else:
            message = f"{prefix} has {len(values)} values for {width} columns and no single reading adds up: {shown}"
            code = "ambiguous_row"
        result.problems.append(Problem(code, message, prefix))
        return
    chosen_raw, chosen_slots = next(f for f, rs in zip(fitting, readings) if rs == chosen)
    for column, reading, text, slot in zip(columns, chosen, chosen_raw, chosen_slots):
        confidence = confidences[slot] if slot is not None and slot < len(confidences) else None
        _check_reading(result, f"{prefix}.{column}", reading, raw_by_key.get(text, text))
        result.put(f"{key}.{column}", reading, raw_by_key.get(text, text), prefix.split(".")[0], confidence)


def _check_reading(result: TableResult, full_key: str, reading: Reading, raw: str) -> None:
    if reading.status == "text":
        result.problems.append(Problem("text_in_number_cell", f"{full_key} holds {raw!r}, not a number", full_key))
    elif not reading.unit_known:
        result.problems.append(
            Problem("money_unit_unknown", f"{full_key} is {raw!r} with no unit in the cell or the header", full_key)
        )


# ------------------------------------------------------------------------------ table 4


def _review_column(leaf: str, path: str) -> str | None:
    group = schema.first_match(path, schema.REVIEW_GROUPS)
    outcome = schema.first_match(leaf, schema.REVIEW_OUTCOMES)
    if group is None or outcome is None:
        return None
    return f"{group[0]}.{outcome.key}"


def read_review(rows: list[Row]) -> TableResult:
    """Table 4: fifteen numbers; columns from the grid header or the canonical header order."""
    result = TableResult()
    columns = list(schema.REVIEW_KEYS)
    data = [r for r in rows if not _is_header(r, _REVIEW_HEADER) and _has_number(_keys(r))]
    if not data:
        return result
    result.found = True
    row = data[0]
    grid = None
    if row.grid:
        grid = _grid_columns([r for r in rows if r.table == row.table], columns, _REVIEW_HEADER, _review_column, fits=True)
    cells = _keys(row)
    if grid and not [c for c in cells[max(grid.values()) + 1 :] if c]:
        values = [cells[grid[k]] if grid[k] < len(cells) else "" for k in columns]
        confidences = _slot_confidence(row, [grid[k] for k in columns])
    else:
        grid = None
        values, confidences = [], []
        for data_row in data:
            labels, row_values = _split(_keys(data_row), lambda c: False)
            values.extend(row_values)
            confidences.extend(_slot_confidence(data_row, range(len(labels), len(labels) + len(row_values))))
            if len(values) >= len(columns):
                break
    _store_row(result, "review_litigation", "", columns, values, row.cells, grid, _review_adds_up, placements=row.readings,
               confidences=confidences)
    result.readings = {k.lstrip("."): v for k, v in result.readings.items()}
    result.confidence = {k.lstrip("."): v for k, v in result.confidence.items()}
    return result


def _review_adds_up(values: list[Reading]) -> bool:
    for start in range(0, 15, 5):
        group = values[start : start + 5]
        if any(v.value is None for v in group) or sum(v.value for v in group[:4]) != group[4].value:
            return False
    return True


# ------------------------------------------------------------------------------ table 2


def _active_recognised(cell: str) -> bool:
    return any(schema.first_match(cell, schema.TABLE2_ROWS[t]) for t in ("2019", "2021"))


def read_active(rows: list[Row], template: str) -> TableResult:
    """Table 2: each 第二十条 block's header names its columns; rows are found by label."""
    result = TableResult()
    row_specs = schema.TABLE2_ROWS[template]
    column_specs = {c.key: c for c in schema.TABLE2_COLUMNS[template]}
    header: list[tuple[str, str]] | None = None  # (column key, header text)
    for row in rows:
        cells = _keys(row)
        if any("第二十条" in c for c in cells) and not _has_number(cells):
            header = None
            continue
        if any(c.startswith("信息内容") for c in cells) and not _has_number(cells):
            header = []
            for text in cells[cells.index(next(c for c in cells if c.startswith("信息内容"))) + 1 :]:
                if not text:
                    continue
                column = schema.first_match(text, schema.TABLE2_COLUMNS[template])
                if column is None:
                    result.problems.append(Problem("unknown_column_label", f"table 2 header {text!r} names no column of the {template} template"))
                header.append((column.key if column else "?", text))
            continue
        labels, values = _split(cells, _active_recognised)
        confidences = _slot_confidence(row, range(len(labels), len(cells)))
        spec = schema.first_match("".join(labels), row_specs)
        if spec is None:
            if _has_number(values):
                result.problems.append(
                    Problem("unknown_row_label", f"table 2 row {''.join(labels) or '(no label)'!r} matches no row of the {template} template")
                )
            continue
        result.found = True
        names = [k for k, _ in header] if header and all(k in spec.columns for k, _ in header) else list(spec.columns)
        header_text = dict(header or [])
        readers = []
        for name in names:
            column = column_specs[name]
            if column.money:
                text = header_text.get(name, "")
                unit = 1 if "万元" in text else (0.0001 if "元" in text else None)
                readers.append(lambda raw, unit=unit: read_money(raw, default_unit=unit))
            else:
                readers.append(lambda raw, signed=column.signed: read_count(raw, signed=signed))
        _store_row(result, f"active.{spec.key}", spec.key, names, values, row.cells, None, lambda _: False, readers,
                   placements=row.readings, confidences=confidences)
    return result
