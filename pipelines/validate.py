"""Pipeline step 2: drop records that must not reach the archive, counting each reason."""

from __future__ import annotations

from datetime import date
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scraper.items import ArticleItem


class ValidatePipeline:
    """An article needs a URL, a title and a body; with --since, a date on or after it
    (unless it is the original of an article of the crawl, fetched by --follow-sources)."""

    def __init__(self, crawler: Crawler, since: date | None):
        self.stats = crawler.stats
        self.since = since

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        since = crawler.settings.get("ARCHIVE_SINCE")
        return cls(crawler, date.fromisoformat(since) if since else None)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        article = item.article
        reason = None
        if not (article.url and article.title and article.body):
            reason = "incomplete"
        elif (self.since and not item.page.followed_source and article.published
              and date.fromisoformat(article.published[:10]) < self.since):
            reason = "before_since"
        if reason:
            self.stats.inc_value(f"articles/dropped/{reason}")
            raise DropItem(f"{reason}: {article.url}", log_level="INFO")
        return item
