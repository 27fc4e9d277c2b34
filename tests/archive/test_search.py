"""Chinese full-text search over character bigrams, in plain SQLite."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from archive.db import open_db
from archive.fts import bigram_text, match_expression


def test_bigram_text_splits_han_runs_and_keeps_words():
    assert bigram_text("行政复议，2020年ＡＢ") == "行政 政复 复议 2020 年 ab"
    assert bigram_text("") == "" and bigram_text(None) == ""


@pytest.mark.parametrize("query, expected", [
    ("复议", '"复议"'),
    ("行政复议", '"行政 政复 复议"'),
    ("依申请公开 2020", '"依申 申请 请公 公开" "2020"'),
    ('"行政复议"', '"行政 政复 复议"'),
    ("复", '"复"*'),
    ("", '""'),
])
def test_match_expression(query, expected):
    assert match_expression(query) == expected


@pytest.fixture
def index():
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table t using fts5(body, content='')")
    texts = {1: "本年度未发生行政复议案件。", 2: "行政机关对复核意见作出复议决定", 3: "瓦庙镇依申请公开",
             4: "行政诉讼与复查"}
    conn.executemany("insert into t (rowid, body) values (?, ?)",
                     [(k, bigram_text(v)) for k, v in texts.items()])
    conn.create_function("escape_fts", 1, match_expression)
    return lambda q: sorted(r[0] for r in conn.execute(
        "select rowid from t where t match escape_fts(?)", [q]))


def test_two_character_words_are_found_inside_longer_runs(index):
    assert index("复议") == [1, 2]


def test_longer_phrases_match_only_adjacent_characters(index):
    assert index("行政复议") == [1]  # 2 has 行政 and 复议, but not together
    assert index("依申请公开") == [3]
    assert index("瓦庙镇") == [3]


def test_every_term_must_match(index):
    assert index("行政 复查") == [4]


def test_a_single_character_finds_it_at_the_start_of_a_bigram(index):
    assert index("诉") == [4]



TEXTS = ["行政复议，2020年ＡＢ", "瓦庙镇2020年政府信息公开工作年度报告", "依申请公开 PDF café Ⅻ ①②",
         "《条例》第二十条（九）项：收费 0.5万元; e-mail: gk@xx.gov.cn", "本年度无。\t\n行政诉讼 ３ 件"]


def _tokens(tokenizer: str) -> list[tuple]:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"create virtual table t using fts5(body, content='', tokenize='{tokenizer}')")
    conn.execute("create virtual table v using fts5vocab(t, 'instance')")
    conn.executemany("insert into t (rowid, body) values (?, ?)",
                     [(n, bigram_text(text)) for n, text in enumerate(TEXTS, 1)])
    return conn.execute("select term, doc, col, offset from v order by doc, offset").fetchall()


def test_the_ascii_tokenizer_reads_bigram_text_as_unicode61_does():
    # migration m007 indexes with 'ascii' (cheaper); bigram_text must leave it nothing to differ on
    assert len(_tokens("ascii")) > 40
    assert _tokens("ascii") == _tokens("unicode61")


def test_an_archive_indexed_with_unicode61_is_reindexed_with_the_same_matches(loaded_archive, tmp_path):
    older = tmp_path / "older.db"
    shutil.copy(loaded_archive, older)
    conn = sqlite3.connect(older)
    rows = conn.execute("select r.fts_rowid, r.title, t.body_text from reports r "
                        "join report_texts t on t.report_id = r.id").fetchall()
    conn.execute("drop table reports_fts")
    conn.execute("create virtual table reports_fts using fts5(title, body, content='')")
    conn.executemany("insert into reports_fts (rowid, title, body) values (?, ?, ?)",
                     [(rowid, bigram_text(title), bigram_text(body)) for rowid, title, body in rows])
    conn.execute("delete from _sqlite_migrations where name = 'm007_search_index_ascii_tokenizer'")
    conn.commit()

    def matches(db_path) -> dict[str, list[int]]:
        c = sqlite3.connect(db_path)
        found = {q: [r[0] for r in c.execute("select rowid from reports_fts where reports_fts "
                                            "match ? order by rowid", [match_expression(q)])]
                 for q in ("复议", "行政复议", "交通运输局", "2021", "公开 诉讼")}
        c.close()
        return found

    before = matches(older)
    assert before["复议"] and before["交通运输局"] != before["复议"]
    open_db(older).close()
    conn = sqlite3.connect(older)
    assert "tokenize='ascii'" in conn.execute(
        "select sql from sqlite_master where name = 'reports_fts'").fetchone()[0]
    conn.close()
    assert matches(older) == before
