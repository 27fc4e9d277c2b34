"""Scale-out: N crawler processes share one Redis frontier, and a killed worker loses nothing.

scrapy-redis provides the shared frontier: its ``Scheduler`` keeps the request queue in a Redis
sorted set and its ``RFPDupeFilter`` keeps request fingerprints in a Redis set, so every URL is
fetched by one worker only. Plain scrapy-redis *pops* a request, so the requests a worker has
in flight vanish when it is killed. This module adds the reliable-queue pattern on top:

* popping moves the request, atomically (a Lua script), from the queue into the worker's
  *processing* hash ``nianbao:<crawl>:processing:<worker>``;
* the request is *acknowledged* (removed from that hash) once it is fully handled: its
  callback's output is exhausted and every item it yielded has been written by the capture
  store (``item_scraped``), or it failed for good, or a retry/redirect/challenge replay of it
  has been queued in its place;
* each worker refreshes a heartbeat key ``nianbao:<crawl>:alive:<worker>`` (time-to-live three
  heartbeats) and is listed in ``nianbao:<crawl>:workers``;
* a worker that starts, or ticks its heartbeat, or runs out of work, re-queues the processing
  hash of every listed worker whose heartbeat expired (atomically, so only one worker does it);
* the same bytes under another URL (a repost) are archived once across workers, as they are
  within one process: a worker claims a report's or attachment's content hash in
  ``nianbao:<crawl>:content`` before writing it (marked "written" once the capture store has
  it) and drops content another worker claimed; a claim by a worker whose heartbeat expired
  passes to whoever fetches the content next, so a kill between claim and write loses nothing;
* an idle worker stays up while the queue holds requests or a live worker still has some in
  flight (they may yield more), so all workers finish together when the frontier is empty;
* with ``NIANBAO_REDIS_MIN_WORKERS`` = N (default 1) a worker seeds no start request until N
  live workers have joined the crawl (or ``NIANBAO_REDIS_JOIN_WAIT`` seconds passed): workers
  started one after another on several machines then all take part from the first request,
  instead of the first one draining a small frontier alone.

Requests that cannot be serialised for Redis (a JavaScript-challenge request carries the live
request it unblocks) stay in the worker's own memory queue; the request they stem from stays
unacknowledged until its replay is queued, so a kill still loses nothing.

Enable it with ``NIANBAO_REDIS_URL=redis://host:6379/0`` (environment or ``-s``); the add-on
``RedisFrontier`` (listed in ``ADDONS`` in ``crawler/settings.py``) then installs the scheduler,
duplicate filter and middlewares. Give each worker its own ``NIANBAO_OUTPUT_DIR`` and the same
``NIANBAO_REDIS_CRAWL``; a new crawl of the same portals needs a new crawl name (the duplicate
filter remembers every URL of a crawl). Keys are kept after the crawl for inspection.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import socket
import uuid
from collections import defaultdict, deque

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.items import Capture

logger = logging.getLogger(__name__)

TOKEN = "nianbao_frontier_token"  # request.meta key: where the request sits in the processing hash

# Pop the best request and park it in this worker's processing hash, as "<score>\n<request>".
_POP = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return false end
redis.call('ZREM', KEYS[1], popped[1])
local token = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], token, popped[2] .. '\\n' .. popped[1])
return {token, popped[1]}
"""

