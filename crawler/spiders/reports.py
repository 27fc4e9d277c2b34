"""The ``reports`` spider: walks the annual-report columns of registry portals, on any platform.

One spider crawls any selection of portals (one id, a province, ``all``, or an ad-hoc
``start_url``) in one process and one capture store; each portal's platform adapter
(``crawler.platforms``) reads its list pages. The spider owns what is common to all platforms:

* the candidate filter on listings (``crawler.candidates``) and the reason it records;
* deduplication by URL (this run and every earlier capture in the output directory) and by
  content hash per portal (reposts, mirrors), so nothing is archived twice;
* incremental re-crawls: once a portal has had a run whose list walk completed, pagination
  stops at the first list page that offers no new candidate (sub-columns are still checked);
* pagination-trap protection: a page that repeats an earlier page's items, or has none,
  ends that column's pagination, and a column has at most ``NIANBAO_MAX_LIST_PAGES`` pages;
* the browser, only for portals marked ``browser = true`` (and JS cookie challenges, see
  ``crawler.middlewares.JsChallengeMiddleware``); the cookies a challenge earned are kept in
  the output directory with their expiry and sent with the portal's first requests of the
  next run (``crawler.challenge_cookies``), so a scheduled crawl does not start a browser again;
* per-portal statistics (``crawler.stats.PortalStats``), errors counted, never fatal; a
  report or attachment requested but neither archived nor failed when the run ends (dropped
  on the way, say) is counted as an error too, so no report is ever missed silently.

Usage::

    scrapy crawl reports -a province=浙江省
    scrapy crawl reports -a portal=zhejiang_taizhou_luqiao_gov -s NIANBAO_OUTPUT_DIR=out
    scrapy crawl reports -a start_url=https://example.gov.cn/zfxxgknb/ -a platform=auto
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.request import request_from_dict
from scrapy.http import Response
from playwright.async_api import Error as PlaywrightError
from scrapy_playwright.page import PageMethod

from crawler.candidates import candidate_reason, looks_like_report_title, plausible_years
from crawler.challenge_cookies import JAR_KEYS, ChallengeCookies
from crawler.capture_store import served_headers, utc_now
from crawler.extensions import capture_store
from crawler.items import Capture
from crawler.platforms import ADAPTERS
from crawler.platforms.base import Follow, Listing, clean_text, is_html_response
from crawler.platforms.detect import detect_platform
from crawler.registry import Portal, ad_hoc_portal, load_registry, select_portals
from crawler.stats import PortalStats

MAX_SUBCOLUMN_DEPTH = 3  # column › year › 部门/乡镇 › unit


def _as_bool(value) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


class ReportsSpider(scrapy.Spider):
    """Crawl registry portals (``portal``/``province``) or one ``start_url`` for annual reports."""

    name = "reports"

    def __init__(self, portal=None, province=None, start_url=None, platform="auto", browser="false",
                 since_year=None, sample=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.selection = {"portal": portal, "province": province}
        self.start_url, self.ad_hoc_platform, self.ad_hoc_browser = start_url, platform, _as_bool(browser)
        self.since_year = int(since_year) if since_year else None
        self.sample = int(sample) if sample else None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if spider.start_url:
            portals = [ad_hoc_portal(spider.start_url, spider.ad_hoc_platform, spider.ad_hoc_browser)]
        else:
            registry = load_registry(settings.get("NIANBAO_REGISTRY"))
            portals = select_portals(registry, **spider.selection)
        spider.portals = {p.id: p for p in portals}
        scope = next((f"{k}={v}" for k, v in (("start_url", spider.start_url), *spider.selection.items()) if v), "portal=all")
        spider.portal_stats = {p.id: PortalStats(p.id, p.platform, scope) for p in portals}
        spider.max_list_pages = settings.getint("NIANBAO_MAX_LIST_PAGES")
        spider.browser_wait_ms = settings.getint("NIANBAO_BROWSER_WAIT_MS")
        spider.browser_settle_ms = settings.getint("NIANBAO_BROWSER_SETTLE_MS")
        spider.challenge_cookies = ChallengeCookies(settings.get("NIANBAO_OUTPUT_DIR"),
                                                    settings.getfloat("NIANBAO_CHALLENGE_COOKIE_MAX_AGE"))
        spider.detected: dict[str, str] = {}
        spider.requested: dict[str, set[str]] = defaultdict(set)
        spider.listing_sets: dict[str, set[str]] = defaultdict(set)
        spider.column_pages: dict[tuple[str, str], int] = defaultdict(int)
        spider.report_requests: dict[str, int] = defaultdict(int)
        # Report and attachment URLs requested and not yet archived or failed, per portal (not
        # checked for scale-out workers: another worker may answer a request this one yielded).
        spider.outstanding: dict[str, set[str]] = defaultdict(set)
        if not settings.get("NIANBAO_REDIS_URL"):
            crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        return spider

    # ------------------------------------------------------------------ start

    async def start(self):
        self.store = capture_store(self.crawler)
        self.index = self.store.index
        for portal in self.portals.values():
            self.portal_stats[portal.id].started_at = utc_now()
            adapter = ADAPTERS.get(portal.platform)
            follows = adapter.start(portal) if adapter else [Follow(Request(u), "column") for u in portal.start_urls]
            # Cookies an earlier run earned from a JS challenge: the jar takes them from these
            # first requests and sends them on every later one, so the site answers plain HTTP.
            cookies = self.challenge_cookies.valid(portal.id)
            if cookies:
                self.logger.info("%s: sending %d challenge cookie(s) saved by an earlier run", portal.id, len(cookies))
            for follow in follows:
                request = self._list_request(follow, portal, column=follow.request.url, depth=0)
                if request is not None:
                    yield request.replace(cookies=cookies) if cookies else request
            # Attachments of reports archived by an interrupted run, not archived themselves.
            for pending in self.index.pending.get(portal.id, []):
                if not self._known(portal, pending["url"]):
                    request = self._attachment_request(portal, pending)
                    yield request.replace(cookies=cookies) if cookies else request

    # ------------------------------------------------------------------ requests

    def _meta(self, portal: Portal, url: str, **extra) -> dict:
        # One download slot per host:port, so sites sharing a host name still get their own
        # politeness budget (Scrapy's default slot key is the bare host name).
        return {"portal_id": portal.id, "download_slot": urlsplit(url).netloc, **extra}

    def _list_request(self, follow: Follow, portal: Portal, column: str, depth: int) -> Request | None:
        request = follow.request
        if follow.kind == "endpoint":
            years = plausible_years(request.url)  # e.g. …xxgkAnnualReport.jsp?…&fbtime=2020
            if self._known(portal, request.url) or (self.since_year and years and max(years) < self.since_year):
                return None
            self.requested[portal.id].add(request.url)
            meta = self._meta(portal, request.url, role="report", candidate_reason="endpoint")
            self._expect(portal, request.url, meta)
            return request.replace(callback=self.parse_endpoint, errback=self.on_error,
                                   meta={**request.meta, **meta})
        meta = self._meta(portal, request.url, role="list", column=column, depth=depth)
        if portal.browser:
            meta.update(self._browser_meta(portal))
        return request.replace(callback=self.parse_list, errback=self.on_error, meta={**request.meta, **meta})

    def _browser_meta(self, portal: Portal) -> dict:
        wait_for = portal.wait_for
        if wait_for:
            methods = [PageMethod("wait_for_selector", wait_for, timeout=self.browser_wait_ms)]
        else:  # no selector known (e.g. --start-url --browser): let scripts and timers settle
            methods = [PageMethod("wait_for_load_state", "networkidle"),
                       PageMethod("wait_for_timeout", self.browser_settle_ms)]
        return {"playwright": True, "playwright_page_methods": methods}

    def _expect(self, portal: Portal, url: str, meta: dict) -> None:
        """Track a report or attachment request until it is archived or counted as failed."""
        meta["nianbao_outstanding"] = url
        self.outstanding[portal.id].add(url)

    def _settled(self, meta: dict) -> None:
        self.outstanding[meta.get("portal_id")].discard(meta.get("nianbao_outstanding"))

    def _on_idle(self, spider) -> None:
        """Nothing is queued or in flight: a report or attachment still outstanding was dropped on
        the way (no callback or errback will ever see it). Count it, so no miss is silent."""
        for portal_id, urls in self.outstanding.items():
            for url in sorted(urls):
                self.portal_stats[portal_id].error(f"{url}: requested but never fetched")
                self.logger.error("%s: %s was requested but never fetched", portal_id, url)
            urls.clear()

    def _known(self, portal: Portal, url: str) -> bool:
        return self.index.has_url(portal.id, url) or url in self.requested[portal.id]

    # ------------------------------------------------------------------ list pages

    def parse_list(self, response: Response):
        portal = self.portals[response.meta["portal_id"]]
        stats = self.portal_stats[portal.id]
        stats.pages += 1
        stats.list_pages += 1
        if response.meta.get("playwright"):
            stats.browser_pages += 1
        capture = self._capture(response, portal, "list")
        if capture is not None:
            yield capture
        platform = self._platform(portal, response)
        candidates, new, follows, listed = 0, 0, [], set()
        for found in ADAPTERS[platform].parse_list(response, portal):
            if isinstance(found, Follow):
                follows.append(found)
                continue
            listed.add(found.url)
            reason = candidate_reason(found.title, found.url)
            if reason is None or not self._wanted_year(found):
                continue
            candidates += 1
            if self._known(portal, found.url):
                stats.known_skipped += self.index.has_url(portal.id, found.url)
                continue
            if self.sample is not None and self.report_requests[portal.id] >= self.sample:
                continue
            new += 1
            yield self._report_request(portal, found, reason)
        yield from self._follow(response, portal, follows, listed, candidates, new)

    def _platform(self, portal: Portal, response: Response) -> str:
        if portal.platform != "auto":
            return portal.platform
        if portal.id not in self.detected:
            self.detected[portal.id] = detect_platform(response)
            self.portal_stats[portal.id].platform = self.detected[portal.id]
            self.logger.info("%s: detected platform %s from %s", portal.id, self.detected[portal.id], response.url)
        return self.detected[portal.id]

    def _wanted_year(self, listing: Listing) -> bool:
        if self.since_year is None:
            return True
        years = plausible_years(f"{listing.title or ''} {listing.url}")
        return not years or max(years) >= self.since_year

    def _report_request(self, portal: Portal, listing: Listing, reason: str) -> Request:
        self.requested[portal.id].add(listing.url)
        self.report_requests[portal.id] += 1
        meta = self._meta(portal, listing.url, role="report", listing_title=listing.title,
                          listing_date=listing.date, candidate_reason=reason)
        self._expect(portal, listing.url, meta)
        return Request(listing.url, callback=self.parse_report, errback=self.on_error, meta=meta)

    def _follow(self, response: Response, portal: Portal, follows: list[Follow], listed: set[str],
                candidates: int, new: int):
        stats = self.portal_stats[portal.id]
        column, depth = response.meta.get("column", response.url), response.meta.get("depth", 0)
        reached_by_paging = response.meta.get("list_kind") == "page"
        # The items' fingerprint also travels to the next page in its meta, so the check holds
        # when another process (a scale-out worker) fetched the page before this one.
        fingerprint = hashlib.sha1("\n".join(sorted(listed)).encode()).hexdigest()
        repeated = (fingerprint in self.listing_sets[portal.id]
                    or fingerprint == response.meta.get("previous_listing"))
        self.listing_sets[portal.id].add(fingerprint)
        # A page reached by paging that lists nothing, or only what another page listed, is
        # a pagination trap (calendars, "next" links that never end): stop this column here.
        trap = reached_by_paging and (not listed or repeated)
        # Incremental: columns list newest first, so once a page offers candidates but none
        # is new, the pages behind it hold nothing new either.
        settled = portal.id in self.index.finished_portals and candidates > 0 and new == 0
        max_pages = portal.params.get("max_list_pages", self.max_list_pages)
        for follow in follows:
            if follow.kind == "page":
                if trap:
                    stats.trap_stops += 1
                    return
                if settled:
                    continue
                if self.column_pages[(portal.id, column)] >= max_pages:
                    stats.trap_stops += 1
                    self.logger.warning("%s: column %s reached %d list pages; not following more",
                                        portal.id, column, max_pages)
                    return
                self.column_pages[(portal.id, column)] += 1
                request = self._list_request(follow, portal, column=column, depth=depth)
            elif follow.kind == "subcolumn":
                if depth >= MAX_SUBCOLUMN_DEPTH:
                    continue
                request = self._list_request(follow, portal, column=follow.request.url, depth=depth + 1)
            else:
                request = self._list_request(follow, portal, column=column, depth=depth)
            if request is not None:
                request.meta["list_kind"] = follow.kind
                request.meta["previous_listing"] = fingerprint
                yield request

    # ------------------------------------------------------------------ reports and attachments

    def parse_endpoint(self, response: Response):
        """A URL that answers with one organ's report inline, or with an empty page."""
        portal = self.portals[response.meta["portal_id"]]
        title = clean_text(response.xpath("//title/text()").get() or "") if is_html_response(response) else ""
        heading = clean_text(response.xpath("string(//h1)").get() or "") if is_html_response(response) else ""
        named = next((t for t in (heading, title) if looks_like_report_title(t)), None)
        if named is None:
            self._settled(response.meta)
            self.portal_stats[portal.id].pages += 1
            self.logger.debug("%s: %s holds no report", portal.id, response.url)
            return
        response.meta["listing_title"] = named
        response.meta["candidate_reason"] = f"endpoint page {candidate_reason(named, '')}"
        yield from self.parse_report(response)

    def parse_report(self, response: Response):
        portal = self.portals[response.meta["portal_id"]]
        stats = self.portal_stats[portal.id]
        stats.pages += 1
        self._settled(response.meta)
        capture = self._capture(response, portal, "report")
        if capture is None:
            return  # same bytes as a report already archived (a repost): its files are known too
        stats.reports += 1
        adapter = ADAPTERS.get(self.detected.get(portal.id, portal.platform), ADAPTERS["generic"])
        attachments = [{"url": url, "parent_url": capture.final_url, "listing_title": text or None}
                       for url, text in adapter.attachments(response) if not self._known(portal, url)]
        if attachments:  # before the page's capture, so a kill in between loses nothing
            self.store.write_pending(portal.id, attachments)
        yield capture
        for attachment in attachments:
            yield self._attachment_request(portal, attachment)

    def _attachment_request(self, portal: Portal, attachment: dict) -> Request:
        url = attachment["url"]
        self.requested[portal.id].add(url)
        meta = self._meta(portal, url, role="attachment", parent_url=attachment["parent_url"],
                          listing_title=attachment.get("listing_title"), candidate_reason="linked from report page")
        self._expect(portal, url, meta)
        return Request(url, callback=self.parse_attachment, errback=self.on_error, meta=meta)

    def parse_attachment(self, response: Response):
        portal = self.portals[response.meta["portal_id"]]
        self.portal_stats[portal.id].pages += 1
        self._settled(response.meta)
        capture = self._capture(response, portal, "attachment")
        if capture is not None:
            self.portal_stats[portal.id].attachments += 1
            yield capture

    # ------------------------------------------------------------------ challenges

    async def solve_challenge(self, response: Response):
        """Let Chromium run a 412 JavaScript cookie challenge once; replay with its cookies."""
        async for request in self._after_challenge(response.request, response.meta.get("playwright_page")):
            yield request

    async def challenge_failed(self, failure):
        """The browser's fetch of a challenge page failed. Under load this is usually the
        challenge's own reload racing Chromium's read of the page ("the page is navigating"):
        the cookie was set all the same, so take it; otherwise try the browser again."""
        async for request in self._after_challenge(failure.request, failure.request.meta.get("playwright_page"),
                                                   failure):
            yield request

    async def _after_challenge(self, request: Request, page, failure=None):
        original = request_from_dict(request.meta["nianbao_challenge_for"], spider=self)
        portal_id = original.meta.get("portal_id")
        cookies = await self._challenge_cookies(page, request.url) if page is not None else []
        if cookies:
            self.portal_stats[portal_id].challenges_solved += 1
            self.logger.info("%s: solved JS cookie challenge at %s (%s)", portal_id, request.url,
                             ", ".join(c["name"] for c in cookies))
            self.challenge_cookies.save(portal_id, cookies)  # for the next run
            jar_cookies = [{k: c[k] for k in JAR_KEYS} for c in cookies]
            yield original.replace(cookies=jar_cookies, dont_filter=True)
            return
        attempt = request.meta.get("challenge_attempt", 1)
        reason = f"{type(failure.value).__name__}: {failure.getErrorMessage()}" if failure else "no cookie set"
        if attempt < 3:
            self.logger.warning("%s: challenge at %s not solved (%s); trying the browser again",
                                portal_id, request.url, reason.splitlines()[0])
            # a new page (not the closed one) and none of the downloader's keys from last time
            meta = {k: v for k, v in request.meta.items()
                    if k != "playwright_page" and (not k.startswith("download_") or k == "download_slot")}
            yield request.replace(dont_filter=True, meta={**meta, "challenge_attempt": attempt + 1})
            return
        self._settled(original.meta)
        self.portal_stats[portal_id].error(f"{request.url}: challenge not solved ({reason.splitlines()[0]})",
                                           list_page=original.meta.get("role") == "list")

    @staticmethod
    async def _challenge_cookies(page, url: str) -> list[dict]:
        """Every cookie the browser holds for the page once its script has set one, or []."""
        try:
            # Wait for the page's script to set its cookie (document.cookie shows script-set
            # cookies only; the server's own HttpOnly ones were there from the start) and for
            # the reload that follows, then take every cookie the browser now holds.
            for _ in range(200):
                try:
                    if await page.evaluate("document.cookie"):
                        break
                except PlaywrightError:  # the reload destroyed the context mid-call
                    pass
                await asyncio.sleep(0.05)
            try:
                await page.wait_for_load_state("load")
            except PlaywrightError:
                pass  # still navigating: the cookies are in the context already
            cookies = await page.context.cookies(url)
        except PlaywrightError:
            return []
        finally:
            await page.close()
        return cookies if any(not c.get("httpOnly") for c in cookies) else []

    # ------------------------------------------------------------------ captures and errors

    def _capture(self, response: Response, portal: Portal, role: str) -> Capture | None:
        meta = response.meta
        requested = (meta.get("redirect_urls") or [response.url])[0]
        capture = Capture(
            portal_id=portal.id, role=role, url=requested, final_url=response.url,
            status=response.status, headers=served_headers(response), body=response.body,
            fetched_at=utc_now(), listing_title=meta.get("listing_title"),
            listing_date=meta.get("listing_date"), candidate_reason=meta.get("candidate_reason"),
            parent_url=meta.get("parent_url"), rendered=bool(meta.get("playwright")),
        )
        if not self.index.claim(portal.id, capture.sha256):
            if role != "list":
                self.portal_stats[portal.id].duplicates += 1
                self.store.write_seen(portal.id, requested, capture.sha256, "same bytes as an archived capture")
                self.logger.info("%s: %s repeats content already archived; not kept", portal.id, response.url)
            return None
        return capture

    def on_error(self, failure):
        request = failure.request
        portal_id = request.meta.get("portal_id")
        if portal_id not in self.portal_stats:
            return
        stats = self.portal_stats[portal_id]
        self._settled(request.meta)
        if failure.check(HttpError):  # (a subclass of IgnoreRequest)
            message = f"{request.url}: HTTP {failure.value.response.status}"
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            stats.robots_blocked += 1
            return
        elif failure.check(IgnoreRequest) and stats.circuit_open:
            message = f"{request.url}: not fetched, circuit breaker open"  # a page lost all the same
        else:
            message = f"{request.url}: {failure.type.__name__} {failure.getErrorMessage()}".strip()
        stats.error(message, list_page=request.meta.get("role") == "list")
        self.logger.warning("%s: %s", portal_id, message)

    def _on_spider_error(self, failure, response, spider):
        portal_id = response.meta.get("portal_id")
        if portal_id in self.portal_stats:
            self.portal_stats[portal_id].error(f"{response.url}: {failure.getErrorMessage()}",
                                               list_page=response.meta.get("role") == "list")
