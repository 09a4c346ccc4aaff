"""One spider for every declared site: discovery from the site's feeds, listings and
WordPress REST API; article pages handed on as Page items for the pipelines to extract."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any, Self
from urllib.parse import parse_qs, urljoin, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.extraction.blocking import challenge_reason
from scraper.extraction.dates import find_date
from scraper.items import Page
from scraper.sites import Site
from scraper.urls import canonical_url

ARTICLE_PRIORITY = 10


class SiteSpider(scrapy.Spider):
    """Crawl one `Site`. Arguments: limit (articles), since (YYYY-MM-DD), base_url (a mirror
    of the site, e.g. a local copy, crawled with the same rules)."""

    site: Site

    def __init__(self, *args: Any, limit: str | int | None = None, since: str | None = None,
                 base_url: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.limit = parse_limit(limit)
        self.since = parse_since(since)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.allowed_domains = list(self.site.domains)
        if self.base_url:
            self.allowed_domains.append(urlsplit(self.base_url).hostname or "")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The pipelines enforce these; Scrapy lets from_crawler set them before freezing.
        if spider.limit:
            crawler.settings.set("ARCHIVE_LIMIT", spider.limit, priority="spider")
            crawler.settings.set("CLOSESPIDER_ITEMCOUNT", spider.limit, priority="spider")
        if spider.since:
            crawler.settings.set("ARCHIVE_SINCE", spider.since.isoformat(), priority="spider")
        return spider

    # --- URLs: the site's own, and the mirror's ----------------------------------------
    def fetch_url(self, url: str) -> str:
        """Where to fetch a site URL (or path): on the mirror when one is given."""
        url = urljoin(self.site.home + "/", url)
        if self.base_url and self.site.owns(url):
            parts = urlsplit(url)
            return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return url

    def site_url(self, url: str) -> str:
        """The site URL a fetched (possibly mirrored) URL stands for."""
        if self.base_url and url.startswith(self.base_url):
            return self.site.home + url[len(self.base_url):]
        return url

    # --- Discovery -----------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for path in self.site.feeds:
            yield scrapy.Request(self.fetch_url(path), callback=self.parse_feed,
                                 errback=self.discovery_failed)
        if self.site.rest_posts:
            yield self.rest_request(1)
        for listing in self.site.listings:
            yield scrapy.Request(self.fetch_url(listing), callback=self.parse_listing,
                                 cb_kwargs={"listing": listing, "page": 1},
                                 errback=self.discovery_failed)

    def article_request(self, url: str, published: str | None = None) -> scrapy.Request | None:
        """A request for an article page, or None when the link is not one worth fetching."""
        url = urljoin(self.site.home + "/", self.site_url(url))
        if not self.site.owns(url) or not self.site.is_article_url(url):
            return None
        if self.too_old(published):
            self.crawler.stats.inc_value("discovery/skipped_before_since")
            return None
        canonical = canonical_url(url, host=self.site.host, keep_query=self.site.keep_query)
        return scrapy.Request(self.fetch_url(canonical), callback=self.parse_article,
                              errback=self.article_failed, priority=ARTICLE_PRIORITY,
                              meta={"article_url": canonical})

    def too_old(self, published: str | None) -> bool:
        return bool(self.since and published and date.fromisoformat(published[:10]) < self.since)

    def discovery_blocked(self, response: Response) -> bool:
        """True (and counted) when a feed, listing or API answer is a bot-wall page."""
        reason = _challenge(response)
        if reason:
            self.crawler.stats.inc_value("discovery/blocked")
            self.logger.warning("discovery page blocked: %s (%s)", response.url, reason)
        return reason is not None

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if self.discovery_blocked(response):
            return
        sel = scrapy.Selector(response, type="xml")
        sel.remove_namespaces()
        for entry in sel.xpath("//item | //entry"):
            link = entry.xpath("link/@href").get() or entry.xpath("link/text()").get()
            when = entry.xpath("pubDate/text() | published/text() | updated/text()").get()
            request = self.article_request(link.strip(), find_date(when or "")) if link else None
            if request:
                self.crawler.stats.inc_value("discovery/feed")
                yield request

    def parse_listing(self, response: Response, listing: str, page: int
                      ) -> Iterator[scrapy.Request]:
        if self.discovery_blocked(response):
            return
        entries = self.listing_entries(response)
        found = 0
        for href, published in entries:
            request = self.article_request(response.urljoin(href), published) if href else None
            if request:
                found += 1
                self.crawler.stats.inc_value("discovery/listing")
                yield request
        dated = [p for _, p in entries if p]
        all_old = bool(dated) and all(self.too_old(p) for p in dated)
        if found and not all_old and page < self.site.max_listing_pages:
            path = self.site.listing_page.format(listing=listing.rstrip("/"), page=page + 1)
            yield scrapy.Request(self.fetch_url(path), callback=self.parse_listing,
                                 cb_kwargs={"listing": listing, "page": page + 1},
                                 errback=self.discovery_failed)

    def listing_entries(self, response: Response) -> list[tuple[str | None, str | None]]:
        """(link, published day) of each item of a listing page. Where the site's item markup
        is not found, every link on the page, undated: the URL pattern still filters them."""
        site = self.site
        entries = []
        for item in response.css(site.listing_item) if site.listing_item else []:
            date_text = " ".join(item.css(f"{site.listing_date} ::text").getall()) if (
                site.listing_date) else ""
            entries.append((item.css(site.listing_link).get(), find_date(date_text)))
        return entries or [(href, None) for href in response.css("a::attr(href)").getall()]

    def rest_request(self, page: int) -> scrapy.Request:
        return scrapy.Request(self.fetch_url(self.site.rest_posts.format(page=page)),
                              callback=self.parse_rest, cb_kwargs={"page": page},
                              errback=self.discovery_failed)

    def parse_rest(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        if self.discovery_blocked(response):
            return
        try:
            posts = json.loads(response.text)
        except ValueError:
            self.logger.warning("REST answer is not JSON: %s", response.url)
            return
        if not isinstance(posts, list):
            return
        for post in posts:
            link = post.get("link") if isinstance(post, dict) else None
            request = self.article_request(link, post.get("date")) if link else None
            if request:
                self.crawler.stats.inc_value("discovery/rest")
                yield request
        per_page = parse_qs(urlsplit(self.site.rest_posts).query).get("per_page", ["10"])[0]
        if posts and len(posts) >= int(per_page):
            yield self.rest_request(page + 1)

    def discovery_failed(self, failure: Failure) -> None:
        # The end of a listing (404 past the last page) lands here too: worth a line, no more.
        self.crawler.stats.inc_value("discovery/failed")
        self._note_error(failure)
        self.logger.info("discovery page not fetched: %s", failure.getErrorMessage())

    def _note_error(self, failure: Failure) -> None:
        """Keep the first error of the run: when nothing could be fetched it says why."""
        request = getattr(failure, "request", None)
        where = f" ({self.site_url(request.url)})" if request is not None else ""
        if not self.crawler.stats.get_value("error/first"):
            self.crawler.stats.set_value("error/first", failure.getErrorMessage() + where)

    # --- Articles ------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[Page]:
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        yield Page(
            url=response.meta["article_url"],
            fetched_url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            encoding=getattr(response, "encoding", None) or "utf-8",
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            site=self.site.name,
        )

    def article_failed(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # Skipped on purpose (robots.txt, already archived): counted where decided.
            self.logger.debug("article skipped: %s", failure.getErrorMessage())
            return
        response = failure.value.response if failure.check(HttpError) else None
        reason = _challenge(response) if response is not None else None
        if reason:  # a bot wall answering 403/503 with its interstitial
            self.crawler.stats.inc_value("pages/blocked")
            self.logger.warning("article blocked (%s): %s", response.status, reason)
            return
        self.crawler.stats.inc_value("pages/failed")
        self._note_error(failure)
        self.logger.warning("article not fetched: %s", failure.getErrorMessage())


def _challenge(response: Response) -> str | None:
    """Why `response` is a bot-wall page, or None (a non-text answer never is one)."""
    return challenge_reason(response.text) if hasattr(response, "text") else None


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
