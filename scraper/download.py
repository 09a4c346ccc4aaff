"""The download handler of http and https: aiohttp's client, with Scrapy's Twisted client behind it.

Why: on a loopback site of 30-80 KB pages, Scrapy's default handler (Twisted's HTTP client)
cost 4.1 CPU ms a page in a plain fetching spider, and Scrapy's aiohttp handler 2.0
(aiohttp parses answers in C). The crawl process's own CPU is what keeps a crawl with
extraction workers on every core below their pace; there, where Scrapy's machinery around
each download stays, the saving measured about 0.5 of 5.8 ms a page (docs/benchmarks.md).

Scrapy ships the aiohttp handler marked experimental. The Twisted client stays behind it:
- a GET or HEAD that aiohttp could not complete where Twisted may is sent once more through
  it: an answer aiohttp refuses to parse (a header line with no colon, a status line or a
  chunk out of the standard: browsers and Twisted's lenient parser take them), a TLS
  handshake aiohttp's stricter `ssl` context refuses (a server without secure
  renegotiation), a connection lost while being opened; counted as FALLBACK_STAT. A
  refusal, a failed DNS lookup or a timeout is not sent again (nothing would answer);
- requests with a `bindaddress` of their own, which Scrapy's aiohttp handler ignores;
- every request when aiohttp cannot run: no asyncio loop (a non-asyncio TWISTED_REACTOR),
  a Scrapy without its aiohttp handler (its module is private to Scrapy), or
  FETCH_CLIENT "twisted".
The URL is sent as Scrapy wrote it (`verbatim_url`), as Twisted sends it. Size caps,
timeouts, data loss, proxies and redirects are Scrapy's in both clients.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

CLIENTS = ("aiohttp", "twisted")
FALLBACK_STAT = "downloader/twisted_fallback"


def _aiohttp_handler() -> tuple[type[BaseDownloadHandler], Callable[[BaseException], bool]] | None:
    """Scrapy's aiohttp handler made a production one for us, and the test of a failure
    Twisted's client may not have; None when this Scrapy or aiohttp lacks them."""
    try:
        import aiohttp
        from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler
    except ImportError:
        return None

    class Handler(AiohttpDownloadHandler):
        # Scrapy warns on every start that the handler is experimental; this project chose
        # it knowingly, runs its crawl tests on it and keeps Twisted's client behind it.
        experimental = False

    def retried(cause: BaseException) -> bool:
        if isinstance(cause, aiohttp.ClientHttpProxyError):  # the proxy said no: so it will
            return False
        if isinstance(cause, aiohttp.ClientResponseError | aiohttp.ClientSSLError):
            return True  # unparsed answer; TLS refused
        if isinstance(cause, aiohttp.ClientConnectorError):  # lost while connecting
            return not isinstance(cause.os_error, ConnectionRefusedError | socket.gaierror)
        return False

    return Handler, retried


def check_client(client: str) -> str:
    """FETCH_CLIENT, or ValueError: a crawl refuses a name it does not know before it starts."""
    if client not in CLIENTS:
        raise ValueError(f"FETCH_CLIENT must be one of {', '.join(CLIENTS)}, not {client!r}")
    return client


class PageDownloadHandler(BaseDownloadHandler):
    """http/https: aiohttp where it can, Scrapy's Twisted client where it cannot."""

    lazy = False

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        try:
            client = check_client(crawler.settings.get("FETCH_CLIENT", "aiohttp"))
        except ValueError as exc:  # (`scraper crawl` refuses it first; scrapyd may not)
            raise NotConfigured(str(exc)) from exc
        try:
            self.twisted: BaseDownloadHandler | None = build_from_crawler(
                HTTP11DownloadHandler, crawler)
        except NotConfigured:  # no Twisted reactor (TWISTED_REACTOR_ENABLED False)
            self.twisted = None
        found = _aiohttp_handler() if client == "aiohttp" else None
        if client == "aiohttp" and found is None:
            logger.info("this Scrapy has no aiohttp download handler: pages are fetched "
                        "with Twisted's client")
        if found is None and self.twisted is None:
            raise NotConfigured("neither aiohttp's nor Twisted's client can run here")
        self._fast_class, self._retried = found or (None, lambda cause: False)
        self._fast: BaseDownloadHandler | None = None

    def fast(self) -> BaseDownloadHandler | None:
        """The aiohttp handler, made on the first request sent from the running loop."""
        if self._fast is None and self._fast_class is not None:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return None
            self._fast = build_from_crawler(self._fast_class, self.crawler)
        return self._fast

    async def download_request(self, request: Request) -> Response:
        fast = self.fast()
        if self.twisted is not None and (fast is None or request.meta.get("bindaddress")):
            return await self.twisted.download_request(request)
        assert fast is not None
        request.meta.setdefault("verbatim_url", True)
        try:
            return await fast.download_request(request)
        except Exception as exc:
            if (self.twisted is None or request.method not in ("GET", "HEAD")
                    or exc.__cause__ is None or not self._retried(exc.__cause__)):
                raise
            logger.debug("aiohttp could not fetch %s (%s): sent again with Twisted's client",
                         request.url, exc.__cause__)
            if self.crawler.stats:
                self.crawler.stats.inc_value(FALLBACK_STAT)
            return await self.twisted.download_request(request)

    async def close(self) -> None:
        if self._fast is not None:
            await self._fast.close()
        if self.twisted is not None:
            await self.twisted.close()

