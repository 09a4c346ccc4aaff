"""A site that never answers fails once, not once per discovery route.

A declared site has three to five start pages (feeds, REST API, listings) and robots.txt
before them; the news spider has robots.txt, the home page and then a dozen usual paths.
On a dead address each of them used to be tried RETRY_TIMES + 1 times, one after the other
at the site's pace: a refused port took 40-55 s, a black-holed one minutes, and Scrapy's
robots.txt middleware logged a traceback for a failure that is no bug.

So: once a request to a host has used all its retries on a connection that never opened
(refused, no DNS, connect or download timeout) and no request to that host has had any
answer this run, the host is unreachable. That last failure is raised as `NotFetched` (an
IgnoreRequest: robots.txt's middleware drops it quietly) and logged in one line with the
address really tried, and every later request to the host fails at once with the same
reason, without a connection. A host that answered once is never written off: a failure in
mid-crawl is retried as usual.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import error as tx
from twisted.python.failure import Failure

from scraper.fetch_failures import NotFetched, failure_reason, requested_url

logger = logging.getLogger(__name__)

# Failures with no answer at all: the host is down, refuses, has no address or is silent.
NO_ANSWER = (DownloadConnectionRefusedError, CannotResolveHostError, DownloadTimeoutError,
             tx.ConnectError, tx.TimeoutError)
# The stat that says where and why: "<URL tried>: <reason>" of the first host written off.
FIRST = "unreachable/first"


class UnreachableHostMiddleware:
    """Write off a host that never answered once a request to it has run out of retries;
    fail its other requests at once. Placed just after the retry middleware (nearer the
    download), so it sees each failure before the retry middleware decides."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.retry_times = crawler.settings.getint("RETRY_TIMES")
        self.retry = crawler.settings.getbool("RETRY_ENABLED")
        self.answered: set[str] = set()  # hosts (host:port) that answered anything
        self.down: dict[str, tuple[str, str]] = {}  # host -> (reason, detail)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        if host in self.down:
            reason, detail = self.down[host]
            self.crawler.stats.inc_value("unreachable/skipped")
            raise NotFetched(reason, f"{host} unreachable: {detail}", requested_url(request))

    def process_response(self, request: Request, response: Response) -> Response:
        self.answered.add(urlparse_cached(request).netloc)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        host = urlparse_cached(request).netloc
        if (not isinstance(exception, NO_ANSWER) or host in self.answered
                or not self.last_try(request)):
            return  # the retry middleware decides
        reason, detail = failure_reason(Failure(exception))
        url = requested_url(request)
        if host not in self.down:
            self.down[host] = (reason, detail)
            self.crawler.stats.set_value(FIRST, f"{url}: {detail}")
            logger.warning("%s unreachable: %s failed %d times (%s: %s); its other requests "
                           "fail at once", host, url, request.meta.get("retry_times", 0) + 1,
                           reason, detail)
        raise NotFetched(reason, detail, url) from exception

    def last_try(self, request: Request) -> bool:
        """True when the retry middleware would give this request up now."""
        if not self.retry or request.meta.get("dont_retry"):
            return True
        allowed = request.meta.get("max_retry_times", self.retry_times)
        return request.meta.get("retry_times", 0) >= allowed
