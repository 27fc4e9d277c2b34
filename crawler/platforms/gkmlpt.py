"""Guangdong 政府信息公开目录管理平台 (gkmlpt): a Vue shell plus a JSON list API.

The column page ``/<site>/gkmlpt/index#<catId>`` is a script shell that embeds
``window._CONFIG = {SID:'662021', TREE:[…], …}``; its items come from
``GET <…>/gkmlpt/api/all/<catId>?page=N&sid=<SID>`` →
``{"total": 37, "articles": [{"id", "title", "url", "created_at", "attachment"…}], …}``.
No browser is needed: the adapter reads the SID from the shell and walks the API. Some
sites return everything on page 1 (page ≥ 2 → 404), so later pages are only asked for when
``total`` exceeds what page 1 returned. Details ``gkmlpt/content/0/963/post_963149.html``;
attachments ``a.nfw-cms-attachment`` → ``/attachment/0/88/88389/963149.pdf``.

Parameters (``[portals.gkmlpt]``): ``cat_id`` — the category id, when the start URL carries
no ``#<catId>`` fragment.

Example::

    [[portals]]
    id = "guangdong_shenzhen_futian_gov"
    platform = "gkmlpt"
    start_urls = ["http://www.szft.gov.cn/gkmlpt/index#2947"]
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from typing import Iterator
from urllib.parse import urlencode, urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.platforms.base import Adapter, Follow, Listing, normalise_date
from crawler.registry import Portal
from crawler.urls import canonical_url

_SID = re.compile(r"SID\s*:\s*['\"]?(\w+)")


def _date(value) -> str | None:
    if isinstance(value, (int, float)):  # epoch seconds
        return _dt.datetime.fromtimestamp(value, _dt.timezone(_dt.timedelta(hours=8))).strftime("%Y-%m-%d")
    return normalise_date(str(value or ""))


class GkmlptAdapter(Adapter):
    name = "gkmlpt"

    def start(self, portal: Portal) -> Iterator[Follow]:
        for url in portal.start_urls:
            cat_id = urlsplit(url).fragment or portal.params.get("cat_id", "")
            yield Follow(Request(url, meta={"gkmlpt_cat": cat_id}), "column")

    def parse_list(self, response: Response, portal: Portal) -> Iterator[Listing | Follow]:
        if "/api/" in urlsplit(response.url).path:
            yield from self._api_page(response)
            return
        sid = _SID.search(response.text)
        cat_id = response.meta.get("gkmlpt_cat") or portal.params.get("cat_id")
        if not (sid and cat_id):
            yield from self.links(response)  # not a gkmlpt shell after all
            return
        api = urljoin(response.url, f"api/all/{cat_id}")
        query = {"page": 1, "sid": sid.group(1)}
        yield Follow(Request(f"{api}?{urlencode(query)}", meta={"gkmlpt_api": (api, query)}), "page")

    def _api_page(self, response: Response) -> Iterator[Listing | Follow]:
        data = json.loads(response.text)
        articles = data.get("articles") or []
        for article in articles:
            url = article.get("url") or article.get("post_url")
            if url:
                yield Listing(canonical_url(urljoin(response.url, url)), article.get("title"),
                              _date(article.get("created_at")))
        api, query = response.meta.get("gkmlpt_api", (None, None))
        if api and query["page"] == 1 and articles:
            pages = math.ceil(int(data.get("total") or 0) / len(articles))
            for page in range(2, pages + 1):
                later = dict(query, page=page)
                yield Follow(Request(f"{api}?{urlencode(later)}", meta={"gkmlpt_api": (api, later)}), "page")
