"""``nianbao parse``: JSON records, exit codes (0 complete, 2 partial, 1 not a report or
unreadable), one-line reasons on stderr, and bad input that never crashes the command."""

import json
import os
import time

import pytest
from click.testing import CliRunner

from archive.cli import cli
from parsers.schema import template_keys
from tests.conftest import FIXTURES

PARSERS = FIXTURES / "parsers"
SEED = next((FIXTURES / "seeds").glob("003_*.txt"))


def run(*args):
    return CliRunner().invoke(cli, ["parse", *map(str, args)])


def test_json_record_of_a_seed():
    result = run("--json", SEED)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert {"title", "agency", "year", "template", "published_date", "cells", "checks", "problems", "sections"} <= set(record)
    assert set(record["cells"]) == set(template_keys("2019"))  # every cell of the template present
    assert record["cells"]["active.art20_5.other_services.decisions"] == 212
    assert record["published_date"] == "2021-01-18"


def test_partial_record_exits_2():
    result = run("--json", PARSERS / "table3_missing_2020.html")
    assert result.exit_code == 2
    record = json.loads(result.stdout)
    assert record["status"] == "partial" and record["cells"]["requests.new.total"] is None


def test_not_a_report_exits_1_with_one_line_reason():
    result = run(PARSERS / "notice_2022.html")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "a notice, not an annual report" in result.stderr
    assert "Traceback" not in result.output


def test_several_files_worst_wins_and_none_stops_the_others(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = run("--json", SEED, empty, PARSERS / "table3_missing_2020.html", tmp_path / "absent.html")
    assert result.exit_code == 1
    assert len(result.stdout.strip().splitlines()) == 2  # both readable files still printed
    assert "empty.html: empty file" in result.stderr
    assert "absent.html: cannot read file" in result.stderr


def test_worst_of_complete_and_partial_is_partial():
    assert run(SEED, PARSERS / "stray_cell_2020.txt").exit_code == 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (bytes(range(256)) * 64, "binary data"),
    ],
)
def test_bad_bytes_exit_1(tmp_path, content, reason):
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    result = run(path)
    assert result.exit_code == 1 and reason in result.stderr and "Traceback" not in result.output


def test_50_mb_html_page_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.html"
    filler = "<p>" + "政府信息公开" * 200 + "</p>\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write("<html><head><title>某某2020年政府信息公开工作年度报告</title></head><body>")
        while out.tell() < 50 * 1024 * 1024:
            out.write(filler * 100)
        out.write("</body></html>")
    assert os.path.getsize(path) >= 50 * 1024 * 1024
    started = time.perf_counter()
    result = run("--json", path)
    assert time.perf_counter() - started < 5
    assert result.exit_code == 1 and "MB limit" in result.stderr


def test_human_summary_names_failed_checks():
    result = run(PARSERS / "inconsistent_2021.html")
    assert result.exit_code == 0
    assert "3 failed: requests.balance.total, requests.row_sum.new, review_litigation.sum.review" in result.stdout
