"""Pipeline step 1: a fetched Page becomes an article record, or is dropped with a reason."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scraper.archive.retention import is_listing
from scraper.extraction.repeats import TOTAL, WINDOW, RepeatStore, store_path
from scraper.extraction.workers import ExtractionPool, extract_page
from scraper.items import ArticleItem, Page


class ExtractPipeline:
    """Runs the same `extract()` as `scraper extract`, in EXTRACT_WORKERS worker processes
    (workers.py), so downloads go on while pages are extracted; counts blocked and
    non-article pages. A page whose extraction takes over EXTRACT_TIMEOUT seconds is dropped
    as `extract_timeout` (its fetch is still kept in `pages`, as every dropped page is).

    Every page of the crawl joins one repeated-segment store, kept next to the archive
    (`<archive>.repeats.json`, or ARCHIVE_REPEATS_PATH) from one crawl to the next: a
    paragraph the site prints on many pages is dropped as boilerplate. The store counts the
    last REPEATS_WINDOW pages of each site and REPEATS_WINDOW_TOTAL of all (repeats.py), so
    the crawl's memory does not grow with its pages.
    """

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        settings = crawler.settings
        archive = settings.get("ARCHIVE_PATH")
        self.repeats_path = settings.get("ARCHIVE_REPEATS_PATH") or (
            store_path(archive) if archive else None)
        self.window = settings.getint("REPEATS_WINDOW", WINDOW)
        self.total = settings.getint("REPEATS_WINDOW_TOTAL", TOTAL)
        self.repeats = RepeatStore(window=self.window, total=self.total)
        self.workers = settings.getint("EXTRACT_WORKERS")
        self.timeout = settings.getfloat("EXTRACT_TIMEOUT")
        self.max_chars = settings.getint("EXTRACT_MAX_CHARS") or None
        self.pool: ExtractionPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.repeats_path:
            self.repeats = RepeatStore.load(self.repeats_path, self.window, self.total)
        task = partial(extract_page, max_chars=self.max_chars)
        self.pool = ExtractionPool(task, self.workers, self.timeout, self.repeats)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()  # the store is complete once no worker is left
        if self.repeats_path and Path(self.repeats_path).parent.is_dir():
            self.repeats.save(self.repeats_path)

    async def process_item(self, item: Page) -> ArticleItem:
        if self.pool is None:
            raise RuntimeError("ExtractPipeline.open_spider() was not called")
        if item.replayed and is_listing(item.kind):
            # A front or listing that answered 304: what it was is known, nothing to extract.
            self.stats.inc_value("pages/not_article")
            self.stats.inc_value(f"pages/not_article/{item.kind}")
            raise DropItem(f"not_article: {item.kind}, not modified ({item.url})",
                           log_level="INFO")
        outcome = await asyncio.wrap_future(self.pool.submit(item))
        if outcome.status == "timeout":
            self.stats.inc_value("pages/extract_timeout")
            self.stats.inc_value("articles/dropped/extract_timeout")  # in summary and runs
            raise DropItem(f"extract_timeout: {outcome.error} ({item.url})",
                           log_level="WARNING")
        if outcome.status != "ok":  # the extractor raised, or its worker died
            self.stats.inc_value("pages/extract_error")
            self.stats.inc_value("articles/dropped/extract_error")
            raise DropItem(f"extraction failed on {item.url}: {outcome.error}",
                           log_level="WARNING")
        result = outcome.value
        if result.article is None:
            item.kind = "blocked" if result.status == "blocked" else result.kind or "other"
            self.stats.inc_value(f"pages/{result.status}")
            if result.status == "not_article":  # by kind: listing, tag, author, video, error...
                self.stats.inc_value(f"pages/not_article/{result.kind or 'other'}")
            # A bot wall deserves attention; a page that is no article is routine.
            level = "WARNING" if result.status == "blocked" else "INFO"
            raise DropItem(f"{result.status}: {result.reason} ({item.url})", log_level=level)
        self.stats.inc_value("pages/article")
        return ArticleItem(article=result.article, page=item)
