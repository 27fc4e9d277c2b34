"""Which kind of document is this? Media-type sniffing from the bytes themselves.

Portals serve ``.doc`` files that are really HTML or MHT, PDFs named ``.doc`` and docx files
named ``.zip``, under whatever ``Content-Type`` their server guesses. So the type comes from
the bytes: magic numbers, the stream directory of OLE compound files (read with olefile) and
the member names of zip packages. The extension of the URL and the ``Content-Type`` header
only break ties the bytes cannot settle (an encrypted Office package hides whether it holds
a document or a workbook).

Kingsoft WPS: since WPS 2005 a ``.wps`` file is an OLE file with a ``WordDocument`` stream in
the Word 97 binary format, so it is reported (and read) as ``application/msword``. Only OLE
files with the ``CONTENTS`` stream of the older Works/Kingsoft word processors are reported
as ``application/vnd.ms-works``; both are read through LibreOffice.
"""

from __future__ import annotations

import io
import re
import zipfile

import olefile

from parsers.models import UnreadableDocument

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
WPS = "application/vnd.ms-works"
XLS = "application/vnd.ms-excel"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
RTF = "application/rtf"
HTML = "text/html"
MHT = "message/rfc822"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
TIFF = "image/tiff"
BMP = "image/bmp"
WEBP = "image/webp"
ZIP = "application/zip"
PPT = "application/vnd.ms-powerpoint"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_SNIFF_WINDOW = 8192
# Markup that only HTML has, looked for near the start of a text document; Word's "save as
# web page" output (a .doc that is really HTML) starts with <html xmlns:o="urn:schemas-…">.
_HTML_MARKERS = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|meta|title|table|div|p|br|span|script|style)[\s>/]",
    re.IGNORECASE,
)
_MHT_HEADER = re.compile(rb"^\s*(?:[\w-]+:[^\n]*\n)*?content-type:\s*multipart/related", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff_media_type(data: bytes, content_type: str | None = None, url: str | None = None) -> str:
    """Return the media type of ``data`` as read from its bytes.

    ``content_type`` (the HTTP header) and ``url`` only break ties the bytes leave open.
    Raises ``UnreadableDocument`` with a one-line reason for an empty file or binary junk.

    >>> sniff_media_type(b"%PDF-1.7\\n...")
    'application/pdf'
    """
    if not data or not data.strip():
        raise UnreadableDocument("empty file")
    head = data[:_SNIFF_WINDOW]
    if b"%PDF-" in data[:1024]:  # some generators put junk (or a BOM) before the header
        return PDF
    for magic, media_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"BM") and len(data) > 26 and int.from_bytes(head[2:6], "little") == len(data):
        return BMP
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(data, content_type, url)
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(data)
    if head.lstrip().startswith(b"{\\rtf"):
        return RTF
    return _sniff_text(head)


def _hint(content_type: str | None, url: str | None) -> str:
    """Lower-case concatenation of the tie-breaking hints."""
    return f"{content_type or ''} {url or ''}".lower()


def _sniff_ole(data: bytes, content_type: str | None, url: str | None) -> str:
    try:
        ole = olefile.OleFileIO(data)
    except Exception as error:  # olefile raises OSError and assorted struct errors on damage
        raise UnreadableDocument(f"damaged OLE compound file ({error})") from error
    try:
        streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    finally:
        ole.close()
    if {"encryptioninfo", "encryptedpackage"} <= streams:
        # A password-protected docx/xlsx is an OLE wrapper around the encrypted zip: its
        # kind is hidden, so the hints decide (a workbook only when they say so).
        hint = _hint(content_type, url)
        return XLSX if re.search(r"sheet|excel|\.xlsx?\b", hint) else DOCX
    if "worddocument" in streams:
        return DOC
    if "workbook" in streams or "book" in streams:
        return XLS
    if "contents" in streams or "matost" in streams:
        return WPS
    if "powerpoint document" in streams:
        return PPT
    raise UnreadableDocument("OLE compound file with no Word, Excel or WPS content")


def _sniff_zip(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):  # NotImplemented: odd zip versions
        # Truncated: the central directory at the end is gone, but local headers still name
        # the members; the reader reports the damage.
        names = [m.decode("cp437") for m in re.findall(rb"PK\x03\x04.{26}([\x20-\x7e]{1,200}?)(?=[^\x20-\x7e]|PK)", data[:65536])]
        names += ["word/"] if b"word/" in data[:65536] else []
        names += ["xl/"] if b"xl/" in data[:65536] else []
    joined = "\n".join(names)
    if "word/" in joined:
        return DOCX
    if "xl/" in joined:
        return XLSX
    if "ppt/" in joined:
        return PPTX
    if "content.xml" in names or "mimetype" in names:
        return ODS if b"opendocument.spreadsheet" in data[:200] else ODT
    return ZIP


def _decode(head: bytes) -> str | None:
    """Decode a text prefix as UTF-8/UTF-16 (by BOM) or GB18030, or None if it is not text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as error:
            # The window may cut a multi-byte character at its end; that is not an error.
            if error.start >= len(head) - 4:
                return head[: error.start].decode(encoding)
    return None


def _sniff_text(head: bytes) -> str:
    if _MHT_HEADER.match(head):
        return MHT
    text = _decode(head)
    if text is None or len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise UnreadableDocument("binary data of no supported document type")
    if _HTML_MARKERS.search(text):
        return HTML
    return TEXT
