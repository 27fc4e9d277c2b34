"""``nianbao portals`` and ``nianbao crawl`` (the crawl runs in a subprocess: one reactor per process)."""

import json
import os
import sqlite3
import subprocess
import sys

from click.testing import CliRunner

from archive.cli import cli
from tests.crawler.conftest import ROOT


def test_portals_lists_the_registry_by_province():
    result = CliRunner().invoke(cli, ["portals", "--province", "浙江省"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines and all("\t浙江省\t" in line for line in lines)
    assert any(line.startswith("zhejiang_taizhou_luqiao_gov\t") and "[unverified]" in line for line in lines)


def test_portals_json_and_registry_errors(fixture_path):
    result = CliRunner().invoke(cli, ["portals", "--json", "--registry", str(ROOT / "tests/replica/portals.toml")])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {r["platform"] for r in rows} == {"trs", "hanweb", "anhui", "gkmlpt", "generic"}
    bad = CliRunner().invoke(cli, ["portals", "--registry", str(fixture_path("crawler", "registry", "duplicate_id.toml"))])
    assert bad.exit_code == 1 and "duplicate portal id" in bad.output


def test_crawl_needs_exactly_one_selection():
    result = CliRunner().invoke(cli, ["crawl", "--province", "浙江省", "--portal", "all"])
    assert result.exit_code == 2 and "exactly one of" in result.output


def test_crawl_then_load_into_the_archive(replica, replica_registry, tmp_path):
    db = tmp_path / "nianbao.db"
    result = subprocess.run(
        [sys.executable, "-c", "from archive.cli import main; main()", "crawl", "--province", "安徽省",
         "--registry", str(replica_registry), "--out", str(tmp_path / "out"), "--db", str(db), "--no-throttle",
         "-s", "NIANBAO_PROGRESS_INTERVAL=0"],
        cwd=ROOT, capture_output=True, text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "replica_anhui_donghe_gov: 26 pages, 21 reports, 2 attachments, 0 errors (finished)" in result.stdout
    assert "nianbao.progress" in result.stderr  # the per-portal progress display
    with sqlite3.connect(db) as conn:
        (runs,) = conn.execute("select count(*) from crawl_runs where portal_id = 'replica_anhui_donghe_gov' "
                               "and scope = 'province=安徽省'").fetchone()
        (captures,) = conn.execute("select count(*) from captures").fetchone()
    assert runs == 1 and captures >= 23
