"""Plain text -> ``Layout``: one ``Paragraph`` per line, tabs and ``|`` kept as printed.

Text extracted from Word, PDF or HTML carries its tables as one cell per line (a leading tab
starts a cell, a blank line ends a row), as tab-separated rows or as ``|``-separated rows.
Those lines stay paragraphs here; ``parsers.rows`` rebuilds table rows from them, so the
same code also serves PDF readers that emit text lines without table grids.
"""

from __future__ import annotations

from parsers.models import Layout, Paragraph


def read_layout(text: str) -> Layout:
    """One Paragraph per line of ``text`` (line ends and a BOM removed, nothing else).

    >>> read_layout("规章\\t0\\t0\\t1\\n").blocks
    (Paragraph(text='规章\\t0\\t0\\t1'),)
    """
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return Layout(media_type="text/plain", blocks=tuple(Paragraph(line) for line in lines))
