"""The capture store: byte-exact WARC records, manifest lines, and the crawl's memory."""

import base64
import hashlib
import json

from warcio.archiveiterator import ArchiveIterator

from crawler.capture_store import CaptureStore
from crawler.items import Capture
from parsers.models import CaptureRecord

GBK_PAGE = "<html><head><meta charset=gb2312></head><body>政府信息公开工作年度报告</body></html>".encode("gbk")


def capture(body=GBK_PAGE, url="http://127.0.0.1:1/a/t20240101_1.html", role="report", **extra):
    return Capture(portal_id="p_gov", role=role, url=url, final_url=url, status=200,
                   headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Server", "x")],
                   body=body, fetched_at="2026-03-01T08:00:00Z", listing_title="某局2023年政府信息公开工作年度报告",
                   listing_date="2024-01-01", candidate_reason="title: 年度报告 + year 2023", **extra)


def test_record_holds_the_exact_bytes_headers_and_sha256(tmp_path):
    store = CaptureStore(tmp_path)
    line = store.write(capture())
    store.close()
    assert line.sha256 == hashlib.sha256(GBK_PAGE).hexdigest() and line.size == len(GBK_PAGE)
    with open(tmp_path / line.warc_file, "rb") as fh:
        fh.seek(line.warc_offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "response"
        assert record.content_stream().read() == GBK_PAGE
    headers = record.rec_headers
    assert headers.get_header("WARC-Target-URI") == line.final_url
    assert headers.get_header("WARC-Date") == "2026-03-01T08:00:00Z"
    digest = base64.b32encode(hashlib.sha256(GBK_PAGE).digest()).decode()
    assert headers.get_header("WARC-Payload-Digest") == f"sha256:{digest}"
    assert record.http_headers.get_header("Content-Type") == "text/html"
    # the body is stored decoded, so a Content-Encoding header would lie about it
    assert record.http_headers.get_header("Content-Encoding") is None


def test_manifest_line_is_a_capture_record(tmp_path):
    store = CaptureStore(tmp_path)
    store.write(capture(role="attachment", parent_url="http://127.0.0.1:1/a/t.html"))
    store.close()
    (line,) = (tmp_path / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert "年度报告" in line, "manifest keeps Chinese readable"
    record = CaptureRecord.from_dict(json.loads(line))
    assert record.role == "attachment" and record.parent_url == "http://127.0.0.1:1/a/t.html"
    assert record.listing_date == "2024-01-01" and record.warc_file.startswith("warc/")


def test_reopened_store_remembers_urls_hashes_and_cuts_a_torn_line(tmp_path):
    store = CaptureStore(tmp_path)
    store.write(capture())
    store.write_seen("p_gov", "http://127.0.0.1:1/repost.html", "ab" * 32, "same bytes")
    store.write_run({"portal_id": "p_gov", "finished_at": "2026-03-01T09:00:00Z", "lists_complete": True})
    store.close()
    with open(tmp_path / "manifest.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"portal_id": "p_gov", "url": "http://torn')  # kill -9 mid-write
    again = CaptureStore(tmp_path)
    assert again.index.has_url("p_gov", "http://127.0.0.1:1/a/t20240101_1.html")
    assert again.index.has_url("p_gov", "http://127.0.0.1:1/repost.html")
    assert not again.index.claim("p_gov", hashlib.sha256(GBK_PAGE).hexdigest())
    assert again.index.claim("p_gov", "cd" * 32) and not again.index.claim("p_gov", "cd" * 32)
    assert again.index.finished_portals == {"p_gov"}
    assert (tmp_path / "manifest.jsonl").read_text(encoding="utf-8").endswith("}\n")
    again.close()


def test_unfinished_or_incomplete_runs_do_not_enable_incremental_stops(tmp_path):
    store = CaptureStore(tmp_path)
    store.write_run({"portal_id": "a_gov", "finished_at": None, "lists_complete": True})
    store.write_run({"portal_id": "b_gov", "finished_at": "2026-03-01T09:00:00Z", "lists_complete": False})
    store.close()
    assert CaptureStore(tmp_path).index.finished_portals == set()


def test_pending_attachments_survive_until_archived(tmp_path):
    store = CaptureStore(tmp_path)
    store.write_pending("p_gov", [{"url": "http://127.0.0.1:1/P020240101.pdf", "parent_url": "http://127.0.0.1:1/a.html"},
                                  {"url": "http://127.0.0.1:1/a/t20240101_1.html", "parent_url": "http://127.0.0.1:1/b.html"}])
    store.write(capture())  # the second "attachment" got archived before the kill
    store.close()
    pending = CaptureStore(tmp_path).index.pending["p_gov"]
    assert [p["url"] for p in pending] == ["http://127.0.0.1:1/P020240101.pdf"]
    assert pending[0]["parent_url"] == "http://127.0.0.1:1/a.html"
