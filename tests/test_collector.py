"""The collector's thresholds are set in every long-running process: the crawl's (by the
spiders, however the crawl was started) and the archive writer's (the workers': see
test_workers.py)."""

from __future__ import annotations

import gc

import pytest
from scrapy.utils.test import get_crawler

from scraper.collector import THRESHOLDS
from spiders.news import NewsSpider


@pytest.fixture
def defaults():
    """Python's own thresholds for the test, whatever the process had before; put back after."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_a_spider_made_for_a_crawl_tunes_its_process(defaults):
    NewsSpider.from_crawler(get_crawler(NewsSpider), url="https://example.com/")
    assert gc.get_threshold() == THRESHOLDS
