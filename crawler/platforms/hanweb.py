"""Hanweb 大汉 jcms: Zhejiang, Jiangsu, Jiangxi, Shandong, Gansu, Inner Mongolia, ministries.

Columns are ``col/col<N>/index.html``; only the first page of items is in the HTML, inside an
XML datastore that the jpage script renders::

    <script type="text/xml"><datastore>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=33718&unitid=212860&webname=…&permissiontype=0"></a>]]></nextgroup>
      <recordset><record><![CDATA[<li><a href='/art/2026/9/11/art_33718_11828204.html' title='…'>…</a><span>2026-09-11</span></li>]]></record>…</recordset>
    </datastore></script>
    <script>… $('#212860').jpage({totalRecord:4895,perPage:19, proxyUrl:'/module/web/jpage/dataproxy.jsp' …});</script>

The rest comes from ``POST dataproxy.jsp?startrecord=1&endrecord=60&perpage=20`` with the form
``col=1&appid=…&webid=…&path=/&columnid=…&sourceContentType=1&unitid=…&webname=…&permissiontype=0``
(three pages per call, as the jpage script asks), answered by
``<datastore><totalrecord>…</totalrecord><recordset><record><![CDATA[…]]></record>…`` (the
older ``/module/jslib/jquery/jpage/dataproxy.jsp`` answers ``totalRecord=…;dataStore = […];``
in JavaScript; both are read).
Articles are ``art/<Y>/<M>/<D>/art_<colid>_<id>.html``; attachments
``/module/download/downfile.jsp?filename=…``.

Newer jcms columns page with the column URL itself: ``col/col42150/index.html?uid=380055&pageNum=2``
serves page 2's records in that page's own datastore, which has no ``<nextgroup>``; the pager
links are built by jpage's script, so they are computed here from the datastore's unit id
(``<div id="380055"><script type="text/xml"><datastore>``, or ``$('#380055').jpage(``) and
the page count (``totalRecord``/``perPage``, or a rendered ``span.default_pgTotalPage``). Each
page asks for the next one only, until the count is reached; a page that repeats an earlier
one (a statically published column ignores the query string) ends the column in the spider.

The xxgk module's annual-report endpoint answers one organ's report inline:
``/module/xxgk/xxgkAnnualReport.jsp?area=<统一社会信用代码>&fbtime=<report year>``.

Parameters (``[portals.hanweb]``): ``annual_report_areas`` and ``annual_report_years`` (each
pair is requested from the endpoint on the first start URL's host); ``records_per_call``
(default: three pages of ``perPage``).

Example::

    [[portals]]
    id = "shandong_jining_zoucheng_gov"
    platform = "hanweb"
    start_urls = ["https://www.zoucheng.gov.cn/col/col1234/index.html"]
    [portals.hanweb]
    annual_report_areas = ["11370883004325769B"]
    annual_report_years = [2020, 2021]
"""

from __future__ import annotations

import json
import re
from typing import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector
from scrapy import FormRequest, Request
from scrapy.http import Response

from crawler.platforms.base import Adapter, Follow, Listing, clean_text, normalise_date
from crawler.registry import Portal
from crawler.urls import canonical_url

