"""Anhui 政务公开平台 (province-wide, several generations of the same platform).

Lists: ``/public/column/<unitid>?type=4&action=list&nav=3&catId=<id>`` with items in
``div.xxgk_navli`` (``a``, ``span.syh`` 索引号, ``span.date``) and 下一页 links; articles
``/public/<unitid>/<docid>.html``. Annual-report routes answer one report per page:
``/OpennessAnnualReport/year/show/<unit>/<year>.html`` (download links
``/OpennessAnnualReport/download/<id>.html``), ``/XxgkAnnualReport/show/<id>.html``,
``/Xxgknb/show/<id>.html``.

Parameters (``[portals.anhui]``): ``annual_report_units`` and ``annual_report_years`` — each
pair is requested as ``/OpennessAnnualReport/year/show/<unit>/<year>.html`` on the first start
URL's host. A start URL that is itself a report route is fetched as a report page.

Example::

    [[portals]]
    id = "anhui_chizhou_dongzhi_gov"
    platform = "anhui"
    start_urls = ["https://www.dongzhi.gov.cn/public/column/6596?type=4&action=list&nav=3&catId=7721"]
    [portals.anhui]
    annual_report_units = ["341"]
    annual_report_years = [2021, 2022]
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlsplit

from scrapy import Request

from crawler.platforms.base import Adapter, Follow
from crawler.registry import Portal

_REPORT_ROUTE = re.compile(r"/(OpennessAnnualReport/year/show|XxgkAnnualReport/show|Xxgknb/show)/", re.I)


class AnhuiAdapter(Adapter):
    name = "anhui"

    def start(self, portal: Portal) -> Iterator[Follow]:
        for url in portal.start_urls:
            yield Follow(Request(url), "endpoint" if _REPORT_ROUTE.search(url) else "column")
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(portal.start_urls[0]))
        for unit in portal.params.get("annual_report_units", []):
            for year in portal.params.get("annual_report_years", []):
                url = f"{origin}/OpennessAnnualReport/year/show/{unit}/{year}.html"
                yield Follow(Request(url), "endpoint")
