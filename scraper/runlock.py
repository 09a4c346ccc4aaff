"""One crawl at a time per spider and start set on an archive: a lock file beside it.

A crawl run every few hours from cron can outlast its interval; the next one must not start
a second crawl of the same site into the same archive (both would fetch every page, and
share one JOBDIR). The lock is `fcntl.flock` on `<archive>.<job>.lock`: the kernel frees it
when its holder dies, however it dies, so a kill -9 or a reboot never leaves a stale lock to
clean by hand. The file stays (removing it would race with a process opening it) and names
the holder: its pid and when it started. Different spiders, or the news spider on other
sites, take other locks and run side by side (their writes to the archive take turns, each
batch one BEGIN IMMEDIATE transaction).
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, ClassVar, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from scraper.jobdir import job_name


class Locked(Exception):
    """Another process holds the lock: the message names it, in one line."""


def lock_path(db: Path, job: str) -> Path:
    """The lock of crawls named `job` (scraper.jobdir.job_name) into the archive `db`."""
    return db.with_name(f"{db.name}.{job}.lock")


class RunLock:
    """An exclusive, non-blocking lock on `path`, held from `acquire()` to `release()` (or
    as a context manager)."""

    # The locks this process holds: flock would refuse a second file of this process too.
    held: ClassVar[set[Path]] = set()

    def __init__(self, path: Path):
        self.path = path
        self.file: IO[str] | None = None

    def acquire(self) -> Self:
        """Take the lock, or raise Locked at once (OSError when the file cannot be made)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or "a process"
            file.close()
            raise Locked(f"{holder} holds {self.path}: this crawl did not start") from None
        file.seek(0)
        file.truncate()
        file.write(f"another crawl (pid {os.getpid()}, started "
                   f"{datetime.now(UTC).isoformat(timespec='seconds')})")
        file.flush()
        self.file = file
        self.held.add(self.path.resolve())
        return self

    def release(self) -> None:
        if self.file is not None:
            self.held.discard(self.path.resolve())
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class RunLockExtension:
    """The same lock for `scrapy crawl` and scrapyd, which do not go through `scraper crawl`
    (that one takes it first, before the archive is opened, and this one then stands
    aside). Taken when the crawler is built, before any component opens the archive or the
    JOBDIR: a crawl that finds it held fails there, with Locked and its one-line message."""

    def __init__(self, lock: RunLock):
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        spider = crawler.spider
        if spider is None:  # a crawler built by hand (tests), that will crawl nothing
            raise NotConfigured
        urls = tuple(getattr(spider, "start_pages", ()) or ())
        path = lock_path(Path(crawler.settings.get("ARCHIVE_PATH")), job_name(spider.name, urls))
        if path.resolve() in RunLock.held:
            raise NotConfigured  # `scraper crawl` holds it (no argument: nothing logged)
        extension = cls(RunLock(path).acquire())
        crawler.signals.connect(extension.release, signal=signals.engine_stopped)
        return extension

    def release(self) -> None:
        self.lock.release()
