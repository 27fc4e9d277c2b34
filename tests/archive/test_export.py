"""``export``: a clean, VACUUMed, self-contained copy with a ``_readme`` table."""

from __future__ import annotations

import sqlite3

from archive.export import export
from tests.archive.conftest import table_contents


def test_export_is_a_clean_copy_with_a_readme_of_every_table_and_column(loaded_archive, tmp_path):
    path = export(loaded_archive, tmp_path / "download.db")
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("pragma journal_mode").fetchone() == ("delete",)
        assert conn.execute("pragma freelist_count").fetchone() == (0,)
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view')")]
        assert "_capture_locations" not in names  # paths of the machine that built it
        described = {(t, c) for t, c in conn.execute("select table_name, column_name from _readme")}
        for name in names:
            assert (name, "") in described
            for (column,) in conn.execute(f"select name from pragma_table_xinfo('{name}') where hidden != 1"):
                assert (name, column) in described, (name, column)
        assert conn.execute("select count(*) from _readme where trim(description) = ''").fetchone() == (0,)
        # the search index is merged into one segment (FTS5 optimize)
        assert conn.execute("select count(distinct segid) from reports_fts_idx").fetchone() == (1,)
    finally:
        conn.close()
    original = table_contents(loaded_archive)
    del original["_capture_locations"]
    copied = table_contents(path)
    del copied["_readme"]
    assert copied == original  # search still finds the same reports: fts_rowid survives VACUUM
    assert not (tmp_path / "download.db.partial").exists()
