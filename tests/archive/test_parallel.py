"""Loading with worker processes: the same archive as in one process, a dying worker costs one
document (a per-document error, never the load), and the progress counts every document."""

from __future__ import annotations

import os
import pickle
import signal
import sqlite3

import pytest

import parsers
from archive.load import ingest_files, load_crawl, reparse
from archive.parallel import Crashed, ordered_map
from tests.archive.conftest import PARSER_FIXTURES, PORTAL, table_contents

CRASH_MARK = "沙县区凤岗街道办事处".encode()  # only inconsistent_2021.html names this organ


def _square(n: int) -> int:
    return n * n


def _die_on_seven(n: int) -> int:
    if n == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def _raise_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


def test_ordered_map_keeps_the_items_order_across_workers():
    assert list(ordered_map(_square, range(50), jobs=2, chunk=3)) == [(n, n * n) for n in range(50)]


def test_ordered_map_turns_a_dead_worker_into_one_crashed_item():
    results = dict(ordered_map(_die_on_seven, range(20), jobs=2, chunk=4))
    assert list(results) == list(range(20))
    assert results[7] == Crashed(-signal.SIGKILL)
    assert {n: r for n, r in results.items() if n != 7} == {n: n for n in range(20) if n != 7}


def test_ordered_map_raises_what_the_function_raises():
    with pytest.raises(ValueError, match="three"):
        list(ordered_map(_raise_on_three, range(10), jobs=2, chunk=2))


def test_ordered_map_raises_at_once_on_an_item_it_cannot_send():
    with pytest.raises((pickle.PicklingError, AttributeError)):
        list(ordered_map(_square, [1, 2, lambda: 3], jobs=2, chunk=1))


def test_workers_build_the_same_archive_as_one_process(tmp_path, crawl_dir):
    load_crawl(tmp_path / "one.db", crawl_dir, [PORTAL], jobs=1)
    load_crawl(tmp_path / "two.db", crawl_dir, [PORTAL], jobs=2)
    assert table_contents(tmp_path / "two.db") == table_contents(tmp_path / "one.db")


def _parser_that_kills_its_process(real_parse, calls=None):
    """``parse``, except that parsing the crash document kills the process (after adding a
    line to the file ``calls``, if given: the workers are other processes)."""
    def parse(data, **provenance):
        if CRASH_MARK in data:  # as a parser crashing the interpreter (segfault) would
            if calls is not None:
                with open(calls, "a") as counter:
                    counter.write("parsed\n")
            os.kill(os.getpid(), signal.SIGKILL)
        return real_parse(data, **provenance)

    return parse


def _rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_a_dying_worker_costs_only_its_document(tmp_path, crawl_dir, monkeypatch):
    monkeypatch.setattr(parsers, "parse", _parser_that_kills_its_process(parsers.parse))
    summary = load_crawl(tmp_path / "a.db", crawl_dir, [PORTAL], jobs=2)
    assert summary.actions == {"new": 7}  # every report but the one whose parse killed its worker
    assert summary.parse_failures == {"error": 1, "not_report": 1}
    (crashed,) = _rows(tmp_path / "a.db",
                       "select * from captures where url like '%inconsistent_2021%'")
    assert crashed["parse_status"] == "error" and "died" in crashed["parse_message"]
    assert crashed["report_id"] is None
    assert crashed["parser_version"] is None  # not a verdict on the document: tried again

    monkeypatch.undo()
    again = load_crawl(tmp_path / "a.db", crawl_dir, [PORTAL], jobs=2)
    assert again.actions == {"new": 1} and again.captures == 1
    clean = tmp_path / "clean.db"
    load_crawl(clean, crawl_dir, [PORTAL], jobs=1)
    assert _by_content(tmp_path / "a.db") == _by_content(clean)


