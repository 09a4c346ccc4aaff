"""What the archive knows of a URL before it is fetched again: the article's dates (for the
revisit policy) and the last stored fetch (its validators, and its body for a 304).

One indexed look-up per request, so memory stays the same whatever the archive's size."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlite_utils import Database

from scraper.archive.bodies import decompress
from scraper.items import Page


class ArticleDates(NamedTuple):
    published: str | None
    first_seen: str | None
    last_seen: str | None


class StoredFetch(NamedTuple):
    """The last fetch of a URL that answered 200, as `pages` keeps it."""

    headers: dict[str, str]
    encoding: str | None
    sha256: str
    kind: str | None  # pages.kind: what the page was (retention.py)

    def header(self, name: str) -> str | None:
        return header(self.headers, name)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name` in `headers`, whatever its case."""
    name = name.lower()
    return next((v for k, v in headers.items() if k.lower() == name), None)


def article_dates(db: Database, url: str) -> ArticleDates | None:
    """The dates of the archived article at `url`, or None when it is not archived."""
    row = db.execute("select published, first_seen, last_seen from articles where url = ?",
                     [url]).fetchone()
    return ArticleDates(*row) if row else None


# The last fetch of a URL (`{url}`) that answered 200: one definition for one URL and many.
LAST_FETCH = "pages where url = {url} and status = 200 order by fetched_at desc, id desc limit 1"


def last_fetch(db: Database, url: str) -> StoredFetch | None:
    row = db.execute("select headers, encoding, sha256, kind from "
                     + LAST_FETCH.format(url="?"), [url]).fetchone()
    if row is None:
        return None
    return StoredFetch(stored_headers(row[0]), row[1], row[2], row[3])


def last_fetches(db: Database, urls: Sequence[str]) -> dict[str, StoredFetch]:
    """`last_fetch` of each of `urls` that has one, in one query (the archive writer
    publishes them a thousand at a time: index.py)."""
    rows = db.execute("select u.value, p.headers, p.encoding, p.sha256, p.kind from "
                      "json_each(?) u join pages p on p.id = (select id from "
                      + LAST_FETCH.format(url="u.value") + ")", [json.dumps(list(urls))])
    return {url: StoredFetch(stored_headers(headers), encoding, sha256, kind)
            for url, headers, encoding, sha256, kind in rows}


def stored_headers(text: str | None) -> dict[str, str]:
    """A `pages.headers` value as a dict ({} for a value that is no JSON object)."""
    try:
        headers = json.loads(text or "{}")
    except ValueError:
        return {}
    return headers if isinstance(headers, dict) else {}


# The fetches of the archive as `fetch_record` reads them: add a where clause and an order.
# (One query for `scraper show` and the archived copies of `scraper serve`; p.*, since a
# served archive is read as it is, and one older than m007 has no `kind`.)
FETCHES = "select p.*, b.size from pages p left join page_bodies b on b.sha256 = p.sha256"
NEWEST_FIRST = " order by p.fetched_at desc, p.id desc"


def fetch_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of FETCHES as a record: its headers as a dict."""
    record = {"kind": None} | dict(row)
    record["headers"] = stored_headers(record["headers"])
    return record


def stored_page(fetch: Mapping[str, Any], body: bytes) -> Page:
    """The fetch `fetch` (a fetch_record) with its body as a Page, so that it is decoded as
    the crawl decoded it (Page.html)."""
    return Page(url=fetch["url"], fetched_url=fetch["final_url"] or fetch["url"],
                status=fetch["status"], headers=fetch["headers"], body=body,
                encoding=fetch["encoding"], fetched_at=fetch["fetched_at"], site="")


BODY = "select compression, content from page_bodies where sha256 = ?"  # then decompress


def stored_body(db: Database, digest: str) -> bytes | None:
    row = db.execute(BODY, [digest]).fetchone()
    return decompress(*row) if row else None
