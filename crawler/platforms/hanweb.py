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
        yield from self._later_pages(response, text, portal)

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
