"""Layout -> ``Report``: the domain logic behind every document reader.

Steps: lay the blocks out as prose lines and table rows (``parsers.rows``); decide whether
this is a report, and its title, year, template and agency (``parsers.classify``); split
the six parts (``parsers.sections``); read tables 2-4 by row labels and header grids
(``parsers.tables``); evaluate the template's arithmetic (``parsers.checks``); list what
could not be read as problems.
"""

from __future__ import annotations

from parsers import classify, schema
from parsers.cell_lines import rebuild_rows
from parsers.checks import run_checks
from parsers.models import Cell, Layout, NotAnnualReport, Problem, Report
from parsers.rows import Line, Row, layout_items
from parsers.sections import SECTION_KEYS, heading_key
from parsers.tables import TableResult, read_active, read_requests, read_review
from parsers.text import Reading, clean_line, label_key

_TABLES = (("active", "table 2 (主动公开)"), ("requests", "table 3 (依申请)"), ("review_litigation", "table 4 (复议诉讼)"))
_MIN_REPORT_CHARS = 200
_NOT_READ = (None, None)
_TABLE_OPENERS = ("第二十条", "信息内容", "申请人情况", "自然人", "行政复议", "行政诉讼")
_TABLE_PARTS = frozenset(key for key, _ in _TABLES)
_REBUILT_TABLE_IDS = 1_000_000  # table ids of rebuilt rows, clear of the layout's own tables


def report_from_layout(
    layout: Layout, *, url: str | None = None, listing_title: str | None = None, listing_date: str | None = None
) -> Report:
    """Read one annual report from a document's layout.

    Raises ``NotAnnualReport`` when the layout is not a report (a notice about reports, a
    portal page, a page that only links to its attachment).

    >>> report_from_layout(parsers.plaintext.read_layout(text)).cells[0].key
    'active.art20_1.rules.made'
    """
    items = layout_items(layout)
    lines = [item.text for item in items if isinstance(item, Line) and item.text]
    # a Row's text gives a merged cell's text once, where a table row's cells repeat it
    texts = [item.text for item in items]
    body_text = "\n".join(text for text in texts if text)
    title = classify.find_title(lines, layout.title, listing_title)
    bounds = _section_bounds(items)
    # without a report title, the page's own heading still tells a notice or a news item
    heading = title or clean_line(layout.title or listing_title or (lines[0] if lines else ""))
    _ensure_report(heading, body_text, bounds, items, own_titles=(layout.title, lines[0] if lines else None))
    year = classify.find_year(title or "", listing_title, body_text)
    template = classify.find_template(year, body_text)
    sections = {
        key: "\n".join(text for text in texts[start:end] if text)
        for key, (start, end) in bounds.items()
    }
    problems = list(layout.problems)
    agency = classify.find_agency(title, body_text)
    period = classify.period_year(body_text)
    if year is not None and period is not None and period != year:
        # the statistics-period sentence is often last year's, copied unchanged: the title's
        # year stands, but the record says that the report contradicts itself
        problems.append(Problem("year_conflict", f"the title names {year}, the statistics period {period}"))
    if title is None:
        problems.append(Problem("no_title", "no line of the document, its page title or its listing reads as a report title"))
    if agency is None:
        problems.append(Problem("no_agency", "the reporting organ could not be read from the report title"))
    cells: tuple[Cell, ...] = ()
    checks = ()
    if template in ("2019", "2021"):
        cells, missing, table_problems = _read_tables(items, bounds, template)
        problems += table_problems
        checks = run_checks(template, {c.key: c.value for c in cells}, missing)
        problems += [
            Problem("missing_section", f"no heading found for part {key}", key) for key in SECTION_KEYS if key not in bounds
        ]
    elif template is None:
        problems.append(Problem("unknown_year", "the year reported on is named nowhere, so the template is unknown"))
    published = (
        layout.published_date or classify.labelled_date(lines[:40]) or classify.signature_date(lines[-8:])
        or _date(listing_date)
    )
    if published and year and published < f"{year + 1}-01-01":
        # a report on a year cannot appear before that year ends: one of the two is wrong
        problems.append(Problem("implausible_date", f"published {published}, before the year reported on ({year}) ended"))
        published = None
    return Report(
        title=title,
        agency=agency,
        year=year,
        template=template,
        published_date=published,
        sections={key: sections.get(key, "") for key in SECTION_KEYS},
        body_text=body_text,
        cells=cells,
        checks=checks,
        problems=tuple(problems),
        media_type=layout.media_type,
        ocr=layout.ocr,
        url=url,
    )


def _date(text: str | None) -> str | None:
    from parsers.text import find_dates

    dates = find_dates(text or "")
    return dates[0] if dates else None


def _section_bounds(items) -> dict[str, tuple[int, int]]:
    """Item index ranges (heading excluded) of each part found; a part missing under the
    usual numbering is looked for again under other numberings."""
    starts = _section_starts(items, frozenset())
    missing = frozenset(SECTION_KEYS) - {key for key, _ in starts}
    if missing:
        starts = _section_starts(items, missing)
    bounds = {}
    for position, (key, index) in enumerate(starts):
        end = starts[position + 1][1] if position + 1 < len(starts) else _appendix_start(items, index)
        bounds[key] = (index + 1, end)
    return bounds


