"""TRS WCM (static publish): Beijing, Tianjin, Chongqing, Hebei, Hunan, Hubei, Fujian, Guizhou…

Lists are ``<column>/index.html`` then ``index_1.html`` (= page 2), ``index_2.html``… (also
``.shtml``, or another prefix such as ``dezlist_2.shtml``). The page count sits in inline JS::

    createPageHTML('paging',25,1,'index','html',500);    // (div, pages, current, prefix, ext, records)
    createPageHTML(10, 0, "index", "shtml");              // older: (pages, current, prefix, ext)
    var countPage = 7                                     // mva.gov.cn style

Articles are ``./YYYYMM/tYYYYMMDD_<docid>.html``; attachments ``./P020….pdf`` on the article.
Year and unit sub-columns are directories below the column (``2022n/``, ``bmnb/``, ``xzjd/``).

Parameters (``[portals.trs]``): ``max_list_pages`` — pagination cap (default: the crawl's
``NIANBAO_MAX_LIST_PAGES``).

Example::

    [[portals]]
    id = "fujian_fuzhou_jinan_gov"
    platform = "trs"
    start_urls = ["https://www.fzja.gov.cn/xjwz/zwgk/zfxxgk/zfxxgknb/"]
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urljoin

from scrapy import Request
from scrapy.http import Response

from crawler.platforms.base import Adapter, Follow, Listing, is_html_response
from crawler.registry import Portal

_CREATE_PAGE = re.compile(r"createPageHTML\(([^)]*)\)")
_COUNT_PAGE = re.compile(r"countPage\s*=\s*(\d+)")


def page_count(text: str) -> tuple[int, str, str] | None:
    """(pages, prefix, extension) from the inline pager script, or None."""
    for match in _CREATE_PAGE.finditer(text):  # the first call with literal arguments, not the definition
        args = [a.strip().strip("'\"") for a in match.group(1).split(",")]
        if args and not args[0].isdigit():  # first argument is the pager's div id
            args = args[1:]
        if len(args) >= 4 and args[0].isdigit():
            return int(args[0]), args[2] or "index", args[3] or "html"
    match = _COUNT_PAGE.search(text)
    if match:
        return int(match.group(1)), "index", "html"
    return None


class TrsAdapter(Adapter):
    name = "trs"

    def parse_list(self, response: Response, portal: Portal) -> Iterator[Listing | Follow]:
        yield from self.links(response)
        if not is_html_response(response):
            return
        pager = page_count(response.text)
        # Only the first page spells out the rest; later pages repeat the same script.
        if pager and not re.search(r"_\d+\.\w+$", response.url):
            pages, prefix, ext = pager
            for n in range(1, pages):
                yield Follow(Request(urljoin(response.url, f"{prefix}_{n}.{ext}")), "page")
