"""Writing one parsed report into the archive: one transaction, idempotent, history kept.

Storing is two steps. ``prepare_report`` is pure Python and touches no database: the report's
id, its capture rows, its ``reports`` row and texts, the bigram text of its search entry and
its cells, checks and problems as rows; the loader runs it in worker processes beside the
parser. ``write_report`` is SQL only and runs in the one process that writes the file.
``store_report`` does both, in the calling process.

A report's id is stable across re-crawls: it hashes the agency and year when the parser found
both (one report per organ per year), else the report's URL, else the document's sha256.
Every document that yields the report stays in ``captures`` with its ``report_id``; the
``reports`` row, its cells, checks, problems and search entry follow the *best* capture: one
with numbers over one without, a complete parse over a partial one, then the latest
publication date, then the latest fetch (a corrected report supersedes the original).
Rewriting a report touches only the rows whose values changed, so loading the same documents
twice, or re-parsing with a parser whose output did not change, leaves the file's content
as it was.
"""

from __future__ import annotations

import hashlib
import json
import time
import unicodedata
from dataclasses import dataclass, field

from sqlite_utils import Database

from archive.fts import bigram_text
from archive.gazetteer import Place
from parsers.models import Report

CAPTURE_COLUMNS = (
    "sha256", "url", "final_url", "fetched_at", "status", "content_type", "size", "warc_file",
    "warc_offset", "portal_id", "role", "listing_title", "listing_date", "candidate_reason",
    "parent_url",
)


@dataclass
class ParsedCapture:
    """A capture row (the ``CAPTURE_COLUMNS``) with the outcome of parsing its bytes."""

    row: dict
    report: Report | None = None
    status: str | None = None
    message: str | None = None
    parser_version: int | None = None
    worker_deaths: int | None = None  # loads in a row at which parsing it killed the worker

    def to_row(self, report_id: str | None) -> dict:
        report = self.report
        return {
            **{column: self.row.get(column) for column in CAPTURE_COLUMNS},
            "report_id": report_id,
            "parser_version": self.parser_version,
            "parse_status": self.status,
            "parse_message": self.message,
            "cell_count": len(report.cells) if report else None,
            "failed_checks": len(report.failed_checks) if report else None,
            "published_date": report.published_date if report else None,
            "worker_deaths": self.worker_deaths,
        }


@dataclass
class Outcome:
    """What ``store_report`` did: ``new``, ``updated``, ``unchanged`` or ``kept`` (the stored
    capture stays best; the new one is kept as history); ``orphaned`` lists reports whose
    best capture moved to another report (a re-parse changed its agency or year)."""

    report_id: str
    action: str
    orphaned: list[str] = field(default_factory=list)


_CAPTURE_ROW = (*CAPTURE_COLUMNS, "report_id", "parser_version", "parse_status", "parse_message",
                "cell_count", "failed_checks", "published_date", "worker_deaths")
_INSERT_CAPTURE = (
    f"insert into captures ({', '.join(_CAPTURE_ROW)}) values ({', '.join('?' * len(_CAPTURE_ROW))})"
)
_UPSERT_CAPTURE = (
    f"{_INSERT_CAPTURE} on conflict (sha256) do update set "
    + ", ".join(f"{c} = excluded.{c}" for c in _CAPTURE_ROW[1:])
)
# What decides the best capture of a report, in order (see the module's docstring).
_RANK_COLUMNS = ("cell_count", "parse_status", "published_date", "fetched_at", "sha256")


def upsert_capture(db: Database, row: dict) -> None:
    """Insert or update one ``captures`` row (all of its columns)."""
    db.execute(_UPSERT_CAPTURE, [row.get(c) for c in _CAPTURE_ROW])


def _normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def report_identity(report: Report, url: str | None, sha256: str) -> str:
    """The report's stable id: 16 hex digits of a hash of its natural key.

    :param report: the parsed report (its ``agency`` and ``year``).
    :param url: the report page's URL, used when agency or year is unknown.
    :param sha256: the document's digest, the last resort (a file ingested by hand).
    """
    if report.agency and report.year:
        basis = f"agency-year:{_normalise(report.agency)}|{report.year}"
    elif url:
        basis = f"url:{url}"
    else:
        basis = f"sha256:{sha256}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def _rank(cell_count, parse_status, published_date, fetched_at, sha256) -> tuple:
    return (
        (cell_count or 0) > 0,
        parse_status == "complete",
        published_date or "",
        fetched_at or "",
        sha256,
    )


