"""Pipeline step 3: write articles and their raw pages to the SQLite archive in batches
(or, in worker mode, send them through Redis to the archive writer: scraper/distributed/)."""

from __future__ import annotations

import logging
import sqlite3
import time
from abc import ABC, abstractmethod
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.http import Response
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from sqlite_utils import Database
from twisted.internet.task import LoopingCall

from scraper.archive import ArchiveError, open_archive
from scraper.archive.retention import DISCOVERY, GONE
from scraper.archive.runs import finish_run, run_arguments, start_run
from scraper.archive.session import ArchiveSession
from scraper.conditional import NOT_MODIFIED, article_not_modified, fetch_key
from scraper.items import ArticleItem, Page
from scraper.runlog import log_file_of

logger = logging.getLogger(__name__)

# How often the pipeline looks for a batch older than ARCHIVE_BATCH_SECONDS, in seconds.
CHECK_SECONDS = 1.0


class ArchiveEvents(ABC):
    """What a crawl tells the archive, taken from Scrapy's signals: each article item, the
    404/410 answer of an article URL ("gone"), a feed, sitemap or listing fetched, a page
    dropped before the archive, an archived article that answered 304. Subclasses say where
    it goes: the archive (ArchivePipeline) or Redis, to the archive writer
    (scraper/distributed/records.py). ARCHIVE_LIMIT stops a crawl after N articles."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.limit = crawler.settings.getint("ARCHIVE_LIMIT")
        self.accepted = 0
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.seen_unchanged, signal=article_not_modified)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if self.limit and self.accepted >= self.limit:
            self.stats.inc_value("articles/dropped/limit")
            raise DropItem(f"limit of {self.limit} articles reached: {item.article.url}",
                           log_level="INFO")
        self.accepted += 1
        self.send_article(item)
        return item

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """An article page that is no more (404, 410): its article is marked "gone", and the
        answer kept, with the next batch (seen when the revisit policy or a refresh fetches
        it again). A feed, sitemap or listing fetched is kept as ARCHIVE_KEEP_LISTINGS says:
        the next run asks for it conditionally (scraper/conditional.py)."""
        url = request.meta.get("article_url")
        if url and response.status in (404, 410):
            site = request.meta.get("site") or _site_name(spider, url)
            self.send_gone(Page.of_response(response, url, site, kind=GONE), request)
        elif not url and response.status == 200 and NOT_MODIFIED not in response.flags:
            key = fetch_key(spider, request)
            self.send_kept(Page.of_response(response, key, _site_name(spider, key),
                                            kind=DISCOVERY), request)

    def seen_unchanged(self, url: str, request: Request | None = None) -> None:
        """An archived article whose page answered 304: seen again, with the next batch."""
        self.send_unchanged(url, request)

    def item_dropped(self, item: Page | ArticleItem, response: Response,
                     exception: Exception, spider: Spider) -> None:
        """A page that gave no article (blocked, not an article, dropped by a rule) was
        still fetched: it is kept in `pages` with the next batch."""
        self.send_dropped(item, str(exception), getattr(response, "request", None))

    # --- Where it goes -------------------------------------------------------------------
    @abstractmethod
    def send_article(self, item: ArticleItem) -> None:
        """An article that passed every step (within ARCHIVE_LIMIT)."""

    @abstractmethod
    def send_gone(self, page: Page, request: Request) -> None:
        """The 404/410 answer of an article URL."""

    @abstractmethod
    def send_kept(self, page: Page, request: Request) -> None:
        """A feed, sitemap or listing fetched (kept as ARCHIVE_KEEP_LISTINGS says)."""

    @abstractmethod
    def send_unchanged(self, url: str, request: Request | None) -> None:
        """An archived article that answered 304 (`request`: None from an older sender)."""

    @abstractmethod
    def send_dropped(self, item: Page | ArticleItem, reason: str,
                     request: Request | None) -> None:
        """A page dropped before the archive, with the reason it was dropped."""


class ArchivePipeline(ArchiveEvents):
    """Batches of ARCHIVE_BATCH_SIZE articles, or fewer after ARCHIVE_BATCH_SECONDS, each in
    one transaction: a crash loses at most the batch in flight, which the next run fetches
    again (it is not in the archive, so it is not skipped). A timer writes a partial batch
    once it is ARCHIVE_BATCH_SECONDS old even when no other article comes (one slow page must
    not keep finished articles out of the archive). A write waits up to ARCHIVE_TIMEOUT for
    another process's lock; still locked, it keeps the batch for the next try. Each crawl is
    a `runs` row: started when the spider opens, given its counts when the pipeline closes and
    its exit reason when the spider has closed (a run left without `finished` crashed).
    What a batch becomes in the archive is scraper/archive/session.py's (the archive writer
    of a distributed crawl uses it too)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.path = settings.get("ARCHIVE_PATH")
        self.timeout = settings.getfloat("ARCHIVE_TIMEOUT")
        self.batch_seconds = settings.getfloat("ARCHIVE_BATCH_SECONDS")
        self.db: Database | None = None
        self.session: ArchiveSession | None = None
        self.pending_since: float | None = None  # when the oldest unwritten row came
        self.retry_at = 0.0  # after a locked archive, no write before this (monotonic) time
        self.timer: AsyncioLoopingCall | LoopingCall | None = None
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @property
    def batch(self) -> list[ArticleItem]:
        """The articles not written yet."""
        return self.session.batch if self.session is not None else []

    def open_spider(self) -> None:
        try:
            self.db = open_archive(self.path, self.timeout, mmap=False)
        except ArchiveError as exc:
            raise CloseSpider(str(exc)) from exc
        self.session = ArchiveSession.from_settings(self.crawler.settings, self.db, self.stats)
        try:
            self._start_run()
        except sqlite3.OperationalError as exc:  # locked: the first batch written starts it
            logger.warning("could not record the run in %s yet (%s)", self.path, exc)

    def spider_opened(self, spider: Spider) -> None:
        """The crawl's event loop runs: start the timer that writes a batch that has waited
        ARCHIVE_BATCH_SECONDS. (A pipeline driven by hand, with no event loop, has none.)"""
        if self.batch_seconds > 0 and self.db is not None:
            self.timer = create_looping_call(self.flush_if_due)
            self.timer.start(min(CHECK_SECONDS, self.batch_seconds), now=False)

    def _start_run(self) -> None:
        if self.run_id is None and self.db is not None:
            self.run_id = start_run(self.db, self._spider_name(), run_arguments(self.crawler),
                                    log_file_of(self.crawler.settings))

    def _spider_name(self) -> str:
        spider = self.crawler.spider or self.crawler.spidercls
        return spider.name

    def send_article(self, item: ArticleItem) -> None:
        self._session().article(item)
        self._pending()
        if self._session().full() or self._due():
            self.flush()

    def send_gone(self, page: Page, request: Request) -> None:
        self._session().gone_page(page)
        self._pending()

    def send_kept(self, page: Page, request: Request) -> None:
        self._session().keep(page)
        self._kept()

    def send_unchanged(self, url: str, request: Request | None) -> None:
        self._session().seen_unchanged(url)
        self._pending()

    def send_dropped(self, item: Page | ArticleItem, reason: str,
                     request: Request | None) -> None:
        if self.session is None:
            return
        self.session.dropped(item, reason)
        self._kept()

    def _session(self) -> ArchiveSession:
        if self.session is None:
            raise RuntimeError("ArchivePipeline.open_spider() was not called")
        return self.session

    def _kept(self) -> None:
        self._pending()
        if self._session().full():
            self.flush()

    def _pending(self) -> None:
        if self.pending_since is None:
            self.pending_since = time.monotonic()

    def _due(self) -> bool:
        return (self.pending_since is not None
                and time.monotonic() - self.pending_since >= self.batch_seconds)

    def flush_if_due(self) -> None:
        """The timer's call: write what has waited ARCHIVE_BATCH_SECONDS."""
        if self._due():
            self.flush()

    def flush(self, force: bool = False) -> None:
        """Write what is pending. After a write that found the archive locked (it waited
        ARCHIVE_TIMEOUT, the crawl paused), the next try comes ARCHIVE_BATCH_SECONDS later,
        not with every article that comes meanwhile; `force` (the last flush) tries now."""
        if self.session is None or not self.session.pending() or self.db is None:
            return
        if not force and time.monotonic() < self.retry_at:
            return
        try:
            self._start_run()
            self.session.write(self.run_id)
        except sqlite3.OperationalError as exc:  # locked or busy: keep the batch, try later
            self.stats.inc_value("archive/write_retries")
            logger.error("could not write %d articles to %s (%s); will try again",
                         len(self.batch), self.path, exc)
            self.retry_at = time.monotonic() + self.batch_seconds
            return
        self.pending_since = None

    def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        if self.db is not None and self.session is not None:
            self.flush(force=True)
            if self.batch:
                self.stats.set_value("archive/unwritten", len(self.batch))
                logger.error("%d articles were not archived (%s is locked); the next run "
                             "fetches them again", len(self.batch), self.path)
            self.session.judge_drift(self.run_id)
            self._finish_run(None)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is not None:
            self._finish_run(reason)
            self.db.close()
            self.db = None

    def _finish_run(self, reason: str | None) -> None:
        if self.run_id is None or self.db is None:
            return
        try:
            finish_run(self.db, self.run_id, self.stats.get_stats(), reason)
        except sqlite3.Error as exc:
            logger.error("could not record the end of run %d in %s: %s", self.run_id,
                         self.path, exc)


def _site_name(spider: Spider, url: str) -> str:
    """The site the archive records for `url` ("" for a spider that names none)."""
    site_name = getattr(spider, "site_name", None)
    return site_name(url) if site_name else ""
