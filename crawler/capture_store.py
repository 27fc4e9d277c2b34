"""The capture store: WARC files plus a JSON-lines manifest, and what a crawl already holds.

Layout of an output directory::

    <out>/warc/nianbao-<UTC time>-<pid>.warc.gz   one file per crawl process, one gzip member per record
    <out>/manifest.jsonl                          one parsers.models.CaptureRecord per line
    <out>/runs.jsonl                              one line per portal per finished run (stats)
    <out>/seen.jsonl                              URLs fetched but not archived: their bytes repeat
                                                  an archived capture (reposts); never fetched again
    <out>/pending.jsonl                           attachments found on a report page, written before
                                                  the page's capture: a resumed crawl fetches those
                                                  not yet archived even though the page is known

Every record is written and flushed to the WARC file *before* its manifest line, and the
manifest line is written in one call and flushed: after a ``kill -9`` a manifest line always
points at a complete record, and a half-written last line is cut off when the store reopens.
The manifest is therefore the crawl's memory: URLs and content hashes it lists are not fetched
or archived again (incremental re-crawl, resume after an interruption).

WARC records carry ``WARC-Target-URI`` (final URL), ``WARC-Date`` (fetch time), the HTTP status
line and headers as served, and ``WARC-Payload-Digest: sha256:<base32>`` over the exact body
(the manifest's ``sha256`` is the same digest in hex).
"""

from __future__ import annotations

import base64
import datetime as _dt
import http
import json
import os
from collections import defaultdict
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.items import Capture
from parsers.models import CaptureRecord

# Scrapy hands over bodies already decoded from gzip/chunked transfer, so these headers would
# describe bytes that are not in the record; they are dropped and Content-Length is set to the body.
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def served_headers(response) -> list[tuple[str, str]]:
    """A Scrapy response's headers as served, one ``(name, value)`` pair per value."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    ]


def stored_headers(headers: list[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    """The headers kept beside ``body`` (a WARC record, a saved fixture): transfer headers
    dropped, ``Content-Length`` that of the body."""
    kept = [(k, v) for k, v in headers if k.lower() not in _TRANSFER_HEADERS]
    kept.append(("Content-Length", str(len(body))))
    return kept


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _repair_tail(path: Path) -> None:
    """Cut a half-written last line (a crash between write and newline) off a JSON-lines file."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        data = fh.read()
        if data.endswith(b"\n"):
            return
        fh.truncate(data.rfind(b"\n") + 1)


def _read_jsonl(path: Path) -> list[dict]:
    _repair_tail(path)
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


class CaptureIndex:
    """What an output directory already holds, per portal: captured URLs and content hashes."""

    def __init__(self) -> None:
        self.urls: dict[str, set[str]] = defaultdict(set)
        self.hashes: dict[str, set[str]] = defaultdict(set)
        self.finished_portals: set[str] = set()
        self.pending: dict[str, list[dict]] = defaultdict(list)

    def add(self, portal_id: str, url: str, final_url: str, sha256: str) -> None:
        self.urls[portal_id].update((url, final_url))
        self.hashes[portal_id].add(sha256)

    def has_url(self, portal_id: str, url: str) -> bool:
        return url in self.urls[portal_id]

    def has_content(self, portal_id: str, sha256: str) -> bool:
        return sha256 in self.hashes[portal_id]

    def claim(self, portal_id: str, sha256: str) -> bool:
        """Reserve a content hash for this portal; False when it is already archived or claimed."""
        if sha256 in self.hashes[portal_id]:
            return False
        self.hashes[portal_id].add(sha256)
        return True


