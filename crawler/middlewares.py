"""Downloader middlewares: retry with backoff, a per-portal circuit breaker, JS cookie challenges.

* ``BackoffRetryMiddleware`` — Scrapy's retry (5xx, 408, 429, timeouts, lost connections)
  waiting ``NIANBAO_RETRY_BACKOFF * 2**attempt`` seconds (or the server's ``Retry-After``,
  capped at ``NIANBAO_RETRY_BACKOFF_MAX``) before each new attempt.
* ``PortalHealthMiddleware`` — counts each portal's requests (retries included) and, after
  ``NIANBAO_CIRCUIT_BREAKER_FAILURES`` consecutive failed attempts (5xx, 429, timeouts,
  refused connections) with no success between them, stops sending that portal's requests
  (retries included) for the rest of the run. The rest of the crawl goes on; the portal's
  stats say ``circuit_open``.
* ``CharsetRepairMiddleware`` — a page whose HTTP header names a charset its bytes are not in
  (``charset=utf-8`` on a GBK page) is decoded with the charset its ``<meta>`` declares, or
  GB18030 — never with replacement characters. The bytes themselves are never changed.
* ``JsChallengeMiddleware`` — a first response of HTTP 412 or 202 (瑞数 Ruishu) or 521 (加速乐)
  whose page is a script that sets a cookie and reloads is handed to Chromium once per site; the
  spider's ``solve_challenge`` replays the request with the cookies the browser earned, and the
  cookie jar reuses them for every later plain request to that site.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.response import response_status_message
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

# 412 (sometimes 202): 瑞数 Ruishu; 521: 加速乐. Both answer with a script that sets a cookie.
_CHALLENGE_STATUSES = {202, 412, 521}
_CHALLENGE_SCRIPT = re.compile(rb"(\$_ts|document\.cookie\s*=)", re.I)


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry like Scrapy, but wait longer before each attempt (exponential backoff)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("NIANBAO_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX")

    async def _wait(self, request: Request, response: Response | None = None) -> None:
        delay = self.backoff * 2 ** request.meta.get("retry_times", 0)
        retry_after = response.headers.get(b"Retry-After") if response is not None else None
        if retry_after and retry_after.isdigit():
            delay = float(retry_after)
        await asyncio.sleep(min(delay, self.backoff_max))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        await self._wait(request, response)
        return self._retry(request, response_status_message(response.status)) or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        await self._wait(request)
        return self._retry(request, exception)


class PortalHealthMiddleware:
    """Per-portal request counts and circuit breaker (placed inside the retry middleware, so it
    sees every attempt)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.threshold = crawler.settings.getint("NIANBAO_CIRCUIT_BREAKER_FAILURES")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _stats(self, request: Request):
        portal_stats = getattr(self.crawler.spider, "portal_stats", {})
        return portal_stats.get(request.meta.get("portal_id"))

    def process_request(self, request: Request):
        stats = self._stats(request)
        if stats is None:
            return None
        if stats.circuit_open:
            raise IgnoreRequest(f"circuit breaker open for portal {stats.portal_id}")
        stats.requests += 1
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        stats = self._stats(request)
        if stats is not None:
            if response.status >= 500 or response.status == 429:
                self._failed(stats, request, f"HTTP {response.status}")
            else:
                stats.consecutive_failures = 0
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        stats = self._stats(request)
        if stats is not None and not isinstance(exception, IgnoreRequest):
            self._failed(stats, request, type(exception).__name__)
        return None

    def _failed(self, stats, request: Request, reason: str) -> None:
        stats.consecutive_failures += 1
        if not stats.circuit_open and stats.consecutive_failures >= self.threshold:
            stats.circuit_open = True
            self.crawler.spider.logger.error(
                "%s: %d failures in a row (last: %s at %s); circuit breaker open, portal skipped for this run",
                stats.portal_id, stats.consecutive_failures, reason, request.url)


class JsChallengeMiddleware:
    """Hand a JavaScript cookie challenge (HTTP 412 + cookie-setting script) to Chromium once."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.solving: set[str] = set()
        self.wait = crawler.settings.getfloat("NIANBAO_CHALLENGE_WAIT")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if (response.status not in _CHALLENGE_STATUSES or request.meta.get("playwright")
                or "portal_id" not in request.meta or not _CHALLENGE_SCRIPT.search(response.body)):
            return response
        tries = request.meta.get("challenge_tries", 0)
        if tries >= 3:
            return response  # the challenge keeps coming back: let the error be counted
        # Keys the downloader sets on the way back (download_latency …) must not travel along.
        meta = {k: v for k, v in request.meta.items() if not k.startswith("download_") or k == "download_slot"}
        retry = request.replace(dont_filter=True, meta={**meta, "challenge_tries": tries + 1})
        host = urlsplit(request.url).netloc
        if host in self.solving:
            await asyncio.sleep(self.wait)  # another request is in the browser: wait for its cookie
            return retry
        self.solving.add(host)
        spider = self.crawler.spider
        spider.logger.info("%s: HTTP %d JavaScript challenge at %s; solving it in Chromium",
                           request.meta["portal_id"], response.status, request.url)
        return Request(
            request.url, callback=spider.solve_challenge, errback=spider.challenge_failed, dont_filter=True,
            priority=request.priority + 10,
            meta={"playwright": True, "playwright_include_page": True, "handle_httpstatus_all": True,
                  "portal_id": request.meta["portal_id"], "download_slot": host,
                  # as a dict, so the request stays serialisable for disk or Redis queues
                  "nianbao_challenge_for": retry.to_dict(spider=spider)},
        )


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


class CharsetRepairMiddleware:
    """Decode HTML whose HTTP charset is wrong with the charset the page declares (or GB18030)."""

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        declared = http_content_type_encoding(response.headers.get(b"Content-Type", b"").decode("latin-1"))
        if not declared or _decodes(response.body, declared):
            return response
        for candidate in (html_body_declared_encoding(response.body), "gb18030"):
            if candidate and candidate != declared and _decodes(response.body, candidate):
                return response.replace(encoding=candidate)
        return response
