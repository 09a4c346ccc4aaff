"""Which URL an article is stored under: the one it was fetched for, unless the page's
canonical link plainly names the same article.

A canonical link is the page's own claim. Taken at its word, a truncated copy (or any page
of the site) whose canonical link names another article would be stored as that article,
and the real page would then make a "revision" no publisher made. So the canonical link is
taken only when it is on the same site and differs from the fetched URL by what never
changes the article: the scheme, `www.`, a tracking query, a trailing slash, an AMP or
print variant (and the host, for a declared site crawled on a mirror). Otherwise the page
keeps its fetched URL and the refused link is noted in the provenance.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from scraper.extraction.document import Document
from scraper.extraction.fields.common import tagged
from scraper.sites import Site, generic_site
from scraper.urls import canonical_url, default_port, site_key

# Path forms of one article: /story/amp, /story.amp, /amp/story, /story/print, /print/story.
VARIANT_SUFFIX = re.compile(r"(/amp|\.amp|/print)(\.html?)?/?$", re.IGNORECASE)
VARIANT_PREFIX = re.compile(r"^/(amp|print)(?=/)", re.IGNORECASE)
VARIANT_PARAM = re.compile(r"^(amp|print|outputtype|view)$", re.IGNORECASE)


def article_url(doc: Document, url: str, site: Site, provenance: dict[str, str]) -> str:
    """The URL to store the article of `doc` (fetched for `url`) under; the choice, and a
    refused canonical link, go to `provenance`."""
    fetched = _normal(url, site)
    href = _canonical_link(doc, url)
    if href is None:
        provenance["url"] = "fetched"
        return fetched
    if not _on_site(href, url, site):
        provenance["url"] = "fetched"
        provenance["canonical_refused"] = f"another site: {href}"
        return fetched
    canonical = _normal(href, site)
    if _article_key(canonical) != _article_key(fetched):
        provenance["url"] = "fetched"
        provenance["canonical_refused"] = f"another article: {href}"
        return fetched
    provenance["url"] = "canonical"
    return canonical


def _canonical_link(doc: Document, url: str) -> str | None:
    for el in tagged(doc, "link"):
        if el.get("rel") != "canonical" or el.get("href") is None:
            continue
        href = urljoin(url, el.get("href").strip())
        if href.startswith(("http://", "https://")):
            return href
    return None


def _on_site(href: str, url: str, site: Site) -> bool:
    """The fetched URL's host and port (127.0.0.1:8001 is not 127.0.0.1:8002), or one of a
    declared site's own domains on the default port."""
    if site_key(href) == site_key(url):
        return True
    return site != generic_site(url) and site.owns(href) and default_port(href)


def _normal(url: str, site: Site) -> str:
    host = site.host if site.owns(url) else None
    return canonical_url(url, host=host, keep_query=site.keep_query)


def _article_key(url: str) -> tuple[str, str]:
    """What names the article in a normalised URL of the site: its path without variant
    marks and trailing slash, and its query without variant switches."""
    parts = urlsplit(url)
    path = VARIANT_PREFIX.sub("", VARIANT_SUFFIX.sub("", unquote(parts.path)))
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not VARIANT_PARAM.match(k)])
    return path.rstrip("/") or "/", query
