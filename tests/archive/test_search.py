"""Chinese full-text search over character bigrams, in plain SQLite."""

from __future__ import annotations

import sqlite3

import pytest

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