def _appendix_start(items, after: int) -> int:
    """Where the last part ends: at an appendix ("附表1", "附件：…统计表") or the end."""
    for index in range(after + 1, len(items)):
        item = items[index]
        if isinstance(item, Line) and item.text.startswith(("附表", "附件")) and len(item.text) <= 30:
            return index
    return len(items)


def _section_starts(items, extended: frozenset[str]) -> list[tuple[str, int]]:
    starts: list[tuple[str, int]] = []
    after = -1
    for index, item in enumerate(items):
        if isinstance(item, Line) and item.text:
            key = heading_key(item.text, after, extended)
            if key:
                starts.append((key, index))
                after = SECTION_KEYS.index(key)
    return starts


def _ensure_report(title: str, body_text: str, bounds: dict, items, own_titles=()) -> None:
    """Raise NotAnnualReport unless the page is a report. ``own_titles``: the page's own title
    and first line, which are checked for a notice before ``title``: a notice about reports may
    quote a report's title ("附件：XX县2022年…年度报告"), but its own title says it is a notice."""
    for text in (*own_titles, title):
        if text and classify.is_notice_title(text):
            raise NotAnnualReport(f"a notice, not an annual report: {clean_line(text)[:60]}")
    has_tables = any(isinstance(item, Row) for item in items)
    if not classify.is_report_title(title) and len(bounds) < 3:
        raise NotAnnualReport(f"no annual-report title and only {len(bounds)} of its six parts: {title[:60]!r}")
    if len(bounds) < 2 and not has_tables and len(body_text) < _MIN_REPORT_CHARS:
        raise NotAnnualReport(
            f"names a report but holds only {len(body_text)} characters of it (the report is probably an attachment)"
        )


def _table_rows(region: list, key: str, template: str, number: int) -> list[Row]:
    rows = [item for item in region if isinstance(item, Row)]
    if rows:
        return rows
    # one cell per line without tabs: the rows are rebuilt from the region's lines
    lines = [item for item in region if isinstance(item, Line)]
    rebuilt = rebuild_rows(lines, key, template, _REBUILT_TABLE_IDS + number)
    return rebuilt if any(len(r.cells) > 1 for r in rebuilt) else []


def _marker(item) -> str | None:
    if isinstance(item, Row):
        return classify.table_marker(label_key("".join(item.cells)))
    if item.text and len(item.text) <= 24:
        # a line opening a table: its header's first words ("行政复议", "申请人情况") or the
        # part's heading — not a sentence that mentions 行政复议 and 诉讼
        key = label_key(item.text)
        if key.startswith(_TABLE_OPENERS):
            return classify.table_marker(key)
        heading = heading_key(item.text, -1, _TABLE_PARTS)
        return heading if heading in _TABLE_PARTS else None
    return None


def _own_rows(region: list, key: str) -> list:
    """A part's items up to where another table's header begins (a part whose successor's
    heading was not found runs on into the next table)."""
    for index, item in enumerate(region):
        marker = _marker(item)
        if marker is not None and marker != key:
            return region[:index]
    return region


def _regions_by_content(items) -> dict[str, list]:
    """The items of each table found by its own header words, wherever it sits: under no
    heading, under an odd one, or in an appendix (附表) after the six parts."""
    regions: dict[str, list] = {key: [] for key, _ in _TABLES}
    current = None
    for item in items:
        marker = _marker(item)
        if marker is None and isinstance(item, Line) and heading_key(item.text, -1) in ("overview", "problems", "other"):
            current = None
        current = marker or current
        if current:
            regions[current].append(item)
    return regions


def _read_tables(items, bounds, template: str):
    rows_by_table = {}
    by_content = None
    for number, (key, _name) in enumerate(_TABLES):
        rows = _table_rows(_own_rows(items[slice(*bounds[key])], key), key, template, number) if key in bounds else []
        if not rows:
            # no heading, or a part that only says "详见附表": the table by its header words
            by_content = by_content if by_content is not None else _regions_by_content(items)
            rows = _table_rows(by_content[key], key, template, number)
        rows_by_table[key] = rows
    results: dict[str, TableResult] = {
        "active": read_active(rows_by_table["active"], template),
        "requests": read_requests(rows_by_table["requests"], template),
        "review_litigation": read_review(rows_by_table["review_litigation"]),
    }
    problems: list[Problem] = []
    cells = []
    missing: set[str] = set()
    for table, name in _TABLES:
        result = results[table]
        problems += result.problems
        if not result.found:
            problems.append(Problem("missing_table", f"{name} not found", table))
        reported_rows = set()
        readings = result.readings
        for key, local, row in schema.table_keys(template, table):
            reading, raw = readings.get(local, _NOT_READ)
            if reading is None:
                missing.add(key)
                if result.found and row not in reported_rows and not any(p.key and row.startswith(p.key) for p in problems):
                    reported_rows.add(row)
                    problems.append(Problem("missing_row", f"row {row} not found in {name}", row))
                reading, raw = Reading(None, "missing"), ""
            cells.append(Cell(key=key, value=reading.value, raw=raw, confidence=result.confidence.get(local)))
    return tuple(cells), missing, problems
