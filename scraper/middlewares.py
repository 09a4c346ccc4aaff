"""Downloader middlewares: back off when a site pushes back, skip what is archived."""

from __future__ import annotations

from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from scraper.archive import ArchiveError, known_urls, open_archive


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, plus a slower pace for the whole domain after each 403/429/5xx.

    The domain's download delay doubles (or becomes the server's Retry-After) up to
    BACKOFF_MAX_DELAY; AutoThrottle brings it down again as answers come back healthy.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mw = super().from_crawler(crawler)
        mw.max_delay = crawler.settings.getfloat("BACKOFF_MAX_DELAY")
        mw.base_delay = max(crawler.settings.getfloat("DOWNLOAD_DELAY"), 1.0)
        return mw

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry"):
            self._slow_down(request, response)
        return super().process_response(request, response)

    def _slow_down(self, request: Request, response: Response) -> None:
        engine = self.crawler.engine
        key = request.meta.get("download_slot")
        slot = engine.downloader.slots.get(key) if engine and key else None
        if slot is None:
            return
        wanted = _retry_after(response) or max(slot.delay * 2, self.base_delay)
        slot.delay = min(wanted, self.max_delay)
        self.crawler.stats.inc_value(f"backoff/{response.status}")


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to doubling


class SkipArchivedMiddleware:
    """Skip article pages the archive already holds, unless ARCHIVE_REFRESH is on.

    Article requests carry their canonical URL in `meta["article_url"]`; discovery pages
    (feeds, listings) are always fetched, so new articles are still found.
    """

    def __init__(self, crawler: Crawler, path: str):
        self.crawler = crawler
        self.path = path
        self.known: set[str] = set()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if crawler.settings.getbool("ARCHIVE_REFRESH"):
            raise NotConfigured
        return cls(crawler, crawler.settings.get("ARCHIVE_PATH"))

    def spider_opened(self, spider) -> None:
        try:
            db = open_archive(self.path)
        except ArchiveError:
            return  # the archive pipeline reports this; nothing is known yet
        # A site spider crawls one site; the news spider names every site it crawls.
        sites = getattr(spider, "archive_sites", None) or [
            getattr(getattr(spider, "site", None), "name", spider.name)]
        self.known = set().union(*(known_urls(db, site) for site in sites))
        db.close()

    def process_request(self, request: Request) -> None:
        url = request.meta.get("article_url")
        if url and url in self.known:
            self.crawler.stats.inc_value("pages/skipped_archived")
            raise IgnoreRequest(f"already archived: {url}")
