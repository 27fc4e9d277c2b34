"""Crawler benchmark: pages/s over the replica with throttling off, and peak memory.

    python benchmarks/crawl.py [--bench-pages 500] [--browser-pages 40]

Prints three figures, each from a real ``scrapy crawl reports`` subprocess against the
replica portal on 127.0.0.1 (AutoThrottle off, no delay, 16 requests per site in flight):

* plain pages/s over a synthetic TRS column of ``--bench-pages`` list pages × 20 report pages
  (default 500 → 10,500 pages), and the crawl process's peak RSS over that column;
* plain pages/s over the replica's platform sites (TRS, Hanweb, Anhui, gkmlpt, GBK generic);
* browser pages/s: list pages rendered in Chromium (scrapy-playwright) on the synthetic column.

pages/s = pages fetched / Scrapy's ``elapsed_time_seconds`` (engine time, without interpreter
start-up); pages per CPU-second divides by the crawl process's CPU time instead, a figure
that holds when other jobs share the machine. Targets (issue 4): ≥ 100 pages/s plain, ≥ 3 pages/s browser, ≤ 500 MB peak memory.
The replica runs in this process, so on a 2-core machine server and crawler share the CPUs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.replica import Replica  # noqa: E402

UNTHROTTLED = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
               "CONCURRENT_REQUESTS": "64",
               "NIANBAO_PROGRESS_INTERVAL": "0", "LOG_LEVEL": "INFO",
               "NIANBAO_RETRY_BACKOFF": "0.05"}  # the flaky 503 page: measure the engine, not the wait


def bench_registry(origin: str, browser_pages: int) -> str:
    return f"""
[[portals]]
id = "bench_reports_column"
name_zh = "基准测试县 年报栏目"
province = "测试省"
platform = "trs"
start_urls = ["{origin}/reports/index.html"]
[portals.trs]
max_list_pages = 100000

[[portals]]
id = "bench_browser_column"
name_zh = "基准测试县 脚本栏目"
province = "测试省"
platform = "trs"
browser = true
wait_for = "ul.list li"
start_urls = ["{origin}/plain/index.html"]
[portals.trs]
max_list_pages = {browser_pages - 1}
"""


def crawl(out: Path, registry: Path, portal: str) -> tuple[dict, float]:
    command = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"portal={portal}",
               "-s", f"NIANBAO_OUTPUT_DIR={out}", "-s", f"NIANBAO_REGISTRY={registry}"]
    for name, value in UNTHROTTLED.items():
        command += ["-s", f"{name}={value}"]
    started, cpu_before = time.monotonic(), _children_cpu()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    if result.returncode != 0:
        sys.exit(result.stderr[-3000:])
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", result.stderr).group(1))
    runs = [json.loads(line) for line in (out / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    pages = sum(r["pages"] for r in runs)
    browser = sum(r["browser_pages"] for r in runs)
    errors = sum(r["errors"] for r in runs)
    if errors > sum(r["portal_id"] == "replica_hubei_qingshan_gov" for r in runs):  # its one 404 link
        print(f"warning: {errors} errors in {portal}: {[r['error_samples'][:3] for r in runs]}", file=sys.stderr)
    return {"pages": pages, "browser_pages": browser, "elapsed": elapsed, "wall": wall, "cpu": cpu}, elapsed


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-pages", type=int, default=500, help="list pages of the synthetic column (×20 reports)")
    parser.add_argument("--browser-pages", type=int, default=40, help="list pages rendered in Chromium")
    args = parser.parse_args()
    replica = Replica(bench_pages=args.bench_pages).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            registry = tmp / "bench.toml"
            registry.write_text(bench_registry(replica.origin("bench"), args.browser_pages), encoding="utf-8")
            column, _ = crawl(tmp / "column", registry, "bench_reports_column")
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"synthetic column: {column['pages']} pages in {column['elapsed']:.1f} s "
                  f"= {column['pages'] / column['elapsed']:.0f} pages/s (plain, throttling off); "
                  f"peak RSS {peak_mb:.0f} MB; {column['pages'] / column['cpu']:.0f} pages per crawler CPU-second")
            replica_registry = replica.write_registry(tmp / "replica.toml")
            plain_ids = ("replica_hubei_qingshan_gov,replica_zhejiang_xikou_gov,replica_anhui_donghe_gov,"
                         "replica_guangdong_nanling_gov,replica_sichuan_xishan_gov")
            sites, _ = crawl(tmp / "sites", replica_registry, plain_ids)
            print(f"replica platform sites: {sites['pages']} pages in {sites['elapsed']:.1f} s "
                  f"= {sites['pages'] / sites['elapsed']:.0f} pages/s (plain, throttling off, "
                  f"{sites['wall']:.1f} s with interpreter start-up; "
                  f"{sites['pages'] / sites['cpu']:.0f} pages per crawler CPU-second)")
            browser, _ = crawl(tmp / "browser", registry, "bench_browser_column")
            print(f"browser: {browser['browser_pages']} list pages rendered in Chromium in {browser['elapsed']:.1f} s "
                  f"= {browser['browser_pages'] / browser['elapsed']:.1f} pages/s (incl. browser start)")
    finally:
        replica.stop()


if __name__ == "__main__":
    main()
