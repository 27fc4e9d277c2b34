"""URL canonicalisation: one address per document, whatever mirror or spelling linked to it.

Big5 gateways republish a whole site transcoded to traditional characters under
``/gate/big5/<host>/<path>``, on the site's own host (``www.beijing.gov.cn/gate/big5/www.beijing.gov.cn/…``)
or on another (``big5.www.gov.cn/gate/big5/www.gov.cn/…``); the crawler fetches the original
named in the path instead, so a mirror never becomes a second copy of a report.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_BIG5_GATE = re.compile(r"^/gate/big5/([^/]+)(/.*)?$", re.I)


def canonical_url(url: str) -> str:
    """The URL without fragment, with Big5 gateway paths mapped back to the original site.

    >>> canonical_url("http://www.beijing.gov.cn/gate/big5/www.beijing.gov.cn/a/t1.html#top")
    'http://www.beijing.gov.cn/a/t1.html'
    >>> canonical_url("http://big5.www.gov.cn/gate/big5/www.gov.cn/zhengce/content/202409/content_6977766.htm")
    'http://www.gov.cn/zhengce/content/202409/content_6977766.htm'
    """
    parts = urlsplit(url)
    gate = _BIG5_GATE.match(parts.path)
    if gate:
        host, path = gate.group(1), gate.group(2) or "/"
        parts = parts._replace(netloc=host, path=path)
    return urlunsplit(parts._replace(fragment=""))


def is_big5_mirror(url: str) -> bool:
    return bool(_BIG5_GATE.match(urlsplit(url).path))
