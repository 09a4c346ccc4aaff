"""Pipeline step 1: a fetched Page becomes an article record, or is dropped with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scraper.extraction.repeats import RepeatStore, store_path
from scraper.items import ArticleItem, Page


class ExtractPipeline:
    """Runs the same `extract()` as `scraper extract`; counts blocked and non-article pages.

    Every page of the crawl joins one repeated-segment store, kept next to the archive
    (`<archive>.repeats.json`, or ARCHIVE_REPEATS_PATH) from one crawl to the next: a
    paragraph the site prints on many pages is dropped as boilerplate.
    """

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        settings = crawler.settings
        archive = settings.get("ARCHIVE_PATH")
        self.repeats_path = settings.get("ARCHIVE_REPEATS_PATH") or (
            store_path(archive) if archive else None)
        self.repeats = RepeatStore()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.repeats_path:
            self.repeats = RepeatStore.load(self.repeats_path)

    def close_spider(self) -> None:
        if self.repeats_path and Path(self.repeats_path).parent.is_dir():
            self.repeats.save(self.repeats_path)

    def process_item(self, item: Page) -> ArticleItem:
        try:
            result = item.extract(self.repeats)
        except Exception as exc:  # a page must never stop the crawl
            self.stats.inc_value("pages/extract_error")
            raise DropItem(f"extraction failed on {item.url}: {exc!r}") from exc
        if result.article is None:
            self.stats.inc_value(f"pages/{result.status}")
            if result.status == "not_article":  # by kind: listing, tag, author, video, error...
                self.stats.inc_value(f"pages/not_article/{result.kind or 'other'}")
            # A bot wall deserves attention; a page that is no article is routine.
            level = "WARNING" if result.status == "blocked" else "INFO"
            raise DropItem(f"{result.status}: {result.reason} ({item.url})", log_level=level)
        self.stats.inc_value("pages/article")
        return ArticleItem(article=result.article, page=item)
