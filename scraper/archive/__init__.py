"""The SQLite archive: open (and migrate), write batches of articles, answer what is known."""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from scraper.archive.schema import migrate
from scraper.items import ArticleItem

DEFAULT_PATH = Path("data/archive.db")

# Columns whose change makes a re-crawled article "updated" rather than "unchanged".
COMPARED = ("title", "subtitle", "byline", "authors", "published", "tags", "body",
            "original_source", "original_source_url", "original_source_date")


class ArchiveError(Exception):
    """The archive can't be opened or written: the message says why, in one line."""


def open_archive(path: str | Path, timeout: float = 30.0) -> Database:
    """Open the archive at `path`, creating and migrating it; ArchiveError if impossible.

    `timeout` is how long a write waits for another writer (or a long reader's lock)
    before "database is locked".
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(sqlite3.connect(str(path), timeout=timeout))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrate(db)
    except (OSError, sqlite3.Error) as exc:
        raise ArchiveError(f"cannot open archive {path}: {exc}") from exc
    return db


def known_urls(db: Database, site: str) -> set[str]:
    """Canonical URLs already archived for `site`, so a crawl can skip them."""
    return {row["url"] for row in db.query("select url from articles where site = ?", [site])}


def write_batch(db: Database, items: list[ArticleItem]) -> Counter[str]:
    """Write articles and their raw pages in one transaction; count new/updated/unchanged."""
    counts: Counter[str] = Counter()
    with db.atomic():
        for item in items:
            counts[_write_one(db, item)] += 1
    return counts


def _write_one(db: Database, item: ArticleItem) -> str:
    article, page = item.article, item.page
    row = _article_row(item)
    existing = next(db.query("select * from articles where url = ?", [article.url]), None)
    if existing is None:
        outcome = "new"
        row["first_seen"] = row["last_seen"]
        db["articles"].insert(row)
    else:
        changed = any(existing.get(k) != row.get(k) for k in COMPARED)
        outcome = "updated" if changed else "unchanged"
        row["first_seen"] = existing["first_seen"]
        db["articles"].update(article.url, row)
    _link(db, article.url, "authors", "article_authors", "author_id",
          [{"name": n} for n in article.authors])
    _link(db, article.url, "tags", "article_tags", "tag_id", article.tags)
    db["pages"].upsert(
        {
            "url": article.url,
            "fetched_url": page.fetched_url,
            "status": page.status,
            "headers": json.dumps(page.headers, ensure_ascii=False),
            "encoding": page.encoding,
            "fetched_at": page.fetched_at,
            "sha256": hashlib.sha256(page.body).hexdigest(),
            "html_gzip": gzip.compress(page.body),
        },
        pk="url",
    )
    return outcome


def _article_row(item: ArticleItem) -> dict[str, object]:
    a = item.article
    source = a.original_source or {}
    return {
        "url": a.url,
        "site": a.site,
        "title": a.title,
        "subtitle": a.subtitle,
        "byline": a.byline,
        "authors": json.dumps(a.authors, ensure_ascii=False),
        "published": a.published,
        "published_text": a.published_text,
        "tags": json.dumps(a.tags, ensure_ascii=False),
        "body": a.body,
        "original_source": source.get("name"),
        "original_source_url": source.get("url"),
        "original_source_date": source.get("date"),
        "language": a.language,
        "word_count": a.word_count,
        "content_hash": a.content_hash,
        "fetched_at": a.fetched_at,
        "last_seen": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _link(db: Database, url: str, table: str, link_table: str, key: str,
          records: list[dict[str, str]]) -> None:
    """Replace the article's links to `table` rows (authors or tags), keeping their order."""
    db.execute(f"delete from {link_table} where article_url = ?", [url])
    for position, record in enumerate(records):
        ident = db[table].lookup(record)
        db[link_table].insert({"article_url": url, key: ident, "position": position},
                              replace=True)
