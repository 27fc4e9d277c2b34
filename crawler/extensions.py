"""Extensions: the capture store (WARC + manifest + runs.jsonl) and the progress display.

Storage is an extension, not a pipeline or the spider (style guide D): on ``item_scraped``
each ``Capture`` is written to WARC and the manifest; on ``spider_closed`` each portal's
statistics go to ``runs.jsonl``. The output directory is ``NIANBAO_OUTPUT_DIR``.
"""

from __future__ import annotations

import logging
import uuid

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.capture_store import CaptureStore, utc_now
from crawler.items import Capture

logger = logging.getLogger("nianbao.progress")


class CaptureStoreExtension:
    """Writes every ``Capture`` item byte-exact to the output directory."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.store = CaptureStore(crawler.settings.get("NIANBAO_OUTPUT_DIR"))
        self.run_id = uuid.uuid4().hex
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_scraped(self, item, response, spider):
        if isinstance(item, Capture):
            self.store.write(item)

    def spider_closed(self, spider, reason):
        finished = utc_now()
        for stats in getattr(spider, "portal_stats", {}).values():
            stats.finish_reason = reason
            stats.finished_at = finished if reason == "finished" else None
            self.store.write_run(stats.to_run(self.run_id))
            for key in ("requests", "pages", "reports", "attachments", "errors", "duplicates"):
                self.crawler.stats.set_value(f"nianbao/{stats.portal_id}/{key}", getattr(stats, key))
        self.store.close()


def capture_store(crawler) -> CaptureStore:
    """The capture store of a running crawler."""
    for extension in crawler.extensions.middlewares:
        if isinstance(extension, CaptureStoreExtension):
            return extension.store
    raise NotConfigured("crawler.extensions.CaptureStoreExtension is not enabled")


class ProgressDisplay:
    """Logs pages, reports found and errors per portal every NIANBAO_PROGRESS_INTERVAL seconds
    (0: only once, when the crawl ends)."""

    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL"))

    def spider_opened(self, spider):
        if self.interval > 0:
            self.loop = task.LoopingCall(self.show, spider)
            self.loop.start(self.interval, now=False)

    def show(self, spider, final: bool = False):
        for stats in getattr(spider, "portal_stats", {}).values():
            logger.info("%s%s", "done " if final else "", stats.summary())

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show(spider, final=True)
