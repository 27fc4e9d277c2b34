"""Reading capture bytes out of WARC files, and keeping hand-ingested files in one.

The crawler writes every response byte-exact into ``*.warc.gz`` and records the record's
offset in its manifest; ``read_payload`` reads it back with warcio. Documents a person
downloaded by hand get the same treatment through ``append_resource``, so every capture in
the archive can be re-parsed from exact bytes.
"""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter


class CaptureMissing(Exception):
    """The WARC record a capture points to cannot be read (file gone, offset wrong)."""


def read_payload(warc_path: str | Path, offset: int) -> bytes:
    """The payload (HTTP body, decoded from any transfer/content encoding) at ``offset``.

    :param warc_path: a ``.warc`` or ``.warc.gz`` file.
    :param offset: byte offset of the record, as written in the crawl manifest.
    """
    try:
        with open(warc_path, "rb") as stream:
            stream.seek(offset)
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "resource"):
                    return record.content_stream().read()
                if record.rec_type != "warcinfo":
                    break
    except OSError as error:
        raise CaptureMissing(f"{warc_path}: {error}") from error
    raise CaptureMissing(f"{warc_path}: no response record at offset {offset}")


def append_resource(warc_path: Path, uri: str, data: bytes, content_type: str | None) -> int:
    """Append ``data`` as a WARC ``resource`` record; return the record's offset.

    :param warc_path: created if missing; each record is its own gzip member, so appending
        keeps the file valid even if a later append is interrupted.
    :param uri: WARC-Target-URI (the document's URL, or ``file:<name>`` for a local file).
    """
    warc_path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    headers = {"WARC-Payload-Digest": "sha256:" + hashlib.sha256(data).hexdigest()}
    record = writer.create_warc_record(
        uri,
        "resource",
        payload=BytesIO(data),
        warc_content_type=content_type or "application/octet-stream",
        warc_headers_dict=headers,
    )
    writer.write_record(record)
    with open(warc_path, "ab") as stream:
        offset = stream.tell()
        stream.write(buffer.getvalue())
    return offset
