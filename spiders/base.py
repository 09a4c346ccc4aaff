"""What every spider of the project shares: --limit and --since, feeds and the WordPress
REST API read the same way, bot walls and failures counted the same way, and article
pages handed on as Page items for the pipelines to extract."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper import collector
from scraper.conditional import NOT_MODIFIED, STORED
from scraper.discovery import Entry, feed_entries, rest_entries
from scraper.extraction.blocking import challenge_reason
from scraper.fetch_failures import failure_reason, first_url, skipped
from scraper.items import Page
from scraper.sites import site_for_url

# Article pages go before the next listing page, so --limit stops early.
ARTICLE_PRIORITY = 10


class ArticleSpider(scrapy.Spider):
    """A spider that discovers article URLs and yields one Page per article fetched.
    Arguments: limit (articles), since (YYYY-MM-DD). Subclasses say which URLs are articles
    (`article_request`) and which site a page belongs to (`site_name`)."""

    def __init__(self, *args: Any, limit: str | int | None = None, since: str | None = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.limit = parse_limit(limit)
        self.since = parse_since(since)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        collector.tune()  # the crawl's process, however it was started (CLI, scrapyd)
        # The pipelines enforce these; Scrapy lets from_crawler set them before freezing.
        if spider.limit:
            crawler.settings.set("ARCHIVE_LIMIT", spider.limit, priority="spider")
            crawler.settings.set("CLOSESPIDER_ITEMCOUNT", spider.limit, priority="spider")
        if spider.since:
            crawler.settings.set("ARCHIVE_SINCE", spider.since.isoformat(), priority="spider")
        return spider

    # --- For subclasses --------------------------------------------------------------------
    def article_request(self, url: str, published: str | None, route: str
                        ) -> scrapy.Request | None:
        """A request for an article page found by `route`, or None when not worth one."""
        raise NotImplementedError

    def site_name(self, url: str) -> str:
        """The name of the site an article URL belongs to, as the archive records it."""
        raise NotImplementedError

    def site_url(self, url: str) -> str:
        """The site URL a fetched URL stands for (a mirror maps back to the real site)."""
        return url

    def on_site(self, url: str) -> bool:
        """True when `url` is on the site crawled (host and port): a redirect elsewhere is
        not followed (see scraper.middlewares)."""
        raise NotImplementedError

    def user_agent_for(self, url: str) -> str | None:
        """The User-Agent a declared site asks for, or None (the tool's own)."""
        return site_for_url(url).user_agent

    # --- Dates -----------------------------------------------------------------------------
    def too_old(self, published: str | None) -> bool:
        return bool(self.since and published and date.fromisoformat(published[:10]) < self.since)

    def all_too_old(self, entries: list[Entry]) -> bool:
        """True when every dated entry is before --since: older pages hold older ones."""
        dated = [e.published for e in entries if e.published]
        return bool(dated) and all(self.too_old(p) for p in dated)

    # --- Discovery documents ---------------------------------------------------------------
    def discovery_blocked(self, response: Response) -> bool:
        """True (and counted) when a feed, listing or API answer is a bot-wall page."""
        reason = challenge(response)
        if reason:
            self.crawler.stats.inc_value("discovery/blocked")
            self.logger.warning("discovery page blocked: %s (%s)", response.url, reason)
        return reason is not None

    def requests_for(self, entries: list[Entry], route: str) -> Iterator[scrapy.Request]:
        for entry in entries:
            request = self.article_request(entry.url, entry.published, route)
            if request:
                yield request

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if not self.discovery_blocked(response):
            yield from self.requests_for(feed_entries(response.body), "feed")

    def parse_rest(self, response: Response) -> Iterator[scrapy.Request]:
        """A page of WordPress REST posts, then the next page while pages are full."""
        if self.discovery_blocked(response):
            return
        entries = rest_entries(response.text)
        if entries is None:
            self.logger.warning("REST answer is not a list of posts: %s", response.url)
            return
        yield from self.requests_for(entries, "rest")
        per_page = int(parse_qs(urlsplit(response.url).query).get("per_page", ["10"])[0])
        if len(entries) >= per_page and not self.all_too_old(entries):
            yield scrapy.Request(next_page_url(response.url), callback=self.parse_rest,
                                 errback=self.discovery_failed, meta={"next_page": True})

    def discovery_failed(self, failure: Failure) -> None:
        if skipped(failure):
            return  # robots.txt forbids it: Scrapy counts that
        if failure.check(HttpError) and failure.request.meta.get("next_page") and (
                failure.value.response.status in (400, 404, 410)):
            # Past the last page of a listing (WordPress's REST API answers 400): its end.
            self.logger.info("end of listing: %s", failure.request.url)
            return
        if self.blocked(failure, "discovery page"):
            self.crawler.stats.inc_value("discovery/blocked")
            return
        self.crawler.stats.inc_value("discovery/failed")
        self.fetch_failed(failure, "discovery page")

    def fetch_failed(self, failure: Failure, what: str) -> None:
        """Count a failed fetch by reason (`pages/failed/<reason>`) and log it with its URL."""
        reason, detail = failure_reason(failure)
        self.crawler.stats.inc_value("pages/failed")
        self.crawler.stats.inc_value(f"pages/failed/{reason}")
        self.note_error(failure)
        self.logger.warning("%s not fetched: %s (%s: %s)", what, first_url(failure), reason,
                            detail)

    def blocked(self, failure: Failure, what: str) -> bool:
        """True (and logged) when a failed answer is a bot wall's interstitial (403/503)."""
        response = failure.value.response if failure.check(HttpError) else None
        reason = challenge(response) if response is not None else None
        if reason:
            self.logger.warning("%s blocked (%s): %s: %s", what, response.status,
                                first_url(failure), reason)
        return reason is not None

    def note_error(self, failure: Failure) -> None:
        """Keep the first error of the run, with the URL really tried (a mirror's, not the
        site's): when nothing could be fetched it says why."""
        if not self.crawler.stats.get_value("error/first"):
            self.crawler.stats.set_value("error/first",
                                         f"{first_url(failure)}: {failure.getErrorMessage()}")

    # --- Articles --------------------------------------------------------------------------
    def page_item(self, response: Response) -> Page:
        url = response.meta["article_url"]
        replayed = NOT_MODIFIED in response.flags  # a 304: the stored copy, of a known kind
        # A followed original source names its own site.
        return Page.of_response(response, url, response.meta.get("site") or self.site_name(url),
                                followed_source="source_host" in response.meta,
                                replayed=replayed,
                                kind=response.meta[STORED].kind if replayed else None)

    def parse_article(self, response: Response) -> Iterator[Page]:
        yield self.page_item(response)

    def article_failed(self, failure: Failure) -> None:
        if skipped(failure):
            # Skipped on purpose (robots.txt, already archived): counted where decided.
            self.logger.debug("article skipped: %s", failure.getErrorMessage())
            return
        if self.blocked(failure, "article"):
            self.crawler.stats.inc_value("pages/blocked")
            return
        self.fetch_failed(failure, "article")


def challenge(response: Response) -> str | None:
    """Why `response` is a bot-wall page, or None (a non-text answer never is one)."""
    return challenge_reason(response.text) if hasattr(response, "text") else None


def next_page_url(url: str) -> str:
    """`url` with its `page=N` query parameter made N+1 (page=2 when it has none)."""
    bumped, n = re.subn(r"([?&]page=)(\d+)", lambda m: f"{m[1]}{int(m[2]) + 1}", url, count=1)
    return bumped if n else url + ("&" if "?" in url else "?") + "page=2"


def parse_limit(value: str | int | None) -> int:
    if value in (None, ""):
        return 0
    limit = int(value)
    if limit < 0:
        raise ValueError(f"limit must be a positive number, not {value!r}")
    return limit


def parse_since(value: str | date | None) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))
