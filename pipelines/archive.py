"""Pipeline step 3: write articles and their raw pages to the SQLite archive in batches."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.http import Response
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from sqlite_utils import Database
from twisted.internet.task import LoopingCall

from scraper.archive import ArchiveError, open_archive, write_batch
from scraper.archive.retention import DISCOVERY, GONE, check_mode
from scraper.archive.runs import (
    CHECKED,
    LEAKED,
    LEAKED_PREFIX,
    finish_run,
    run_arguments,
    start_run,
)
from scraper.conditional import NOT_MODIFIED, article_not_modified, fetch_key
from scraper.drift import DriftMonitor, Thresholds
from scraper.extraction.leaks import boilerplate_leaks, watched
from scraper.items import ArticleItem, Page
from scraper.runlog import log_file_of
from scraper.sites import SITES, site_for_url

logger = logging.getLogger(__name__)

# How often the pipeline looks for a batch older than ARCHIVE_BATCH_SECONDS, in seconds.
CHECK_SECONDS = 1.0


class ArchivePipeline:
    """Batches of ARCHIVE_BATCH_SIZE articles, or fewer after ARCHIVE_BATCH_SECONDS, each in
    one transaction: a crash loses at most the batch in flight, which the next run fetches
    again (it is not in the archive, so it is not skipped). A timer writes a partial batch
    once it is ARCHIVE_BATCH_SECONDS old even when no other article comes (one slow page must
    not keep finished articles out of the archive). A write waits up to ARCHIVE_TIMEOUT for
    another process's lock; still locked, it keeps the batch for the next try. Each crawl is
    a `runs` row: started when the spider opens, given its counts when the pipeline closes and
    its exit reason when the spider has closed (a run left without `finished` crashed)."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = settings.get("ARCHIVE_PATH")
        self.timeout = settings.getfloat("ARCHIVE_TIMEOUT")
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.batch_seconds = settings.getfloat("ARCHIVE_BATCH_SECONDS")
        self.limit = settings.getint("ARCHIVE_LIMIT")
        self.db: Database | None = None
        self.batch: list[ArticleItem] = []
        self.pending_since: float | None = None  # when the oldest unwritten row came
        self.retry_at = 0.0  # after a locked archive, no write before this (monotonic) time
        self.timer: AsyncioLoopingCall | LoopingCall | None = None
        self.accepted = 0
        self.run_id: int | None = None
        self.gone: list[Page] = []  # 404/410 answers of article URLs
        self.pages: list[Page] = []  # fetched, but dropped before the archive
        self.drift = DriftMonitor(Thresholds.from_settings(settings))
        self.not_modified: list[str] = []  # archived articles that answered 304
        self.keep_listings = check_mode(settings.get("ARCHIVE_KEEP_LISTINGS"))
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.seen_unchanged, signal=article_not_modified)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.db = open_archive(self.path, self.timeout)
        except ArchiveError as exc:
            raise CloseSpider(str(exc)) from exc
        # The writer reads a few index pages per article: mapping the file (as readers do)
        # only made every page it touched count in the crawl's RSS, which so grew with the
        # archive (file-backed 58 -> 96 MB from 1,000 to 3,000 pages; bench/crawl_workers.py).
        self.db.execute("PRAGMA mmap_size=0")
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

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if self.limit and self.accepted >= self.limit:
            self.stats.inc_value("articles/dropped/limit")
            raise DropItem(f"limit of {self.limit} articles reached: {item.article.url}",
                           log_level="INFO")
        self.accepted += 1
        self.batch.append(item)
        self._pending()
        if len(self.batch) >= self.batch_size or self._due():
            self.flush()
        return item

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

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """An article page that is no more (404, 410): its article is marked "gone", and the
        answer kept, with the next batch (seen when the revisit policy or a refresh fetches
        it again). A feed, sitemap or listing fetched is kept as ARCHIVE_KEEP_LISTINGS says:
        the next run asks for it conditionally (scraper/conditional.py)."""
        url = request.meta.get("article_url")
        if url and response.status in (404, 410):
            site = request.meta.get("site") or _site_name(spider, url)
            self.gone.append(Page.of_response(response, url, site, kind=GONE))
            self._pending()
        elif not url and response.status == 200 and NOT_MODIFIED not in response.flags:
            key = fetch_key(spider, request)
            self._keep(Page.of_response(response, key, _site_name(spider, key), kind=DISCOVERY))

    def seen_unchanged(self, url: str) -> None:
        """An archived article whose page answered 304: seen again, with the next batch."""
        self.not_modified.append(url)
        self._pending()

    def item_dropped(self, item: Page | ArticleItem, response: Response,
                     exception: Exception, spider: Spider) -> None:
        """A page that gave no article (blocked, not an article, dropped by a rule) was
        still fetched: it is kept in `pages` with the next batch."""
        page = item if isinstance(item, Page) else getattr(item, "page", None)
        if (isinstance(item, Page) and str(exception).startswith("not_article:")
                and self.db is not None):
            site = (SITES.get(item.site) or site_for_url(item.url)).name
            try:
                self.drift.count_no_article(self.db, site, item.url)
            except sqlite3.Error as exc:  # the alarm goes without this page, not the crawl
                logger.warning("drift alarm: could not look up %s: %s", item.url, exc)
        if page is not None:
            page.kind = page.kind or "dropped"  # not classified: extraction failed, or a rule
            self._keep(page)

    def _keep(self, page: Page) -> None:
        self.pages.append(page)
        self._pending()
        if len(self.pages) >= self.batch_size:
            self.flush()

    def flush(self, force: bool = False) -> None:
        """Write what is pending. After a write that found the archive locked (it waited
        ARCHIVE_TIMEOUT, the crawl paused), the next try comes ARCHIVE_BATCH_SECONDS later,
        not with every article that comes meanwhile; `force` (the last flush) tries now."""
        if not (self.batch or self.gone or self.pages or self.not_modified) or self.db is None:
            return
        if not force and time.monotonic() < self.retry_at:
            return
        outcomes: list[str] = []
        try:
            self._start_run()
            counts = write_batch(self.db, self.batch, self.run_id, self.gone, self.pages,
                                 outcomes, self.not_modified, self.keep_listings)
        except sqlite3.OperationalError as exc:  # locked or busy: keep the batch, try later
            self.stats.inc_value("archive/write_retries")
            logger.error("could not write %d articles to %s (%s); will try again",
                         len(self.batch), self.path, exc)
            self.retry_at = time.monotonic() + self.batch_seconds
            return
        for outcome, n in counts.items():
            self.stats.inc_value(f"archive/{outcome}", n)
        if counts["clusters_stale"]:
            logger.warning("%d articles were not put in clusters: the archive's signatures "
                           "were made with other parameters (run `scraper clusters --rebuild`)",
                           counts["clusters_stale"])
        self._canary(outcomes)
        self.batch = []
        self.gone = []
        self.pages = []
        self.not_modified = []
        self.pending_since = None

    def _canary(self, outcomes: list[str]) -> None:
        """Count the batch's new bodies (new or changed articles) that still hold a note,
        label or date line of their site's rules: the run's drift canary (leaks.py); and
        give the drift alarm each new or changed article with that verdict."""
        for item, outcome in zip(self.batch, outcomes, strict=True):
            site = SITES.get(item.article.site) or site_for_url(item.article.url)
            if outcome not in ("new", "updated"):
                continue
            leaks = boilerplate_leaks(item.article.body, site) if watched(site) else None
            self.drift.count(item.article, outcome == "new", leaks)
            if leaks is None:
                continue
            self.stats.inc_value(CHECKED)
            if leaks:
                self.stats.inc_value(LEAKED)
                for rule in leaks:
                    self.stats.inc_value(LEAKED_PREFIX + rule)
                logger.warning("boilerplate left in the body of %s: %s", item.article.url,
                               ", ".join(leaks))

    def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        if self.db is not None:
            self.flush(force=True)
            if self.batch:
                self.stats.set_value("archive/unwritten", len(self.batch))
                logger.error("%d articles were not archived (%s is locked); the next run "
                             "fetches them again", len(self.batch), self.path)
            self._judge_drift()
            self._finish_run(None)

    def _judge_drift(self) -> None:
        """The drift alarm, before the run's row is finished (it stores the verdict)."""
        try:
            reasons = self.drift.finish(self.db, self.run_id, self.stats)
        except sqlite3.Error as exc:
            logger.error("could not judge the run's drift from %s: %s", self.path, exc)
            return
        if reasons:
            logger.warning("drift alarm, run degraded: %s", "; ".join(reasons))

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
