"""A search evaluated once: the smaller side of its result, and the rows it stands for."""

from __future__ import annotations

import json
import sqlite3

import pytest

from archive.fts import bigram_text, match_expression
from archive.search_hits import Searchable, evaluate

TEXTS = {1: "本年度未发生行政复议案件", 2: "行政复议决定一件", 3: "收到行政复议申请", 4: "依申请公开",
         5: "本年度无复议"}
WHERE = Searchable("docs", "docs_fts", "fts_rowid")


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "hits.db"
    conn = sqlite3.connect(path)
    conn.execute("create table docs (id text primary key, fts_rowid integer not null)")
    conn.execute("create virtual table docs_fts using fts5(body, content='')")
    for rowid, text in TEXTS.items():
        conn.execute("insert into docs values (?, ?)", [f"d{rowid}", rowid])
        conn.execute("insert into docs_fts (rowid, body) values (?, ?)", [rowid, bigram_text(text)])
    conn.commit()
    yield conn, str(path)
    conn.close()


def _rows(conn, hits) -> list[str]:
    operator = "not in" if hits.negated else "in"
    return [r[0] for r in conn.execute(
        f"select id from docs where fts_rowid {operator} (select value from json_each(?)) order by id",
        [hits.rowids])]


def _matching(conn, words) -> list[str]:
    return [r[0] for r in conn.execute(
        "select id from docs where fts_rowid in (select rowid from docs_fts where docs_fts match ?) "
        "order by id", [match_expression(words)])]


@pytest.mark.parametrize("words, negated", [("复议", True), ("行政复议", True), ("公开", False),
                                            ("诉讼", False)])
def test_keeps_the_smaller_side_and_stands_for_exactly_the_matching_rows(archive, words, negated):
    conn, path = archive
    hits = evaluate(conn, WHERE, match_expression(words), path)
    assert hits.negated is negated
    assert len(json.loads(hits.rowids)) <= len(TEXTS) / 2
    assert _rows(conn, hits) == _matching(conn, words)


@pytest.mark.parametrize("negated", [True, False])
def test_either_side_can_be_asked_for(archive, negated):
    conn, path = archive
    hits = evaluate(conn, WHERE, match_expression("复议"), path, negated=negated)
    assert hits.negated is negated
    assert _rows(conn, hits) == ["d1", "d2", "d3", "d5"]


def test_a_changed_file_is_read_again(archive):
    conn, path = archive
    assert evaluate(conn, WHERE, match_expression("复议"), path).negated
    for rowid in (6, 7, 8, 9):  # four reports without 复议: most rows no longer match
        conn.execute("insert into docs values (?, ?)", [f"d{rowid}", rowid])
        conn.execute("insert into docs_fts (rowid, body) values (?, ?)", [rowid, bigram_text("主动公开")])
    conn.commit()
    hits = evaluate(conn, WHERE, match_expression("复议"), path)
    assert not hits.negated and _rows(conn, hits) == ["d1", "d2", "d3", "d5"]
    assert _rows(conn, evaluate(conn, WHERE, match_expression("公开"), path)) == [
        "d4", "d6", "d7", "d8", "d9"]


def test_an_expression_fts5_rejects_raises(archive):
    conn, path = archive
    with pytest.raises(sqlite3.OperationalError):
        evaluate(conn, WHERE, 'body : ("复议"', path)