ANNUAL_REPORT_PATH = "/module/xxgk/xxgkAnnualReport.jsp"
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S)
_TOTAL = re.compile(r"totalRecord\s*:\s*(\d+)")
_PER_PAGE = re.compile(r"perPage\s*:\s*(\d+)")
_PROXY = re.compile(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_JS_STORE = re.compile(r"dataStore\s*=\s*(\[.*?\])\s*;", re.S)
_UNIT_DIV = re.compile(r"<div[^>]*\bid=['\"]?(\w+)['\"]?[^>]*>\s*<script[^>]*text/xml[^>]*>\s*<datastore>", re.I)
_UNIT_JPAGE = re.compile(r"\$\(\s*['\"]#(\w+)['\"]\s*\)\s*\.jpage\(")
_TOTAL_PAGES = re.compile(r"class=['\"]?default_pgTotalPage['\"]?[^>]*>\s*(\d+)\s*<", re.I)
_FORM_FIELDS = ("appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")


def records(text: str, base_url: str) -> Iterator[Listing]:
    """Item links from the ``<record><![CDATA[…]]></record>`` entries of a datastore."""
    for html in _RECORD.findall(text):
        row = Selector(text=html)
        for anchor in row.xpath("//a[@href]"):
            title = clean_text(anchor.attrib.get("title")) or clean_text(anchor.xpath("string()").get())
            url = canonical_url(urljoin(base_url, anchor.attrib["href"].strip()))
            yield Listing(url, title or None, normalise_date(row.xpath("string()").get()))


def js_records(text: str, base_url: str) -> Iterator[Listing]:
    """Item links from the older proxy's JavaScript answer (Gansu, field guide §2.2)::

        totalRecord=714.0;totalPage = 27;dataStore = ["<li><a href=\\"/art/…\\">…</a><span>…</span></li>", …];
    """
    store = _JS_STORE.search(text).group(1)
    for item in json.loads(store):
        row = Selector(text=item)
        for anchor in row.xpath("//a[@href]"):
            title = clean_text(anchor.attrib.get("title")) or clean_text(anchor.xpath("string()").get())
            url = canonical_url(urljoin(base_url, anchor.attrib["href"].strip()))
            yield Listing(url, title or None, normalise_date(row.xpath("string()").get()))


def page_num_count(text: str) -> int | None:
    """A pageNum column's page count: ``totalRecord``/``perPage`` of its jpage call, else the
    rendered pager's ``<span class="default_pgTotalPage">7</span>``; None when neither is there."""
    total, per_page = _TOTAL.search(text), _PER_PAGE.search(text)
    if total and per_page and int(per_page.group(1)) > 0:
        return -(-int(total.group(1)) // int(per_page.group(1)))
    shown = _TOTAL_PAGES.search(text)
    return int(shown.group(1)) if shown else None


class HanwebAdapter(Adapter):
    name = "hanweb"

    def start(self, portal: Portal) -> Iterator[Follow]:
        yield from super().start(portal)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(portal.start_urls[0]))
        for area in portal.params.get("annual_report_areas", []):
            for year in portal.params.get("annual_report_years", []):
                query = urlencode({"area": area, "fbtime": year})
                yield Follow(Request(f"{origin}{ANNUAL_REPORT_PATH}?{query}"), "endpoint")

    def parse_list(self, response: Response, portal: Portal) -> Iterator[Listing | Follow]:
        text = response.text
        if "<datastore>" not in text:
            if _JS_STORE.search(text):  # the older jslib proxy answers JavaScript
                yield from js_records(text, response.url)
            else:
                yield from self.links(response)  # a column without jpage: plain links
            return
        yield from records(text, response.url)
        if "dataproxy.jsp" in urlsplit(response.url).path:
            return  # a later batch: the first page already asked for every batch
        if _NEXTGROUP.search(text):
            yield from self._later_pages(response, text, portal)
        else:
            yield from self._next_page_num(response, text)

    def _next_page_num(self, response: Response, text: str) -> Iterator[Follow]:
        """``…/index.html?uid=<unit>&pageNum=<N+1>`` while page N is short of the page count."""
        unit = _UNIT_DIV.search(text) or _UNIT_JPAGE.search(text)
        pages = page_num_count(text)
        if unit is None or pages is None:
            return  # one page holds the whole column
        query = dict(parse_qsl(urlsplit(response.url).query))
        current = int(query["pageNum"]) if query.get("pageNum", "").isdigit() else 1
        if current >= pages:
            return
        base = response.url.split("?", 1)[0]
        next_url = f"{base}?{urlencode({'uid': query.get('uid', unit.group(1)), 'pageNum': current + 1})}"
        yield Follow(Request(next_url), "page")

    def _later_pages(self, response: Response, text: str, portal: Portal) -> Iterator[Follow]:
        total, per_page = _TOTAL.search(text), _PER_PAGE.search(text)
        group = _NEXTGROUP.search(text)
        if not (total and per_page and group):
            return
        total, per_page = int(total.group(1)), int(per_page.group(1))
        href = Selector(text=group.group(1)).xpath("//a/@href").get() or ""
        proxy = _PROXY.search(text)
        proxy_url = urljoin(response.url, proxy.group(1) if proxy else urlsplit(href).path)
        params = dict(parse_qsl(urlsplit(href).query, keep_blank_values=True))
        form = {"col": "1", "sourceContentType": "1"}
        form.update({k: params[k] for k in _FORM_FIELDS if k in params})
        per_call = portal.params.get("records_per_call", per_page * 3)
        for start in range(per_page + 1, total + 1, per_call):
            end = min(start + per_call - 1, total)
            query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
            yield Follow(FormRequest(f"{proxy_url}?{query}", formdata=form), "page")