def _rule_id(db: Database, rule: str, keys: tuple[str, ...]) -> int:
    # cached by the tuple itself: encoding the keys as JSON for every check of every report
    # cost ~0.3 ms per report
    cache = db.__dict__.setdefault("_nianbao_rule_ids", {})
    if (rule, keys) not in cache:
        keys_json = json.dumps(keys, ensure_ascii=False)
        db.execute("insert or ignore into check_rules (rule, keys) values (?, ?)", [rule, keys_json])
        cache[(rule, keys)] = db.execute(
            "select id from check_rules where rule = ? and keys = ?", [rule, keys_json]).fetchone()[0]
    return cache[(rule, keys)]


def _forget_rule_ids(db: Database) -> None:
    # a rolled-back transaction may have taken new check_rules rows with it
    db.__dict__.pop("_nianbao_rule_ids", None)


# Per child table: the column naming its report (numbers and checks by the report's number,
# fts_rowid, so a load appends them: migration m008), its key columns and its value columns
# (the views cells and checks show them with report_id). A prepared row is
# (*keys, *values), the report column put in front when written; a check's rule_id stands as
# its keys until then.
_CHILD_COLUMNS = {
    "cell_values": ("report_fts_rowid", ("key",), ("value", "raw", "confidence")),
    "check_results": ("report_fts_rowid", ("seq",),
                      ("rule", "rule_id", "expected", "actual", "status", "blanks")),
    "problems": ("report_id", ("seq",), ("code", "message", "key")),
}
_INSERT_CHILD = {
    table: f"insert into {table} ({owner}, {', '.join(keys + values)}) "
           f"values ({', '.join('?' * (1 + len(keys) + len(values)))})"
    for table, (owner, keys, values) in _CHILD_COLUMNS.items()
}


def _children_owner(table: str, report_id: str, fts_rowid: int) -> str | int:
    """The value of ``table``'s report column for this report."""
    return fts_rowid if _CHILD_COLUMNS[table][0] == "report_fts_rowid" else report_id


def _sync_children(db: Database, table: str, owner: str | int, rows: list[tuple]) -> bool:
    """Make ``table``'s rows of the report ``owner`` equal ``rows``; write only the differences."""
    column, keys, values = _CHILD_COLUMNS[table]
    wanted = {row[: len(keys)]: row[len(keys) :] for row in rows}
    have = {
        tuple(row[: len(keys)]): tuple(row[len(keys) :])
        for row in db.execute(
            f"select {', '.join(keys + values)} from {table} where {column} = ?", [owner]
        ).fetchall()
    }
    stale = [k for k in have if k not in wanted or have[k] != wanted[k]]
    fresh = [(owner, *k, *v) for k, v in wanted.items() if have.get(k) != v]
    where = " and ".join(f"{k} = ?" for k in keys)
    if stale:
        db.conn.executemany(
            f"delete from {table} where {column} = ? and {where}",
            [(owner, *k) for k in stale],
        )
    if fresh:
        db.conn.executemany(_INSERT_CHILD[table], fresh)
    return bool(stale or fresh)


class Commits:
    """Write whole reports in groups, one transaction per group: every ``reports`` reports or
    ``seconds`` seconds.

    ``write()`` adds one report to the open group and ``stored()`` after each report (or
    document that gave none) commits when the group is full. A crash loses at most the open
    group, which holds whole reports only, and the next load redoes it. Grouping matters
    because a commit flushes the full-text index and writes the group's pages to the WAL.

    :param db: the archive.
    :param reports: reports per commit at most.
    :param seconds: seconds between commits at most (so a slow parser still commits often).
    """

    def __init__(self, db: Database, reports: int = 500, seconds: float = 0.5):
        self.db, self.reports, self.seconds = db, reports, seconds
        self.failed: BaseException | None = None

    def _begin(self) -> None:
        self.db.execute("begin")
        self.db.execute("pragma defer_foreign_keys = on")
        self.pending, self.started = 0, time.monotonic()

    def __enter__(self) -> Commits:
        self._begin()
        return self

    def write(self, prepared: PreparedReport) -> Outcome:
        """Write one prepared report into the open group (SQL only).

        No savepoint per report: SQLite (3.40) makes FTS5 flush its pending index at every
        savepoint, which cost 0.5 of 1.6 ms per report. So a failure while writing rolls
        back the whole open group (whole reports only) and the error ends the load; the
        next load redoes the group.
        """
        if self.failed is not None:
            raise RuntimeError("the open group was rolled back after an error") from self.failed
        try:
            return _write(self.db, prepared)
        except BaseException as error:
            self.failed = error
            self.db.execute("rollback")
            _forget_rule_ids(self.db)
            raise

    def stored(self) -> None:
        """Count one whole report; commit the group if it is full or old enough."""
        self.pending += 1
        if self.pending >= self.reports or time.monotonic() - self.started >= self.seconds:
            self.db.execute("commit")
            self._begin()

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self.failed is not None:
            return
        if exc_type:
            self.db.execute("rollback")
            _forget_rule_ids(self.db)
        else:
            self.db.execute("commit")


