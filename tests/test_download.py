"""The HTTP client's rules (scraper/download.py, scraper/fetch_failures.py): which failures of
aiohttp's client are sent again through Twisted's, and what reason each failure is counted as.
The crawls of tests/test_fetch_failures.py and tests/test_hostile_crawl.py run them end to end;
these are the cases a server on 127.0.0.1 cannot easily produce (TLS, DNS, proxies)."""

from __future__ import annotations

import socket
import ssl
from types import SimpleNamespace

import aiohttp
import pytest
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from twisted.python.failure import Failure

from scraper.download import _aiohttp_handler, check_client
from scraper.fetch_failures import failure_reason

KEY = SimpleNamespace(host="news.example", port=443, ssl=True)


def answer_error(cls: type[aiohttp.ClientResponseError], status: int, message: str):
    return cls(SimpleNamespace(real_url="https://news.example/a"), (), status=status,
               message=message)


@pytest.mark.parametrize(("cause", "again"), [
    (answer_error(aiohttp.ClientResponseError, 400, "Invalid header token"), True),
    (aiohttp.ClientConnectorSSLError(KEY, ssl.SSLError(1, "unsafe legacy renegotiation")), True),
    (aiohttp.ClientConnectorError(KEY, ConnectionResetError(104, "reset")), True),
    (answer_error(aiohttp.ClientHttpProxyError, 407, "Proxy Authentication Required"), False),
    (aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused")), False),
    (aiohttp.ClientConnectorDNSError(KEY, socket.gaierror(-2, "Name or service not known")),
     False),
    (TimeoutError(), False),
    (aiohttp.ClientPayloadError("Response payload is not completed"), False),
])
def test_what_is_sent_again_with_twisteds_client(cause, again):
    """An unparsed answer, a refused TLS handshake, a connection lost while opening: Twisted
    may do better. A refusal, no address, a timeout, a proxy's no, a short body: it would
    not, and sending again would only double the requests to a failing server."""
    _, retried = _aiohttp_handler()
    assert retried(cause) is again


def with_cause(exc: Exception, cause: BaseException) -> Failure:
    exc.__cause__ = cause
    return Failure(exc)


def test_aiohttps_connection_errors_are_counted_by_what_happened():
    refused = with_cause(DownloadConnectionRefusedError("Cannot connect to host ... ssl:<...>"),
                         aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "x")))
    assert failure_reason(refused) == ("connection_refused",
                                       "Connection was refused by news.example:443")
    lost = with_cause(DownloadConnectionRefusedError("Cannot connect to host ..."),
                      aiohttp.ClientConnectorError(KEY, ConnectionResetError(104, "reset")))
    assert failure_reason(lost)[0] == "connection_lost"
    dns = with_cause(CannotResolveHostError("Cannot connect to host ..."),
                     aiohttp.ClientConnectorDNSError(KEY, socket.gaierror(-2, "unknown")))
    assert failure_reason(dns) == ("dns", "DNS lookup failed: news.example:443")


def test_an_unknown_client_is_refused():
    assert check_client("twisted") == "twisted"
    with pytest.raises(ValueError, match="FETCH_CLIENT must be one of aiohttp, twisted"):
        check_client("curl")
