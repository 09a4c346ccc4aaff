"""One spider for every declared site: discovery from the site's feeds, listings and
WordPress REST API, with the site's own URL rules; optionally crawled on a mirror."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from scraper.conditional import LISTED
from scraper.discovery import Entry
from scraper.extraction.dates import find_date
from scraper.sites import Site
from scraper.urls import canonical_url, default_port, on_mirror, site_key
from spiders.base import ARTICLE_PRIORITY, ArticleSpider


class SiteSpider(ArticleSpider):
    """Crawl one `Site`. Arguments: limit (articles), since (YYYY-MM-DD), base_url (a mirror
    of the site, e.g. a local copy, crawled with the same rules)."""

    site: Site

    def __init__(self, *args: Any, base_url: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.allowed_domains = list(self.site.domains)
        if self.base_url:
            self.allowed_domains.append(urlsplit(self.base_url).hostname or "")

    # --- URLs: the site's own, and the mirror's ----------------------------------------
    def fetch_url(self, url: str) -> str:
        """Where to fetch a site URL (or path): on the mirror when one is given."""
        url = urljoin(self.site.home + "/", url)
        if self.base_url and self.site.owns(url):
            return on_mirror(url, self.base_url)
        return url

    def site_url(self, url: str) -> str:
        """The site URL a fetched (possibly mirrored) URL stands for."""
        if self.base_url and url.startswith(self.base_url):
            return self.site.home + url[len(self.base_url):]
        return url

    def site_name(self, url: str) -> str:
        return self.site.name

    def on_site(self, url: str) -> bool:
        """The site's own domains (on the default port), or the mirror's host and port."""
        if self.base_url and site_key(url) == site_key(self.base_url):
            return True
        return self.site.owns(url) and default_port(url)

    def user_agent_for(self, url: str) -> str | None:
        return self.site.user_agent if self.on_site(url) else None

    # --- Discovery -----------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for path in self.site.feeds:
            yield scrapy.Request(self.fetch_url(path), callback=self.parse_feed,
                                 errback=self.discovery_failed)
        if self.site.rest_posts:
            yield scrapy.Request(self.fetch_url(self.site.rest_posts.format(page=1)),
                                 callback=self.parse_rest, errback=self.discovery_failed)
        for listing in self.site.listings:
            yield scrapy.Request(self.fetch_url(listing), callback=self.parse_listing,
                                 cb_kwargs={"listing": listing, "page": 1},
                                 errback=self.discovery_failed)

    def article_request(self, url: str, published: str | None, route: str
                        ) -> scrapy.Request | None:
        url = urljoin(self.site.home + "/", self.site_url(url))
        if not self.site.owns(url) or not self.site.is_article_url(url):
            return None
        if self.too_old(published):
            self.crawler.stats.inc_value("discovery/skipped_before_since")
            return None
        self.crawler.stats.inc_value(f"discovery/{route}")
        canonical = canonical_url(url, host=self.site.host, keep_query=self.site.keep_query)
        return scrapy.Request(self.fetch_url(canonical), callback=self.parse_article,
                              errback=self.article_failed, priority=ARTICLE_PRIORITY,
                              meta={"article_url": canonical, LISTED: published})

    def parse_listing(self, response: Response, listing: str, page: int
                      ) -> Iterator[scrapy.Request]:
        if self.discovery_blocked(response):
            return
        entries = [Entry(response.urljoin(href), published)
                   for href, published in self.listing_entries(response) if href]
        requests = list(self.requests_for(entries, "listing"))
        yield from requests
        if requests and not self.all_too_old(entries) and page < self.site.max_listing_pages:
            path = self.site.listing_page.format(listing=listing.rstrip("/"), page=page + 1)
            yield scrapy.Request(self.fetch_url(path), callback=self.parse_listing,
                                 cb_kwargs={"listing": listing, "page": page + 1},
                                 errback=self.discovery_failed, meta={"next_page": True})

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
