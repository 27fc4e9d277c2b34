"""Writing one parsed report into the archive: one transaction, idempotent, history kept.

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
                "cell_count", "failed_checks", "published_date")
_UPSERT_CAPTURE = (
    f"insert into captures ({', '.join(_CAPTURE_ROW)}) values ({', '.join('?' * len(_CAPTURE_ROW))}) "
    "on conflict (sha256) do update set "
    + ", ".join(f"{c} = excluded.{c}" for c in _CAPTURE_ROW[1:])
)


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


def _rank(capture: dict) -> tuple:
    return (
        (capture.get("cell_count") or 0) > 0,
        capture.get("parse_status") == "complete",
        capture.get("published_date") or "",
        capture.get("fetched_at") or "",
        capture["sha256"],
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


def _child_rows(db: Database, report: Report) -> dict[str, dict[tuple, tuple]]:
    cells = {
        (cell.key,): (cell.value, cell.raw, cell.confidence)
        for cell in report.cells
    }
    checks = {
        (seq,): (c.rule, _rule_id(db, c.rule, c.keys), c.expected, c.actual, c.status, int(c.blanks))
        for seq, c in enumerate(report.checks)
    }
    problems = {(seq,): (p.code, p.message, p.key) for seq, p in enumerate(report.problems)}
    return {"cell_values": cells, "checks": checks, "problems": problems}


_CHILD_COLUMNS = {
    "cell_values": (("key",), ("value", "raw", "confidence")),
    "checks": (("seq",), ("rule", "rule_id", "expected", "actual", "status", "blanks")),
    "problems": (("seq",), ("code", "message", "key")),
}


def _sync_children(db: Database, table: str, report_id: str, wanted: dict[tuple, tuple],
                   *, new: bool) -> bool:
    """Make ``table``'s rows for ``report_id`` equal ``wanted``; write only the differences."""
    keys, values = _CHILD_COLUMNS[table]
    columns = keys + values
    have = {} if new else {
        tuple(row[: len(keys)]): tuple(row[len(keys) :])
        for row in db.execute(
            f"select {', '.join(columns)} from {table} where report_id = ?", [report_id]
        ).fetchall()
    }
    stale = [k for k in have if k not in wanted or have[k] != wanted[k]]
    fresh = [(report_id, *k, *v) for k, v in wanted.items() if have.get(k) != v]
    where = " and ".join(f"{k} = ?" for k in keys)
    if stale:
        db.conn.executemany(
            f"delete from {table} where report_id = ? and {where}",
            [(report_id, *k) for k in stale],
        )
    if fresh:
        db.conn.executemany(
            f"insert into {table} (report_id, {', '.join(columns)}) "
            f"values ({', '.join('?' * (len(columns) + 1))})",
            fresh,
        )
    return bool(stale or fresh)


def _sync_search(db: Database, fts_rowid: int, old: dict | None, title: str, body: str) -> None:
    if old is not None:
        if old["title"] == title and old["body_text"] == body:
            return
        db.execute(
            "insert into reports_fts (reports_fts, rowid, title, body) values ('delete', ?, ?, ?)",
            [fts_rowid, bigram_text(old["title"]), bigram_text(old["body_text"])],
        )
    db.execute(
        "insert into reports_fts (rowid, title, body) values (?, ?, ?)",
        [fts_rowid, bigram_text(title), bigram_text(body)],
    )


class Commits:
    """Commit whole reports in groups: every ``reports`` reports or ``seconds`` seconds.

    Inside, each ``store_report`` is a savepoint of the open transaction; ``stored()`` after
    each report commits when a group is full. A crash loses at most the open group, which
    holds whole reports only, and the next load redoes it. Grouping matters because a commit
    flushes the full-text index: one per report is the single largest cost of a bulk load.

    :param db: the archive.
    :param reports: reports per commit at most.
    :param seconds: seconds between commits at most (so a slow parser still commits often).
    """

    def __init__(self, db: Database, reports: int = 100, seconds: float = 1.0):
        self.db, self.reports, self.seconds = db, reports, seconds

    def _begin(self) -> None:
        self.db.execute("begin")
        self.db.execute("pragma defer_foreign_keys = on")
        self.pending, self.started = 0, time.monotonic()

    def __enter__(self) -> Commits:
        self._begin()
        return self

    def stored(self) -> None:
        """Count one whole report; commit the group if it is full or old enough."""
        self.pending += 1
        if self.pending >= self.reports or time.monotonic() - self.started >= self.seconds:
            self.db.execute("commit")
            self._begin()

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type:
            self.db.execute("rollback")
            _forget_rule_ids(self.db)
        else:
            self.db.execute("commit")


