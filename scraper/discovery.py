"""Where a site lists its articles: robots.txt, sitemaps (indexes, Google News), RSS/Atom
feeds, the WordPress REST API and the home page's links. Plain parsing of fetched bodies,
so each route is tested without a crawl; the spiders decide what to fetch."""

from __future__ import annotations

import calendar
import json
import re
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from scraper.extraction.dates import find_date

# Tried when the home page names no feed, and when robots.txt names no sitemap.
FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml")
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml")
# WordPress REST posts, page N, from the API root (`<link rel="https://api.w.org/">`).
REST_POSTS = "wp/v2/posts?page={page}&per_page=20"
# Child sitemaps of taxonomies, people and static pages list no articles (WordPress core,
# Yoast, Rank Math): matched on the file name only, so /category/news/sitemap.xml is read.
NON_ARTICLE_SITEMAP = re.compile(
    r"(taxonom|categor|post_tag|author|(?<![a-z0-9])(tags?|users?)[-_.]|"
    r"(?<![a-z0-9])page-sitemap|-posts-page-)[^/]*$", re.IGNORECASE)
# Links a link-following crawl never fetches: files, feeds, accounts, comment and share traps.
NOT_A_PAGE = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|pdf|zip|gz|mp[34]|mov|avi|css|js|xml|json|rss|atom|txt)$"
    r"|/(feed|rss|amp|wp-admin|wp-login\.php|login|logout|signin|register|subscribe|cart|"
    r"checkout|account|print)(/|$)|[?&](replytocom|share|print|action|doing_wp_cron|amp)=",
    re.IGNORECASE)


# A date in a URL path: /2026/05/12/slug, /2026-05-12-slug, sitemap-2019-05.xml (a month).
URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_/](0[1-9]|1[0-2])(?:[-_/](0[1-9]|[12]\d|3[01]))?"
                      r"(?![\d])")


class Entry(NamedTuple):
    """A link to a (probable) article and the day it was published or last changed."""

    url: str
    published: str | None = None


class SitemapContent(NamedTuple):
    """A parsed sitemap: an index of child sitemaps, or a set of pages."""

    is_index: bool
    entries: list[Entry]


def url_day(url: str) -> str | None:
    """The last day a URL's path date can stand for: the day itself, or the month's last
    day when only a month is given. Sites date article and sitemap paths by publication, so
    this dates what a sitemap, feed or link gives undated."""
    match = URL_DATE.search(urlsplit(url).path)
    if match is None:
        return None
    year, month, day = int(match[1]), int(match[2]), match[3]
    if day:
        return f"{year:04d}-{month:02d}-{day}"
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def robots_sitemaps(body: bytes, robots_url: str) -> list[str]:
    """The `Sitemap:` URLs of a robots.txt, made absolute."""
    return list(sitemap_urls_from_robots(body, base_url=robots_url))


def parse_sitemap(body: bytes) -> SitemapContent | None:
    """Entries of a sitemap or sitemap index (gzipped or not), or None when `body` is not
    one. Each entry's day is its Google News publication date, else its `lastmod`."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body)
        except OSError:
            return None
    if b"<" not in body[:1000]:
        return _text_sitemap(body)
    try:
        sitemap = _NewsSitemap(body)
    except (StopIteration, SyntaxError, ValueError):
        return None
    if sitemap.type not in ("urlset", "sitemapindex"):
        return None
    entries = [Entry(d["loc"], find_date(d.get("publication_date") or d.get("lastmod") or ""))
               for d in sitemap if d.get("loc")]
    return SitemapContent(sitemap.type == "sitemapindex", entries)


def _text_sitemap(body: bytes) -> SitemapContent | None:
    """A sitemap in the protocol's plain-text form: one URL a line, nothing else."""
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines()]
    urls = [line for line in lines if line]
    if not urls or not all(u.startswith(("http://", "https://")) for u in urls):
        return None
    return SitemapContent(False, [Entry(u) for u in urls])


class _NewsSitemap(Sitemap):
    """Scrapy's sitemap reader, which keeps only direct children of `<url>`, taught to read
    the Google News `<news:news><news:publication_date>` nested inside."""

    def _process_sitemap_element(self, elem):  # noqa: ANN001, ANN202 (Scrapy's signature)
        published = next((el.text for el in elem.iter() if isinstance(el.tag, str)
                          and el.tag.endswith("publication_date") and el.text), None)
        found = super()._process_sitemap_element(elem)
        if found is not None and published:
            found["publication_date"] = published.strip()
        return found


def feed_entries(body: bytes | str) -> list[Entry]:
    """Items of an RSS or Atom feed (RSS `<link>` text, Atom `<link href>`), with their day."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    sel = Selector(text=text, type="xml")
    sel.remove_namespaces()
    entries = []
    for item in sel.xpath("//item | //entry"):
        link = (item.xpath("link[not(@rel) or @rel='alternate']/@href").get()
                or item.xpath("link/text()").get()
                or item.xpath("guid[not(@isPermaLink) or @isPermaLink='true']/text()").get())
        when = item.xpath("pubDate/text() | published/text() | updated/text() | date/text()"
                          ).get()
        if link and link.strip():
            entries.append(Entry(link.strip(), find_date(when or "")))
    return entries


def is_feed(body: bytes) -> bool:
    """True when `body` looks like an RSS or Atom document (not an HTML 'not found')."""
    head = body[:2000].lstrip().lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def rest_entries(text: str) -> list[Entry] | None:
    """Posts of a WordPress REST answer (`/wp/v2/posts`), or None when it is not a list."""
    try:
        posts = json.loads(text)
    except ValueError:
        return None
    if not isinstance(posts, list):
        return None
    return [Entry(post["link"], find_date(str(post.get("date") or "")))
            for post in posts if isinstance(post, dict) and isinstance(post.get("link"), str)]


def lists_wp_posts(text: str) -> bool:
    """True when a WordPress API root (`/wp-json/`) answer offers the wp/v2 namespace."""
    try:
        root = json.loads(text)
    except ValueError:
        return False
    return isinstance(root, dict) and "wp/v2" in (root.get("namespaces") or [])


class HomeLinks(NamedTuple):
    """What a site's home page says about where its articles are listed."""

    feeds: list[str]
    rest_api: str | None
    wordpress: bool


def home_links(html: str, url: str) -> HomeLinks:
    """Feeds named by `<link rel="alternate">`, the REST API root named by
    `<link rel="https://api.w.org/">`, and whether the page is made by WordPress."""
    sel = Selector(text=html or "<html></html>")
    feeds = []
    for link in sel.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower()
        if "alternate" in rel and kind in ("application/rss+xml", "application/atom+xml"):
            href = urljoin(url, link.attrib["href"].strip())
            # Comment feeds list comments, not stories.
            if "/comments/" not in href and href not in feeds:
                feeds.append(href)
    api = sel.xpath("//link[@rel='https://api.w.org/']/@href").get()
    wordpress = bool(api) or "/wp-content/" in html or "/wp-includes/" in html
    return HomeLinks(feeds, urljoin(url, api.strip()) if api else None, wordpress)


def page_links(sel: Selector, url: str) -> list[str]:
    """Absolute http(s) links of a page, without fragments, in page order, each once."""
    seen: dict[str, None] = {}
    for href in sel.xpath("//a/@href").getall():
        link = urljoin(url, href.strip()).split("#", 1)[0]
        if not link.startswith(("http://", "https://")):
            continue
        parts = urlsplit(link)
        if not NOT_A_PAGE.search(parts.path + ("?" + parts.query if "?" in link else "")):
            seen.setdefault(link, None)
    return list(seen)
