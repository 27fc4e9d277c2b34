"""Seconds per PDF page and per Word document, on one core (issue 3 targets: a 6-page text PDF
report under 1 s, a docx under 0.2 s).

Reads the test report (tests/fixtures/parsers/documents) as a 6-page text PDF, as docx, as
.doc through LibreOffice and as a scanned PDF through Tesseract, both to a ``Layout``
(``parsers.documents.read_layout``) and to a whole checked ``Report`` (``parsers.parse``).
The process (and the LibreOffice and Tesseract processes it starts) is pinned to one core.
In-process readers are timed in CPU seconds (the shared machine is busy; wall seconds are
printed beside them); conversions in other processes only in wall seconds.

Run: ``python3 -m benchmarks.documents``.
"""

from __future__ import annotations

import os
import time

from benchmarks.pdf_libraries import document_bytes, six_page_report
from parsers import parse
from parsers.documents import read_layout

RUNS = 5


def measure(label: str, function, runs: int = RUNS, per: int = 1, unit: str = "doc") -> None:
    function()  # warm up: imports, caches
    cpu, wall = [], []
    for _ in range(runs):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        function()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    best_cpu, best_wall = min(cpu), min(wall)
    print(f"{label:44} {best_cpu / per:8.3f} s CPU/{unit}  {best_wall / per:8.3f} s wall/{unit}  (best of {runs})")


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract: one thread
    pdf6 = six_page_report()
    docx = document_bytes("report.docx")
    doc = document_bytes("report.doc")
    scanned = document_bytes("report_scanned.pdf")
    pdf_type = "application/pdf"
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    print("text PDF, 6 pages (target: under 1 s for the report)")
    measure("  read_layout, per page", lambda: read_layout(pdf6, pdf_type), per=6, unit="page")
    measure("  read_layout, whole report", lambda: read_layout(pdf6, pdf_type))
    measure("  parse (layout + extract + checks), report", lambda: parse(pdf6))
    print("docx (target: under 0.2 s)")
    measure("  read_layout", lambda: read_layout(docx, docx_type))
    measure("  parse", lambda: parse(docx))
    print(".doc through LibreOffice (a process: wall time counts)")
    measure("  read_layout", lambda: read_layout(doc, "application/msword"), runs=2)
    print("scanned PDF through Tesseract chi_sim, 4 pages (wall time counts)")
    measure("  read_layout, per page", lambda: read_layout(scanned, pdf_type), runs=1, per=4, unit="page")


if __name__ == "__main__":
    main()
