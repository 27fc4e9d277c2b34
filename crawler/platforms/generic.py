"""Generic adapter: any site without a known platform, by link heuristics.

Reads item links whose text looks like a report title (the candidate filter decides), the
date printed next to each, 下一页/next links, ``index_N`` pages of the same column, and
sub-columns (year or 部门/乡镇 directories below the column). Script-built lists are
rendered in Chromium when the portal says ``browser = true``.

Parameters (``[portals.generic]``): ``max_list_pages`` — pagination cap. (A portal whose
lists are built by script sets ``browser = true`` and ``wait_for``, a CSS selector of the
rendered list, on the portal itself: that works on every platform.)

Example::

    [[portals]]
    id = "sichuan_luzhou_hejiang_gov"
    platform = "generic"
    start_urls = ["https://www.hejiang.gov.cn/gk/zfxxgknb/zjzfxxgknb/"]
"""

from crawler.platforms.base import Adapter


class GenericAdapter(Adapter):
    name = "generic"
