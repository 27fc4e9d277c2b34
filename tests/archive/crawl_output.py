"""Builds a crawl output directory (WARC + manifest.jsonl + runs.jsonl) as the crawler writes
it, from fixture documents, so archive tests load exactly what a crawl would hand over."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from parsers.models import CaptureRecord


@dataclass
class Doc:
    """One fetched document of the simulated crawl."""

    data: bytes
    url: str
    role: str = "report"
    portal_id: str = "fujian_sanming_gov"
    fetched_at: str = "2026-03-02T08:00:00+00:00"
    content_type: str = "text/html; charset=utf-8"
    listing_title: str | None = None
    listing_date: str | None = None
    parent_url: str | None = None


def write_crawl(directory: Path, docs: list[Doc], runs: list[dict] = (),
                warc_name: str = "nianbao-test.warc.gz") -> Path:
    """Append ``docs`` to ``directory``'s WARC file and manifest (created if missing)."""
    (directory / "warc").mkdir(parents=True, exist_ok=True)
    warc_path = directory / "warc" / warc_name
    with open(warc_path, "ab") as warc, open(directory / "manifest.jsonl", "a", encoding="utf-8") as manifest:
        writer = WARCWriter(warc, gzip=True)
        for doc in docs:
            headers = StatusAndHeaders("200 OK", [("Content-Type", doc.content_type),
                                                  ("Content-Length", str(len(doc.data)))],
                                       protocol="HTTP/1.1")
            record = writer.create_warc_record(doc.url, "response", payload=BytesIO(doc.data),
                                               length=len(doc.data), http_headers=headers)
            offset = warc.tell()
            writer.write_record(record)
            line = CaptureRecord(
                portal_id=doc.portal_id, url=doc.url, final_url=doc.url, fetched_at=doc.fetched_at,
                status=200, content_type=doc.content_type, size=len(doc.data),
                sha256=hashlib.sha256(doc.data).hexdigest(), warc_file=f"warc/{warc_name}",
                warc_offset=offset, role=doc.role, listing_title=doc.listing_title,
                listing_date=doc.listing_date, candidate_reason="title names 年度报告",
                parent_url=doc.parent_url,
            )
            manifest.write(json.dumps(line.to_dict(), ensure_ascii=False) + "\n")
    with open(directory / "runs.jsonl", "a", encoding="utf-8") as lines:
        for run in runs:
            lines.write(json.dumps(run, ensure_ascii=False) + "\n")
    return directory
