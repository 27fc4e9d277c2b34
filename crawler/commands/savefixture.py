"""``scrapy savefixture URL --portal ID [--role list|report|attachment]``: save a page for tests.

Fetches the URL once through the project's own settings — robots.txt obeyed, the nianbao
User-Agent, the download delay — without retries, and saves the body as received plus its
``.url`` and ``.headers`` sidecars under ``tests/fixtures/crawler/<platform>/<portal_id>/``
(``crawler.fixture_store``). The platform is the registry portal's, or ``--platform`` for a
portal not in the registry. A URL already saved for that portal is not fetched again
(``--force`` refetches it into the same file). Prints the saved path; exit status 1 when
robots.txt forbids the URL, the fetch fails, or the URL was saved before::

    scrapy savefixture "https://www.luqiao.gov.cn/col/col1229460362/index.html" --portal zhejiang_taizhou_luqiao_gov
    scrapy savefixture "https://www.luqiao.gov.cn/art/2024/1/18/art_1229460362_87415.html" \\
        --portal zhejiang_taizhou_luqiao_gov --role report
"""

from __future__ import annotations

import sys
from pathlib import Path

import scrapy
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.datatypes import SequenceExclude
from w3lib.url import is_url

from crawler.capture_store import served_headers
from crawler.fixture_store import ROLES, Fetched, FixtureExists, save_fixture, saved_urls
from crawler.lint import FIXTURES
from crawler.platforms import ADAPTERS
from crawler.registry import PORTAL_ID, RegistryError, load_registry


class SaveFixtureSpider(scrapy.Spider):
    """Fetches one URL and keeps the response (or the reason it failed) in ``outcome``."""

    name = "savefixture"
    custom_settings = {
        # Nothing of a crawl's output: no capture store, no progress lines, no telnet console.
        "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
    }

    def __init__(self, url: str, outcome: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url, self.outcome = url, outcome

    async def start(self):
        # Once: no retries. Every status is kept (a 404 or 412 page can be the fixture wanted),
        # but redirects are still followed to the page that answers.
        yield scrapy.Request(self.url, callback=self.keep, errback=self.failed, dont_filter=True,
                             meta={"dont_retry": True, "handle_httpstatus_list": SequenceExclude(range(300, 400))})

    def keep(self, response):
        self.outcome["fetched"] = Fetched(response.url, response.status, served_headers(response), response.body)

    def failed(self, failure):
        self.outcome["error"] = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "URL --portal ID [--role ROLE] [--platform NAME] [--fixtures DIR] [--force]"

    def short_desc(self) -> str:
        return "Fetch one URL politely and save it with .url/.headers sidecars as a test fixture"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--portal", required=True, help="portal id (a registry portal, or a new id)")
        parser.add_argument("--role", default="list", choices=ROLES, help="what the page is (default: list)")
        parser.add_argument("--platform", help="platform, for a portal not in the registry")
        parser.add_argument("--registry", help="registry to look the portal up in (default is the NIANBAO_REGISTRY setting)")
        parser.add_argument("--fixtures", default=str(FIXTURES), help="fixtures folder (default: tests/fixtures/crawler)")
        parser.add_argument("--force", action="store_true", help="fetch again a URL already saved for this portal")

    def _platform(self, opts) -> str:
        try:
            portals = load_registry(opts.registry or self.settings.get("NIANBAO_REGISTRY"))
        except RegistryError as problem:
            raise UsageError(str(problem), print_help=False) from None
        portal = portals.get(opts.portal)
        platform = opts.platform or (portal.platform if portal else None)
        if portal is None and not PORTAL_ID.fullmatch(opts.portal):
            raise UsageError(f"portal id {opts.portal!r} must be lowercase ASCII words joined by '_'", print_help=False)
        if platform not in ADAPTERS:
            why = "is not in the registry: pass --platform" if platform is None else f"platform {platform!r} has no adapter"
            raise UsageError(f"portal {opts.portal!r} {why} ({', '.join(sorted(ADAPTERS))})", print_help=False)
        return platform

    def run(self, args, opts) -> None:
        if len(args) != 1 or not is_url(args[0]):
            raise UsageError("give one http(s) URL")
        url, fixtures = args[0], Path(opts.fixtures)
        platform = self._platform(opts)
        earlier = saved_urls(fixtures / platform / opts.portal).get(url)
        if earlier is not None and not opts.force:
            self._fail(f"{url} is already saved as {earlier} (--force to fetch it again)")
            return
        outcome: dict = {}
        self.crawler_process.crawl(SaveFixtureSpider, url=url, outcome=outcome)
        self.crawler_process.start()
        if "fetched" not in outcome:
            self._fail(f"{url} not saved: {outcome.get('error', 'no response')}")
            return
        fetched = outcome["fetched"]
        try:
            path = save_fixture(fixtures, platform, opts.portal, opts.role, fetched, url, force=opts.force)
        except FixtureExists as exists:
            self._fail(str(exists))
            return
        note = "" if fetched.status == 200 else f" (HTTP {fetched.status})"
        print(f"{path}{note}")

    def _fail(self, message: str) -> None:
        print(message, file=sys.stderr)
        self.exitcode = 1
