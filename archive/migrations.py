"""The archive's schema, created and evolved only through sqlite-utils ``Migrations``.

Add a new ``@MIGRATIONS()`` function for every change; never edit one that has shipped,
because archives in the wild have already applied it. docs/archive.md describes the tables,
and archive/datasette/metadata.yml describes every column (a test keeps the three in step).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from archive.fts import bigram_text

MIGRATIONS = Migrations("nianbao.archive")

# Canonical keys of the wide views (report-format.md). Table 3's rows, in template order;
# "other" is one row in template 2019 and three rows in template 2021.
REQUEST_ROWS = (
    "new",
    "carried_over",
    "granted",
    "partial",
    "withheld.state_secret",
    "withheld.other_law",
    "withheld.security_stability",
    "withheld.third_party",
    "withheld.internal_affairs",
    "withheld.process_info",
    "withheld.enforcement_file",
    "withheld.query_matter",
    "unable.not_held",
    "unable.needs_creation",
    "unable.unclear",
    "not_processed.petition",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirmation",
    "other",
    "other.overdue_correction",
    "other.overdue_fee",
    "other.other",
    "total",
    "carried_forward",
)
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_RESULTS = ("upheld", "corrected", "other", "pending", "total")
ACTIVE_KEYS = (
    "art20_1.rules.made",
    "art20_1.rules.published",
    "art20_1.rules.total",
    "art20_1.rules.issued",
    "art20_1.rules.repealed",
    "art20_1.rules.in_force",
    "art20_1.normative.made",
    "art20_1.normative.published",
    "art20_1.normative.total",
    "art20_1.normative.issued",
    "art20_1.normative.repealed",
    "art20_1.normative.in_force",
    "art20_5.licensing.prev_items",
    "art20_5.licensing.change",
    "art20_5.licensing.decisions",
    "art20_5.other_services.prev_items",
    "art20_5.other_services.change",
    "art20_5.other_services.decisions",
    "art20_6.penalty.prev_items",
    "art20_6.penalty.change",
    "art20_6.penalty.decisions",
    "art20_6.coercion.prev_items",
    "art20_6.coercion.change",
    "art20_6.coercion.decisions",
    "art20_8.fees.prev_items",
    "art20_8.fees.change",
    "art20_8.fees.amount",
    "art20_9.procurement.items",
    "art20_9.procurement.amount",
)

_REPORT_COLUMNS = "r.id as report_id, r.agency, r.province, r.city, r.county, r.year, r.template"


def _column_name(key: str) -> str:
    """``withheld.state_secret`` -> ``withheld_state_secret``: a plain SQL identifier."""
    return key.replace(".", "_")


# How a wide view's column reads one number of report ``r``: by report id from the cells view
# (m001), then by the report's number straight from cell_values (m008).
_LOOKUP_BY_ID = "select value from cells where report_id = r.id and key = '{key}'"
_LOOKUP_BY_NUMBER = "select value from cell_values where report_fts_rowid = r.fts_rowid and key = '{key}'"


def _wide_view_sql(name: str, columns: dict[str, str], lookup: str = _LOOKUP_BY_NUMBER) -> str:
    """A view with one row per report and one column per canonical key (a pk lookup each)."""
    lookups = ",\n  ".join(
        f"({lookup.format(key=key)}) as [{column}]" for column, key in columns.items()
    )
    return f"create view {name} as select\n  {_REPORT_COLUMNS},\n  {lookups}\nfrom reports r"


def wide_view_columns() -> dict[str, dict[str, str]]:
    """For each wide view: its value columns mapped to the canonical key each one shows."""
    return {
        "requests_by_report": {
            f"{_column_name(row)}_total": f"requests.{row}.total" for row in REQUEST_ROWS
        },
        "review_litigation_by_report": {
            f"{group}_{result}": f"review_litigation.{group}.{result}"
            for group in REVIEW_GROUPS
            for result in REVIEW_RESULTS
        },
        "active_by_report": {_column_name(key): f"active.{key}" for key in ACTIVE_KEYS},
    }


@MIGRATIONS()
def m001_initial_schema(db: Database) -> None:
    db["portals"].create(
        {
            "id": str,
            "name_zh": str,
            "province": str,
            "city": str,
            "county": str,
            "adcode": str,
            "level": str,
            "platform": str,
            "start_urls": str,
            "notes": str,
        },
        pk="id",
    )
    db["crawl_runs"].create(
        {
            "portal_id": str,
            "started": str,
            "finished": str,
            "scope": str,
            "pages": int,
            "reports_found": int,
            "reports_new": int,
            "reports_updated": int,
            "errors": int,
            "status": str,
        },
        pk=("portal_id", "started"),
        foreign_keys=[("portal_id", "portals", "id")],
    )
    db["reports"].create(
        {
            "id": str,
            "fts_rowid": int,
            "title": str,
            "agency": str,
            "province": str,
            "city": str,
            "county": str,
            "adcode": str,
            "level": str,
            "year": int,
            "template": str,
            "published_date": str,
            "url": str,
            "capture_sha256": str,
            "portal_id": str,
            "parse_status": str,
            "parser_version": int,
            "failed_checks": int,
            "not_assessable_checks": int,
            "cell_count": int,
            "problem_count": int,
            "media_type": str,
            "ocr": int,
        },
        pk="id",
        not_null={"fts_rowid"},
        foreign_keys=[("portal_id", "portals", "id")],
    )
    # The long texts live beside the report row, so pages, sorts and facets over 100,000
    # reports read narrow rows; reports_fts indexes them.
    db["report_texts"].create(
        {"report_id": str, "body_text": str, "sections": str},
        pk="report_id",
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["captures"].create(
        {
            "sha256": str,
            "url": str,
            "final_url": str,
            "fetched_at": str,
            "status": int,
            "content_type": str,
            "size": int,
            "warc_file": str,
            "warc_offset": int,
            "portal_id": str,
            "role": str,
            "listing_title": str,
            "listing_date": str,
            "candidate_reason": str,
            "parent_url": str,
            "report_id": str,
            "parser_version": int,
            "parse_status": str,
            "parse_message": str,
            "cell_count": int,
            "failed_checks": int,
            "published_date": str,
        },
        pk="sha256",
        foreign_keys=[("portal_id", "portals", "id"), ("report_id", "reports", "id")],
    )
    # reports.capture_sha256 -> captures: added after both tables exist (they point at each other).
    db["reports"].add_foreign_key("capture_sha256", "captures", "sha256")
    db.execute(
        """create table cells (
            report_id text not null references reports(id),
            key text not null,
            value numeric,
            raw text,
            confidence real,
            -- the key's three parts, computed (not stored): requests.withheld.state_secret.total
            -- -> requests | withheld.state_secret | total
            table_key text generated always as (substr(key, 1, instr(key, '.') - 1)) virtual,
            row_key text generated always as (substr(
                rtrim(key, replace(key, '.', '')), instr(key, '.') + 1,
                length(rtrim(key, replace(key, '.', ''))) - instr(key, '.') - 1)) virtual,
            column_key text generated always as (
                substr(key, length(rtrim(key, replace(key, '.', ''))) + 1)) virtual,
            primary key (report_id, key)
        ) without rowid"""
    )
    # A rule's keys repeat in every report (40 rules, ~360 bytes of keys each): kept once here.
    db.execute(
        """create table check_rules (
            id integer primary key,
            rule text not null,
            keys text not null,
            unique (rule, keys)
        )"""
    )
    db.execute(
        """create table checks (
            report_id text not null references reports(id),
            seq integer not null,
            rule text not null,
            rule_id integer not null references check_rules(id),
            expected numeric,
            actual numeric,
            status text not null,
            blanks integer not null,
            primary key (report_id, seq)
        ) without rowid"""
    )
    db.execute(
        """create table problems (
            report_id text not null references reports(id),
            seq integer not null,
            code text not null,
            message text not null,
            key text,
            primary key (report_id, seq)
        ) without rowid"""
    )
    # Where each capture's bytes sit on this machine; internal, left out of exports.
    db["_capture_locations"].create({"sha256": str, "warc_path": str}, pk="sha256")
    # Facet columns carry fts_rowid, so a facet, a count or a sorted page over search results
    # is read from these indexes alone. There is deliberately NO index on fts_rowid by itself:
    # with one, SQLite drives Datasette's `fts_rowid in (select rowid … match …)` from the
    # matches and visits every matching report row (measured 3-6x slower on common words).
    # fts_rowid is unique by construction (store.py: one past the index's highest rowid).
    for column in ("province", "year", "level", "template"):
        db["reports"].create_index([column, "fts_rowid"])
    for columns in (["agency", "year"], ["province", "year"], ["adcode"], ["portal_id"],
                    ["capture_sha256"], ["failed_checks"], ["published_date"]):
        db["reports"].create_index(columns)
    for column in ("report_id", "portal_id", "role", "parser_version"):
        db["captures"].create_index([column])
    # Contentless: the index keeps tokens, not the bigram text (half the file size); rows are
    # deleted with FTS5's 'delete' command and the old text, which reports still holds.
    db.execute("create virtual table reports_fts using fts5(title, body, content='')")
    for name, columns in wide_view_columns().items():
        db.execute(_wide_view_sql(name, columns, _LOOKUP_BY_ID))


_CELL_PARTS = """
  -- the key's three parts: requests.withheld.state_secret.total
  -- -> requests | withheld.state_secret | total
  substr(key, 1, instr(key, '.') - 1) as table_key,
  substr(rtrim(key, replace(key, '.', '')), instr(key, '.') + 1,
         length(rtrim(key, replace(key, '.', ''))) - instr(key, '.') - 1) as row_key,
  substr(key, length(rtrim(key, replace(key, '.', ''))) + 1) as column_key"""


@MIGRATIONS()
def m002_cells_view(db: Database) -> None:
    # Generated columns tripled the CPU cost of inserting cells (measured: 1.5 vs 0.45 ms for
    # 200 cells), the largest part of a bulk load. The numbers now live in cell_values, and
    # cells is a view with the same columns as before (table_key, row_key, column_key
    # computed when read), so every query researchers wrote keeps working.
    db.execute(
        """create table cell_values (
            report_id text not null references reports(id),
            key text not null,
            value numeric,
            raw text,
            confidence real,
            primary key (report_id, key)
        ) without rowid"""
    )
    db.execute("insert into cell_values select report_id, key, value, raw, confidence from cells")
    db.execute("drop table cells")
    db.execute(
        "create view cells as select report_id, key, value, raw, confidence,"
        f"{_CELL_PARTS}\nfrom cell_values"
    )


@MIGRATIONS()
def m003_crawl_run_identity(db: Database) -> None:
    # Keyed by (portal_id, started) alone, two scale-out workers that started a portal in the
    # same second overwrote each other's row. A row is now one portal in one crawler process:
    # `worker` is the crawl output directory's name (each worker writes its own), `run_id` the
    # process's run id from runs.jsonl ('' for lines that have none).
    table = db["crawl_runs"]
    table.add_column("worker", str, not_null_default="")
    table.add_column("run_id", str, not_null_default="")
    # What the crawler knows about the list walk, so the silent-portal query can tell a healthy
    # incremental re-crawl (nothing new, known reports listed) from a portal that lists nothing.
    for column in ("lists_complete", "circuit_open", "list_errors", "reports_known", "attachments"):
        table.add_column(column, int)
    table.transform(
        pk=("portal_id", "started", "worker", "run_id"),
        column_order=["portal_id", "started", "worker", "run_id", "finished", "scope", "pages",
                      "reports_found", "reports_known", "attachments", "reports_new",
                      "reports_updated", "errors", "list_errors", "lists_complete",
                      "circuit_open", "status"],
    )


@MIGRATIONS()
def m006_reports_page_order(db: Database) -> None:
    # The reports table page lists newest year first, then by id (metadata sort_desc: year; Datasette
    # adds the primary key). Without this index SQLite sorted every report of the newest year for
    # each page: 14 ms of a search page at 100,000 reports, 0.05 ms with it (docs/search.md).
    db.execute("create index idx_reports_year_desc_id on reports (year desc, id, fts_rowid)")


# Part of m004 (shipped: never change): the partial indexes of the canned queries
# (archive/datasette/metadata.yml `queries:`). Each holds only the rows one query reads, so a
# load pays about ten index entries per report instead of one per cell (20 million at 100,000
# reports), and a test of each condition per cell written (~0.1 ms of the writing process's
# CPU per report in all, docs/archive.md). SQLite uses a partial index only when the query's WHERE repeats the
# index's condition term for term, so the refusal query spells out the same `key = … or …`
# chain; an `in (…)` list would cost the loader nine times as much per cell (measured).
REFUSAL_KEYS = (
    "requests.total.total",
    *(f"requests.{row}.total" for row in REQUEST_ROWS if row.startswith("withheld.")),
)
CANNED_QUERY_INDEXES = {
    # agencies_by_requests: the largest numbers of new requests, read in order, 1,000 at most
    "idx_cell_values_requests_new": "on cell_values (value) where key = 'requests.new.total'",
    # refusal_share_by_province_year: requests handled and refused, one pass grouped by report
    "idx_cell_values_refusal": "on cell_values (report_id, value) where "
    + " or ".join(f"key = '{key}'" for key in REFUSAL_KEYS),
    # inconsistent_reports: the failed checks alone (~0.2 a report), not all ~40 of a report
    "idx_checks_failed": "on checks (report_id) where status = 'fail'",
}


@MIGRATIONS()
def m004_canned_query_indexes(db: Database) -> None:
    # At 100,000 reports agencies_by_requests and refusal_share_by_province_year looked up
    # cells report by report (1.7 s and 2.1 s) and inconsistent_reports read every check of
    # every failing report; with these they take 0.01 s, 0.35 s and 0.1 s (docs/archive.md).
    for name, definition in CANNED_QUERY_INDEXES.items():
        db.execute(f"create index {name} {definition}")


@MIGRATIONS()
def m007_search_index_ascii_tokenizer(db: Database) -> None:
    # archive.fts.bigram_text writes Han bigrams and lower-case ASCII words separated by spaces,
    # nothing else; for such text FTS5's ascii tokenizer makes the same tokens as the default
    # unicode61 (tests/archive/test_search.py compares them) without classifying every
    # character: ~4 % less CPU per report loaded (552 -> 578 reports/s at 20,000, measured).
    # The index is contentless, so it is rebuilt from the reports' texts (~1 min per 100,000).
    db.execute("create virtual table reports_fts_ascii using fts5(title, body, content='', "
               "tokenize='ascii')")
    rows = db.execute("select r.fts_rowid, r.title, t.body_text from reports r "
                      "left join report_texts t on t.report_id = r.id")
    for fts_rowid, title, body in rows:
        db.execute("insert into reports_fts_ascii (rowid, title, body) values (?, ?, ?)",
                   [fts_rowid, bigram_text(title), bigram_text(body)])
    db.execute("drop table reports_fts")
    db.execute("alter table reports_fts_ascii rename to reports_fts")


# m008's partial indexes: m004's, rebuilt over the report's number.
INDEXES_BY_REPORT_NUMBER = {
    # agencies_by_requests: the largest numbers of new requests, read in order, 1,000 at most
    "idx_cell_values_requests_new": CANNED_QUERY_INDEXES["idx_cell_values_requests_new"],
    # refusal_share_by_province_year: requests handled and refused, one pass grouped by report
    "idx_cell_values_refusal": "on cell_values (report_fts_rowid, value) where "
    + " or ".join(f"key = '{key}'" for key in REFUSAL_KEYS),
    # inconsistent_reports: the failed checks alone (~0.2 a report), not all ~40 of a report
    "idx_check_results_failed": "on check_results (report_fts_rowid) where status = 'fail'",
}
_CHECK_COLUMNS = ", ".join(f"c.{column}" for column in (
    "seq", "rule", "rule_id", "expected", "actual", "status", "blanks"))


@MIGRATIONS()
def m008_numbers_and_checks_by_report_number(db: Database) -> None:
    # cell_values and checks were keyed by report_id, and report ids are hashes: each report's
    # ~200 cells and ~40 checks went into the middle of their B-trees, splitting pages half
    # full, and every commit rewrote pages scattered over both tables. That was the largest and
    # the growing part of a load (cells 0.8 and checks 0.25 of 2.3 ms per report at 100,000
    # reports, plus most of the commit's page writes). Keyed by the report's number, fts_rowid
    # (one past the highest for each new report), a load appends them at the end. The views
    # cells and checks show report_id as before, so queries that name them keep working; the
    # unique index on reports.fts_rowid serves the views' joins and the foreign keys.
    for name in (*wide_view_columns(), "cells"):
        db.execute(f"drop view {name}")
    db.execute("create unique index idx_reports_fts_rowid on reports (fts_rowid)")
    db.execute(
        """create table cell_values_by_number (
            report_fts_rowid integer not null references reports(fts_rowid),
            key text not null,
            value numeric,
            raw text,
            confidence real,
            primary key (report_fts_rowid, key)
        ) without rowid"""
    )
    db.execute("insert into cell_values_by_number select r.fts_rowid, c.key, c.value, c.raw, "
               "c.confidence from cell_values c join reports r on r.id = c.report_id order by 1, 2")
    db.execute("drop table cell_values")
    db.execute("alter table cell_values_by_number rename to cell_values")
    db.execute(
        """create table check_results (
            report_fts_rowid integer not null references reports(fts_rowid),
            seq integer not null,
            rule text not null,
            rule_id integer not null references check_rules(id),
            expected numeric,
            actual numeric,
            status text not null,
            blanks integer not null,
            primary key (report_fts_rowid, seq)
        ) without rowid"""
    )
    db.execute(f"insert into check_results select r.fts_rowid, {_CHECK_COLUMNS} from checks c "
               "join reports r on r.id = c.report_id order by 1, 2")
    db.execute("drop table checks")
    for name, definition in INDEXES_BY_REPORT_NUMBER.items():
        db.execute(f"create index {name} {definition}")
    db.execute(
        "create view cells as select r.id as report_id, c.key, c.value, c.raw, c.confidence,"
        f"{_CELL_PARTS}\nfrom cell_values c join reports r on r.fts_rowid = c.report_fts_rowid"
    )
    # with each rule's keys beside its id (the checks: report, rule, keys, …); a view
    # has no foreign keys for Datasette to follow to check_rules
    db.execute(
        f"create view checks as select r.id as report_id, {_CHECK_COLUMNS}, k.keys"
        "\nfrom check_results c join reports r on r.fts_rowid = c.report_fts_rowid"
        "\njoin check_rules k on k.id = c.rule_id"
    )
    for name, columns in wide_view_columns().items():
        db.execute(_wide_view_sql(name, columns))


@MIGRATIONS()
def m009_capture_worker_deaths(db: Database) -> None:
    # A document whose parse kills its worker process was retried at every load, killing a
    # worker each time; the loader now counts the deaths here and gives the capture the parser
    # version as a verdict after two loads in a row (archive/load.py). Empty otherwise.
    db["captures"].add_column("worker_deaths", int)


def migrate(db: Database) -> None:
    """Apply every pending migration to ``db`` (a no-op on an up-to-date archive)."""
    MIGRATIONS.apply(db)
