"""A 304 lowers the AutoThrottle delay as a 200 does (a re-check run is not held at the
start delay)."""

from __future__ import annotations

from scrapy.core.downloader import Slot
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from scraper.throttle import ConditionalAutoThrottle


def _delay_after(status: int) -> float:
    crawler = get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True,
                                         "AUTOTHROTTLE_START_DELAY": 3.0,
                                         "DOWNLOAD_DELAY": 0.1})
    throttle = ConditionalAutoThrottle(crawler)
    throttle.mindelay, throttle.maxdelay = 0.1, 60.0
    slot = Slot(concurrency=1, delay=3.0, jitter=0)
    url = "http://127.0.0.1/story/1"
    throttle._adjust_delay(slot, 0.05, Response(url, status=status, request=Request(url)))
    return slot.delay


def test_a_304_lowers_the_delay_like_a_200():
    assert _delay_after(304) == _delay_after(200) < 3.0


def test_an_error_still_does_not():
    assert _delay_after(503) == 3.0
