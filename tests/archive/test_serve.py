"""Serving an archive made by an older nianbao: its schema is brought up to date first."""

from __future__ import annotations

import json
import shutil
import sqlite3
import urllib.request

from archive.serve import start_server


def _indexes(db_path) -> set[str]:
    conn = sqlite3.connect(db_path)
    try:
        return {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    finally:
        conn.close()


def _as_older_nianbao_left_it(source, target, migration: str, index: str) -> None:
    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    conn.execute(f"drop index {index}")
    conn.execute("delete from _sqlite_migrations where name = ?", [migration])
    conn.commit()
    conn.close()


def test_an_archive_missing_a_migration_gets_it_before_it_is_served(loaded_archive, tmp_path):
    older = tmp_path / "older.db"
    _as_older_nianbao_left_it(loaded_archive, older, "m006_reports_page_order", "idx_reports_year_desc_id")
    assert "idx_reports_year_desc_id" not in _indexes(older)
    with start_server(older) as server:
        with urllib.request.urlopen(f"{server.database_url}/reports.json?_search=%E5%A4%8D%E8%AE%AE") as response:
            assert json.load(response)["filtered_table_rows_count"] > 0
    assert "idx_reports_year_desc_id" in _indexes(older)
