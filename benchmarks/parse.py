"""Parser throughput on one core: reports per second for HTML pages and for plain text.

    python benchmarks/parse.py [--seconds 3]

HTML: the Word-pasted portal page of the test fixtures as saved (~85 KB of MsoNormal
markup), and the same report with Word's inline styles stripped (~30 KB, the typical size
of a report page). Text: the five seed reports (text extracted from Word/PDF/HTML), and the
same with their tabs taken out (one cell per line, rows rebuilt by parsers.cell_lines).
Target: >= 150 reports/s for a typical 30 KB HTML report.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import parse  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
_WORD_STYLING = re.compile(rb"""\s(?:style|width|valign)=(?:'[^']*'|"[^"]*"|\S+)""")


def throughput(documents: list[bytes], seconds: float) -> tuple[float, float]:
    """(reports per wall-clock second, reports per CPU second of this process) parsing
    ``documents`` round-robin. The CPU figure is the one-core rate even on a busy machine."""
    for data in documents:  # warm-up; also proves each one parses
        parse(data)
    count = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        for data in documents:
            parse(data)
        count += len(documents)
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu_started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="Time to spend on each kind of document.")
    args = parser.parse_args()
    word_page = (FIXTURES / "parsers" / "word_chrome_2021.html").read_bytes()
    typical_page = _WORD_STYLING.sub(b"", word_page)
    seeds = [path.read_bytes() for path in sorted((FIXTURES / "seeds").glob("*.txt"))]
    tab_less = [path.read_bytes() for path in sorted((FIXTURES / "parsers" / "cell_lines").glob("seed_*.txt"))]
    cases = [
        (f"HTML, typical report page ({len(typical_page) / 1024:.0f} KB)", [typical_page]),
        (f"HTML, Word-pasted page as saved ({len(word_page) / 1024:.0f} KB)", [word_page]),
        (f"text, five seed reports (mean {sum(map(len, seeds)) / len(seeds) / 1024:.0f} KB)", seeds),
        ("text, the five seeds without tabs (rows rebuilt)", tab_less),
    ]
    for label, documents in cases:
        wall, cpu = throughput(documents, args.seconds)
        print(f"{label:<48} {wall:7.1f} reports/s wall  {cpu:7.1f} reports/CPU-s  ({1000 / cpu:5.2f} ms CPU each)")


if __name__ == "__main__":
    main()
