"""Pipeline step 2b (with --follow-sources): fetch the original of a republished article."""

from __future__ import annotations

import logging
from typing import Self
from urllib.parse import urlsplit

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlite_utils import Database

from scraper.archive import ArchiveError, open_archive
from scraper.archive.republications import source_page
from scraper.items import ArticleItem
from scraper.middlewares import crawled_sites
from scraper.sites import SITES, Site
from scraper.urls import on_mirror, site_key
from spiders.base import ARTICLE_PRIORITY

logger = logging.getLogger(__name__)


class FollowSourcesPipeline:
    """An article whose original source is a URL on another site gets that page fetched,
    once: not when the archive already holds a fetch of it (an archived original is paired
    as the article is written), nor twice in a run (every article citing it is paired with
    it). The articles of the crawled site archived before, whose originals were never
    fetched, get theirs when the crawl opens. The page is archived under its own site (a
    declared one's rules, else the generic cascade), and its request may be redirected
    within its own host only (see scraper.middlewares). Originals are not followed further.
    ARCHIVE_MIRRORS ({site name: base URL}) fetches a declared site's pages from a mirror,
    as --base-url does for the site crawled."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = settings.get("ARCHIVE_PATH")
        self.timeout = settings.getfloat("ARCHIVE_TIMEOUT")
        self.mirrors = {name: base.rstrip("/")
                        for name, base in settings.getdict("ARCHIVE_MIRRORS").items()}
        self.db: Database | None = None
        self.waiting: dict[str, list[str]] = {}  # original requested -> the articles citing it
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_FOLLOW_SOURCES"):
            raise NotConfigured("ARCHIVE_FOLLOW_SOURCES is off")
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.db = open_archive(self.path, self.timeout)
        except ArchiveError:
            self.db = None  # the archive pipeline reports it and closes the spider

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.close()

    def spider_opened(self, spider: Spider) -> None:
        """Follow the sources of the crawled site's articles archived before, unpaired."""
        if self.db is None:
            return
        sites = crawled_sites(spider)
        found = self.db.execute(
            "select url, site, original_source_url from articles a "
            f"where site in ({', '.join('?' for _ in sites)}) "
            "and original_source_url is not null and not exists "
            "(select 1 from republications r where r.republished_url = a.url)", sites)
        for url, site, source in found.fetchall():
            self.follow(url, site, source)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        citing = self.waiting.pop(item.page.url, None)
        if citing is not None:  # a followed original: paired, not followed further
            item.republished_by = tuple(citing)
        else:
            article = item.article
            self.follow(article.url, article.site, (article.original_source or {}).get("url"))
        return item

    def follow(self, article_url: str, article_site: str, cited: str | None) -> None:
        """Fetch the original cited at `cited` by the article at `article_url`, unless
        the archive holds it, or it is on the article's own site, or already requested."""
        source = source_page(cited, article_site)
        if source is None or self.db is None:
            return
        site, url = source
        if url in self.waiting:
            self.waiting[url].append(article_url)
            return
        if self.db.execute("select 1 from articles where url = ? union all "
                           "select 1 from pages where url = ? limit 1", [url, url]).fetchone():
            self.stats.inc_value("follow/already_archived")
            return
        self.waiting[url] = [article_url]
        fetch = self.fetch_url(site, url, cited)
        spider = self.crawler.spider
        self.stats.inc_value("follow/requested")
        logger.info("following the original of %s: %s", article_url, fetch)
        self.crawler.engine.crawl(scrapy.Request(
            fetch, callback=spider.parse_article, errback=spider.article_failed,
            priority=ARTICLE_PRIORITY,
            meta={"article_url": url, "site": site.name, "source_host": site_key(fetch),
                  "allow_offsite": True}))

    def fetch_url(self, site: Site, url: str, cited: str) -> str:
        """Where to fetch the original at `url` (the archive's URL for the `cited` one):
        a declared site's mirror when one is set, else the site itself, by the scheme
        cited for a site with no declaration (a plain-http site stays http)."""
        if site.name in SITES and site.name in self.mirrors:
            return on_mirror(url, self.mirrors[site.name])
        if site.name in SITES:
            return url
        return urlsplit(url)._replace(scheme=urlsplit(cited).scheme).geturl()
