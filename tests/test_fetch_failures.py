"""Every failed fetch is logged at WARNING with its URL and reason, and counted by reason in
the summary and the `runs` table; redirects never leave the site crawled.

One crawl of the `news` spider against a server of this module on 127.0.0.1 whose links
each fail in one way (reset, short body, slow body, too big, gzip bomb, 503 forever, a
redirect loop, a 25-hop chain, a redirect to another port), beside a good article and an
on-site redirect, which are archived.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import SITES_DIR
from fetch_helpers import article_html, articles, crawl_news, failed_by_reason, home_html
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
from test_crawl import EXPECTED, FAST
from twisted.python.failure import Failure

from scraper.exit_codes import Exit
from scraper.fetch_failures import NotFetched, failure_reason
from scraper.fixture_server import FixtureSite

CAP = 200_000  # DOWNLOAD_MAXSIZE of the crawl
FAILING = {  # link -> the reason it fails with
    "/reset": "connection_lost",
    "/short": "short_body",
    "/slow": "timeout",
    "/big": "too_big",
    "/big-stream": "too_big",
    "/bomb": "too_big",
    "/down": "http_503",
    "/loop-a": "redirect_loop",
    "/hop/0": "too_many_redirects",
    "/away": "offsite_redirect",
    "/refresh-away": "offsite_redirect",
}
GOOD = ["/story", "/moved", "/reloads"]


class Hostile(BaseHTTPRequestHandler):
    other_port = 0  # where /away redirects to

    def do_GET(self) -> None:  # noqa: N802
        with contextlib.suppress(OSError):  # the crawler hung up: the point of some of these
            self.answer(self.path)

    def answer(self, path: str) -> None:
        if path in ("/", "/story", "/real-story"):
            body = (home_html([*FAILING, *GOOD]) if path == "/" else
                    article_html("Council approves the flood barrier")).encode()
            return self.reply(200, body)
        if path == "/reset":
            self.head(200, {"Content-Length": "50000"})
            self.wfile.write(b"<html><body>" + b"x" * 2000)
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            return self.connection.close()  # an RST, mid-body
        if path == "/short":
            self.head(200, {"Content-Length": "50000"})
            self.wfile.write(b"<html><body>" + b"x" * 2000)
            return None  # then a clean close, 48,000 bytes short
        if path == "/slow":
            self.head(200, {"Content-Length": "50000"})
            for _ in range(8):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
            return None
        if path == "/big":
            return self.reply(200, b"<p>" + b"x" * (CAP * 2))
        if path == "/big-stream":  # no Content-Length: the cap is found on the way
            self.head(200, {})
            for _ in range(40):
                self.wfile.write(b"x" * 10_000)
            return None
        if path == "/bomb":  # 30 MB of zeros in 30 KB
            return self.reply(200, gzip.compress(b"\0" * 30_000_000, 9),
                              {"Content-Encoding": "gzip"})
        if path in ("/refresh-away", "/reloads"):  # <meta http-equiv=refresh>
            target = (f"0; url=http://127.0.0.1:{self.other_port}/story"
                      if path == "/refresh-away" else "30")
            page = article_html("Council approves the flood barrier").replace(
                "<title>", f'<meta http-equiv="refresh" content="{target}"><title>')
            return self.reply(200, page.encode())
        if path == "/down":
            return self.reply(503, b"<html><body>Down for maintenance</body></html>")
        redirects = {"/loop-a": "/loop-b", "/loop-b": "/loop-a", "/moved": "/real-story",
                     "/away": f"http://127.0.0.1:{self.other_port}/story"}
        if path.startswith("/hop/"):
            redirects[path] = f"/hop/{int(path.rsplit('/', 1)[1]) + 1}"
        if path in redirects:
            return self.reply(302, b"", {"Location": redirects[path]})
        return self.reply(404, b"<html><body>Not found</body></html>")

    def head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.head(status, {"Content-Length": str(len(body)), **(headers or {})})
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module", params=["aiohttp", "twisted"])
def crawled(request, tmp_path_factory):
    """The crawl of the hostile server, its requests, and those the other port got; with each
    HTTP client (FETCH_CLIENT): a failure has the same reason whichever read it."""
    db = tmp_path_factory.mktemp("failures") / "archive.db"
    other_root = tmp_path_factory.mktemp("other")
    (other_root / "story").write_text(article_html("Another site's story"), encoding="utf-8")
    with FixtureSite(other_root) as other:
        handler = type("Handler", (Hostile,), {"other_port": other.server.server_address[1]})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            started = time.monotonic()
            run = crawl_news(db, url, "-s", f"FETCH_CLIENT={request.param}",
                             "-s", f"DOWNLOAD_MAXSIZE={CAP}", "-s", "DOWNLOAD_TIMEOUT=2",
                             "-s", "RETRY_TIMES=1", "-s", "BACKOFF_MAX_DELAY=0.2")
            elapsed = time.monotonic() - started
        finally:
            server.shutdown()
            server.server_close()
        return run, db, url, list(other.requests), elapsed


def test_each_failure_is_counted_by_its_reason(crawled):
    run, db, url, _, elapsed = crawled
    # Most of the site's pages fail, on purpose: over CRAWL_MAX_FAILURE_SHARE.
    assert run.returncode == Exit.FAILURES, run.stderr[-3000:]
    expected: dict[str, int] = {}
    for reason in FAILING.values():
        expected[reason] = expected.get(reason, 0) + 1
    assert failed_by_reason(run.summary) == expected
    assert f"{len(FAILING)} failed (" in run.summary
    assert elapsed < 90  # bounded: no failure holds the crawl


def test_each_failure_is_a_warning_with_its_url_and_reason(crawled):
    run, _, url, _, _ = crawled
    warnings = run.warnings()
    for path, reason in FAILING.items():
        line = f"article not fetched: {url.rstrip('/')}{path} ({reason}: "
        assert [w for w in warnings if line in w], (path, warnings)
    for away in [w for w in warnings if "(offsite_redirect: " in w]:
        assert "redirected to http://127.0.0.1:" in away and away.endswith("/story)")


def test_the_run_records_its_failures_by_reason(crawled):
    run, db, _, _, _ = crawled
    con = sqlite3.connect(db)
    failed, failures = con.execute("select failed, failures from runs").fetchone()
    assert failed == len(FAILING)
    assert json.loads(failures) == failed_by_reason(run.summary)


def test_redirects_stay_on_the_site_and_nothing_false_is_archived(crawled):
    _, db, url, other_requests, _ = crawled
    assert other_requests == []  # the other port was never asked
    host = url.removeprefix("http://").rstrip("/")
    # (a page that reloads itself every 30 s is read as it is)
    assert set(articles(db)) == {f"https://{host}{path}" for path in GOOD}
    con = sqlite3.connect(db)
    # The on-site redirect is stored under the URL it was fetched for, with where it led.
    assert con.execute("select final_url from pages where url like '%/moved'").fetchone() == (
        f"http://{host}/real-story",)
    stored = [r[0] for r in con.execute("select url from pages")]
    assert not [u for u in stored if any(u.endswith(p) for p in FAILING)]


def test_reasons_of_failures_no_local_server_can_cause():
    """DNS and a few Twisted errors cannot be produced on 127.0.0.1: their classification."""
    assert failure_reason(Failure(CannotResolveHostError("no such host"))) == (
        "dns", "no such host")
    assert failure_reason(Failure(DownloadTimeoutError("took longer")))[0] == "timeout"
    assert failure_reason(Failure(NotFetched("redirect_loop", "back to /a", "http://x/a"))) == (
        "redirect_loop", "back to /a")
    assert failure_reason(Failure(KeyError("odd")))[0] == "other"


def test_declared_site_follows_redirects_on_its_mirror_only(tmp_path, db_path):
    """A declared site crawled on a mirror: the mirror's host and port (and the site's own
    domains) are the site; a redirect to another port is not followed."""
    (tmp_path / "story").write_text(article_html("Another site's story"), encoding="utf-8")
    away, moved = [u.split("/", 3)[3] for u in list(EXPECTED)[:2]]
    with FixtureSite(SITES_DIR / "globalresearch") as site, FixtureSite(tmp_path) as other:
        site.answer(f"/{away}", status=302, headers={"Location": other.url + "/story"})
        site.answer(f"/{moved}", status=301, headers={"Location": f"{site.url}/{moved}/"})
        out = subprocess.run(
            [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db_path),
             "--base-url", site.url, *FAST], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
        assert other.requests == []
        assert f"/{moved}/" in site.requests
    summary = next(x for x in out.stdout.splitlines() if x.startswith("globalresearch:"))
    assert failed_by_reason(summary) == {"offsite_redirect": 1}
    assert (f"article not fetched: {site.url}/{away} (offsite_redirect: redirected to "
            f"{other.url}/story)") in out.stderr
    assert set(articles(db_path)) == set(EXPECTED) - {f"https://www.globalresearch.ca/{away}"}


def test_failed_discovery_page_is_counted_and_logged(db_path):
    """A feed down for good is a failed fetch too; the end of a listing (404 past its last
    page) is not one."""
    with FixtureSite(SITES_DIR / "globalresearch") as site:
        site.fail("/feed", 503, times=10)
        out = subprocess.run(
            [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db_path),
             "--base-url", site.url, *FAST, "-s", "RETRY_TIMES=0"],
            capture_output=True, text=True, timeout=120)
        past_the_end = "/latest-news-and-top-stories/page/3/"
        assert past_the_end in site.requests and site.resolve(past_the_end) is None  # a 404
    assert out.returncode == 0, out.stderr[-3000:]
    summary = next(x for x in out.stdout.splitlines() if x.startswith("globalresearch:"))
    assert failed_by_reason(summary) == {"http_503": 1}
    assert f"discovery page not fetched: {site.url}/feed (http_503: HTTP 503)" in out.stderr
