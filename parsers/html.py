"""HTML bytes -> ``Layout``: decoded text, portal chrome removed, tables as expanded grids.

Handles pages in any encoding (see ``parsers.charset``), Word "save as web page" markup
(MsoNormal paragraphs and spans inside cells, rowspan/colspan), layout tables that hold the
real tables inside them, and portal chrome: navigation, breadcrumbs, related links,
footers and the 索引号/发布机构 metadata block, whose 发布日期 becomes ``published_date``.
"""

from __future__ import annotations

import re

import lxml.etree

from parsers.charset import decode
from parsers.classify import is_plausible_title, organ_named
from parsers.models import Layout, Paragraph, Table, UnreadableDocument
from parsers.text import clean_line, find_dates

_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr td th section article blockquote pre center "
    "header footer address hr caption figure figcaption form".split()
)
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "nav", "header", "footer", "aside",
    "form", "select", "button", "object", "embed", "svg", "map", "area", "input", "textarea",
)
# class/id words portals use for chrome: 当前位置 breadcrumbs, menus, share bars, footers.
_CHROME_NAME = re.compile(
    r"(?:^|[\s_\-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|location|position|weizhi|dqwz|footer|foot|"
    r"bottom|header|topbar|top|share|bdshare|related|relate|xgxx|xglj|xgwz|sidebar|side|copyright|"
    r"banner|toolbar|print|search|login|qrcode|ewm|fenxiang|links?)(?:$|[\s_\-\d])",
    re.IGNORECASE,
).search
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE).search
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_PUBDATE_META = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "og:release_date", "dc.date")
_DATE_LABEL = re.compile(r"(发布日期|发布时间|发文日期|公开日期|生成日期|成文日期)\s*[:：]?\s*([0-9０-９]{4}[0-9０-９年月日/.\-]{0,8})")
_DATE_LABEL_RANK = {"发布日期": 0, "发布时间": 0, "公开日期": 1, "发文日期": 2, "生成日期": 2, "成文日期": 3}
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜| - |——|-{2,})\s*")
_MAX_SPAN_COLS = 60
_INDEX_NUMBER_TEXT = lxml.etree.XPath("//text()[contains(., '索引号')]")
_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def _text(element) -> str:
    # serialised in C: ten times faster than "".join(element.itertext()), same text
    return lxml.etree.tostring(element, method="text", encoding=str, with_tail=False)


def read_layout(data: bytes, content_type: str | None = None) -> Layout:
    """Read an HTML page into paragraphs and table grids, in reading order.

    ``content_type`` is the HTTP header, used only for its charset. Raises
    ``UnreadableDocument`` when no document can be built from the bytes.

    >>> read_layout("<p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table>".encode()).blocks
    (Paragraph(text='一、总体情况'), Table(rows=(('规章', '0'),), ...))
    """
    text, _encoding = decode(data, content_type)
    text = _XML_DECLARATION.sub("", text, count=1)
    # plain lxml.etree elements: lxml.html's element classes cost a lookup per node
    root = lxml.etree.fromstring(text, _PARSER) if text.strip() else None
    if root is None:
        raise UnreadableDocument("HTML page with no content")
    metas = list(root.iter("meta"))
    title = _extract_title(root, metas)
    published = _meta_date(metas)
    page_text = None if published else _text(root)
    metadata = _remove_chrome(root)
    # 发布日期 of the article itself, not of a related-articles box or a menu: read once the
    # chrome is gone, before its 索引号 block goes; the whole page only if that finds none
    if page_text is not None:
        published = _labelled_date(_text(root)) or _labelled_date(page_text)
    for element in metadata:
        _drop(element)
    body = root.find("body")
    blocks = _Walker().blocks(body if body is not None else root)
    return Layout(media_type="text/html", blocks=tuple(blocks), title=title, published_date=published)


def _extract_title(root, metas: list) -> str | None:
    """The page's title: the first of the title metas, headings and ``<title>`` parts that is a
    report title naming its organ, else the first naming a report, else the first at all (a
    site's name in ``<meta name="title">`` or a column's "政府信息公开年度报告" in ``<h1>`` must
    not hide the report's title in ``<title>``)."""
    candidates = []
    for name in ("articletitle", "title", "dc.title"):
        for meta in metas:
            if (meta.get("name") or "").lower() == name and (meta.get("content") or "").strip():
                candidates.append(clean_line(meta.get("content")))
    for tag in ("h1", "h2"):
        candidates += [text for text in (clean_line(_text(h)) for h in root.iter(tag)) if "报告" in text]
    title = root.find(".//title")
    if title is not None and title.text:
        candidates += [p for p in _TITLE_SPLIT.split(clean_line(title.text)) if p]
    named = (c for c in candidates if is_plausible_title(c) and organ_named(c))
    return next(named, None) or next((c for c in candidates if "报告" in c), candidates[0] if candidates else None)


def _meta_date(metas: list) -> str | None:
    for meta in metas:
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in _PUBDATE_META:
            dates = find_dates(meta.get("content") or "")
            if dates:
                return dates[0]
    return None


