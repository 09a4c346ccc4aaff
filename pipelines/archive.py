"""Pipeline step 3: write articles and their raw pages to the SQLite archive in batches."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem
from sqlite_utils import Database

from scraper.archive import ArchiveError, open_archive, write_batch
from scraper.items import ArticleItem

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Batches of ARCHIVE_BATCH_SIZE articles, or fewer after ARCHIVE_BATCH_SECONDS, each in
    one transaction: a crash loses at most the batch in flight, which the next run fetches
    again (it is not in the archive, so it is not skipped). A locked database keeps the batch
    for the next try instead of losing it."""

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
        self.batch_started = 0.0
        self.accepted = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.db = open_archive(self.path, self.timeout)
        except ArchiveError as exc:
            raise CloseSpider(str(exc)) from exc

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if self.limit and self.accepted >= self.limit:
            self.stats.inc_value("articles/dropped/limit")
            raise DropItem(f"limit of {self.limit} articles reached: {item.article.url}",
                           log_level="INFO")
        self.accepted += 1
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append(item)
        if (len(self.batch) >= self.batch_size
                or time.monotonic() - self.batch_started >= self.batch_seconds):
            self.flush()
        return item

    def flush(self) -> None:
        if not self.batch or self.db is None:
            return
        try:
            counts = write_batch(self.db, self.batch)
        except sqlite3.OperationalError as exc:  # locked or busy: keep the batch, try later
            self.stats.inc_value("archive/write_retries")
            logger.error("could not write %d articles to %s (%s); will try again",
                         len(self.batch), self.path, exc)
            return
        for outcome, n in counts.items():
            self.stats.inc_value(f"archive/{outcome}", n)
        self.batch = []

    def close_spider(self) -> None:
        if self.db is not None:
            self.flush()
            if self.batch:
                self.stats.set_value("archive/unwritten", len(self.batch))
                logger.error("%d articles were not archived (%s is locked); the next run "
                             "fetches them again", len(self.batch), self.path)
            self.db.close()
