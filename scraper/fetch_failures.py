"""Why a fetch failed, as one short reason: what the run's summary and `runs` count.

Scrapy reports failures as exceptions of many kinds (its own, Twisted's) and logs some at
debug level only; a reader of the log or the archive wants the URL and one of a few words.
"""

from __future__ import annotations

import re

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

# The reasons, each a stat `pages/failed/<reason>` (and http_<status>, e.g. http_503).
REASONS = ("timeout", "connection_lost", "short_body", "too_big", "redirect_loop",
           "too_many_redirects", "offsite_redirect", "connection_refused", "dns", "other")


class NotFetched(IgnoreRequest):
    """A response the crawl refuses (a redirect off the site, a loop, a body over the cap):
    its request fails with `reason`. (An IgnoreRequest, so Scrapy drops it quietly where no
    errback counts it, e.g. robots.txt.)"""

    def __init__(self, reason: str, detail: str, url: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.url = url


def skipped(failure: Failure) -> bool:
    """True for a request dropped on purpose (robots.txt, already archived): no failure."""
    return bool(failure.check(IgnoreRequest)) and not failure.check(NotFetched, HttpError)


def requested_url(request: Request) -> str:
    """The URL `request` was first made for, before any redirect led to it."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def first_url(failure: Failure) -> str:
    """The URL the failed request was made for (before any redirect)."""
    if isinstance(failure.value, NotFetched):
        return failure.value.url
    request = getattr(failure, "request", None)
    return "?" if request is None else requested_url(request)


def failure_reason(failure: Failure) -> tuple[str, str]:
    """(reason, detail) of a failed fetch; the reason is one of REASONS or http_<status>."""
    exc = failure.value
    if isinstance(exc, NotFetched):
        return exc.reason, exc.detail
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status}"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, DownloadTimeoutError | tx.TimeoutError | tx.TCPTimedOutError):
        return "timeout", detail
    connecting = _connector_error(exc)
    if connecting is not None:  # aiohttp's (scraper/download.py), which names its TLS context
        host, error = connecting
        if isinstance(exc, CannotResolveHostError):
            return "dns", f"DNS lookup failed: {host}"
        if isinstance(error, ConnectionRefusedError):
            return "connection_refused", f"Connection was refused by {host}"
        # (What Twisted's client, which scraper/download.py then tries, calls a lost one.)
        return "connection_lost", f"connecting to {host}: {error or type(error).__name__}"
    if isinstance(exc, DownloadConnectionRefusedError | tx.ConnectionRefusedError):
        return "connection_refused", detail
    if isinstance(exc, CannotResolveHostError | tx.DNSLookupError):
        return "dns", detail
    if isinstance(exc, ResponseDataLossError):
        # A clean close before Content-Length is a short body; a reset is a lost connection.
        if _reset(exc.__cause__):
            return "connection_lost", "connection reset mid-body"
        return "short_body", "fewer bytes than its Content-Length"
    if isinstance(exc, DownloadCancelledError):
        # Scrapy cancels a download in flight only past DOWNLOAD_MAXSIZE.
        return "too_big", detail if str(exc) else "body over DOWNLOAD_MAXSIZE"
    if isinstance(exc, DownloadFailedError | ResponseFailed | tx.ConnectionLost
                  | tx.ConnectionDone | tx.ConnectionAborted):
        return "connection_lost", detail
    return "other", f"{type(exc).__name__}: {detail}"


# aiohttp (scraper/download.py) tells a reset from a clean close only in its message: it
# appends the connection's error, e.g. "... content length header. ConnectionResetError(104, ...)".
_ABORTED = re.compile(r"\.\s+(?:ConnectionResetError|ConnectionAbortedError|BrokenPipeError"
                      r"|ClientOSError|OSError)\(")


def _connector_error(exc: BaseException) -> tuple[str, OSError] | None:
    """(host:port, the OS error) of a connection aiohttp could not open, else None."""
    cause = exc.__cause__
    error = getattr(cause, "os_error", None)
    if not isinstance(error, OSError):
        return None
    return f"{getattr(cause, 'host', '?')}:{getattr(cause, 'port', '?')}", error


def _reset(cause: BaseException | None) -> bool:
    """Whether the connection was reset (not closed cleanly) before the whole body came."""
    reasons = getattr(cause, "reasons", None) or []
    if any(isinstance(r, Failure) and r.check(tx.ConnectionLost) for r in reasons):
        return True  # Twisted's client
    return cause is not None and bool(_ABORTED.search(str(cause)))
