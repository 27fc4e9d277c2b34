"""``--platform auto``: tell a column page's platform from its markup and URL.

Signatures (field guide §2): Hanweb's ``<datastore>``/``jpage(``/``dataproxy.jsp`` and
``col/col<N>/`` URLs; gkmlpt's ``window._CONFIG`` shell; Anhui's ``xxgk_navli`` items and
``/public/column/``, ``OpennessAnnualReport`` routes; TRS's ``createPageHTML(``/``countPage``
pager and ``t<YYYYMMDD>_<id>.html`` article links. Anything else is ``generic``.
"""

from __future__ import annotations

import re

from scrapy.http import Response, TextResponse

_SIGNATURES: tuple[tuple[str, re.Pattern], ...] = (
    ("gkmlpt", re.compile(r"window\._CONFIG\s*=|/gkmlpt/")),
    ("hanweb", re.compile(r"<datastore>|\.jpage\(|dataproxy\.jsp|xxgkAnnualReport\.jsp|/col/col\d+/")),
    ("anhui", re.compile(r"xxgk_navli|/public/column/|/OpennessAnnualReport/|/XxgkAnnualReport/|/Xxgknb/show/")),
    ("trs", re.compile(r"createPageHTML\(|countPage\s*=|/t(?:19|20)\d{6}_\d+\.s?html?")),
)


def detect_platform(response: Response) -> str:
    """The registry platform name that fits this column page best."""
    text = response.text if isinstance(response, TextResponse) else ""
    haystack = f"{response.url}\n{text}"
    for name, signature in _SIGNATURES:
        if signature.search(haystack):
            return name
    return "generic"