TEXT_COLUMNS = ("body_text", "sections")


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
    for table in ("cell_values", "checks", "problems", "report_texts"):
        db.execute(f"delete from {table} where report_id = ?", [report_id])
    db.execute("update captures set report_id = null where report_id = ?", [report_id])
    db.execute("delete from reports where id = ?", [report_id])


def _report_row(report: Report, source: dict, *, url, title, place: Place, portal_id) -> dict:
    return {
        "title": title,
        "agency": report.agency,
        "province": place.province,
        "city": place.city,
        "county": place.county,
        "adcode": place.adcode,
        "level": place.level,
        "year": report.year,
        "template": report.template,
        "published_date": report.published_date,
        "url": url,
        "capture_sha256": source["sha256"],
        "portal_id": portal_id,
        "parse_status": "complete" if report.is_complete else "partial",
        "parser_version": report.parser_version,
        "failed_checks": len(report.failed_checks),
        "not_assessable_checks": sum(c.status == "not_assessable" for c in report.checks),
        "cell_count": len(report.cells),
        "problem_count": len(report.problems),
        "media_type": report.media_type,
        "ocr": int(report.ocr),
        "body_text": report.body_text,
        "sections": json.dumps(report.sections, ensure_ascii=False),
    }


def store_report(
    db: Database,
    source: ParsedCapture,
    *,
    related: list[ParsedCapture] = (),
    place: Place = Place(),
    url: str | None = None,
    title: str | None = None,
) -> Outcome:
    """Store the report parsed from ``source`` as one unit: its own transaction, or a
    savepoint of the transaction ``Commits`` holds open.

    :param db: an archive opened with ``archive.db.open_db``.
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
    try:
        return _store(db, source, related, place, url, title, report_id)
    except BaseException:
        _forget_rule_ids(db)
        raise


def _store(db, source, related, place, url, title, report_id) -> Outcome:
    with db.atomic():
        db.execute("pragma defer_foreign_keys = on")
        previous = {
            row[0]: row[1]
            for capture in (source, *related)
            for row in db.execute(
                "select sha256, report_id from captures where sha256 = ?", [capture.row["sha256"]]
            ).fetchall()
        }
        for capture in (source, *related):
            upsert_capture(db, capture.to_row(report_id))
        orphaned = sorted({old for old in previous.values() if old and old != report_id})
        outcome = _write_report(db, source.report, source, report_id, url, title, place)
        outcome.orphaned = orphaned
        return outcome


def _write_report(db, report, source, report_id, url, title, place) -> Outcome:
    old = _stored_report(db, report_id)
    if old and old["capture_sha256"] != source.row["sha256"]:
        best = db.execute(
            "select * from captures where sha256 = ?", [old["capture_sha256"]]
        ).fetchone()
        columns = [d[0] for d in db.execute("select * from captures limit 0").description]
        if best and _rank(dict(zip(columns, best))) > _rank(source.to_row(report_id)):
            return Outcome(report_id, "kept")
    wanted = _report_row(
        report, source.row, url=url, title=title or report.title, place=place,
        portal_id=source.row.get("portal_id"),
    )
    texts = {k: wanted.pop(k) for k in TEXT_COLUMNS}
    if old is None:
        # every report has exactly one search row, so one past the highest is free
        fts_rowid = db.execute("select coalesce(max(id), 0) + 1 from reports_fts_docsize").fetchone()[0]
        row = {"id": report_id, "fts_rowid": fts_rowid, **wanted}
        db.execute(
            f"insert into reports ({', '.join(row)}) values ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        db.execute("insert into report_texts (report_id, body_text, sections) values (?, ?, ?)",
                   [report_id, texts["body_text"], texts["sections"]])
        changed = True
    else:
        fts_rowid = old["fts_rowid"]
        changed = any(old[k] != v for k, v in wanted.items())
        if changed:
            db.execute(
                f"update reports set {', '.join(f'{k} = ?' for k in wanted)} where id = ?",
                [*wanted.values(), report_id],
            )
        if any(old[k] != v for k, v in texts.items()):
            changed = True
            db.execute("update report_texts set body_text = ?, sections = ? where report_id = ?",
                       [texts["body_text"], texts["sections"], report_id])
    wanted.update(texts)
    _sync_search(db, fts_rowid, old, wanted["title"], wanted["body_text"])
    for table, rows in _child_rows(db, report).items():
        changed = _sync_children(db, table, report_id, rows, new=old is None) or changed
    if old is None:
        return Outcome(report_id, "new")
    return Outcome(report_id, "updated" if changed else "unchanged")
