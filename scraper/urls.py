"""Canonical article URLs, so one story is one archive row whatever link led to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track a click: they never change the page.
TRACKING_PARAM = re.compile(
    r"^(utm_\w*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|ocid|ncid|cmpid|"
    r"ref|ref_src|src|share|amp|output|doing_wp_cron|__twitter_impression)$",
    re.IGNORECASE,
)


def canonical_url(url: str, *, host: str | None = None, keep_query: bool = True) -> str:
    """Return `url` with https, an optional fixed host, no fragment and no tracking query.

    `host` (e.g. "www.globalresearch.ca") replaces the URL's host, so that the bare host,
    http links and a local mirror all map to the one address the publisher uses.
    """
    parts = urlsplit(url.strip())
    netloc = (host or parts.netloc).lower()
    path = parts.path or "/"
    query = ""
    if keep_query and parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if not TRACKING_PARAM.match(k)]
        query = urlencode(kept)
    return urlunsplit(("https", netloc, path, query, ""))


def on_mirror(url: str, base: str) -> str:
    """`url`'s path and query on the mirror at `base` (e.g. a local copy of the site)."""
    parts = urlsplit(url)
    return base + parts.path + (f"?{parts.query}" if parts.query else "")


def host_of(url: str) -> str:
    """The host of `url`, lower-cased, without a leading "www."."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def host_and_port(url: str) -> str:
    """The host of `url` (as `host_of` gives it), with its port unless that is 80 or 443:
    the name of a site with no declaration. Two fixture sites on 127.0.0.1 are two sites;
    `example.com` keeps its bare name, even once an http link on :80 is made https."""
    host = host_of(url)
    try:
        port = urlsplit(url).port
    except ValueError:  # not a port number
        port = None
    return f"{host}:{port}" if host and port not in (None, 80, 443) else host


def same_site(url: str, domains: tuple[str, ...]) -> bool:
    """True when `url` is on one of `domains` or a subdomain of one."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)


def netloc_of(url: str) -> str:
    """Host and port of `url`, lower-cased, as written (with "www.", without user info)."""
    return urlsplit(url).netloc.lower().rpartition("@")[2]


def site_key(url: str) -> str:
    """Host and port of `url` without "www." (nor the scheme's default port): what makes
    two URLs one site for a crawl (a local fixture on 127.0.0.1:8001 is not the one on
    :8002)."""
    netloc = netloc_of(url).removeprefix("www.")
    default = {"http": ":80", "https": ":443"}.get(urlsplit(url).scheme.lower())
    return netloc.removesuffix(default) if default else netloc


def default_port(url: str) -> bool:
    """True when `url` names no port, or its scheme's default one (80, 443)."""
    parts = urlsplit(url)
    try:
        return parts.port in (None, {"http": 80, "https": 443}.get(parts.scheme.lower()))
    except ValueError:  # not a port number
        return False


def read_url_list(text: str) -> list[str]:
    """URLs of a list file: one per line; blank lines and `#` comments are skipped."""
    lines = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]
