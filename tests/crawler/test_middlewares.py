"""Retry backoff and the circuit breaker, driven directly (no network)."""

import asyncio
import time

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares import BackoffRetryMiddleware, PortalHealthMiddleware
from crawler.stats import PortalStats


def crawler_with(**settings):
    crawler = get_crawler(Spider, {"NIANBAO_RETRY_BACKOFF": 0.05, "NIANBAO_RETRY_BACKOFF_MAX": 1.0,
                                   "NIANBAO_CIRCUIT_BREAKER_FAILURES": 2, **settings})
    crawler.spider = crawler._create_spider("t")
    crawler.spider.portal_stats = {"p_gov": PortalStats("p_gov", "trs")}
    return crawler


def test_retries_wait_longer_each_time():
    middleware = BackoffRetryMiddleware.from_crawler(crawler_with())
    request = Request("http://127.0.0.1:1/a.html", meta={"portal_id": "p_gov"})
    waits = []
    for _ in range(2):
        started = time.monotonic()
        request = asyncio.run(middleware.process_response(request, Response(request.url, status=503)))
        waits.append(time.monotonic() - started)
        assert isinstance(request, Request)
    assert request.meta["retry_times"] == 2
    # 0.05 s then 0.1 s (lower bounds are exact; upper bounds leave room for a busy machine)
    assert waits[0] >= 0.05 and waits[1] >= 0.1 and max(waits) < 1.0


def test_retry_after_header_is_respected_within_the_cap():
    middleware = BackoffRetryMiddleware.from_crawler(crawler_with(NIANBAO_RETRY_BACKOFF_MAX=0.3))
    request = Request("http://127.0.0.1:1/a.html")
    started = time.monotonic()
    asyncio.run(middleware.process_response(request, Response(request.url, status=429, headers={"Retry-After": "5"})))
    assert 0.3 <= time.monotonic() - started < 2.0  # capped at 0.3 s, not the 5 s asked for


def test_breaker_opens_after_consecutive_failures_and_a_success_resets_it():
    crawler = crawler_with()
    breaker = PortalHealthMiddleware.from_crawler(crawler)
    stats = crawler.spider.portal_stats["p_gov"]
    request = Request("http://127.0.0.1:1/a.html", meta={"portal_id": "p_gov"})
    breaker.process_request(request)
    breaker.process_response(request, Response(request.url, status=503))
    breaker.process_response(request, Response(request.url, status=200))
    breaker.process_response(request, Response(request.url, status=503))
    assert not stats.circuit_open
    breaker.process_exception(request, TimeoutError())
    assert stats.circuit_open and stats.requests == 1
    try:
        breaker.process_request(request)
    except Exception as exc:  # IgnoreRequest
        assert "circuit breaker open" in str(exc)
    else:
        raise AssertionError("an open circuit must refuse requests")


def test_wrong_http_charset_is_repaired_from_meta_without_touching_bytes():
    from scrapy.http import HtmlResponse

    from crawler.middlewares import CharsetRepairMiddleware

    body = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
            '<body><a href="/a.html">西山县审计局2023年政府信息公开工作年度报告</a></body></html>').encode("gbk")
    wrong = HtmlResponse(url="http://127.0.0.1:1/list.asp?page=2", body=body,
                         headers={"Content-Type": "text/html; charset=utf-8"})
    assert "年度报告" not in wrong.text  # what the spider would read without the repair
    repaired = CharsetRepairMiddleware().process_response(Request(wrong.url), wrong)
    assert "西山县审计局2023年政府信息公开工作年度报告" in repaired.text
    assert repaired.body == body
    right = HtmlResponse(url=wrong.url, body="<p>年度报告</p>".encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    assert CharsetRepairMiddleware().process_response(Request(right.url), right) is right
