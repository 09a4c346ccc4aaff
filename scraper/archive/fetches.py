"""What the archive knows of a URL before it is fetched again: the article's dates (for the
revisit policy) and the last stored fetch (its validators, and its body for a 304).

One indexed look-up per request, so memory stays the same whatever the archive's size."""

from __future__ import annotations

import json
from typing import NamedTuple

from sqlite_utils import Database

from scraper.archive.bodies import decompress


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
        name = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


def article_dates(db: Database, url: str) -> ArticleDates | None:
    """The dates of the archived article at `url`, or None when it is not archived."""
    row = db.execute("select published, first_seen, last_seen from articles where url = ?",
                     [url]).fetchone()
    return ArticleDates(*row) if row else None


def last_fetch(db: Database, url: str) -> StoredFetch | None:
    row = db.execute("select headers, encoding, sha256, kind from pages where url = ? and "
                     "status = 200 order by fetched_at desc, id desc limit 1", [url]).fetchone()
    if row is None:
        return None
    try:
        headers = json.loads(row[0] or "{}")
    except ValueError:
        headers = {}
    return StoredFetch(headers if isinstance(headers, dict) else {}, row[1], row[2], row[3])


def stored_body(db: Database, digest: str) -> bytes | None:
    row = db.execute("select compression, content from page_bodies where sha256 = ?",
                     [digest]).fetchone()
    return decompress(*row) if row else None
