"""The SQLite archive: open (and migrate), write batches of articles, answer what is known."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from scraper.archive.schema import migrate
from scraper.archive.write import write_batch

DEFAULT_PATH = Path("data/archive.db")

__all__ = ["DEFAULT_PATH", "ArchiveError", "known_urls", "open_archive", "write_batch"]


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
