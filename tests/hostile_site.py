"""A hostile news site on 127.0.0.1, for the end-to-end crawl test and bench/hostile_crawl.py.

It looks like a small paper (a home page linking every page, robots.txt naming a sitemap,
an RSS feed) so the generic `news` spider finds every endpoint, and most of its endpoints
misbehave as real servers do: errors forever, a reset or a short body mid-transfer, a body
that trickles past any timeout, pages far over a sane size, gzip bombs, redirect loops and
chains, a redirect to another server, charset lies, a canonical link that names another
article, and markup built to make an extractor slow or raise.

It is a plain TCP server writing raw bytes (not http.server), so that it can misbehave below
HTTP: close or reset a connection mid-body, send fewer bytes than it declared. Each
connection gets one answer and is closed. `HostileSite.ENDPOINTS` lists what every path does.
"""

from __future__ import annotations

import contextlib
import gzip
import random
import re
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from functools import cache
from html import escape
from pathlib import Path
from typing import NamedTuple, Self
from urllib.parse import unquote

import hostile_pages as pages
from hostile_pages import Story

HTML = "text/html; charset=utf-8"
MIB = 1 << 20
BIG_SIZE = 3 * MIB  # over the small DOWNLOAD_MAXSIZE the test sets (2 MB)
HUGE_SIZE = 64 * MIB  # over any size cap sane for a news page: the default's variant
BOMB_SIZE = 1100 * MIB  # inflated, over Scrapy's own default cap of 1 GiB
SLOW_SECONDS = 150.0  # longer than any DOWNLOAD_TIMEOUT a crawl would use
CHAIN_HOPS = 25  # redirects before the chain's last page; Scrapy stops at 20


class RawSite:
    """A threaded TCP server on 127.0.0.1 (port 0: any free one) answering one HTTP request
    per connection with the handler `route()` names for its path (404 when none). Every
    request target is kept in `requests`, in arrival order."""

    def __init__(self, port: int = 0):
        self.requests: list[str] = []
        self.stopping = threading.Event()
        self.server = _Server(("127.0.0.1", port), _Connection)
        self.server.site = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str) -> Callable[[socket.socket], None] | None:
        raise NotImplementedError

    def answer(self, conn: socket.socket, target: str) -> None:
        self.requests.append(target)
        handler = self.route(unquote(target.split("?", 1)[0]))
        if handler is None:
            send(conn, 404, b"<html><body><h1>Not Found</h1></body></html>")
        else:
            handler(conn)

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # trickling handlers end at their next write
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    site: RawSite


class _Connection(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        # OSError: the client gave up (a timeout, a size cap, an idle connection closed at the
        # end of its crawl): there is nothing more to say to it.
        with contextlib.suppress(OSError):
            self._answer(self.request)

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(30)  # a client that stops reading does not hold a thread for ever
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return
            head += chunk
        parts = head.split(b"\r\n", 1)[0].split()
        if len(parts) >= 2:
            self.server.site.answer(conn, parts[1].decode("latin-1"))


def status_line(status: int, headers: dict[str, str | int]) -> bytes:
    """The head of an answer: status line and headers, `Connection: close` always."""
    reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found",
              500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items()),
             "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def send(conn: socket.socket, status: int, body: bytes, content_type: str = HTML,
         **headers: str | int) -> None:
    """A whole answer, with its true Content-Length."""
    named = {k.replace("_", "-"): v for k, v in headers.items()}
    conn.sendall(status_line(status, {"Content-Type": content_type,
                                      "Content-Length": len(body), **named}) + body)


def reset(conn: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN: the client reads "connection reset"."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def prose(size: int) -> Iterator[bytes]:
    """An HTML page of numbered prose paragraphs, `size` bytes in all, in chunks: a page
    that is big only because it is long (a whole book on one page)."""
    head = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>The complete council "
            f"minutes, 1950-2026 - {pages.SITE_NAME}</title></head><body><main><h1>The "
            "complete council minutes</h1>\n").encode()
    sent = len(head)
    yield head
    n = 0
    while sent < size:
        n += 1
        para = (f"<p>Item {n}. The council considered the report of the highways committee "
                "on the state of the town's roads and bridges, heard the borough engineer on "
                "the cost of the repairs proposed, and resolved to defer a decision to its "
                "next meeting pending a survey of the bridges over the Mill Race.</p>\n"
                ).encode()[: size - sent]
        sent += len(para)
        yield para


