"""Bytes to text for HTML and plain-text documents, whatever the portal declared.

Order of belief: a byte-order mark; then valid UTF-8 (GBK text is practically never valid
UTF-8, so this also overrides a wrong "gb2312" label on a UTF-8 page); then the charset from
the HTTP header or a ``<meta>`` tag; then GB18030, the superset of GB2312 and GBK that
Chinese portals use when they declare nothing or declare it wrongly.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "euc-cn", "hz-gb-2312"}
# Western single-byte charsets decode any bytes at all, so on a Chinese page they are never believed.
_LATIN = {codecs.lookup(name).name for name in ("iso-8859-1", "windows-1252", "ascii", "iso-8859-15")}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset named by the HTTP ``Content-Type`` header, else by a ``<meta>`` tag."""
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match:
            return match.group(1).lower()
    match = _META_CHARSET.search(data[:8192])
    return match.group(1).decode("ascii").lower() if match else None


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding used). Never raises on bad bytes."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _normalise(declared_charset(data, content_type))
    candidates = []
    if declared and declared not in _LATIN and declared != "utf-8":
        candidates.append(declared)
    candidates.append("gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace"), "gb18030"