def _labelled_date(text: str) -> str | None:
    best: tuple[int, str] | None = None
    # "发布日期：2022-01-25" in a 索引号 block, often label and value in adjacent cells
    for label, value in _DATE_LABEL.findall(text):
        dates = find_dates(value)
        rank = _DATE_LABEL_RANK[label]
        if dates and (best is None or rank < best[0]):
            best = (rank, dates[0])
    return best[1] if best else None


def _remove_chrome(root) -> list:
    """Remove navigation, chrome and link boxes; return the 索引号 blocks, still in place."""
    lxml.etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    doomed = [e for e in root.iter("*") if _is_chrome(e) and e.tag not in ("html", "body")]
    metadata = _metadata_blocks(root)
    for element in doomed + _link_lists(root):
        _drop(element)
    return metadata


def _drop(element) -> None:
    parent = element.getparent()
    if parent is not None:
        _drop_keep_tail(element, parent)


def _is_chrome(element) -> bool:
    """A class or id that names chrome (nav, footer, breadcrumbs…) or a hidden element."""
    get = element.get
    name, ident, style = get("class"), get("id"), get("style")
    return bool((name and _CHROME_NAME(name)) or (ident and _CHROME_NAME(ident)) or (style and _DISPLAY_NONE(style)))


def _metadata_blocks(root) -> list:
    """The innermost block around each 索引号 that also names 发布机构/文号 (and little else)."""
    found = []
    for node in _INDEX_NUMBER_TEXT(root):
        for ancestor in node.getparent().iterancestors("table", "div", "ul", "dl"):
            text = _text(ancestor)
            if len(text) >= 800:
                break
            if "发布机构" in text or "文号" in text or "发文机关" in text:
                found.append(ancestor)
                break
    return found


def _link_lists(root) -> list:
    """Lists and boxes that are mostly links (menus, related articles), outside data tables."""
    linked: dict = {}
    for anchor in root.iter("a"):
        size = len("".join(_text(anchor).split()))
        for ancestor in anchor.iterancestors("ul", "ol", "dl", "div", "p", "td"):
            count, chars = linked.get(ancestor, (0, 0))
            linked[ancestor] = (count + 1, chars + size)
    found = []
    for element, (count, chars) in linked.items():
        if count >= 3 and element.find(".//table") is None:
            total = len("".join(_text(element).split()))
            if total and chars >= 0.7 * total:
                found.append(element)
    return found


def _drop_keep_tail(element, parent) -> None:
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


class _Walker:
    """Depth-first walk emitting a Paragraph at every block boundary and a Table per data table."""

    def __init__(self) -> None:
        self._out: list = []
        self._buffer: list[str] = []

    def blocks(self, root) -> list:
        self._walk(root)
        self._flush()
        return self._out

    def _flush(self) -> None:
        if self._buffer:
            line = clean_line("".join(self._buffer))
            if line:
                self._out.append(Paragraph(line))
            self._buffer.clear()

    def _walk(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "table" and element.find(".//table") is None:
            self._flush()
            caption = element.find("caption")
            if caption is not None:  # "<caption>二、主动公开政府信息情况</caption>": a heading
                self._buffer.append(_text(caption))
                self._flush()
            table = _table_grid(element)
            if table.rows:
                self._out.append(table)
        elif tag == "br":
            self._flush()
        else:
            is_block = tag in _BLOCK_TAGS or tag == "table"
            if is_block:
                self._flush()
            if element.text:
                self._buffer.append(element.text)
            for child in element:
                self._walk(child)
            if is_block:
                self._flush()
        if element.tail:
            self._buffer.append(element.tail)


def _span(value: str | None, limit: int) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(str(value).strip().rstrip(";")), limit))
    except (TypeError, ValueError):
        return 1


def _rows_of(table) -> list:
    rows = []
    for child in table.iterchildren("tr", "thead", "tbody", "tfoot"):
        if child.tag == "tr":
            rows.append(child)
        else:
            rows.extend(child.iterchildren("tr"))
    return rows


def _cell_text(cell) -> str:
    return clean_line(_text(cell))


def _table_grid(table) -> Table:
    """Expand rowspan/colspan into a rectangular grid (merged text repeated, origins kept)."""
    rows = _rows_of(table)
    count = len(rows)
    # one {column: (text, origin)} per row; a rowspan fills the rows below in advance
    slots: list[dict[int, tuple[str, tuple[int, int]]]] = [{} for _ in rows]
    width = 0
    for r, tr in enumerate(rows):
        line = slots[r]
        c = 0
        for td in tr.iterchildren("td", "th"):
            while c in line:
                c += 1
            rowspan_attr, colspan_attr = td.get("rowspan"), td.get("colspan")
            rowspan = _span(rowspan_attr, count - r) if rowspan_attr else 1
            colspan = _span(colspan_attr, _MAX_SPAN_COLS) if colspan_attr else 1
            entry = (_cell_text(td), (r, c))
            for below in slots[r : r + rowspan]:
                for cc in range(c, c + colspan):
                    below[cc] = entry
            c += colspan
        if c > width:
            width = c
    if not width:
        return Table(rows=())
    empty = ("", None)
    grid = [[line.get(c, empty) for c in range(width)] for line in slots]
    return Table(
        rows=tuple(tuple(text for text, _ in line) for line in grid),
        origins=tuple(tuple(origin or (r, c) for c, (_, origin) in enumerate(line)) for r, line in enumerate(grid)),
    )