@cache
def prose_bytes(size: int) -> bytes:
    return b"".join(prose(size))


@cache
def gzip_bomb(inflated: int = BOMB_SIZE) -> bytes:
    """A valid gzip stream of `inflated` zero bytes (a whole number of MiB) in about 1 KB per
    MiB: one MiB compressed after a full flush gives the same bytes every time, so the
    stream is that block repeated, with the CRC and length of the whole at its end."""
    block = bytes(MIB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: with a gzip header
    first = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    repeat = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush()  # the final empty block, then a trailer for two blocks only
    blocks = inflated // MIB
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, inflated & 0xFFFFFFFF)
    return first + repeat * (blocks - 1) + end[:-8] + trailer


@cache
def nested_gzip_bomb() -> bytes:
    """The bomb gzipped again (sent as `Content-Encoding: gzip, gzip`): a few KB on the wire."""
    return gzip.compress(gzip_bomb(), 9)


class HostileSite(RawSite):
    """The Millbrook Courier: four good articles, two charset lies, and the hostile
    endpoints of ENDPOINTS. `elsewhere` is the base URL a redirect sends the crawler to
    (another server, on another port)."""

    GOOD = (pages.TRAM, pages.HOSPITAL, pages.ALLOTMENTS, pages.CINEMA)
    CHARSET_LIES = (pages.ELUS, pages.CAFE)
    ENDPOINTS = {
        "/hostile/error-500": "500 Internal Server Error, every time",
        "/hostile/error-503": "503 Service Unavailable with Retry-After: 1, every time",
        "/hostile/reset-mid-body": "a TCP reset after 40% of the declared body",
        "/hostile/short-body": "a clean close after 40% of the declared Content-Length",
        "/hostile/slow-body": "64 bytes every half second, for SLOW_SECONDS",
        "/hostile/too-big": "a 3 MiB page with its Content-Length",
        "/hostile/too-big-streamed": "a 64 MiB page with no Content-Length (read to the close)",
        "/hostile/gzip-bomb": "1.1 MB of gzip inflating to 1100 MiB, streamed",
        "/hostile/gzip-bomb-nested": "the bomb gzipped twice (gzip, gzip): a few KB",
        "/hostile/redirect-loop": "302 to /hostile/redirect-loop/back, which sends back here",
        "/hostile/redirect-chain": f"{CHAIN_HOPS} redirects, one after the other, to a page",
        "/hostile/redirect-elsewhere": "302 to an article on the other server (another port)",
        "/hostile/canonical-lie": "a truncated copy of TRAM whose canonical link names TRAM",
        "/hostile/truncated-article": "an article cut mid-paragraph: no closing tags at all",
        "/hostile/empty": "200 with an empty body",
        "/hostile/binary": "64 KiB of random bytes served as text/html",
        "/hostile/nested-divs": "an article inside 100,000 nested <div>s",
        "/hostile/nested-tables": "an article inside 10,000 nested tables",
        "/hostile/huge-title": "a <title> of 600 parts joined by ' | ' (350 KB)",
        "/hostile/missing-title-end": "an article page whose <title> is never closed",
        "/hostile/nested-json-ld": "an article whose JSON-LD nests 100,000 arrays deep",
        "/hostile/control-characters": "an article with NUL and other C0 controls in its text",
        "/hostile/malformed-head": "an article whose answer has a header line with no colon",
    }

    def __init__(self, elsewhere: str, port: int = 0):
        super().__init__(port)
        self.elsewhere = elsewhere.rstrip("/")

    # --- What the crawl finds -----------------------------------------------------------
    def stories(self) -> list[tuple[str, str]]:
        """(path, headline) of every page the home page, feed and sitemap list."""
        return ([(s.path, s.title) for s in (*self.GOOD, *self.CHARSET_LIES)]
                + [(path, what) for path, what in self.ENDPOINTS.items()])

    def route(self, path: str) -> Callable[[socket.socket], None] | None:
        for story in (*self.GOOD, *self.CHARSET_LIES):
            if path == story.path:
                return lambda conn, s=story: self.story(conn, s)
        hop = re.fullmatch(r"/hostile/redirect-chain/(\d+)", path)
        if hop:
            return lambda conn: self.chain_hop(conn, int(hop[1]))
        author = re.fullmatch(r"/author/([^/]+)/", path)
        if author:
            return lambda conn: self.author(conn, author[1])
        fixed = {"/": self.home, "/robots.txt": self.robots, "/sitemap.xml": self.sitemap,
                 "/feed.xml": self.feed, "/hostile/redirect-loop/back": self.loop_back}
        if path in fixed:
            return fixed[path]
        if path in self.ENDPOINTS:
            return getattr(self, path.removeprefix("/hostile/").replace("-", "_"))
        return None

    def home(self, conn: socket.socket) -> None:
        send(conn, 200, pages.listing_page(f"{pages.SITE_NAME} - news from Millbrook",
                                           self.stories(), self.url).encode())

    def robots(self, conn: socket.socket) -> None:
        text = f"User-agent: *\nDisallow: /admin/\n\nSitemap: {self.url}/sitemap.xml\n"
        send(conn, 200, text.encode(), "text/plain; charset=utf-8")

    def sitemap(self, conn: socket.socket) -> None:
        body = pages.sitemap([self.url + path for path, _ in self.stories()])
        send(conn, 200, body.encode(), "application/xml; charset=utf-8")

    def feed(self, conn: socket.socket) -> None:
        body = pages.rss_feed([(self.url + p, t) for p, t in self.stories()], self.url)
        send(conn, 200, body.encode(), "application/rss+xml; charset=utf-8")

    def author(self, conn: socket.socket, slug: str) -> None:
        """An author's page: the stories of every page under their byline."""
        stories = [s for s in vars(pages).values()
                   if isinstance(s, Story) and slug in map(pages.slug, s.authors)]
        if not stories:
            send(conn, 404, b"<html><body><h1>No such author</h1></body></html>")
            return
        name = next(a for a in stories[0].authors if pages.slug(a) == slug)
        links = [(self.url + s.path, s.title) for s in stories]
        send(conn, 200, pages.listing_page(f"{name} - {pages.SITE_NAME}", links,
                                           self.url).encode())

    def story(self, conn: socket.socket, story: Story) -> None:
        if story is pages.ELUS:  # UTF-8 bytes, no <meta charset>, the header says Latin-1
            html = pages.article_page(story, self.url, charset_meta=None)
            send(conn, 200, html.encode(), "text/html; charset=iso-8859-1")
        elif story is pages.CAFE:  # windows-1252 bytes and <meta>, the header says UTF-8
            html = pages.article_page(story, self.url, charset_meta="windows-1252")
            send(conn, 200, html.encode("cp1252"), HTML)
        else:
            send(conn, 200, pages.article_page(story, self.url).encode())

    # --- Failures of the server and the connection ------------------------------------------
    def error_500(self, conn: socket.socket) -> None:
        send(conn, 500, b"<html><body><h1>Internal Server Error</h1></body></html>")

    def error_503(self, conn: socket.socket) -> None:
        send(conn, 503, b"<html><body><h1>Service Unavailable</h1></body></html>",
             Retry_After=1)

    def reset_mid_body(self, conn: socket.socket) -> None:
        body = prose_bytes(50_000)
        conn.sendall(status_line(200, {"Content-Type": HTML, "Content-Length": len(body)})
                     + body[: len(body) * 2 // 5])
        time.sleep(0.2)  # let the client read what was sent, then reset
        reset(conn)

    def short_body(self, conn: socket.socket) -> None:
        body = prose_bytes(50_000)
        conn.sendall(status_line(200, {"Content-Type": HTML, "Content-Length": len(body)})
                     + body[: len(body) * 2 // 5])
        conn.shutdown(socket.SHUT_WR)  # a clean close, 60% short

    def slow_body(self, conn: socket.socket) -> None:
        size = int(SLOW_SECONDS * 2 * 64) + 1000  # never all sent: the client must time out
        conn.sendall(status_line(200, {"Content-Type": HTML, "Content-Length": size}))
        end = time.monotonic() + SLOW_SECONDS
        while time.monotonic() < end and not self.stopping.wait(0.5):
            conn.sendall(b"<p>" + b"." * 57 + b"</p>\n")

    # --- Too much -------------------------------------------------------------------------
    def too_big(self, conn: socket.socket) -> None:
        send(conn, 200, prose_bytes(BIG_SIZE))

    def too_big_streamed(self, conn: socket.socket) -> None:
        conn.sendall(status_line(200, {"Content-Type": HTML}))
        for chunk in _chunks(prose(HUGE_SIZE)):
            if self.stopping.is_set():
                return
            conn.sendall(chunk)
        conn.shutdown(socket.SHUT_WR)

    def gzip_bomb(self, conn: socket.socket) -> None:
        self._send_encoded(conn, gzip_bomb(), "gzip")

    def gzip_bomb_nested(self, conn: socket.socket) -> None:
        self._send_encoded(conn, nested_gzip_bomb(), "gzip, gzip")

    def _send_encoded(self, conn: socket.socket, body: bytes, encoding: str) -> None:
        conn.sendall(status_line(200, {"Content-Type": HTML, "Content-Encoding": encoding,
                                       "Content-Length": len(body)}))
        for start in range(0, len(body), 65536):
            conn.sendall(body[start:start + 65536])

    # --- Redirects ----------------------------------------------------------------------
    def redirect_loop(self, conn: socket.socket) -> None:
        send(conn, 302, b"", Location=self.url + "/hostile/redirect-loop/back")

    def loop_back(self, conn: socket.socket) -> None:
        send(conn, 302, b"", Location=self.url + "/hostile/redirect-loop")

    def redirect_chain(self, conn: socket.socket) -> None:
        send(conn, 301, b"", Location="/hostile/redirect-chain/1")

    def chain_hop(self, conn: socket.socket, hop: int) -> None:
        if hop >= CHAIN_HOPS:
            send(conn, 200, pages.listing_page("The end of the chain", [], self.url).encode())
        else:
            send(conn, 301, b"", Location=f"/hostile/redirect-chain/{hop + 1}")

    def redirect_elsewhere(self, conn: socket.socket) -> None:
        send(conn, 302, b"", Location=self.elsewhere + pages.ELSEWHERE.path)

    # --- Pages that lie -----------------------------------------------------------------
    def canonical_lie(self, conn: socket.socket) -> None:
        tram = pages.TRAM
        cut = (*tram.paragraphs[:2], tram.paragraphs[2][:90])
        html = pages.article_page(tram, self.url, canonical=self.url + tram.path,
                                  paragraphs=cut)
        send(conn, 200, html.encode())

    def truncated_article(self, conn: socket.socket) -> None:
        story = pages.TRUNCATED
        text = (*story.paragraphs[:-1], pages.TRUNCATED_AT)
        send(conn, 200, pages.article_page(story, self.url, paragraphs=text,
                                           close=False).encode())

    def malformed_head(self, conn: socket.socket) -> None:
        body = pages.article_page(pages.MALFORMED_HEAD, self.url).encode()
        head = status_line(200, {"Content-Type": HTML, "Content-Length": len(body)})
        bad = b"".join(line + b"\r\n" for line in pages.MALFORMED_HEADER_LINES)
        conn.sendall(head.replace(b"\r\n", b"\r\n" + bad, 1) + body)

    def empty(self, conn: socket.socket) -> None:
        send(conn, 200, b"")

    def binary(self, conn: socket.socket) -> None:
        send(conn, 200, random.Random(8).randbytes(64 * 1024))

    # --- Markup that attacks the extractor -----------------------------------------------
    def nested_divs(self, conn: socket.socket) -> None:
        send(conn, 200, pages.article_page(pages.BUS_CAFE, self.url,
                                           nest=("<div>", "</div>", 100_000)).encode())

    def nested_tables(self, conn: socket.socket) -> None:
        nest = ("<table><tr><td>", "</td></tr></table>", 10_000)
        send(conn, 200, pages.article_page(pages.MARKET_HALL, self.url, nest=nest).encode())

    def huge_title(self, conn: socket.socket) -> None:
        """The headline is only in the <title>, followed by 599 more parts."""
        story = pages.ROADWORKS
        parts = [f"{story.title} - {pages.SITE_NAME}", *(
            f"Live {n}: Millbrook traffic, weather and travel news as it happens, with road "
            "closures, rail disruption, bus diversions, ferry cancellations and the latest "
            "updates from our reporters across the town, the valley and the coast, every hour "
            "of the day and night, all week, all year round, from the newsroom of the Courier "
            "on Market Square, where our team has covered the town since 1887 and still "
            "answers every reader who writes to us, by post or by email, about anything that "
            "happens in the district, and on the Courier's radio bulletin every morning at "
            "seven and every evening at six" for n in range(1, 600))]
        title = f"<title>{escape(' | '.join(parts))}</title>"
        send(conn, 200, pages.article_page(story, self.url, title_tag=title,
                                           headline=False).encode())

    def missing_title_end(self, conn: socket.socket) -> None:
        story = pages.POOL
        title = f"<title>{escape(story.title)} - {pages.SITE_NAME}"  # and no </title>, ever
        send(conn, 200, pages.article_page(story, self.url, title_tag=title).encode())

    def nested_json_ld(self, conn: socket.socket) -> None:
        deep = ('<script type="application/ld+json">{"@context": "https://schema.org", '
                '"@type": "ItemList", "itemListElement": ' + "[" * 100_000 + "]" * 100_000
                + "}</script>\n")
        send(conn, 200, pages.article_page(pages.NESTED_JSON_LD, self.url,
                                           head_extra=deep).encode())

    def control_characters(self, conn: socket.socket) -> None:
        story = pages.CONTROL_CHARACTERS
        text = []
        for paragraph in story.paragraphs:
            for word, control in pages.CONTROL_AFTER.items():
                paragraph = paragraph.replace(f" {word} ", f" {word}{control} ", 1)
            text.append(paragraph)
        title = f"<title>{story.title}\x00 - {pages.SITE_NAME}</title>"
        send(conn, 200, pages.article_page(story, self.url, paragraphs=tuple(text),
                                           title_tag=title).encode())


def _chunks(parts: Iterator[bytes], size: int = 65536) -> Iterator[bytes]:
    """`parts` joined again into chunks of about `size` bytes."""
    buffer = b""
    for part in parts:
        buffer += part
        if len(buffer) >= size:
            yield buffer
            buffer = b""
    if buffer:
        yield buffer


class ElsewhereSite(RawSite):
    """Another server (another port, so another site): it serves one article, which a
    redirect of the hostile site points at; no page of it may be archived."""

    def route(self, path: str) -> Callable[[socket.socket], None] | None:
        if path == pages.ELSEWHERE.path:
            return lambda conn: send(conn, 200,
                                     pages.article_page(pages.ELSEWHERE, self.url).encode())
        return None


class Crawl(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    failures: dict[str, int]  # the crawl's `pages/failed/<reason>` stats, from its log

    @property
    def summary(self) -> str:
        """The one-line summary `scraper crawl news` prints."""
        return next((x for x in self.stdout.splitlines() if x.startswith("news:")), "")


def crawl_site(url: str, db: str | Path, settings: dict[str, object], timeout: float,
               watch: Callable[[int], None] | None = None) -> Crawl:
    """`scraper crawl news --url URL` into `db` with `settings` (-s), in a subprocess, as a
    person runs it; `watch(pid)` runs in a thread while it does (the bench measures memory).
    Shared by the crawl test and bench/hostile_crawl.py, so both crawl the site alike."""
    overrides = [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "scraper", "crawl", "-v", "news", "--url", url, "--db", str(db),
         *overrides], cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watcher = threading.Thread(target=watch, args=(process.pid,), daemon=True) if watch else None
    if watcher:
        watcher.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()  # past the limit: it hangs, which is what the caller reports
            process.communicate()
    if watcher:
        watcher.join()
    failures = {reason: int(n) for reason, n in
                re.findall(r"'pages/failed/(\w+)': (\d+)", stderr)}
    return Crawl(process.returncode, stdout, stderr, time.monotonic() - started, failures)
