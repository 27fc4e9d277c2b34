"""Scrapy settings of the nianbao crawler: polite and robust by default.

Every value that differs from Scrapy's default says so, with the reason. Project settings
start with ``NIANBAO_``; each can be overridden by an environment variable of the same name
(or by ``scrapy crawl … -s NAME=value``).
"""

import os
from pathlib import Path


def _env(name: str, default):
    """The environment's value for a setting, cast to the default's type."""
    raw = os.getenv(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return type(default)(raw)


# Scrapy's cookie middleware asks tldextract for public suffixes, and tldextract downloads the
# Public Suffix List from the internet on first use; its bundled snapshot is enough for
# cookie scoping, so the crawler never makes that request (an empty list disables fetching).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# Default "": the crawler's own commands, `scrapy checkportals` and `scrapy savefixture`.
COMMANDS_MODULE = "crawler.commands"

# ---------------------------------------------------------------- nianbao's own settings
# Where captures go: <dir>/warc/*.warc.gz, <dir>/manifest.jsonl, <dir>/runs.jsonl.
NIANBAO_OUTPUT_DIR = _env("NIANBAO_OUTPUT_DIR", "crawl-output")
# The portal registry the spider reads (the demo points this at the replica's registry).
NIANBAO_REGISTRY = _env("NIANBAO_REGISTRY", str(Path(__file__).with_name("portals.toml")))
# Put in the User-Agent so a portal's webmaster can find out who we are and reach us.
NIANBAO_CONTACT_URL = _env("NIANBAO_CONTACT_URL", "https://github.com/nianbao/nianbao")
# Most list pages a column may have; real columns have tens, traps have thousands.
NIANBAO_MAX_LIST_PAGES = _env("NIANBAO_MAX_LIST_PAGES", 300)
# Consecutive final failures (after retries) before a portal is skipped for the rest of the run.
NIANBAO_CIRCUIT_BREAKER_FAILURES = _env("NIANBAO_CIRCUIT_BREAKER_FAILURES", 8)
# Seconds before the first retry; doubled for each further attempt, capped at the maximum.
NIANBAO_RETRY_BACKOFF = _env("NIANBAO_RETRY_BACKOFF", 2.0)
NIANBAO_RETRY_BACKOFF_MAX = _env("NIANBAO_RETRY_BACKOFF_MAX", 60.0)
# Seconds a request waits while another request of the same site solves a JS challenge.
NIANBAO_CHALLENGE_WAIT = _env("NIANBAO_CHALLENGE_WAIT", 1.0)
# Seconds a challenge cookie without an expiry of its own (a browser-session cookie) is sent
# again by later runs; cookies with an expiry are kept until it (crawler/challenge_cookies.py).
NIANBAO_CHALLENGE_COOKIE_MAX_AGE = _env("NIANBAO_CHALLENGE_COOKIE_MAX_AGE", 12 * 3600.0)
# How long the browser waits for a script-built list's `wait_for` selector.
NIANBAO_BROWSER_WAIT_MS = _env("NIANBAO_BROWSER_WAIT_MS", 15000)
# For browser portals without `wait_for`: milliseconds to let timers finish after network idle.
NIANBAO_BROWSER_SETTLE_MS = _env("NIANBAO_BROWSER_SETTLE_MS", 500)
# Seconds between progress lines (pages, reports, errors per portal); 0: only the final lines.
NIANBAO_PROGRESS_INTERVAL = _env("NIANBAO_PROGRESS_INTERVAL", 10.0)
# Chromium for script-built lists and JS challenges: Debian's when installed, else Playwright's.
NIANBAO_CHROMIUM = _env("NIANBAO_CHROMIUM", "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else "")
# Scale-out (crawler/scaleout.py, docs/operations.md). Empty (default): one process with Scrapy's
# own scheduler. A redis:// URL: this process is one of N workers sharing a Redis frontier
# (scrapy-redis queue + duplicate filter) for the crawl named NIANBAO_REDIS_CRAWL; each worker
# still writes its own NIANBAO_OUTPUT_DIR. A worker silent for 3 heartbeats counts as dead and
# the requests it had in flight go back to the queue.
NIANBAO_REDIS_URL = _env("NIANBAO_REDIS_URL", "")
NIANBAO_REDIS_CRAWL = _env("NIANBAO_REDIS_CRAWL", "reports")
NIANBAO_REDIS_HEARTBEAT = _env("NIANBAO_REDIS_HEARTBEAT", 5.0)
# Start requests wait until this many live workers have joined the crawl (at most
# NIANBAO_REDIS_JOIN_WAIT seconds), so every worker takes part from the first request.
NIANBAO_REDIS_MIN_WORKERS = _env("NIANBAO_REDIS_MIN_WORKERS", 1)
NIANBAO_REDIS_JOIN_WAIT = _env("NIANBAO_REDIS_JOIN_WAIT", 300.0)
# Default: none. Switches the scheduler to the Redis frontier when NIANBAO_REDIS_URL is set
# (an add-on, so `-s NIANBAO_REDIS_URL=…` works as well as the environment variable).
ADDONS = {"crawler.scaleout.RedisFrontier": 0}

# ---------------------------------------------------------------- politeness
# Default "Scrapy/VERSION (+https://scrapy.org)": say who crawls and how to reach us.
USER_AGENT = f"nianbao/0.1 (+{NIANBAO_CONTACT_URL}; archive of government information disclosure annual reports)"
# Template default True (Scrapy's own default False): obey robots.txt.
ROBOTSTXT_OBEY = _env("NIANBAO_ROBOTSTXT_OBEY", True)
# Default 8: at most two requests in flight per site (slot = host:port, see the spider).
CONCURRENT_REQUESTS_PER_DOMAIN = _env("NIANBAO_CONCURRENT_PER_DOMAIN", 2)
# Default 16: many portals in parallel, each still limited to two.
CONCURRENT_REQUESTS = _env("NIANBAO_CONCURRENT_REQUESTS", 32)
# Default 0: half a second between requests to one site before AutoThrottle adapts it.
DOWNLOAD_DELAY = _env("NIANBAO_DOWNLOAD_DELAY", 0.5)
# Default False: adapt the delay to each site's latency; government servers are often slow.
AUTOTHROTTLE_ENABLED = _env("NIANBAO_AUTOTHROTTLE", True)
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY or 0.5  # default 5.0: start at our own delay
AUTOTHROTTLE_MAX_DELAY = 30.0  # default 60.0: a site that slow is better retried another day
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # default 1.0 (kept): one request at a time on average

# ---------------------------------------------------------------- robustness
# Default 180 s: a portal that has not answered in 60 s is retried later with backoff.
DOWNLOAD_TIMEOUT = _env("NIANBAO_DOWNLOAD_TIMEOUT", 60)
# Default 1 GiB / 32 MiB warn: a report PDF over 100 MiB is a scan archive, not a report.
DOWNLOAD_MAXSIZE = _env("NIANBAO_DOWNLOAD_MAXSIZE", 100 * 1024 * 1024)
DOWNLOAD_WARNSIZE = 30 * 1024 * 1024
# Default 2: government servers fail transiently (503 under load); retry with backoff.
RETRY_TIMES = _env("NIANBAO_RETRY_TIMES", 3)
# Default [500, 502, 503, 504, 522, 524, 408, 429] (kept, stated for the reader).
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Default: none of ours. The retry middleware is replaced by one that backs off; the breaker
# sits inside it (higher number) so every failed attempt counts and retries of a portal whose
# circuit is open are dropped too; the challenge solver sits closest to the download.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.PortalHealthMiddleware": 560,
    "crawler.middlewares.JsChallengeMiddleware": 580,
    # outside everything else: decides how the spider reads a page, never what is stored
    "crawler.middlewares.CharsetRepairMiddleware": 100,
}
# Default: none. The capture store writes WARC + manifest; the progress display logs per portal.
EXTENSIONS = {
    "crawler.extensions.CaptureStoreExtension": 100,
    "crawler.extensions.ProgressDisplay": 200,
    # Default on: a telnet console listening on localhost; we never want a control port.
    "scrapy.extensions.telnet.TelnetConsole": None,
}
# Default True: no listening console (see EXTENSIONS), stated twice on purpose.
TELNETCONSOLE_ENABLED = False
# Default True in Scrapy 2.19: a localhost HTTP server that runs Python code. Never.
REMOTE_CONTROL_ENABLED = False
# Defaults True / 0 (no warning): warn at 1 GiB, since a province crawl's request queue
# can grow; the 10,500-page benchmark column peaks near 125 MB.
MEMUSAGE_ENABLED = True
MEMUSAGE_WARNING_MB = 1024
# Default "": the manifest and logs hold Chinese; never \uXXXX escapes in feeds.
FEED_EXPORT_ENCODING = "utf-8"
# Default "DEBUG": one line per request is too much for a province crawl.
LOG_LEVEL = _env("NIANBAO_LOG_LEVEL", "INFO")
# Default False: development runs can replay pages from disk instead of re-hitting portals.
HTTPCACHE_ENABLED = _env("NIANBAO_HTTPCACHE", False)

# ---------------------------------------------------------------- browser (scrapy-playwright)
# Default: Scrapy's own handlers. Requests with meta {"playwright": True} go to Chromium, all
# others still to Scrapy's HTTP handler; the browser starts only when first needed.
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
# Default in Scrapy 2.13+ already; scrapy-playwright requires it, so it is pinned here.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Default "chromium" (kept, stated): Debian ships chromium, and `playwright install` needs internet.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
# Default {}: headless, and Debian's /usr/bin/chromium when present (NIANBAO_CHROMIUM), else
# the browser Playwright downloaded for itself.
PLAYWRIGHT_LAUNCH_OPTIONS = {"headless": True, **({"executable_path": NIANBAO_CHROMIUM} if NIANBAO_CHROMIUM else {})}
# Default: Playwright's 30 s (kept, stated): a script-built list that needs longer is broken.
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000
# Default: CONCURRENT_REQUESTS; a browser page costs ~50 MB, and lists are few.
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
