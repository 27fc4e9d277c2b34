"""Schema by migrations; every table and column described; docs name every table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from archive.db import open_db
from archive.describe import describe
from archive.migrations import MIGRATIONS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "archive.md"


def test_migrations_apply_once_and_again_is_a_no_op(tmp_path):
    db = open_db(tmp_path / "a.db")
    schema = db.schema
    db.close()
    db = open_db(tmp_path / "a.db")
    assert db.schema == schema
    assert [m.name for m in MIGRATIONS.applied(db)] == [m.name for m in MIGRATIONS.pending(Database(memory=True))]
    assert MIGRATIONS.pending(db) == []


def test_schema_has_the_tables_views_keys_and_indexes_people_join_and_facet_on(tmp_path):
    db = open_db(tmp_path / "a.db")
    assert {"portals", "captures", "reports", "cell_values", "check_results", "check_rules",
            "problems", "crawl_runs", "reports_fts"} <= set(db.table_names())
    assert set(db.view_names()) == {"cells", "checks", "requests_by_report",
                                    "review_litigation_by_report", "active_by_report"}
    fks = {(fk.table, fk.column, fk.other_table, fk.other_column)
           for t in ("reports", "captures", "cell_values", "check_results", "problems", "crawl_runs")
           for fk in db[t].foreign_keys}
    assert {("reports", "capture_sha256", "captures", "sha256"),
            ("reports", "portal_id", "portals", "id"), ("captures", "report_id", "reports", "id"),
            ("cell_values", "report_fts_rowid", "reports", "fts_rowid"),
            ("check_results", "report_fts_rowid", "reports", "fts_rowid"),
            ("check_results", "rule_id", "check_rules", "id"),
            ("problems", "report_id", "reports", "id"),
            ("crawl_runs", "portal_id", "portals", "id")} <= fks
    indexed = {tuple(i.columns) for i in db["reports"].indexes}
    for column in ("province", "year", "level", "template"):
        assert (column, "fts_rowid") in indexed
    assert ("agency", "year") in indexed and ("failed_checks",) in indexed
    # the report's number names it in cell_values and check_results: unique, looked up by the views
    assert any(i.columns == ["fts_rowid"] and i.unique for i in db["reports"].indexes)
    assert db.execute("pragma foreign_keys").fetchone() == (1,)
    assert db.execute("pragma journal_mode").fetchone() == ("wal",)


def test_every_table_and_column_is_described_in_the_metadata(loaded_archive):
    rows = describe(Database(loaded_archive))
    assert all(r["description"].strip() for r in rows)
    described = {(r["table_name"], r["column_name"]) for r in rows}
    assert ("reports", "province") in described and ("requests_by_report", "withheld_state_secret_total") in described


def test_an_undescribed_column_is_caught(tmp_path):
    db = open_db(tmp_path / "a.db")
    db["reports"].add_column("mystery", str)
    with pytest.raises(KeyError, match="reports.mystery"):
        describe(db)


def test_docs_name_every_table_and_view(tmp_path):
    db = open_db(tmp_path / "a.db")
    text = DOCS.read_text(encoding="utf-8")
    public = [n for n in [*db.table_names(), *db.view_names()]
              if not n.startswith("reports_fts_") and n != "_sqlite_migrations"]
    assert [n for n in public if f"`{n}`" not in text] == []


def test_an_archive_of_the_first_schema_upgrades_and_keeps_its_cells_and_runs(tmp_path):
    # m002 moved the numbers from the cells table (generated key parts) to cell_values and a
    # cells view with the same columns: queries written against cells must give the same rows.
    db = Database(tmp_path / "old.db")
    MIGRATIONS.apply(db, stop_before="m002_cells_view")
    db.execute("insert into reports (id, fts_rowid) values ('r1', 1)")
    db.execute("insert into cells (report_id, key, value, raw) values "
               "('r1', 'requests.withheld.state_secret.natural_person', 3, '3'), "
               "('r1', 'active.art20_1.rules.made', null, '')")
    db.execute("insert into portals (id) values ('p1')")
    db.execute("insert into crawl_runs (portal_id, started, pages, reports_found) "
               "values ('p1', '2026-03-01T08:00:00+00:00', 4, 2)")
    db.conn.commit()
    columns = "report_id, key, value, raw, confidence, table_key, row_key, column_key"
    before = db.execute(f"select {columns} from cells order by key").fetchall()
    db.close()
    db = open_db(tmp_path / "old.db")
    assert db.execute(f"select {columns} from cells order by key").fetchall() == before == [
        ("r1", "active.art20_1.rules.made", None, "", None, "active", "art20_1.rules", "made"),
        ("r1", "requests.withheld.state_secret.natural_person", 3, "3", None,
         "requests", "withheld.state_secret", "natural_person"),
    ]
    assert "cells" in db.view_names() and db["cell_values"].count == 2
    # m003: crawl runs keep their rows, with an empty worker and run id
    assert db.execute("select portal_id, worker, run_id, pages, reports_found, lists_complete "
                      "from crawl_runs").fetchall() == [("p1", "", "", 4, 2, None)]


def test_an_archive_keyed_by_report_id_upgrades_with_the_same_numbers_and_checks(tmp_path):
    # m008 keys cell_values and the checks by the report's number (fts_rowid) instead of its id;
    # the views people query (cells, checks, the wide views) must give the same rows as before.
    db = Database(tmp_path / "old.db")
    MIGRATIONS.apply(db, stop_before="m008_numbers_and_checks_by_report_number")
    db.execute("insert into reports (id, fts_rowid, year) values ('rb', 7, 2021), ('ra', 3, 2022)")
    db.execute("insert into cell_values (report_id, key, value, raw) values "
               "('ra', 'requests.new.total', 12, '12'), ('ra', 'requests.total.total', 10, '10'), "
               "('rb', 'requests.new.total', null, ''), ('rb', 'review_litigation.review.upheld', 2, '2'), "
               "('rb', 'active.art20_1.rules.made', 1, '1')")
    db.execute("insert into check_rules (id, rule, keys) values (1, 'requests.balance.total', '[]')")
    db.execute("insert into checks (report_id, seq, rule, rule_id, expected, actual, status, blanks) "
               "values ('ra', 0, 'requests.balance.total', 1, 12, 10, 'fail', 0), "
               "('rb', 0, 'requests.balance.total', 1, 0, 0, 'not_assessable', 1)")
    db.conn.commit()
    views = ("cells", "checks", "requests_by_report", "review_litigation_by_report", "active_by_report")
    columns = {v: "report_id, seq, rule, rule_id, expected, actual, status, blanks" if v == "checks"
               else "*" for v in views}  # the checks view adds each rule's keys
    before = {v: sorted(db.execute(f"select {columns[v]} from {v}").fetchall()) for v in views}
    db.close()
    db = open_db(tmp_path / "old.db")
    assert {v: sorted(db.execute(f"select {columns[v]} from {v}").fetchall()) for v in views} == before
    assert db.execute("select distinct keys from checks").fetchall() == [("[]",)]
    assert before["cells"] and before["checks"] and any(
        value is not None for row in before["requests_by_report"] for value in row[7:])
    assert db.execute("select report_fts_rowid, key from cell_values where value = 12").fetchall() == [
        (3, "requests.new.total")]
    assert db.execute("select report_fts_rowid, status from check_results order by 1").fetchall() == [
        (3, "fail"), (7, "not_assessable")]
    assert db.execute("pragma foreign_key_check").fetchall() == []
