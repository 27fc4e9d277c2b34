"""``reparse`` after a parser upgrade: only captures parsed by an older version, only changed rows."""

from __future__ import annotations

import dataclasses

import parsers
from archive.load import load_crawl, reparse
from tests.archive.conftest import PORTAL, table_contents

NEW_VERSION = parsers.PARSER_VERSION + 1


def _upgraded_parser(real_parse, changed_agency):
    """The real parser, as a later version whose output differs for one report only."""

    def parse(data, **provenance):
        report = dataclasses.replace(real_parse(data, **provenance), parser_version=NEW_VERSION)
        if report.agency == changed_agency:
            cells = tuple(
                dataclasses.replace(c, value=99, raw="99") if c.key == "requests.new.natural_person" else c
                for c in report.cells
            )
            report = dataclasses.replace(report, cells=cells)
        return report

    return parse


def _without_versions(contents):
    # parser_version moves on every re-parsed row; everything else must change only where the output did
    return {name: rows for name, rows in contents.items() if name not in ("captures", "reports")}


def test_reparse_after_a_version_bump_updates_only_what_changed(tmp_path, crawl_dir, monkeypatch):
    db_path = tmp_path / "a.db"
    load_crawl(db_path, crawl_dir, [PORTAL])
    before = table_contents(db_path)
    monkeypatch.setattr(parsers, "PARSER_VERSION", NEW_VERSION)
    monkeypatch.setattr(parsers, "parse", _upgraded_parser(parsers.parse, "清流县交通运输局"))
    summary = reparse(db_path)
    after = table_contents(db_path)

    assert summary.actions["updated"] == 8  # parser_version is part of every report row
    changed = {
        name: (sorted(set(before[name]) - set(after[name])), sorted(set(after[name]) - set(before[name])))
        for name in _without_versions(before)
        if before[name] != after[name]
    }
    # the wide views show totals only; cells is the view of cell_values
    assert set(changed) == {"cells", "cell_values"}
    (old_cell,), (new_cell,) = changed["cells"]
    assert "requests.new.natural_person" in old_cell and "99" in new_cell
    import sqlite3

    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from captures where role != 'list' and parser_version < ?",
                        [NEW_VERSION]).fetchone() == (0,)
    assert conn.execute("select distinct parser_version from reports").fetchall() == [(NEW_VERSION,)]
    conn.close()

    # Nothing is older now: a second reparse has nothing to do, unless --all.
    assert reparse(db_path).captures == 0
    again = reparse(db_path, all_captures=True)
    assert again.captures > 0 and set(again.actions) <= {"unchanged", "kept"}
    assert table_contents(db_path) == after
