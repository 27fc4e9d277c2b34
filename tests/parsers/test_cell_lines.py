"""One cell per line and no tabs (text copied from a web page, ``pdftotext`` without -layout).

Fixtures in tests/fixtures/parsers/cell_lines/: the five seeds with their tabs taken out (one
cell per line: the tabs deleted; tab-separated rows: every tab turned into a line break), the
2021 Word-pasted portal page copied as a browser gives it without tabs, and variants where the
text cannot say where a blank cell was. Issue 2: "one-cell-per-line text".
"""

import json
import re

import pytest

from parsers import parse
from parsers.cell_lines import rebuild_rows
from parsers.rows import Line
from tests.conftest import FIXTURES
from tests.parsers.golden import golden_path, seed_files

CELL_LINES = FIXTURES / "parsers" / "cell_lines"
SEEDS = {seed.stem[:3]: seed for seed in seed_files()}


def strip_tabs(text: str) -> str:
    """How the seed fixtures were made (the test below keeps them honest)."""
    if re.search(r"[^\n\t]\t", text):
        return text.replace("\t", "\n")
    return text.replace("\t", "")


def parsed(name):
    return parse((CELL_LINES / name).read_bytes())


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_fixture_is_the_seed_without_tabs(seed):
    stripped = (CELL_LINES / f"seed_{seed}.txt").read_text(encoding="utf-8")
    assert "\t" not in stripped
    assert stripped == strip_tabs(SEEDS[seed].read_text(encoding="utf-8"))


# Seed 001's table 4 is a header, then fifteen cells of which only the three totals say "0"
# and the other twelve are empty lines, after the header row's own closing blank line. Without
# tabs the zeros fit at three offsets; nothing in the text tells which: a problem, not a guess.
AMBIGUOUS = {"001": {"review_litigation"}}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_without_tabs_gives_the_golden_cells(seed):
    golden = json.loads(golden_path(SEEDS[seed]).read_text(encoding="utf-8"))
    report = parsed(f"seed_{seed}.txt")
    record = report.to_dict()
    ambiguous = AMBIGUOUS.get(seed, set())
    assert {(p.code, p.key) for p in report.problems} == {("ambiguous_row", key) for key in ambiguous}
    for key, expected in golden["cells"].items():
        if any(key.startswith(prefix + ".") for prefix in ambiguous):
            assert record["cells"][key] is None, key
        else:
            assert record["cells"][key] == expected, key
            assert record["cells_raw"][key] == golden["cells_raw"][key], key
    for field in ("title", "agency", "year", "template"):
        assert record[field] == golden[field]


def test_stripped_seeds_exercise_every_wrinkle():
    """The fixtures really hold what the rebuild must cope with."""
    text = {seed: (CELL_LINES / f"seed_{seed}.txt").read_text(encoding="utf-8") for seed in SEEDS}
    assert "（三）不\n\n予\n\n公\n\n开" in text["002"]  # vertical label
    assert "本年新\n制作数量" in text["001"]  # header broken over lines
    assert "\n\xa0\n" in text["000"]  # &nbsp; blank cells
    assert text["003"].count("8.属于行政查询事项") == 2  # row repeated at a page break
    assert text["003"].count("申请人情况") == 2  # header repeated at the page break
    assert "9.2万元" in text["001"] and "1190.1万元" in text["000"]


def test_lead_of_the_certain_rows_settles_the_uncertain_ones():
    # seed 001, 四、结转下年度继续办理: six empty lines, "0", then the blank lines before the
    # next part. The zero is the total only if the cells start right after the label, as they
    # do in every row of the table whose placement is certain.
    report = parsed("seed_001.txt")
    values = report.cell_values()
    assert values["requests.carried_forward.total"] == 0
    assert values["requests.carried_forward.other_org"] is None


def test_web_copy_of_a_2021_report_equals_its_html_record():
    html = parse((FIXTURES / "parsers" / "word_chrome_2021.html").read_bytes())
    text = parsed("web_copy_2021.txt")
    assert text.cell_values() == html.cell_values()
    assert (text.title, text.agency, text.year, text.template) == (html.title, html.agency, 2021, "2021")
    assert text.published_date == "2022-01-25"  # the 发布日期 line of the copied 索引号 block
    assert text.is_complete and all(c.status == "pass" for c in text.checks)
    assert text.cell_values()["requests.withheld.third_party.natural_person"] == 1  # under 不/予/公/开
    assert text.cell_values()["active.art20_8.fees.amount"] == 3.5  # header unit 万元


