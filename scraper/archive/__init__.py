"""The SQLite archive: open (and migrate), write batches of articles, answer what is known."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from scraper.archive.schema import migrate, migrations
from scraper.archive.transaction import write_transaction
from scraper.archive.write import write_batch

DEFAULT_PATH = Path("data/archive.db")
WAL_CHECKPOINT_PAGES = 16_000
# Read the file through memory mapping (up to 1 GiB of it): a full-text search that matches
# tens of thousands of articles looks up each one's row, and mapped pages cost no read call
# and no copy. On 100,000 articles, counting a word's 66,000 articles: 68 -> 35 ms.
MMAP_BYTES = 1 << 30

__all__ = ["DEFAULT_PATH", "MMAP_BYTES", "ArchiveError", "NotAnArchive", "archive_kind",
           "folder_read_only", "known_urls", "open_archive", "open_archive_readonly",
           "write_batch", "write_transaction"]


class ArchiveError(Exception):
    """The archive can't be opened or written: the message says why, in one line."""


class NotAnArchive(ArchiveError):
    """A file that holds something else than an archive of this project: it is left as it
    is, never given the archive's tables."""

    def __init__(self, path: str | Path):
        super().__init__(f"not a news-archiver archive: {path}")


def open_archive(path: str | Path, timeout: float = 30.0, *, mmap: bool = True) -> Database:
    """Open the archive at `path`, creating and migrating it; ArchiveError if impossible.

    `timeout` is how long a write waits for another writer (or a long reader's lock)
    before "database is locked". `mmap`: whether SQLite maps the file (see `_open`).
    """
    path = Path(path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return _open(path, timeout, mmap)
        except sqlite3.OperationalError as exc:
            # A new archive being created by another process can answer "locked" at once
            # (its journal mode changing under us) rather than after the busy timeout:
            # wait for it, as a write would.
            if not _busy(exc) or time.monotonic() >= deadline:
                raise ArchiveError(f"cannot open archive {path}: {exc}") from exc
            time.sleep(0.05)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"cannot open archive {path}: {exc}") from exc


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _open(path: Path, timeout: float, mmap: bool) -> Database:
    db = Database(sqlite3.connect(str(path), timeout=timeout))
    try:
        # Before anything that writes (even the journal mode is written in the file).
        if archive_kind(db) == "foreign":
            raise NotAnArchive(path)
        db.execute("PRAGMA journal_mode=WAL")
        # In WAL mode, NORMAL syncs at checkpoints instead of at every commit. A committed
        # batch still survives a crash of the process; only a power loss or an OS crash can
        # undo the last few commits (never corrupt the file). Those articles are then
        # missing from the archive, so the next crawl fetches them again: fine for a
        # re-fetchable archive, and each commit no longer waits for the disk.
        db.execute("PRAGMA synchronous=NORMAL")
        # Copy the WAL into the database every 16,000 pages (64 MB) rather than SQLite's
        # 1,000: pages that every batch changes (indexes, the full-text index) are copied
        # once per checkpoint, and the fsyncs are fewer. Writes: 1,930 -> 2,250 articles/s.
        db.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        db.execute("PRAGMA foreign_keys=ON")
        # A writer (the crawl's, the archive-writer) opens with `mmap=False`: it reads a few
        # index pages per article, and mapping the file only made every page it touched count
        # in its RSS, which so grew with the archive (file-backed 58 -> 96 MB from 1,000 to
        # 3,000 pages; bench/crawl_workers.py). Readers map it.
        db.execute(f"PRAGMA mmap_size={MMAP_BYTES if mmap else 0}")
        if migrations.pending(db):
            # Under the write lock, so that two crawls opening a new archive at once do not
            # both create it: the second waits, then finds nothing left to do.
            with write_transaction(db):
                migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def archive_kind(db: Database) -> str:
    """"archive" (made by this project), "empty" (no table yet: a new file) or "foreign"
    (another program's SQLite file, or no SQLite file at all). Reads only."""
    try:
        names = {row[0] for row in db.execute("select name from sqlite_master")}
        if not names:
            return "empty"
        if migrations.migrations_table in names and db.execute(
                f"select 1 from [{migrations.migrations_table}] where migration_set = ? "
                "limit 1", [migrations.name]).fetchone():
            return "archive"
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode != sqlite3.SQLITE_NOTADB:  # e.g. cannot open: not its kind
            raise
    return "foreign"


def open_archive_readonly(path: str | Path, timeout: float = 30.0) -> Database:
    """Open an existing archive to read it, never changing it: no migration (an older
    archive is read as it is) and no write. NotAnArchive for any other file.

    SQLite's read-only mode still sees what a running crawl commits; it needs the WAL's
    -shm index beside the file, so on a folder that cannot be written (a read-only medium,
    a shared copy) the archive is opened immutable instead: nothing is created there, and
    the file is read as the last checkpoint left it.
    """
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"no archive at {path}")
    mode = "mode=ro" + ("&immutable=1" if folder_read_only(path) else "")
    uri = f"file:{quote(str(path.resolve()))}?{mode}"
    try:
        db = Database(sqlite3.connect(uri, uri=True, timeout=timeout))
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot open archive {path}: {exc}") from exc
    try:
        if archive_kind(db) != "archive":
            raise NotAnArchive(path)
        db.execute("PRAGMA query_only=1")
        db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    except sqlite3.Error as exc:
        db.close()
        raise ArchiveError(f"cannot open archive {path}: {exc}") from exc
    except BaseException:
        db.close()
        raise
    return db


def folder_read_only(path: Path) -> bool:
    """Whether the archive's folder cannot be written (by this user, or at all: a read-only
    mount says so even to root), so SQLite could not create its -shm file there."""
    return not os.access(path.resolve().parent, os.W_OK)


def known_urls(db: Database, site: str) -> set[str]:
    """Canonical URLs already archived for `site`, so a crawl can skip them."""
    return {row["url"] for row in db.query("select url from articles where site = ?", [site])}