def test_a_document_that_kills_its_worker_at_two_loads_waits_for_a_parser_upgrade(
        tmp_path, crawl_dir, monkeypatch):
    calls = tmp_path / "calls"
    real_parse = parsers.parse
    monkeypatch.setattr(parsers, "parse", _parser_that_kills_its_process(real_parse, calls))
    db = tmp_path / "a.db"
    version = parsers.PARSER_VERSION

    def crashed() -> dict:
        (row,) = _rows(db, "select * from captures where url like '%inconsistent_2021%'")
        assert row["parse_status"] == "error" and row["report_id"] is None
        return row

    def parsed() -> int:
        return len(calls.read_text().splitlines()) if calls.exists() else 0

    load_crawl(db, crawl_dir, [PORTAL], jobs=2)
    first = crashed()
    assert "died" in first["parse_message"] and "1st time" in first["parse_message"]
    assert first["parser_version"] is None  # maybe the out-of-memory killer: tried again
    assert first["worker_deaths"] == 1
    tries = parsed()
    assert tries >= 1

    second = load_crawl(db, crawl_dir, [PORTAL], jobs=2)
    assert second.captures == 1 and second.parse_failures == {"error": 1}
    assert parsed() > tries
    verdict = crashed()
    assert "2nd time" in verdict["parse_message"]
    assert verdict["parser_version"] == version  # this parser's verdict on the document
    assert verdict["worker_deaths"] == 2

    tries = parsed()
    third = load_crawl(db, crawl_dir, [PORTAL], jobs=2)
    assert third.captures == 0 and parsed() == tries  # not parsed, no worker killed
    assert reparse(db, jobs=2).captures == 0 and parsed() == tries
    assert crashed() == verdict

    forced = reparse(db, all_captures=True, jobs=2)  # asked for: tried, still a verdict
    assert forced.parse_failures == {"error": 1, "not_report": 1} and parsed() > tries
    assert "3rd time" in crashed()["parse_message"] and crashed()["parser_version"] == version
    assert crashed()["worker_deaths"] == 3

    tries = parsed()
    monkeypatch.setattr(parsers, "PARSER_VERSION", version + 1)  # a parser upgrade
    upgraded = reparse(db, jobs=2)
    assert upgraded.parse_failures["error"] == 1 and parsed() > tries
    after_upgrade = crashed()
    assert f"1st time with parser version {version + 1}" in after_upgrade["parse_message"]
    assert after_upgrade["parser_version"] is None  # the new parser gets its second try
    assert after_upgrade["worker_deaths"] == 1

    monkeypatch.setattr(parsers, "parse", real_parse)  # a parser that no longer crashes on it
    fixed_load = reparse(db, jobs=2)  # the one capture without this parser's verdict
    assert fixed_load.captures == 1 and not fixed_load.parse_failures
    (fixed,) = _rows(db, "select * from captures where url like '%inconsistent_2021%'")
    assert fixed["report_id"] is not None and fixed["parse_status"] == "complete"
    assert fixed["worker_deaths"] is None and fixed["parser_version"] == version + 1


def _by_content(db_path) -> dict:
    """table_contents, but reports without fts_rowid (a report stored later gets a later
    one), numbers and checks through the views that name reports by id (their tables name
    them by fts_rowid), and the search as the report ids it finds."""
    contents = table_contents(db_path)
    del contents["reports"], contents["reports_fts_terms"]
    del contents["cell_values"], contents["check_results"]  # as the views cells and checks
    contents["reports"] = sorted(map(repr, (
        {k: v for k, v in r.items() if k != "fts_rowid"}
        for r in _rows(db_path, "select * from reports"))))
    contents["search"] = sorted(r["id"] for r in _rows(
        db_path, "select id from reports where fts_rowid in "
                 "(select rowid from reports_fts where reports_fts match '\"复议\"')"))
    return contents


def test_a_parse_that_raises_in_a_worker_is_that_documents_error(tmp_path, monkeypatch):
    real_parse = parsers.parse

    def parse(data, **provenance):
        if "清流县交通运输局".encode("gbk") in data:  # gbk_meta_2019.html only
            raise RuntimeError("parser bug")
        return real_parse(data, **provenance)

    monkeypatch.setattr(parsers, "parse", parse)
    files = [PARSER_FIXTURES / "gbk_meta_2019.html", PARSER_FIXTURES / "inconsistent_2021.html"]
    summary = ingest_files(tmp_path / "a.db", files, jobs=2)
    assert summary.actions == {"new": 1} and summary.parse_failures == {"error": 1}
    (failed,) = _rows(tmp_path / "a.db", "select * from captures where parse_status = 'error'")
    assert failed["parse_message"] == "RuntimeError: parser bug"


def test_progress_counts_every_document_once_in_order(tmp_path, crawl_dir):
    totals, steps = [], []
    summary = load_crawl(tmp_path / "a.db", crawl_dir, [PORTAL], jobs=2,
                         progress=steps.append, total=totals.append)
    assert len(totals) == 1 and sum(steps) == totals[0] == summary.captures
    assert steps.count(2) == 1  # the attachment page and its PDF: one group, one step