TEXT_COLUMNS = ("body_text", "sections")
REPORT_COLUMNS = (
    "title", "agency", "province", "city", "county", "adcode", "level", "year", "template",
    "published_date", "url", "capture_sha256", "portal_id", "parse_status", "parser_version",
    "failed_checks", "not_assessable_checks", "cell_count", "problem_count", "media_type", "ocr",
)
_INSERT_REPORT = (
    f"insert into reports (id, fts_rowid, {', '.join(REPORT_COLUMNS)}) "
    f"values ({', '.join('?' * (2 + len(REPORT_COLUMNS)))})"
)


def _stored_report(db: Database, report_id: str) -> dict | None:
    """The report row with its texts, or None."""
    cursor = db.execute(
        "select r.*, t.body_text, t.sections from reports r "
        "left join report_texts t on t.report_id = r.id where r.id = ?", [report_id])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def delete_report(db: Database, report_id: str) -> None:
    """Remove a report that no capture points to any more (its rows and search entry)."""
    old = _stored_report(db, report_id)
    if old is None:
        return
    db.execute(
        "insert into reports_fts (reports_fts, rowid, title, body) values ('delete', ?, ?, ?)",
        [old["fts_rowid"], bigram_text(old["title"]), bigram_text(old["body_text"])],
    )
    for table in _CHILD_COLUMNS:
        db.execute(f"delete from {table} where {_CHILD_COLUMNS[table][0]} = ?",
                   [_children_owner(table, report_id, old["fts_rowid"])])
    db.execute("delete from report_texts where report_id = ?", [report_id])
    db.execute("update captures set report_id = null where report_id = ?", [report_id])
    db.execute("delete from reports where id = ?", [report_id])


@dataclass
class PreparedReport:
    """One report as the rows ``write_report`` stores, computed without the database.

    Plain tuples and strings only, so it crosses from a worker process cheaply.
    """

    report_id: str
    captures: list[tuple]  # _CAPTURE_ROW values; the source first, then related captures
    row: tuple  # REPORT_COLUMNS values
    texts: tuple[str, str]  # TEXT_COLUMNS values
    search: tuple[str, str]  # bigram text of the title and of the body
    children: dict[str, list[tuple]]  # table -> rows (*keys, *values), without the report

    @property
    def rank(self) -> tuple:
        source = dict(zip(_CAPTURE_ROW, self.captures[0]))
        return _rank(*(source[c] for c in _RANK_COLUMNS))


def prepare_report(
    source: ParsedCapture,
    *,
    related: list[ParsedCapture] = (),
    place: Place = Place(),
    url: str | None = None,
    title: str | None = None,
) -> PreparedReport:
    """The rows of the report parsed from ``source``; pure Python, no database.

    :param source: the capture the report's numbers come from, with its parsed ``report``.
    :param related: other captures of the same report, e.g. the page an attachment hangs on;
        they are recorded with the report's id, whatever their own parse gave.
    :param place: province, city, county, division code and level of the agency.
    :param url: the report's URL (the page, not the attachment); default the source's.
    :param title: overrides the parsed title (e.g. the listing title of the page).
    """
    report = source.report
    url = url or source.row.get("final_url") or source.row.get("url")
    report_id = report_identity(report, url, source.row["sha256"])
    title = title or report.title
    captures = [
        tuple(capture.to_row(report_id).values()) for capture in (source, *related)
    ]
    row = (
        title, report.agency, place.province, place.city, place.county, place.adcode,
        place.level, report.year, report.template, report.published_date, url,
        source.row["sha256"], source.row.get("portal_id"),
        "complete" if report.is_complete else "partial", report.parser_version,
        len(report.failed_checks), sum(c.status == "not_assessable" for c in report.checks),
        len(report.cells), len(report.problems), report.media_type, int(report.ocr),
    )
    cells = {c.key: (c.key, c.value, c.raw, c.confidence) for c in report.cells}
    children = {
        # one row per key (the last cell of a key wins), in key order: the report's inserts
        # then append to the B-tree one after another
        "cell_values": [cells[key] for key in sorted(cells)],
        "check_results": [
            (seq, c.rule, c.keys, c.expected, c.actual, c.status, int(c.blanks))
            for seq, c in enumerate(report.checks)
        ],
        "problems": [
            (seq, p.code, p.message, p.key) for seq, p in enumerate(report.problems)
        ],
    }
    return PreparedReport(
        report_id=report_id,
        captures=captures,
        row=row,
        texts=(report.body_text, json.dumps(report.sections, ensure_ascii=False)),
        search=(bigram_text(title), bigram_text(report.body_text)),
        children=children,
    )