# Queue a request unless the duplicate filter has its fingerprint; both in one step, so a kill
# can never leave a fingerprint recorded for a request that was not queued.
# KEYS: dupefilter set, queue; ARGV: fingerprint, score, request, check the filter (1/0).
_ENQUEUE = """
if ARGV[4] == '1' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# Claim a content hash for this worker. KEYS: content hash; ARGV: portal:sha256, this worker,
# the heartbeat key prefix. Returns 1 when this worker may write it, 0 when another has it.
_CLAIM = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner == ARGV[2] then return 1 end
if owner == 'written' then return 0 end
if owner and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

# Put a processing hash back into the queue unless its worker's heartbeat is alive.
# KEYS: queue, processing hash, heartbeat key, workers set; ARGV: worker id, force (1/0).
_REQUEUE = """
if ARGV[2] == '0' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local entries = redis.call('HVALS', KEYS[2])
for _, entry in ipairs(entries) do
  local newline = string.find(entry, '\\n', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(entry, 1, newline - 1)), string.sub(entry, newline + 1))
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
return #entries
"""


def _worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class RedisFrontier:
    """Scrapy add-on: when ``NIANBAO_REDIS_URL`` is set, crawl from the shared Redis frontier."""

    def update_settings(self, settings) -> None:
        url = settings.get("NIANBAO_REDIS_URL")
        if not url:
            return
        crawl = settings.get("NIANBAO_REDIS_CRAWL") or "reports"
        for name, value in {
            "REDIS_URL": url,
            "SCHEDULER": "crawler.scaleout.ReliableScheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",  # a sorted set: the Lua scripts rely on it
            # scrapy-redis default False: the first worker to close would wipe the shared queue.
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": f"nianbao:{crawl}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"nianbao:{crawl}:dupefilter",
        }.items():
            settings.set(name, value, priority="addon")
        settings["SPIDER_MIDDLEWARES"]["crawler.scaleout.AcknowledgeMiddleware"] = 1
        settings["DOWNLOADER_MIDDLEWARES"]["crawler.scaleout.AcknowledgeFailures"] = 1


class ReliableScheduler(Scheduler):
    """scrapy-redis's scheduler with per-worker processing hashes, heartbeats and recovery."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.crawler = crawler
        scheduler.crawl = settings.get("NIANBAO_REDIS_CRAWL") or "reports"
        scheduler.worker = _worker_id()
        scheduler.heartbeat = settings.getfloat("NIANBAO_REDIS_HEARTBEAT") or 5.0
        scheduler.min_workers = settings.getint("NIANBAO_REDIS_MIN_WORKERS", 1)
        scheduler.join_wait = settings.getfloat("NIANBAO_REDIS_JOIN_WAIT", 300.0)
        return scheduler

    # ------------------------------------------------------------------ keys

    def _key(self, kind: str, worker: str | None = None) -> str:
        return f"nianbao:{self.crawl}:{kind}" + (f":{worker}" if worker else "")

    @property
    def processing_key(self) -> str:
        return self._key("processing", self.worker)

    # ------------------------------------------------------------------ lifecycle

    def open(self, spider):
        super().open(spider)
        self.local: deque[Request] = deque()
        self.pending_items: dict[str, int] = defaultdict(int)
        self.output_done: set[str] = set()
        self._push = self.server.register_script(_ENQUEUE)
        self._claim = self.server.register_script(_CLAIM)
        self._pop = self.server.register_script(_POP)
        self._requeue = self.server.register_script(_REQUEUE)
        self.server.sadd(self._key("workers"), self.worker)
        self._beat()
        self.recover()
        self.loop = task.LoopingCall(self._tick)
        self.loop.start(self.heartbeat, now=False)
        crawler_signals = self.crawler.signals
        crawler_signals.connect(self._item_scraped, signal=signals.item_scraped)
        crawler_signals.connect(self._item_done, signal=signals.item_dropped)
        crawler_signals.connect(self._item_done, signal=signals.item_error)
        crawler_signals.connect(self._idle, signal=signals.spider_idle)
        logger.info("frontier worker %s joined crawl %r (%d requests queued)",
                    self.worker, self.crawl, len(self.queue))
        if self.min_workers > 1:
            # The engine awaits this before it reads the spider's start requests.
            return deferred_from_coro(self._await_workers())
        return None

    def live_workers(self) -> int:
        """How many workers of this crawl are listed and heartbeating (this one included)."""
        members = [raw.decode() if isinstance(raw, bytes) else raw for raw in self.server.smembers(self._key("workers"))]
        return sum(self.server.exists(self._key("alive", worker)) for worker in members)

    async def _await_workers(self) -> None:
        deadline = time.monotonic() + self.join_wait
        while (live := self.live_workers()) < self.min_workers:
            if time.monotonic() >= deadline:
                logger.warning("frontier worker %s: only %d of %d workers joined crawl %r in %.0f s; starting anyway",
                               self.worker, live, self.min_workers, self.crawl, self.join_wait)
                return
            await asyncio.sleep(0.1)
        logger.info("frontier worker %s: %d workers joined crawl %r; seeding start requests",
                    self.worker, live, self.crawl)

    def close(self, reason):
        if self.loop.running:
            self.loop.stop()
        keys = [self.queue.key, self.processing_key, self._key("alive", self.worker), self._key("workers")]
        if reason == "finished":
            # The engine closes a spider as finished only when nothing is in flight: every
            # request this worker popped has been handled.
            unacknowledged = self.server.hlen(self.processing_key)
            if self.stats:
                self.stats.set_value("nianbao/frontier/unacknowledged_at_finish", unacknowledged)
            self.server.delete(self.processing_key)
            self.server.srem(self._key("workers"), self.worker)
        else:
            # Stopped early (Ctrl-C, shutdown, an error): what it had in flight goes back.
            returned = self._requeue(keys=keys, args=[self.worker, 1])
            logger.info("frontier worker %s returned %d in-flight requests to the queue (%s)",
                        self.worker, returned, reason)
        self.server.delete(self._key("alive", self.worker))
        super().close(reason)

    def _beat(self) -> None:
        self.server.set(self._key("alive", self.worker), f"pid {os.getpid()}", px=int(self.heartbeat * 3000))

    def _tick(self) -> None:
        self._beat()
        self.recover()
        if len(self.queue):
            # An idle engine asks its scheduler again only every 5 s; other workers' requests
            # may be waiting in the shared queue now, so ask at every heartbeat.
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()

    def recover(self) -> int:
        """Re-queue the in-flight requests of workers whose heartbeat expired; returns how many."""
        recovered = 0
        for raw in self.server.smembers(self._key("workers")):
            worker = raw.decode() if isinstance(raw, bytes) else raw
            if worker == self.worker:
                continue
            count = self._requeue(
                keys=[self.queue.key, self._key("processing", worker), self._key("alive", worker),
                      self._key("workers")],
                args=[worker, 0],
            )
            if count > 0:
                logger.warning("frontier worker %s is gone; re-queued its %d in-flight requests", worker, count)
                recovered += count
                if self.stats:
                    self.stats.inc_value("nianbao/frontier/recovered", count)
        return recovered

    def _idle(self, spider) -> None:
        """Stay up while the frontier may still grow: queued requests, or live workers' in-flight ones."""
        self.recover()
        if len(self.queue) or self.local:
            raise DontCloseSpider
        for raw in self.server.smembers(self._key("workers")):
            worker = raw.decode() if isinstance(raw, bytes) else raw
            if worker != self.worker and self.server.hlen(self._key("processing", worker)):
                raise DontCloseSpider

    # ------------------------------------------------------------------ queueing

    def enqueue_request(self, request: Request) -> bool:
        # A retry, redirect or challenge replay of a popped request takes its place: queue the
        # new request first, then acknowledge the old one, so a kill in between loses nothing.
        replaces = request.meta.pop(TOKEN, None)
        try:
            queued = self._enqueue(request)
        finally:
            if replaces is not None:
                self.acknowledge(replaces)
        return queued

    def _enqueue(self, request: Request) -> bool:
        try:
            data = self.queue._encode_request(request)
        except Exception as error:  # noqa: BLE001 - pickling fails in many ways; the request must not be lost
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            logger.debug("keeping %s in this worker (not serialisable: %s)", request, error)
            self.local.append(request)
            return True
        check = "0" if request.dont_filter else "1"
        fingerprint = self.df.request_fingerprint(request)
        if not self._push(keys=[self.df.key, self.queue.key], args=[fingerprint, -request.priority, data, check]):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        popped = self._pop(keys=[self.queue.key, self.processing_key, self._key("tokens")])
        if not popped:
            return None
        token, data = popped
        token = token.decode() if isinstance(token, bytes) else str(token)
        request = self.queue._decode_request(data)
        request.meta[TOKEN] = token
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self.queue) > 0

    def __len__(self) -> int:
        return len(self.local) + len(self.queue)

    # ------------------------------------------------------------------ acknowledgements

    def acknowledge(self, token: str) -> None:
        self.pending_items.pop(token, None)
        self.output_done.discard(token)
        if self.server.hdel(self.processing_key, token) and self.stats:
            self.stats.inc_value("nianbao/frontier/acknowledged")

    def item_yielded(self, token: str) -> None:
        self.pending_items[token] += 1

    def output_exhausted(self, token: str) -> None:
        if self.pending_items.get(token):
            self.output_done.add(token)  # the last item's item_scraped acknowledges
        else:
            self.acknowledge(token)

    def claim_content(self, capture: Capture) -> bool:
        """True when this worker may write these bytes for this portal (no other worker has)."""
        return bool(self._claim(keys=[self._key("content")],
                                args=[f"{capture.portal_id}:{capture.sha256}", self.worker, self._key("alive") + ":"]))

    def _item_scraped(self, item, response, spider) -> None:
        if isinstance(item, Capture) and item.role != "list":
            self.server.hset(self._key("content"), f"{item.portal_id}:{item.sha256}", "written")
        self._item_done(item, response)

    def _item_done(self, item=None, response=None, **kwargs) -> None:
        token = getattr(response, "meta", {}).get(TOKEN) if response is not None else None
        if token is None or token not in self.pending_items:
            return
        self.pending_items[token] -= 1
        if self.pending_items[token] <= 0 and token in self.output_done:
            self.acknowledge(token)


