"""A load killed with SIGKILL leaves a valid archive holding whole reports; the next completes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from archive.load import load_crawl
from tests.archive.conftest import BASE, PORTAL, table_contents
from tests.archive.crawl_output import Doc, write_crawl

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seeds" / "000_e091965162a3741c.txt"
DIGITS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
REPORTS = 400


def _many_reports(directory: Path) -> Path:
    """400 distinct township reports: the seed with its township renamed (瓦庙镇 -> 瓦甲乙镇 …)."""
    text = SEED.read_text(encoding="utf-8")
    docs = []
    for i in range(REPORTS):
        name = "瓦" + DIGITS[i // 20] + DIGITS[i % 20] + "镇"
        docs.append(Doc(text.replace("瓦庙镇", name).encode("utf-8"), f"{BASE}/r/{i}.txt",
                        content_type="text/plain; charset=utf-8"))
    return write_crawl(directory, docs)


def _count(db_path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("select count(*) from reports").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _assert_whole_reports(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        broken = conn.execute(
            """select r.id from reports r where
                 r.cell_count != (select count(*) from cells where report_id = r.id)
              or r.problem_count != (select count(*) from problems where report_id = r.id)
              or r.failed_checks != (select count(*) from checks where report_id = r.id and status = 'fail')
              or not exists (select 1 from captures where sha256 = r.capture_sha256 and report_id = r.id)
              or not exists (select 1 from reports_fts_docsize where id = r.fts_rowid)
              or not exists (select 1 from report_texts where report_id = r.id)"""
        ).fetchall()
        assert broken == []
        reports = conn.execute("select count(*) from reports").fetchone()[0]
        assert conn.execute("select count(*) from reports_fts_docsize").fetchone()[0] == reports
        assert conn.execute("select count(distinct fts_rowid) from reports").fetchone()[0] == reports
        return reports
    finally:
        conn.close()


def _processes_naming(text: str) -> list[int]:
    """Processes whose command line contains ``text`` (the loader's workers share its own)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:  # the process ended meanwhile
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected


def _outlive(pids: list[int], seconds: float) -> list[int]:
    """Those of ``pids`` still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = [pid for pid in pids if _alive(pid)]
    return pids


def test_kill_9_mid_load_leaves_whole_reports_and_the_next_load_completes(tmp_path):
    crawl = _many_reports(tmp_path / "crawl")
    db_path = tmp_path / "a.db"
    loader = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from archive.load import load_crawl; "
         "load_crawl(sys.argv[1], sys.argv[2], [eval(sys.argv[3])])",
         str(db_path), str(crawl), repr(PORTAL)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while _count(db_path) < 20 and time.monotonic() < deadline and loader.poll() is None:
        time.sleep(0.05)
    workers = [pid for pid in _processes_naming(str(db_path)) if pid != loader.pid]
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    assert loader.returncode == -signal.SIGKILL  # it was killed mid-load, not finished
    assert workers  # it parsed in worker processes …
    assert _outlive(workers, 10) == []  # … which died with it
    partial = _assert_whole_reports(db_path)
    assert 20 <= partial < REPORTS

    summary = load_crawl(db_path, crawl, [PORTAL])
    assert summary.actions["new"] == REPORTS - partial
    assert _assert_whole_reports(db_path) == REPORTS

    clean = tmp_path / "clean.db"
    load_crawl(clean, crawl, [PORTAL])
    assert table_contents(db_path) == table_contents(clean)
