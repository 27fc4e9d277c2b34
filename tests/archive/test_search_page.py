"""The reports page's search, served by a real Datasette: every statement of the page (rows,
count, facets) filters by the same search, evaluated once, and the page's SQL still answers
when run on its own later."""

from __future__ import annotations

import json
import shutil
import sqlite3
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from archive.serve import start_server


@pytest.fixture(scope="module")
def server(loaded_archive):
    with start_server(loaded_archive) as running:
        yield running


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def _page(server, **args) -> dict:
    return _get(f"{server.database_url}/reports.json?{urlencode({**args, '_size': 'max'})}")


def _ids(page: dict) -> set[str]:
    return {row[page["columns"].index("id")] for row in page["rows"]}


def _reference(db_path, where: str, words: str) -> set[str]:
    conn = sqlite3.connect(db_path)
    try:
        return {r[0] for r in conn.execute(
            f"select id from reports join report_texts on report_id = id where {where}",
            {"w": f"%{words}%"})}
    finally:
        conn.close()


@pytest.mark.parametrize("words", ["复议", "交通运输局"])  # most reports, and a few
def test_rows_count_and_facets_agree_with_the_text(server, loaded_archive, words):
    expected = _reference(loaded_archive, "title like :w or body_text like :w", words)
    page = _page(server, _search=words, _facet="year")
    assert _ids(page) == expected
    assert page["filtered_table_rows_count"] == len(expected)
    conn = sqlite3.connect(loaded_archive)
    years = dict(conn.execute(
        f"select year, count(*) from reports where id in ({','.join('?' * len(expected))}) "
        "group by year", sorted(expected)).fetchall())
    conn.close()
    facet = {item["value"]: item["count"] for item in page["facet_results"]["year"]["results"]}
    assert facet == years


def test_a_column_search_looks_in_that_column_only(server, loaded_archive):
    in_titles = _reference(loaded_archive, "title like :w", "交通运输局")
    anywhere = _reference(loaded_archive, "title like :w or body_text like :w", "复议")
    assert _ids(_page(server, _search_title="交通运输局")) == in_titles
    assert _ids(_page(server, _search_title="交通运输局", _search="复议")) == in_titles & anywhere
    with pytest.raises(urllib.error.HTTPError) as refused:
        _page(server, _search_agency="交通")
    assert refused.value.code == 400 and b"title, body" in refused.value.read()


def test_raw_mode_takes_fts5_syntax(server):
    assert _ids(_page(server, _search='"行政 政复 复议"', _searchmode="raw")) == _ids(
        _page(server, _search="行政复议"))
    with pytest.raises(urllib.error.HTTPError) as refused:
        _page(server, _search='"行政 政复', _searchmode="raw")
    assert refused.value.code == 400 and b"Invalid search" in refused.value.read()


def test_a_blank_search_lists_every_report(server):
    assert _page(server, _search="  ")["filtered_table_rows_count"] == _page(server)[
        "filtered_table_rows_count"]


def test_the_pages_sql_answers_on_its_own_after_its_result_is_forgotten(server):
    page = _page(server, _search="复议")
    sql, params = page["query"]["sql"], dict(page["query"]["params"])
    assert " match " not in sql  # the statements read the page's one evaluation of the search
    params["_search_page"] = "forgotten"
    rerun = _get(f"{server.database_url}.json?{urlencode({'sql': sql, **params, '_size': 'max'})}")
    assert {row[rerun["columns"].index("id")] for row in rerun["rows"]} == _ids(page)


def test_a_search_combines_with_column_filters(server, loaded_archive):
    with_word = _reference(loaded_archive, "title like :w or body_text like :w", "复议")
    conn = sqlite3.connect(loaded_archive)
    by_template = {}
    for report_id, template in conn.execute("select id, template from reports"):
        by_template.setdefault(template, set()).add(report_id)
    conn.close()
    # a template whose reports are some with the word, some without (the fixtures have one)
    template, reports = next((t, ids) for t, ids in by_template.items() if ids & with_word and ids - with_word)
    assert _ids(_page(server, _search="复议", template=template)) == reports & with_word


@pytest.mark.parametrize("words", ["复议", "交通运输局"])  # most reports (`not in`), and a few
def test_the_pages_rows_are_read_in_page_order_not_looked_up_hit_by_hit(server, loaded_archive,
                                                                        tmp_path, words):
    # reports has a unique index on fts_rowid (cells and checks join through it); the search
    # filter must not let SQLite drive the page from the hits through it: a lookup per hit and a
    # sort of all of them (0.49 s for 99,000 hits at 100,000 reports), where reading an index
    # in page order stops after one page (0.016 s). Planned on a copy without ANALYZE's
    # statistics, where SQLite assumes large tables, as it plans a big archive's first pages.
    sql = _page(server, _search=words)["query"]["sql"]
    copy = tmp_path / "unanalysed.db"
    shutil.copy(loaded_archive, copy)
    conn = sqlite3.connect(copy)
    try:
        if conn.execute("select 1 from sqlite_master where name = 'sqlite_stat1'").fetchone():
            conn.execute("delete from sqlite_stat1")
            conn.commit()
        conn.close()
        conn = sqlite3.connect(copy)
        conn.create_function("search_rowids", 6, lambda *args: "[]")  # planned, never run
        steps = [row[3] for row in conn.execute(f"explain query plan {sql}", {
            "_search_page": "", "_search_match": "", "p0": "", "p1": ""})]
    finally:
        conn.close()
    assert any(step.startswith("SCAN reports USING") for step in steps), steps
    assert not any("idx_reports_fts_rowid" in step for step in steps), steps
