"""One entry point for every non-HTML, non-plain-text document: bytes + media type to ``Layout``.

``parsers.detect.sniff_media_type`` names the type; ``read_layout`` sends the bytes to the
reader for it: PDF (``parsers.pdf``), docx (``parsers.docx``), legacy Word, WPS, RTF and ODF
through LibreOffice (``parsers.office``) then the docx or spreadsheet reader, spreadsheets
(``parsers.spreadsheet``), images (``parsers.ocr``), and MHT web archives, whose HTML part
goes to ``parsers.html``. Every reader returns the same ``Layout`` the HTML reader returns,
so ``parsers.extract`` makes the same ``Report`` of it.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy

import olefile

from parsers import bounded, detect, docx, ocr, office, pdf, spreadsheet
from parsers.models import Layout, Problem, UnreadableDocument

_IMAGES = {detect.PNG, detect.JPEG, detect.GIF, detect.TIFF, detect.BMP, detect.WEBP}
_WORD_LIKE = {detect.DOC, detect.WPS, detect.RTF, detect.ODT}
MAX_MHT_BYTES = 50 * 1024 * 1024


def read_layout(data: bytes, media_type: str) -> Layout:
    """Read a document of a type ``sniff_media_type`` returned into a ``Layout``.

    Raises ``UnreadableDocument`` (one-line reason) when nothing at all can be read: an
    encrypted or damaged file, an unsupported type. Partial readings carry ``problems``.

    >>> read_layout(open("report.pdf", "rb").read(), "application/pdf").blocks[0]  # doctest: +SKIP
    Paragraph(text='漳平市芦芝镇人民政府2021年政府信息公开工作年度报告')
    """
    if media_type in (detect.DOCX, detect.XLSX) and data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse_encrypted_package(data)
    if media_type == detect.PDF:
        return bounded.run(pdf.read_layout, data, media_type)  # pdfminer has no limits of its own
    if media_type == detect.DOCX:
        return docx.read_layout(data, media_type)
    if media_type in (detect.XLSX, detect.XLS):
        return spreadsheet.read_layout(data, media_type)
    if media_type == detect.ODS:
        return _as(spreadsheet.read_layout(office.convert(data, media_type, "xlsx"), detect.XLSX), media_type)
    if media_type in _WORD_LIKE:
        return _read_word_like(data, media_type)
    if media_type in _IMAGES:
        return ocr.read_layout(data, media_type)
    if media_type == detect.MHT:
        return _read_mht(data)
    if media_type == detect.HTML:
        from parsers import html  # the HTML reader belongs to parsers.html; imported when needed

        return html.read_layout(data, None)
    raise UnreadableDocument(f"unsupported document type {media_type}")


def _as(layout: Layout, media_type: str) -> Layout:
    """The layout of a converted file, labelled with the type the document came in."""
    return dataclasses.replace(layout, media_type=media_type)


def _read_word_like(data: bytes, media_type: str) -> Layout:
    if media_type == detect.DOC and _ole_word_encrypted(data):
        raise UnreadableDocument("password-protected Word document: it cannot be read without its password")
    try:
        converted = office.convert(data, media_type, "docx")
    except UnreadableDocument as error:
        if media_type != detect.DOC or "not installed" not in str(error):
            raise
        from parsers import plaintext  # antiword draws tables as |-separated rows: a text layout

        layout = plaintext.read_layout(office.antiword_text(data))
        problem = Problem("read_with_antiword", "LibreOffice is not installed: read with antiword, "
                          "whose tables are |-separated text rows")
        return Layout(media_type=media_type, blocks=layout.blocks, title=layout.title,
                      problems=(*layout.problems, problem))
    return _as(docx.read_layout(converted), media_type)


def _ole_word_encrypted(data: bytes) -> bool:
    """The fEncrypted bit of a Word 97 file information block (offset 0x0B, bit 0)."""
    try:
        with olefile.OleFileIO(data) as ole:
            header = ole.openstream("WordDocument").read(12)
    except OSError:
        return False
    return len(header) == 12 and bool(header[11] & 0x01)


def _refuse_encrypted_package(data: bytes) -> None:
    try:
        with olefile.OleFileIO(data) as ole:
            encrypted = ole.exists("EncryptedPackage")
    except OSError as error:
        raise UnreadableDocument(f"damaged Office document ({error})") from error
    if encrypted:
        raise UnreadableDocument("password-protected Office document (encrypted package): cannot be read")
    raise UnreadableDocument("OLE file that is not an Office Open XML document")


def _read_mht(data: bytes) -> Layout:
    """The HTML part of a saved web archive (MHT), read by the HTML reader."""
    if len(data) > MAX_MHT_BYTES:
        raise UnreadableDocument(f"MHT archive of {len(data)} bytes is too big to be a report")
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            from parsers import html  # the HTML reader belongs to parsers.html; imported when needed

            payload = part.get_payload(decode=True) or b""
            return _as(html.read_layout(payload, part.get("Content-Type")), detect.MHT)
    raise UnreadableDocument("MHT archive without an HTML part")
