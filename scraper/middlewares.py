"""Downloader middlewares: a polite pace per site, redirects kept on the site, the tool's
own User-Agent, and size caps that fail with a reason. (What is fetched again of the
archive: scraper/conditional.py.)"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Self

from scrapy import Request, signals
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings

from scraper.extraction.encoding import page_encoding
from scraper.fetch_failures import NotFetched, requested_url
from scraper.urls import site_key

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, and each site's pace (its download slot's delay):

    - each 403/429/5xx doubles it (or makes it the server's Retry-After), up to
      BACKOFF_MAX_DELAY; each healthy answer after that halves it again, down to normal;
    - it is never below the Crawl-delay the site's robots.txt asks of the tool (up to
      BACKOFF_MAX_DELAY), AutoThrottle or not, and no random jitter shortens it then.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mw = super().from_crawler(crawler)
        settings = crawler.settings
        mw.max_delay = settings.getfloat("BACKOFF_MAX_DELAY")
        mw.download_delay = settings.getfloat("DOWNLOAD_DELAY")
        mw.base_delay = max(mw.download_delay, 1.0)
        mw.autothrottle = settings.getbool("AUTOTHROTTLE_ENABLED")
        mw.robots_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("BOT_NAME")
        mw.backoff: dict[str, float] = {}  # slot -> delay while backed off
        mw.crawl_delay: dict[str, float] = {}  # slot -> robots.txt's Crawl-delay
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        return mw

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        ask = getattr(robotparser, "crawl_delay", None)
        delay = ask(self.robots_agent) if ask else None
        engine = self.crawler.engine
        if not delay or engine is None:
            return
        key = engine.downloader.get_slot_key(request)
        self.crawl_delay[key] = min(delay, self.max_delay)
        logger.info("%s asks for %.1f s between requests (robots.txt Crawl-delay)", key, delay)
        slot = engine.downloader.slots.get(key)
        if slot is not None:
            self._pace(key, slot)

    def response_downloaded(self, response: Response, request: Request, spider: Any = None
                            ) -> None:
        """Set the site's pace from this answer. The downloader sends this signal before it
        takes the slot's next request (as AutoThrottle's own adjustment does); in
        `process_response` the new delay came too late for that request when the machine
        was busy."""
        key, slot = self._slot(request)
        if slot is None:
            return
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry"):
            self._slow_down(key, slot, response)
        elif response.status < 500 and key in self.backoff:
            self._recover(key)
        self._pace(key, slot)

    def _slot(self, request: Request) -> tuple[str, Slot | None]:
        engine = self.crawler.engine
        key = request.meta.get("download_slot")
        return key, engine.downloader.slots.get(key) if engine and key else None

    def _slow_down(self, key: str, slot: Slot, response: Response) -> None:
        wanted = _retry_after(response) or max(slot.delay * 2, self.base_delay)
        self.backoff[key] = min(wanted, self.max_delay)
        self.crawler.stats.inc_value(f"backoff/{response.status}")
        logger.info("slowing down on %s to %.1f s between requests (HTTP %d)", key,
                    self.backoff[key], response.status)

    def _recover(self, key: str) -> None:
        delay = self.backoff[key] / 2
        normal = max(self.download_delay, self.crawl_delay.get(key, 0.0))
        if delay > normal:
            self.backoff[key] = delay
            return
        del self.backoff[key]
        self.crawler.stats.inc_value("backoff/recovered")
        logger.info("back to the normal pace on %s (%.1f s between requests)", key, normal)

    def _pace(self, key: str, slot: Slot) -> None:
        """The slot's delay: AutoThrottle's (or DOWNLOAD_DELAY), raised to the Crawl-delay
        and to the back-off."""
        natural = slot.delay if self.autothrottle else self.download_delay
        floor = self.crawl_delay.get(key, 0.0)
        slot.delay = max(natural, floor, self.backoff.get(key, 0.0))
        if floor:
            slot.jitter = 0.0


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to doubling


class _OnSiteRedirects:
    """Follow a redirect only to the site being crawled (the spider's `on_site`) or, for the
    request of a followed original source, within that source's own host; fail
    a loop or a chain over REDIRECT_MAX_TIMES with its reason (Scrapy drops them at debug
    level: a loop as a duplicate request, a long chain as ignored)."""

    crawler: Crawler
    max_redirect_times: int
    # A redirect to the page itself: a loop (3xx), or just a page that reloads (a refresh).
    reloads: bool = False

    def process_response(self, request: Request, response: Response) -> Request | Response:
        first = requested_url(request)
        try:
            result = super().process_response(request, response)  # type: ignore[misc]
        except NotFetched:
            raise
        except IgnoreRequest as exc:  # "max redirections reached"
            raise NotFetched("too_many_redirects",
                             f"more than {self.max_redirect_times} redirects", first) from exc
        if not isinstance(result, Request):
            return result
        if self.reloads and result.url == request.url:
            return response
        on_site = getattr(self.crawler.spider, "on_site", None)
        if on_site is not None and not on_site(result.url) and not _source_host(request,
                                                                                result.url):
            raise NotFetched("offsite_redirect", f"redirected to {result.url}", first)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if result.url.split("#")[0] in {u.split("#")[0] for u in chain}:
            raise NotFetched("redirect_loop", f"redirected back to {result.url}", first)
        return result


def _source_host(request: Request, url: str) -> bool:
    """True when `request` fetches a followed original source (--follow-sources) and `url`
    is on that source's host and port: allowed for that request only, the crawl's own
    requests stay on its site."""
    host = request.meta.get("source_host")
    return host is not None and site_key(url) == host


class SiteRedirectMiddleware(_OnSiteRedirects, RedirectMiddleware):
    """Scrapy's 3xx redirects, kept on the site."""


class SiteMetaRefreshMiddleware(_OnSiteRedirects, MetaRefreshMiddleware):
    """Scrapy's `<meta http-equiv=refresh>` redirects, kept on the site; a front page that
    reloads itself every minute is read as it is (Scrapy would drop it as a duplicate)."""

    reloads = True


class CappedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, whose DOWNLOAD_MAXSIZE cap (a gzip bomb) fails the request
    as `too_big` instead of ignoring it unseen."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:  # the only one it raises: over the cap
            raise NotFetched("too_big", "over DOWNLOAD_MAXSIZE once decompressed",
                             requested_url(request)) from exc


class PageDecodingMiddleware:
    """Every text response is read in the encoding the archive reads it in (decode_page:
    BOM, valid UTF-8, then the declarations that hold), so the links, feeds and challenge
    checks of the crawl see the same text as the extraction. Scrapy alone trusts the header,
    and a UTF-8 page declared iso-8859-1 would give mangled links (`%C3%83%C2%A9`)."""

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        content_type = response.headers.get(b"Content-Type")
        encoding = page_encoding(response.body,
                                 content_type.decode("latin-1") if content_type else None)
        if encoding == response.encoding:
            return response
        return response.replace(encoding=encoding)


class SiteUserAgentMiddleware:
    """Every request names the tool and whom to ask about it: USER_AGENT, or by default
    "news-archiver/<version> (+ARCHIVE_CONTACT_URL)". A site whose bot wall refuses that
    declares its own (the spider's `user_agent_for`). robots.txt is read for the tool's own
    name whatever is sent (ROBOTSTXT_USER_AGENT)."""

    def __init__(self, crawler: Crawler, user_agent: str):
        self.crawler = crawler
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.get("USER_AGENT") or tool_user_agent(
            crawler.settings))

    def process_request(self, request: Request) -> None:
        for_site = getattr(self.crawler.spider, "user_agent_for", None)
        agent = (for_site(request.url) if for_site else None) or self.user_agent
        request.headers.setdefault(b"User-Agent", agent)


def crawled_sites(spider) -> list[str]:
    """The names of the sites `spider` archives articles of: a site spider crawls one
    site; the news spider names every site it crawls."""
    return getattr(spider, "archive_sites", None) or [
        getattr(getattr(spider, "site", None), "name", spider.name)]


def tool_user_agent(settings: BaseSettings) -> str:
    """The tool's name and version, and the contact page of whoever runs it."""
    try:
        release = version("news-archiver")
    except PackageNotFoundError:
        release = "dev"
    contact = settings.get("ARCHIVE_CONTACT_URL")
    agent = f"{settings.get('BOT_NAME')}/{release}"
    return f"{agent} (+{contact})" if contact else agent