def store_report(
    db: Database,
    source: ParsedCapture,
    *,
    related: list[ParsedCapture] = (),
    place: Place = Place(),
    url: str | None = None,
    title: str | None = None,
) -> Outcome:
    """Store the report parsed from ``source`` as one unit: ``prepare_report`` then
    ``write_report`` in this process (the parameters are ``prepare_report``'s)."""
    return write_report(db, prepare_report(source, related=related, place=place, url=url,
                                           title=title))


def write_report(db: Database, prepared: PreparedReport) -> Outcome:
    """Write a prepared report as one unit: its own transaction, or a savepoint of the
    transaction ``Commits`` holds open. SQL only.

    :param db: an archive opened with ``archive.db.open_db``.
    :param prepared: what ``prepare_report`` made of the parsed capture.
    """
    try:
        with db.atomic():
            db.execute("pragma defer_foreign_keys = on")
            return _write(db, prepared)
    except BaseException:
        _forget_rule_ids(db)
        raise


def _write(db: Database, prepared: PreparedReport) -> Outcome:
    conn, report_id = db.conn, prepared.report_id
    shas = [capture[0] for capture in prepared.captures]
    previous = conn.execute(
        f"select sha256, report_id from captures where sha256 in ({', '.join('?' * len(shas))})",
        shas,
    ).fetchall()
    # a capture seen for the first time is a plain insert (the upsert's conflict path costs)
    conn.executemany(_UPSERT_CAPTURE if previous else _INSERT_CAPTURE, prepared.captures)
    orphaned = sorted({old for _, old in previous if old and old != report_id})
    head = conn.execute(
        "select fts_rowid, capture_sha256 from reports where id = ?", [report_id]).fetchone()
    if head is None:
        _insert_report(db, prepared)
        return Outcome(report_id, "new", orphaned)
    if head[1] != shas[0]:
        best = conn.execute(
            f"select {', '.join(_RANK_COLUMNS)} from captures where sha256 = ?", [head[1]]
        ).fetchone()
        if best and _rank(*best) > prepared.rank:
            return Outcome(report_id, "kept", orphaned)
    changed = _update_report(db, prepared, _stored_report(db, report_id))
    return Outcome(report_id, "updated" if changed else "unchanged", orphaned)


def _children_to_write(db: Database, prepared: PreparedReport) -> dict[str, list[tuple]]:
    """The prepared child rows with each check's keys replaced by its ``check_rules`` id."""
    checks = [(seq, rule, _rule_id(db, rule, keys), *rest)
              for seq, rule, keys, *rest in prepared.children["check_results"]]
    return dict(prepared.children, check_results=checks)


def _insert_report(db: Database, prepared: PreparedReport) -> None:
    conn, report_id = db.conn, prepared.report_id
    # every report has exactly one search row, so one past the highest is free
    fts_rowid = conn.execute(
        "select coalesce(max(id), 0) + 1 from reports_fts_docsize").fetchone()[0]
    conn.execute(_INSERT_REPORT, (report_id, fts_rowid, *prepared.row))
    conn.execute("insert into report_texts (report_id, body_text, sections) values (?, ?, ?)",
                 (report_id, *prepared.texts))
    conn.execute("insert into reports_fts (rowid, title, body) values (?, ?, ?)",
                 (fts_rowid, *prepared.search))
    for table, rows in _children_to_write(db, prepared).items():
        if rows:
            owner = _children_owner(table, report_id, fts_rowid)
            conn.executemany(_INSERT_CHILD[table], [(owner, *row) for row in rows])


def _update_report(db: Database, prepared: PreparedReport, old: dict) -> bool:
    report_id = prepared.report_id
    wanted = dict(zip(REPORT_COLUMNS, prepared.row))
    texts = dict(zip(TEXT_COLUMNS, prepared.texts))
    changed = any(old[k] != v for k, v in wanted.items())
    if changed:
        db.execute(
            f"update reports set {', '.join(f'{k} = ?' for k in wanted)} where id = ?",
            [*wanted.values(), report_id],
        )
    if any(old[k] != v for k, v in texts.items()):
        changed = True
        db.execute("update report_texts set body_text = ?, sections = ? where report_id = ?",
                   [*texts.values(), report_id])
    if old["title"] != wanted["title"] or old["body_text"] != texts["body_text"]:
        db.execute(
            "insert into reports_fts (reports_fts, rowid, title, body) values ('delete', ?, ?, ?)",
            [old["fts_rowid"], bigram_text(old["title"]), bigram_text(old["body_text"])],
        )
        db.execute("insert into reports_fts (rowid, title, body) values (?, ?, ?)",
                   [old["fts_rowid"], *prepared.search])
    for table, rows in _children_to_write(db, prepared).items():
        owner = _children_owner(table, report_id, old["fts_rowid"])
        changed = _sync_children(db, table, owner, rows) or changed
    return changed