def test_blank_lines_that_leave_a_row_open_make_it_ambiguous():
    report = parsed("ambiguous_blank_lines_2020.txt")
    values = report.cell_values()
    problems = [(p.code, p.key) for p in report.problems]
    assert problems == [("ambiguous_row", "requests.other")]
    assert [values[f"requests.other.{c}"] for c in ("other_org", "total")] == [None, None]
    assert values["requests.new.total"] == 0  # rows around it are still read


def test_blank_cells_dropped_by_pdftotext_are_missing_not_guessed():
    report = parsed("pdftotext_blanks_dropped_2019.txt")
    problems = {(p.code, p.key) for p in report.problems}
    assert ("missing_cells", "requests.new") in problems
    assert ("missing_cells", "review_litigation") in problems
    values = report.cell_values()
    assert all(values[f"requests.new.{c}"] is None for c in ("natural_person", "total"))
    assert values["active.art20_9.procurement.amount"] == 9.2  # table 2 has no blank cells


def test_rebuild_rows_joins_labels_and_places_cells():
    lines = [Line(t) for t in ["（三）不", "", "予", "", "公", "", "开", "1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1"]]
    rows = rebuild_rows(lines, "requests", "2021", 7)
    assert [r.cells for r in rows] == [("（三）不予公开", "1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1")]
    blank = Line("", blank_cell=True)
    lines = [Line("规章"), Line("0"), blank, Line("2"), Line(""), Line("行政规范性文件"), Line("3"), Line("1"), Line("12")]
    rows = rebuild_rows(lines, "active", "2021", 7)
    assert [r.cells for r in rows] == [("规章", "0", "", "2"), ("行政规范性文件", "3", "1", "12")]


def test_space_separated_rows_as_pdf_text_lines_give_them():
    # seed 003 with each run of tabs turned into one space, as PDF text lines without a table
    # grid come: "规章 0 0 0" (clean_line even glues the label to its first number)
    golden = json.loads(golden_path(SEEDS["003"]).read_text(encoding="utf-8"))
    report = parsed("space_separated_seed_003.txt")
    assert report.problems == ()
    assert report.cell_values() == golden["cells"]


def test_two_numbers_in_one_cell_are_never_one_number():
    # "1 2" (or "0<br>0") in one cell is not 12: a word in a number cell, flagged
    from parsers.text import looks_like_value, read_count

    assert read_count("1 2").status == "text" and not looks_like_value("0 0")
    data = (FIXTURES / "parsers" / "word_chrome_2021.html").read_text(encoding="utf-8")
    assert data.count(">156<") == 1
    report = parse(data.replace(">156<", ">15 6<").encode())
    assert report.cell_values()["active.art20_5.licensing.decisions"] is None
    assert ("text_in_number_cell", "active.art20_5.licensing.decisions") in {(p.code, p.key) for p in report.problems}


def test_common_lead_is_not_imposed_on_a_table_that_breaks_it():
    # Two rows start their cells right after the label; "四、结转…" cannot (its only value sits
    # eight lines down), so "（七）总计" — "", "1", then empty lines — keeps both placements.
    texts = ["（一）予以公开", "1", "0", "0", "0", "0", "0", "1",
             "（二）部分公开", "1", "0", "0", "0", "0", "0", "1",
             "（七）总计", "", "1", "", "", "", "", "", "",
             "四、结转下年度继续办理", "", "", "", "", "", "", "", "0", ""]
    rows = rebuild_rows([Line(t) for t in texts], "requests", "2019", 7)
    total = next(r for r in rows if r.cells[0] == "（七）总计")
    assert len(total.readings) == 2
    texts = texts[:-10]  # without the irregular row the lead of the certain rows settles it
    rows = rebuild_rows([Line(t) for t in texts], "requests", "2019", 7)
    total = next(r for r in rows if r.cells[0] == "（七）总计")
    assert total.readings == () and total.cells[1:] == ("", "1", "", "", "", "", "")


def test_page_break_with_page_number_repeated_header_and_row():
    # the 2021 web copy with a pdftotext page break inside table 3: "- 2 -", a form feed,
    # the header again and the row "4.保护第三方合法权益" again
    html = parse((FIXTURES / "parsers" / "word_chrome_2021.html").read_bytes())
    report = parsed("pdftotext_page_break_2021.txt")
    assert report.problems == ()
    assert report.cell_values() == html.cell_values()
