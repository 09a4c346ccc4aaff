"""Pipeline step 1: a fetched Page becomes an article record, or is dropped with a reason."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scraper.items import ArticleItem, Page


class ExtractPipeline:
    """Runs the same `extract()` as `scraper extract`; counts blocked and non-article pages."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Page) -> ArticleItem:
        try:
            result = item.extract()
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