class CaptureStore:
    """Appends captures to a WARC file and the manifest of one output directory."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        (self.out_dir / "warc").mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.out_dir / "manifest.jsonl"
        self.runs_path = self.out_dir / "runs.jsonl"
        self.seen_path = self.out_dir / "seen.jsonl"
        self.pending_path = self.out_dir / "pending.jsonl"
        self.index = CaptureIndex()
        for row in _read_jsonl(self.manifest_path):
            self.index.add(row["portal_id"], row["url"], row["final_url"], row["sha256"])
        for row in _read_jsonl(self.seen_path):
            self.index.urls[row["portal_id"]].add(row["url"])
        for row in _read_jsonl(self.pending_path):
            if not self.index.has_url(row["portal_id"], row["url"]):
                self.index.pending[row["portal_id"]].append(row)
        for row in _read_jsonl(self.runs_path):
            if row.get("finished_at") and row.get("lists_complete"):
                self.index.finished_portals.add(row["portal_id"])
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        self.warc_name = f"nianbao-{stamp}-{os.getpid()}.warc.gz"
        self._warc = None
        self._writer: WARCWriter | None = None
        self._manifest = self.manifest_path.open("a", encoding="utf-8")

    def _open_warc(self) -> WARCWriter:
        if self._writer is None:
            self._warc = (self.out_dir / "warc" / self.warc_name).open("ab")
            self._writer = WARCWriter(self._warc, gzip=True)
            info = self._writer.create_warcinfo_record(
                self.warc_name, {"software": "nianbao crawler (Scrapy, warcio)", "format": "WARC File Format 1.0"}
            )
            self._writer.write_record(info)
        return self._writer

    def write(self, capture: Capture) -> CaptureRecord:
        """Write one capture to the WARC file, then its manifest line; returns that line."""
        writer = self._open_warc()
        headers = stored_headers(capture.headers, capture.body)
        try:
            reason = http.HTTPStatus(capture.status).phrase
        except ValueError:
            reason = "Unknown"
        http_headers = StatusAndHeaders(f"{capture.status} {reason}", headers, protocol="HTTP/1.1")
        digest = base64.b32encode(bytes.fromhex(capture.sha256)).decode("ascii")
        warc_headers = {
            "WARC-Date": capture.fetched_at,
            "WARC-Payload-Digest": f"sha256:{digest}",
            "WARC-Nianbao-Portal": capture.portal_id,
            "WARC-Nianbao-Role": capture.role,
        }
        if capture.url != capture.final_url:
            warc_headers["WARC-Nianbao-Requested-URI"] = capture.url
        if capture.rendered:
            warc_headers["WARC-Nianbao-Rendered"] = "chromium DOM after scripts ran"
        record = writer.create_warc_record(
            capture.final_url, "response", payload=BytesIO(capture.body),
            length=len(capture.body), http_headers=http_headers, warc_headers_dict=warc_headers,
        )
        offset = self._warc.tell()
        writer.write_record(record)
        self._warc.flush()
        line = CaptureRecord(
            portal_id=capture.portal_id, url=capture.url, final_url=capture.final_url,
            fetched_at=capture.fetched_at, status=capture.status, content_type=capture.content_type,
            size=len(capture.body), sha256=capture.sha256, warc_file=f"warc/{self.warc_name}",
            warc_offset=offset, role=capture.role, listing_title=capture.listing_title,
            listing_date=capture.listing_date, candidate_reason=capture.candidate_reason,
            parent_url=capture.parent_url,
        )
        self._manifest.write(json.dumps(line.to_dict(), ensure_ascii=False) + "\n")
        self._manifest.flush()
        self.index.add(capture.portal_id, capture.url, capture.final_url, capture.sha256)
        return line

    def write_pending(self, portal_id: str, attachments: list[dict]) -> None:
        """Remember a report page's attachments before the page itself is archived."""
        with self.pending_path.open("a", encoding="utf-8") as fh:
            fh.write("".join(json.dumps({"portal_id": portal_id, **a}, ensure_ascii=False) + "\n"
                             for a in attachments))
            fh.flush()

    def write_seen(self, portal_id: str, url: str, sha256: str, reason: str) -> None:
        """Remember a URL whose bytes were not archived (a repost of archived content)."""
        with self.seen_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"portal_id": portal_id, "url": url, "sha256": sha256, "reason": reason},
                                ensure_ascii=False) + "\n")
        self.index.urls[portal_id].add(url)

    def write_run(self, stats: dict) -> None:
        """Append one portal's run statistics to runs.jsonl."""
        with self.runs_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(stats, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._manifest.close()
        if self._warc is not None:
            self._warc.close()
