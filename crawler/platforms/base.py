"""What every platform adapter does, and the link heuristics they share.

An adapter turns a fetched column page into what the spider should do next:

* ``Listing(url, title, date)`` — an item link; the spider keeps it when the candidate filter
  says it may be a report (``crawler.candidates``);
* ``Follow(request, kind)`` — another list page: ``page`` (pagination of the same column),
  ``subcolumn`` (a year or 部门/乡镇 sub-column), ``column`` (a start page), ``endpoint``
  (a URL that answers with one report inline, e.g. Hanweb's xxgkAnnualReport.jsp).

Adapters are stateless and never fetch: the spider owns scheduling, deduplication,
politeness and the incremental rules. Recipe for a new platform: subclass ``Adapter``, set
``name``, override ``start`` and/or ``parse_list``, declare its registry parameters in
``crawler.registry.PLATFORM_PARAMS`` and register it in ``crawler.platforms.ADAPTERS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Literal
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.registry import Portal
from crawler.urls import canonical_url

FollowKind = Literal["column", "page", "subcolumn", "endpoint"]

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_NEXT_WORDS = {"下一页", "下页", "下一頁", "后页", "next", "next page", ">", "›", "»", ">>"}
# A link to a list page rather than an article: a directory, or its index/list page.
# e.g. …/zfxxgknb/, index_3.html, list.shtml, /XxgkContent/showList/996/0/page_2.html (Anhui)
_INDEX_PAGE = re.compile(r"(/|/(index|list|default)(_\d+)?\.(s?html?|jsp|php|aspx?)|/page_\d+\.s?html?)$", re.I)
_SAME_DIR_PAGE = re.compile(r"/(index|list|page)_\d+\.s?html?$", re.I)
_DOCUMENT = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|rtf|ofd)$", re.I)
_DOWNLOAD = re.compile(r"(downfile\.jsp|/download/|/attachment/)", re.I)


@dataclass(frozen=True)
class Listing:
    """An item link on a list page, with the title and date the listing shows."""

    url: str
    title: str | None
    date: str | None


@dataclass(frozen=True)
class Follow:
    """Another page to walk as a list (or, for ``endpoint``, to test as a report page)."""

    request: Request
    kind: FollowKind


def normalise_date(text: str | None) -> str | None:
    """``2023-01-17``, ``2023/1/17``, ``2023年01月17日`` → ``2023-01-17``; else None."""
    match = _DATE.search(text or "")
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def clean_text(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def column_dir(url: str) -> str:
    """The directory a list page sits in: ``…/zfxxgknb/index_2.html`` → ``…/zfxxgknb/``."""
    path = urlsplit(url).path
    return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


def is_document(url: str) -> bool:
    path = urlsplit(url).path
    return bool(_DOCUMENT.search(path) or _DOWNLOAD.search(url))


def is_html_response(response: Response) -> bool:
    return isinstance(response, TextResponse) and b"<" in response.body[:2048]


class Adapter:
    """The generic behaviour: every platform adapter starts from here."""

    name = "base"

    def start(self, portal: Portal) -> Iterator[Follow]:
        """The first requests of a portal: its column start URLs."""
        for url in portal.start_urls:
            yield Follow(Request(url), "column")

    def parse_list(self, response: Response, portal: Portal) -> Iterator[Listing | Follow]:
        """Items, sub-columns and further pages found on one list page."""
        yield from self.links(response)

    def links(self, response: Response) -> Iterator[Listing | Follow]:
        """Classify every link of an HTML list page: next page, sub-column, or listing."""
        if not is_html_response(response):
            return
        here = urlsplit(response.url)
        here_dir = column_dir(response.url)
        for anchor in response.xpath("//a[@href]"):
            href = (anchor.attrib.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = canonical_url(urljoin(response.url, href))
            if url == canonical_url(response.url):
                continue
            text = clean_text(anchor.xpath("string()").get())
            title = clean_text(anchor.attrib.get("title")) or text
            target = urlsplit(url)
            same_site = target.netloc == here.netloc
            if same_site and (text.lower() in _NEXT_WORDS or anchor.attrib.get("rel") == "next"):
                yield Follow(Request(url), "page")
                continue
            if _INDEX_PAGE.search(target.path) and not is_document(url):
                if same_site and target.path.startswith(here_dir):
                    same_dir = column_dir(url) == here_dir
                    kind = "page" if same_dir and _SAME_DIR_PAGE.search(target.path) else "subcolumn"
                    if same_dir and kind == "subcolumn":
                        continue  # this column's own index under another name
                    yield Follow(Request(url), kind)
                continue  # a list page elsewhere on the site (navigation), not an item
            row = anchor.xpath("ancestor::*[self::li or self::tr or self::dd or self::div][1]")
            date = normalise_date(row.xpath("string()").get() if row else None)
            yield Listing(url, title or None, date)

    def attachments(self, response: Response) -> Iterator[tuple[str, str]]:
        """Document links on a report page: (URL, link text)."""
        if not is_html_response(response):
            return
        seen = set()
        for anchor in response.xpath("//a[@href]"):
            url = canonical_url(urljoin(response.url, anchor.attrib["href"].strip()))
            if url in seen or not is_document(url) or url.startswith(("javascript:", "mailto:")):
                continue
            seen.add(url)
            yield url, clean_text(anchor.xpath("string()").get())
