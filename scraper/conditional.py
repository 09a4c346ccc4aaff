"""A run costs what changed: the archive decides what is fetched again, and how.

`IncrementalMiddleware` (a downloader middleware), for every request:

- an archived article is fetched again only when the revisit policy says it is due
  (scraper/revisit.py; stat `pages/revisit_skipped` otherwise);
- a page or child sitemap a sitemap or feed dates before the day of the site's last complete
  run (scraper/archive/runs.py) was read by that run: it is not fetched
  (`discovery/skipped_unchanged`, `discovery/sitemap_skipped_unchanged`), unless it is an
  archived article the policy wants checked;
- a page the archive has a fetch of is asked for conditionally (If-None-Match,
  If-Modified-Since from that fetch's ETag and Last-Modified). A 304 (`pages/not_modified`)
  of an archived article is "seen again, unchanged": the archive pipeline moves its
  last_seen, nothing is extracted. A 304 of anything else (a feed, sitemap, listing, front)
  is answered with the stored copy, flagged "not_modified", so discovery goes on as if it had
  been downloaded: a resumed run still finds what the killed one had not fetched.

With ARCHIVE_REFRESH (`--refresh`) it is off: everything is fetched in full.
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes
from sqlite_utils import Database

from scraper.archive import ArchiveError, open_archive
from scraper.archive.fetches import (
    ArticleDates,
    StoredFetch,
    article_dates,
    last_fetch,
    stored_body,
)
from scraper.archive.runs import last_complete_run, run_arguments
from scraper.fetch_failures import requested_url
from scraper.revisit import RevisitPolicy

logger = logging.getLogger(__name__)

# Sent with the URL of an archived article whose page answered 304 (the archive pipeline
# records it as seen, unchanged).
article_not_modified = object()
NOT_MODIFIED = "not_modified"  # the flag of a response made of the stored copy
# Request meta: the day a sitemap or feed gives the page (lastmod, publication), set by the
# spiders; and, set here, the stored fetch a conditional request was made from.
LISTED = "listed"
STORED = "stored_fetch"


def fetch_key(spider: Spider | None, request: Request) -> str:
    """The URL the archive keeps a request's fetches under: an article's canonical URL, else
    the URL first asked for (before redirects), on the real site rather than a mirror."""
    url = request.meta.get("article_url")
    if url:
        return url
    first = requested_url(request)
    site_url = getattr(spider, "site_url", None)
    return site_url(first) if site_url else first


class IncrementalMiddleware:
    def __init__(self, crawler: Crawler, path: str, policy: RevisitPolicy):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.policy = policy
        self.db: Database | None = None
        self.complete_day: str | None = None  # the day of the site's last complete run
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if crawler.settings.getbool("ARCHIVE_REFRESH"):
            raise NotConfigured
        return cls(crawler, crawler.settings.get("ARCHIVE_PATH"),
                   RevisitPolicy.from_settings(crawler.settings))

    def spider_opened(self, spider: Spider) -> None:
        try:
            self.db = open_archive(self.path)
        except ArchiveError:
            return  # the archive pipeline reports this; nothing is known yet
        started = last_complete_run(self.db, spider.name, run_arguments(self.crawler))
        self.complete_day = started[:10] if started else None

    # What the archive knows (a worker of a distributed crawl asks Redis instead:
    # scraper/distributed/index.py).
    def dates(self, url: str) -> ArticleDates | None:
        return article_dates(self.db, url)

    def fetch(self, key: str) -> StoredFetch | None:
        return last_fetch(self.db, key)

    def body(self, digest: str) -> bytes | None:
        return stored_body(self.db, digest)

    def spider_closed(self, spider: Spider) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    # --- Requests ------------------------------------------------------------------------
    def process_request(self, request: Request) -> None:
        if self.db is None or request.meta.get(STORED):
            return  # (a retry or a redirect of a request already looked at)
        url = request.meta.get("article_url")
        dates = self.dates(url) if url else None
        if dates is not None:
            if not self.policy.due(*dates):
                self.stats.inc_value("pages/revisit_skipped")
                raise IgnoreRequest(f"archived, not due for a revisit: {url}")
        elif self._listed_before_last_run(request):
            which = "skipped_unchanged" if url else "sitemap_skipped_unchanged"
            self.stats.inc_value(f"discovery/{which}")
            raise IgnoreRequest(f"listed as unchanged since the last complete run: "
                                f"{request.url}")
        fetch = self.fetch(fetch_key(self.crawler.spider, request))
        if fetch is None:
            return
        etag, modified = fetch.header("ETag"), fetch.header("Last-Modified")
        if etag or modified:
            if etag:
                request.headers.setdefault(b"If-None-Match", etag)
            if modified:
                request.headers.setdefault(b"If-Modified-Since", modified)
            request.meta[STORED] = fetch
            request.meta["archived_article"] = dates is not None

    def _listed_before_last_run(self, request: Request) -> bool:
        listed = request.meta.get(LISTED)
        return bool(listed and self.complete_day and listed[:10] < self.complete_day)

    # --- Responses -----------------------------------------------------------------------
    def process_response(self, request: Request, response: Response) -> Response:
        fetch: StoredFetch | None = request.meta.get(STORED)
        if response.status != 304 or fetch is None or self.db is None:
            return response
        self.stats.inc_value("pages/not_modified")
        if request.meta.get("archived_article"):
            url = request.meta["article_url"]
            self.crawler.signals.send_catch_log(article_not_modified, url=url,
                                                request=request)
            raise IgnoreRequest(f"not modified since it was archived: {url}")
        body = self.body(fetch.sha256)
        if body is None:
            return response
        return replayed(request, response, fetch, body)


def replayed(request: Request, response: Response, fetch: StoredFetch, body: bytes
             ) -> Response:
    """The 200 response a 304 stands for: the stored fetch's body and content headers."""
    headers = Headers({k: v for k, v in fetch.headers.items()
                       if k.lower() in ("content-type", "etag", "last-modified")})
    cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
    extra: dict[str, Any] = {}
    if issubclass(cls, TextResponse) and fetch.encoding:
        extra["encoding"] = fetch.encoding
    return cls(url=response.url, status=200, headers=headers, body=body,
               request=request, flags=[*response.flags, NOT_MODIFIED], **extra)