class AcknowledgeMiddleware:
    """Spider middleware: acknowledges a request once its callback's output is fully handled,
    and drops reports and attachments whose bytes another worker claimed (reposts).

    Items are counted on the way out; the scheduler acknowledges when the output is exhausted
    and the capture store has written every item (``item_scraped`` reaches the scheduler after
    the capture store, which connected to the signal first).
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _scheduler(self) -> ReliableScheduler | None:
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        return scheduler if isinstance(scheduler, ReliableScheduler) else None

    def _keep(self, scheduler: ReliableScheduler, token: str | None, output) -> bool:
        if isinstance(output, Request) or output is None:
            return True
        if isinstance(output, Capture) and output.role != "list" and not scheduler.claim_content(output):
            self.crawler.stats.inc_value("nianbao/frontier/repost_dropped")
            logger.info("%s: %s repeats content another worker archives; not kept", output.portal_id, output.url)
            return False
        if token is not None:
            scheduler.item_yielded(token)
        return True

    async def process_spider_output_async(self, response, result):
        scheduler = self._scheduler()
        token = response.meta.get(TOKEN)
        async for output in result:
            if scheduler is None or self._keep(scheduler, token, output):
                yield output
        if scheduler is not None and token is not None:
            scheduler.output_exhausted(token)

    def process_spider_output(self, response, result):
        scheduler = self._scheduler()
        token = response.meta.get(TOKEN)
        for output in result:
            if scheduler is None or self._keep(scheduler, token, output):
                yield output
        if scheduler is not None and token is not None:
            scheduler.output_exhausted(token)


class AcknowledgeFailures:
    """Downloader middleware (outermost): a request that failed for good is handled.

    Its exception goes on to the spider's errback, which only counts it; a retry returned by an
    inner middleware never reaches this point (the scheduler acknowledges it when re-queued).
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception):
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        token = request.meta.get(TOKEN)
        if isinstance(scheduler, ReliableScheduler) and token is not None:
            scheduler.acknowledge(token)
        return None
