"""`news`: crawl any news site from its address, with no declaration.

Routes, from the most to the least telling: sitemaps (robots.txt `Sitemap:` lines, else
/sitemap.xml or /sitemap_index.xml; indexes, Google News sitemaps), RSS/Atom feeds (named
on the start page, else the usual paths), the WordPress REST API (named on the start page,
else /wp-json/ on a WordPress site), and links followed within the site NEWS_FOLLOW_DEPTH
deep. Every URL is fetched once whichever routes list it; pages the extractor finds are no
articles (fronts, tag pages, video hubs) are counted by kind. A URL on a declared site
(e.g. globalresearch.ca) is extracted with that site's rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.conditional import LISTED
from scraper.discovery import (
    FEED_PATHS,
    NON_ARTICLE_SITEMAP,
    REST_POSTS,
    SITEMAP_PATHS,
    home_links,
    is_feed,
    lists_wp_posts,
    page_links,
    parse_sitemap,
    robots_sitemaps,
    url_day,
)
from scraper.fetch_failures import skipped
from scraper.sites import SITES, site_for_url
from scraper.urls import canonical_url, netloc_of, read_url_list, site_key
from spiders.base import ARTICLE_PRIORITY, ArticleSpider

# Discovery documents first, so most articles are found by the routes that date them.
DISCOVERY_PRIORITY = 20
PROBES = {"sitemap": SITEMAP_PATHS, "feed": FEED_PATHS}
SITEMAP_MAX_BYTES = 50 * 1024 * 1024


class NewsSpider(ArticleSpider):
    """Crawl any news site. Arguments: url (a start page, usually the home page; or a
    sitemap or feed, read as such beside robots.txt's sitemaps), urls
    (comma-separated), urls_file (one URL a line, # comments), limit, since (YYYY-MM-DD).

    Example: scrapy crawl news -a url=https://example.com/ -a limit=50
    """

    name = "news"

    def __init__(self, *args: Any, url: str | None = None, urls: str | Iterable[str] | None = None,
                 urls_file: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.start_pages = start_urls(url, urls, urls_file)
        # Each site's host as its start page gives it (or redirects to): one address per
        # story, whether a link says www.example.com or example.com.
        self.netlocs = {site_key(u): netloc_of(u) for u in self.start_pages}
        # The archive's site names of these URLs: what is already archived is skipped.
        self.archive_sites = sorted({site_for_url(u).name for u in self.start_pages})
        self.seen: set[str] = set()
        # Links from the start page to each page found by following links.
        self.depth: dict[str, int] = {}
        self.follow_depth = 2

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.follow_depth = crawler.settings.getint("NEWS_FOLLOW_DEPTH")
        return spider

    def on_site(self, url: str) -> bool:
        return site_key(url) in self.netlocs

    def site_name(self, url: str) -> str:
        return site_for_url(url).name

    # --- Start: robots.txt (for sitemaps) and the start page (feeds, API, links) -----------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for page in self.start_pages:
            self.seen.add(self.canonical(page))
            self.depth[self.canonical(page)] = 0
            root = urljoin(page, "/")
            yield scrapy.Request(urljoin(root, "/robots.txt"), callback=self.parse_robots,
                                 errback=self.robots_missing, priority=DISCOVERY_PRIORITY,
                                 cb_kwargs={"root": root})
            yield scrapy.Request(page, callback=self.parse_home, errback=self.discovery_failed,
                                 priority=DISCOVERY_PRIORITY,
                                 meta={"article_url": self.canonical(page), "link_depth": 0})

    def parse_robots(self, response: Response, root: str) -> Iterator[scrapy.Request]:
        sitemaps = robots_sitemaps(response.body, response.url)
        for url in sitemaps:  # wherever the site keeps them: it names them itself
            yield self.discovery_request(url, self.parse_sitemap)
        if not sitemaps:
            yield from self.probe("sitemap", 0, root)

    def robots_missing(self, failure: Failure) -> Iterator[scrapy.Request]:
        if failure.check(HttpError):  # no robots.txt: try the usual sitemap paths
            yield from self.probe("sitemap", 0, failure.request.cb_kwargs["root"])
        elif not skipped(failure):  # out of reach: guessing more paths on it is no use
            self.fetch_failed(failure, "discovery page")

    def parse_home(self, response: Response) -> Iterator[scrapy.Request | Any]:
        root = urljoin(response.url, "/")
        if self.discovery_blocked(response):
            # Walls often spare feeds and sitemaps: try the usual feed paths all the same.
            yield from self.probe("feed", 0, root)
            return
        self.netlocs[site_key(response.url)] = netloc_of(response.url)  # after redirects
        if parse_sitemap(response.body) is not None:  # given a sitemap or a feed to start
            yield from self.parse_sitemap(response)
            return
        if is_feed(response.body):
            yield from self.parse_feed(response)
            return
        found = home_links(response.text, response.url) if isinstance(
            response, TextResponse) else None
        feeds = [f for f in found.feeds if self.on_site(f)] if found else []
        for feed in feeds:
            yield self.discovery_request(feed, self.parse_feed)
        if not feeds:
            yield from self.probe("feed", 0, root)
        if found and found.rest_api and self.on_site(found.rest_api):
            yield self.rest_request(found.rest_api)
        elif found and found.wordpress:
            yield self.discovery_request(urljoin(root, "/wp-json/"), self.parse_api_root)
        yield from self.parse_page(response)

    # --- Probes: the usual paths, one after the other until one answers ---------------------
    def probe(self, kind: str, index: int, root: str) -> Iterator[scrapy.Request]:
        paths = PROBES[kind]
        if index < len(paths):
            callback = self.parse_sitemap if kind == "sitemap" else self.parse_feed
            yield scrapy.Request(urljoin(root, paths[index]), callback=callback,
                                 errback=self.probe_missed, priority=DISCOVERY_PRIORITY,
                                 meta={"probe": (kind, index, root), **self.size_cap(callback)})

    def next_probe(self, meta: dict[str, Any]) -> Iterator[scrapy.Request]:
        if "probe" in meta:
            kind, index, root = meta["probe"]
            yield from self.probe(kind, index + 1, root)

    def probe_missed(self, failure: Failure) -> Iterator[scrapy.Request]:
        if not (failure.check(HttpError) or skipped(failure)):
            self.fetch_failed(failure, "discovery page")  # the server failed, not the path
        self.crawler.stats.inc_value("discovery/probe_missed")
        yield from self.next_probe(failure.request.meta)

    # --- Sitemaps, feeds, REST ---------------------------------------------------------------
    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        content = parse_sitemap(response.body)
        if content is None:
            if not self.discovery_blocked(response):
                self.logger.info("not a sitemap: %s", response.url)
            yield from self.next_probe(response.meta)
            return
        if not content.is_index:
            yield from self.requests_for(content.entries, "sitemap")
            return
        for child in content.entries:
            if NON_ARTICLE_SITEMAP.search(urlsplit(child.url).path):
                self.crawler.stats.inc_value("discovery/sitemap_skipped_not_articles")
            elif self.too_old(child.published or url_day(child.url)):  # nothing newer in it
                self.crawler.stats.inc_value("discovery/sitemap_skipped_before_since")
            else:  # (a child sitemap unchanged since the last complete run: conditional.py)
                yield self.discovery_request(child.url, self.parse_sitemap, listed=child.published)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if "probe" in response.meta and not is_feed(response.body):
            yield from self.next_probe(response.meta)  # a page, not a feed: try the next path
            return
        yield from super().parse_feed(response)

    def parse_api_root(self, response: Response) -> Iterator[scrapy.Request]:
        """/wp-json/ answers with the API's namespaces; posts are listed under wp/v2."""
        if isinstance(response, TextResponse) and lists_wp_posts(response.text):
            yield self.rest_request(response.url)

    def rest_request(self, api_root: str) -> scrapy.Request:
        return self.discovery_request(urljoin(api_root.rstrip("/") + "/",
                                              REST_POSTS.format(page=1)), self.parse_rest)

    def discovery_request(self, url: str, callback: Any, listed: str | None = None
                          ) -> scrapy.Request:
        """A request for a sitemap, feed or API page; `listed`: the day its index dates it."""
        return scrapy.Request(url, callback=callback, errback=self.discovery_failed,
                              priority=DISCOVERY_PRIORITY,
                              meta={**self.size_cap(callback), LISTED: listed})

    def size_cap(self, callback: Any) -> dict[str, int]:
        """The request meta of a sitemap: it may be 50 MB by its protocol, more than a page
        may (DOWNLOAD_MAXSIZE)."""
        return {"download_maxsize": SITEMAP_MAX_BYTES} if callback == self.parse_sitemap else {}

    # --- Pages -------------------------------------------------------------------------------
    def canonical(self, url: str) -> str:
        """The archive's URL for `url`: a declared site's own host, else the start page's."""
        site = site_for_url(url)
        host = site.host if site.name in SITES else self.netlocs.get(site_key(url))
        return canonical_url(url, host=host, keep_query=site.keep_query)

    def article_request(self, url: str, published: str | None, route: str,
                        link_depth: int | None = None) -> scrapy.Request | None:
        """A request for a page found by `route`, once per canonical URL. Sitemaps, feeds and
        the API list articles; `links` pages may be anything and are followed further."""
        if not self.on_site(url):
            self.crawler.stats.inc_value("discovery/offsite")
            return None
        site = site_for_url(url)
        if link_depth is None and not site.is_article_url(url):
            return None
        canonical = self.canonical(url)
        if canonical in self.seen:
            if link_depth is not None and link_depth < self.depth.get(canonical, link_depth):
                self.depth[canonical] = link_depth  # a shorter way in: follow it further
            return None
        if self.too_old(published or url_day(url)):
            self.crawler.stats.inc_value("discovery/skipped_before_since")
            return None
        self.seen.add(canonical)
        if link_depth is not None:
            self.depth[canonical] = link_depth
        self.crawler.stats.inc_value(f"discovery/{route}")
        self.logger.debug("found by %s: %s", route, canonical)
        fetch = urlsplit(canonical)._replace(scheme=urlsplit(url).scheme).geturl()
        # Shallow pages first (breadth first), so a page is reached by its shortest way.
        return scrapy.Request(
            fetch, callback=self.parse_page, errback=self.article_failed,
            priority=ARTICLE_PRIORITY if link_depth is None else -link_depth,
            meta={"article_url": canonical, "link_depth": link_depth, LISTED: published})

    def parse_page(self, response: Response) -> Iterator[Any]:
        """The page for the pipelines to extract (or classify), then, within the depth,
        the site's links it holds."""
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("pages/not_html")
            return
        yield self.page_item(response)
        depth = self.depth.get(response.meta["article_url"], response.meta.get("link_depth"))
        if depth is None or depth >= self.follow_depth:
            return
        for link in page_links(response.selector, response.url):
            request = self.article_request(link, None, "links", link_depth=depth + 1)
            if request:
                yield request


def start_urls(url: str | None, urls: str | Iterable[str] | None,
               urls_file: str | None) -> list[str]:
    """The start pages given as arguments, in order, each once; ValueError when none is
    given or one is not an http(s) URL."""
    found = [url] if url else []
    found += urls.split(",") if isinstance(urls, str) else list(urls or ())
    if urls_file:
        found += read_url_list(Path(urls_file).read_text(encoding="utf-8"))
    pages = list(dict.fromkeys(u.strip() for u in found if u and u.strip()))
    if not pages:
        raise ValueError("the news spider needs a start URL: -a url=https://example.com/")
    for page in pages:
        if not page.startswith(("http://", "https://")):
            raise ValueError(f"a start URL must start with http:// or https://, not {page!r}")
    return pages
