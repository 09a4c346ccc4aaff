"""The hostile fixture site itself (tests/hostile_site.py): each endpoint misbehaves as it says,
read with raw sockets so that resets, short bodies and trickles are seen as they are sent."""

from __future__ import annotations

import gzip
import json
import re
import socket
import time
import zlib
from typing import NamedTuple
from urllib.parse import urlsplit

import hostile_pages as pages
import pytest
from hostile_site import BIG_SIZE, BOMB_SIZE, CHAIN_HOPS, HUGE_SIZE, ElsewhereSite, HostileSite
from parsel import Selector


class Answer(NamedTuple):
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes
    end: str  # how the connection ended: "closed", "reset" or "open" (still open at `wait`)


@pytest.fixture(scope="module")
def sites():
    with ElsewhereSite() as other, HostileSite(other.url) as site:
        yield site, other


@pytest.fixture(scope="module")
def site(sites):
    return sites[0]


def get(base: str, path: str, wait: float = 10.0) -> Answer:
    """GET `path` over a raw socket; read until the server closes or `wait` seconds pass."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        data, end, deadline = b"", "closed", time.monotonic() + wait
        while True:
            conn.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                chunk = conn.recv(1 << 20)
            except ConnectionResetError:
                end = "reset"
                break
            except TimeoutError:
                end = "open"
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return Answer(int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()},
                  body, end)


def test_errors_answer_the_same_every_time(site):
    for _ in range(3):
        assert get(site.url, "/hostile/error-500").status == 500
        answer = get(site.url, "/hostile/error-503")
        assert (answer.status, answer.headers["retry-after"]) == (503, "1")


def test_reset_and_short_body_stop_mid_body(site):
    reset = get(site.url, "/hostile/reset-mid-body")
    short = get(site.url, "/hostile/short-body")
    for answer in (reset, short):
        assert answer.status == 200
        assert len(answer.body) < int(answer.headers["content-length"])
    assert reset.end == "reset"
    assert short.end == "closed"
    assert len(short.body) == int(short.headers["content-length"]) * 2 // 5


def test_slow_body_trickles(site):
    answer = get(site.url, "/hostile/slow-body", wait=2.2)
    assert answer.end == "open"
    assert 0 < len(answer.body) <= 5 * 64 < int(answer.headers["content-length"])


def test_big_bodies(site):
    big = get(site.url, "/hostile/too-big")
    assert len(big.body) == int(big.headers["content-length"]) == BIG_SIZE
    huge = get(site.url, "/hostile/too-big-streamed", wait=60)
    assert "content-length" not in huge.headers
    assert (len(huge.body), huge.end) == (HUGE_SIZE, "closed")
    assert huge.body.count(b"<p>Item ") > 200_000  # a long page, not padding


def test_gzip_bombs_inflate_past_a_gigabyte(site):
    bomb = get(site.url, "/hostile/gzip-bomb", wait=30)
    assert bomb.headers["content-encoding"] == "gzip"
    assert len(bomb.body) == int(bomb.headers["content-length"]) < 1_200_000
    inflate, size = zlib.decompressobj(31), 0  # a gzip stream whose CRC and length check
    data = bomb.body
    while data:
        size += len(inflate.decompress(data, 1 << 24))
        data = inflate.unconsumed_tail
    assert inflate.eof and size == BOMB_SIZE > 1 << 30
    nested = get(site.url, "/hostile/gzip-bomb-nested")
    assert nested.headers["content-encoding"] == "gzip, gzip"
    assert len(nested.body) < 5_000
    assert gzip.decompress(nested.body) == bomb.body


def test_redirects(sites):
    site, other = sites
    first = get(site.url, "/hostile/redirect-loop")
    back = get(site.url, urlsplit(first.headers["location"]).path)
    assert (first.status, back.status) == (302, 302)
    assert urlsplit(back.headers["location"]).path == "/hostile/redirect-loop"
    path, hops = "/hostile/redirect-chain", 0
    while (answer := get(site.url, path)).status == 301:
        path, hops = answer.headers["location"], hops + 1
    assert (answer.status, hops) == (200, CHAIN_HOPS)
    away = get(site.url, "/hostile/redirect-elsewhere")
    target = urlsplit(away.headers["location"])
    assert away.status == 302
    assert f"{target.scheme}://{target.netloc}" == other.url != site.url
    stolen = get(other.url, target.path)
    assert stolen.status == 200 and pages.ELSEWHERE_MARK.encode() in stolen.body


def test_every_page_is_linked_listed_and_mapped(site):
    paths = [p for p, _ in site.stories()]
    assert set(site.ENDPOINTS) <= set(paths)
    assert len(paths) == len(set(paths)) == len(site.ENDPOINTS) + 6
    home = Selector(get(site.url, "/").body.decode())
    assert home.css("link[type='application/rss+xml']::attr(href)").get() == site.url + "/feed.xml"
    assert home.css("ul.headlines a::attr(href)").getall() == paths
    robots = get(site.url, "/robots.txt").body.decode()
    assert f"Sitemap: {site.url}/sitemap.xml" in robots
    mapped = re.findall(r"<loc>([^<]+)</loc>", get(site.url, "/sitemap.xml").body.decode())
    fed = re.findall(r"<link>([^<]+)</link>", get(site.url, "/feed.xml").body.decode())
    assert mapped == fed[1:] == [site.url + p for p in paths]  # fed[0]: the channel's link


def test_good_articles_are_news_markup(site):
    for story in site.GOOD:
        page = Selector(get(site.url, story.path).body.decode())
        data = json.loads(page.css("script[type='application/ld+json']::text").get())
        assert (data["@type"], data["headline"], data["datePublished"]) == (
            "NewsArticle", story.title, story.published)
        assert [a["name"] for a in data["author"]] == list(story.authors)
        assert page.css("meta[property='og:title']::attr(content)").get() == story.title
        assert page.css("link[rel=canonical]::attr(href)").get() == site.url + story.path
        assert page.css("div.story-body p::text").getall() == list(story.paragraphs)


def test_charset_lies(site):
    elus = get(site.url, pages.ELUS.path)
    assert elus.headers["content-type"] == "text/html; charset=iso-8859-1"
    assert b"<meta charset" not in elus.body
    assert "les élus du conseil".encode() in elus.body  # UTF-8 bytes
    cafe = get(site.url, pages.CAFE.path)
    assert cafe.headers["content-type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        cafe.body.decode("utf-8")
    assert '<meta charset="windows-1252">' in cafe.body.decode("cp1252")
    assert pages.CAFE.title in Selector(cafe.body.decode("cp1252")).css("h1::text").get()


def test_pages_that_lie(site):
    lie = Selector(get(site.url, "/hostile/canonical-lie").body.decode())
    assert lie.css("link[rel=canonical]::attr(href)").get() == site.url + pages.TRAM.path
    text = lie.css("div.story-body p::text").getall()
    assert "\n\n".join(pages.TRAM.paragraphs).startswith("\n\n".join(text))
    assert len(text) == 3
    truncated = get(site.url, "/hostile/truncated-article").body.decode()
    assert truncated.endswith(pages.TRUNCATED_AT)
    assert "</p>" in truncated and "</body>" not in truncated and "</html>" not in truncated
    empty = get(site.url, "/hostile/empty")
    assert (empty.status, empty.body, empty.headers["content-length"]) == (200, b"", "0")
    binary = get(site.url, "/hostile/binary")
    assert binary.headers["content-type"].startswith("text/html")
    with pytest.raises(UnicodeDecodeError):
        binary.body.decode("utf-8")


def test_markup_that_attacks_an_extractor(site):
    divs = get(site.url, "/hostile/nested-divs").body
    assert divs.count(b"<div>") == divs.count(b"</div>") - 2 == 100_000  # + the page's own
    tables = get(site.url, "/hostile/nested-tables").body
    assert tables.count(b"<table>") == 10_000
    title = re.search(r"<title>(.*?)</title>",
                      get(site.url, "/hostile/huge-title").body.decode(), re.S)[1]
    assert len(title.split(" | ")) == 600 and len(title) > 300_000
    unclosed = get(site.url, "/hostile/missing-title-end").body.decode()
    assert "<title>" in unclosed and "</title>" not in unclosed
    deep = get(site.url, "/hostile/nested-json-ld").body.decode()
    blocks = Selector(deep).css("script[type='application/ld+json']::text").getall()
    assert json.loads(blocks[0])["headline"] == pages.NESTED_JSON_LD.title
    with pytest.raises(RecursionError):
        json.loads(blocks[1])
    controls = get(site.url, "/hostile/control-characters").body.decode()
    for word, control in pages.CONTROL_AFTER.items():
        assert f" {word}{control} " in controls
    assert "\x00" in re.search(r"<title>(.*?)</title>", controls)[1]
