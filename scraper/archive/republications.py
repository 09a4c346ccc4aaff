"""Republications: an archived article paired with its original, archived from another site.

A pair is recorded (or brought up to date) whenever either side is written and the other
is in the archive: the republisher's article names its original source by URL, and the
original fetched by `--follow-sources` knows which articles led to it. Its similarity and
word counts say how much the republisher changed; the article page shows the diff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlite_utils import Database

from scraper.archive.diffs import compare_words
from scraper.sites import SITES, Site, site_for_url
from scraper.urls import canonical_url

if TYPE_CHECKING:
    from scraper.extraction.record import Article


def source_page(url: str | None, article_site: str) -> tuple[Site, str] | None:
    """The site of an original source cited at `url` and the archive's URL for it, when
    that is a web address on another site than the article's own (`article_site`)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    site = site_for_url(url)
    if site.name == article_site:
        return None  # the site's own article, not a republication
    host = site.host if site.name in SITES else None
    return site, canonical_url(url, host=host, keep_query=site.keep_query)


def cited_forms(url: str, site: Site | None) -> list[str]:
    """The ways a source line may cite the article at `url`: http or https, with or without
    "www." and a trailing slash, and on any domain of its declared `site` (None: a site
    with no declaration)."""
    parts = urlsplit(url)
    hosts = {parts.netloc}
    if site is not None:
        hosts |= {f"{www}{domain}" for domain in site.domains for www in ("", "www.")}
    stem = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return sorted({f"{scheme}://{host}{path}{query}" for scheme in ("https", "http")
                   for host in hosts for path in {stem or "/", f"{stem}/"}})


def record_republications(db: Database, articles: Iterable[Article], when: str,
                          republished_by: Mapping[str, Iterable[str]] | None = None) -> int:
    """Record the pairs the written `articles` make with what the archive holds; return how
    many were written or changed. `republished_by`: for an original fetched by following
    sources, the articles that led to it. Runs inside the batch's transaction."""
    pairs: set[tuple[str, str]] = set()
    for article in articles:
        url = article.url
        pairs.update((republished, url) for republished in (republished_by or {}).get(url, ()))
        source = source_page((article.original_source or {}).get("url"), article.site)
        if source:
            pairs.add((url, source[1]))
        # Articles of other sites archived before it that cite it (by its URL).
        forms = cited_forms(url, SITES.get(article.site))
        pairs.update((republished, url) for (republished,) in db.execute(
            "select url from articles where original_source_url in "
            f"({', '.join('?' for _ in forms)}) and site != ?", [*forms, article.site]))
        # A side written again (a changed page): its pairs are compared again.
        pairs.update(db.execute("select republished_url, original_url from republications "
                                "where republished_url = ? or original_url = ?", [url, url]))
    return sum(_record(db, republished, original, when) for republished, original in pairs)


def _record(db: Database, republished_url: str, original_url: str, when: str) -> bool:
    bodies = dict(db.execute("select url, body from articles where url in (?, ?)",
                             [republished_url, original_url]).fetchall())
    if republished_url == original_url or len(bodies) < 2:
        return False  # one side is not archived (yet)
    found = compare_words(bodies[original_url], bodies[republished_url])
    # recorded_at: when the comparison was made, or last changed.
    return db.execute(
        "insert into republications (republished_url, original_url, similarity, words_added, "
        "words_removed, recorded_at) values (?, ?, ?, ?, ?, ?) "
        "on conflict (republished_url, original_url) do update set "
        "similarity = excluded.similarity, words_added = excluded.words_added, "
        "words_removed = excluded.words_removed, recorded_at = excluded.recorded_at "
        "where (similarity, words_added, words_removed) "
        "is not (excluded.similarity, excluded.words_added, excluded.words_removed)",
        [republished_url, original_url, found.similarity, found.words_added,
         found.words_removed, when]).rowcount > 0
