"""Mutated fixtures never crash the parser and never make it invent a number.

Hypothesis takes real fixtures (seeds, HTML pages, text variants) and truncates them, flips
bytes, deletes lines or shuffles a run of table lines. Whatever comes out, ``parse`` returns a
``Report`` or raises ``ParseError`` (issue 2: "never a traceback"), and every number in the
record's cells is a number written in the input (money may be scaled by its unit; "无" is 0).
"""

import functools
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import ParseError, Report, parse
from parsers.charset import decode
from parsers.text import label_key
from tests.conftest import FIXTURES

SOURCES = sorted(FIXTURES.glob("seeds/*.txt")) + [
    FIXTURES / "parsers" / name
    for name in (
        "word_chrome_2021.html",
        "gbk_meta_2019.html",
        "split_table_2021.html",
        "header_spans_2019.html",
        "marks_fullwidth_2020.txt",
        "stray_cell_2020.txt",
        "pipe_label_variants_2021.txt",
        "cell_lines/seed_000.txt",
        "cell_lines/seed_001.txt",
        "cell_lines/web_copy_2021.txt",
        "cell_lines/space_separated_seed_003.txt",
        "cell_lines/pdftotext_blanks_dropped_2019.txt",
        "cell_lines/pdftotext_page_break_2021.txt",
    )
]
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ZERO_WORDS = {"无", "没有", "零"}
_SCALES = (1, 10_000, 0.0001, 10)  # 万元 as written; 元, 亿元 and 千元 scaled to 万元


@functools.cache
def document(index: int) -> bytes:
    return SOURCES[index].read_bytes()


def _truncate(data: bytes, draw) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _flip_bytes(data: bytes, draw) -> bytes:
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 40))):
        buffer[draw(st.integers(0, len(buffer) - 1))] = draw(st.integers(0, 255))
    return bytes(buffer)


def _delete_lines(data: bytes, draw) -> bytes:
    lines = data.split(b"\n")
    doomed = set(draw(st.lists(st.integers(0, len(lines) - 1), min_size=1, max_size=30)))
    return b"\n".join(line for i, line in enumerate(lines) if i not in doomed)


def _shuffle_rows(data: bytes, draw) -> bytes:
    lines = data.split(b"\n")
    numbered = [i for i, line in enumerate(lines) if re.search(rb"\d", line)]
    start = draw(st.sampled_from(numbered))
    end = min(len(lines), start + draw(st.integers(2, 40)))
    run = draw(st.permutations(lines[start:end]))
    return b"\n".join(lines[:start] + list(run) + lines[end:])


MUTATIONS = (_truncate, _flip_bytes, _delete_lines, _shuffle_rows)


def _numbers_in(data: bytes) -> set[float]:
    text = unicodedata.normalize("NFKC", decode(data)[0])
    return {float(n) for n in _NUMBER.findall(text.replace(",", ""))}


def _written_in_input(value, raw: str, numbers: set[float]) -> bool:
    if value == 0 and label_key(raw).strip("。.") in _ZERO_WORDS:
        return True
    return any(round(abs(value) * scale, 6) in numbers for scale in _SCALES)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_fixtures_give_a_report_or_a_parse_error_and_no_invented_number(data):
    source = data.draw(st.integers(0, len(SOURCES) - 1), label="source")
    mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
    mutated = mutation(document(source), data.draw)
    try:
        report = parse(mutated)
    except ParseError as error:
        assert str(error) and "\n" not in str(error)  # a one-line reason
        return
    assert isinstance(report, Report)
    numbers = _numbers_in(mutated)
    for cell in report.cells:
        if cell.value is not None:
            assert _written_in_input(cell.value, cell.raw, numbers), (cell, SOURCES[source].name, mutation.__name__)
