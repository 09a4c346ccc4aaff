"""A crawl as a scheduled job: one at a time per spider and start set on an archive, and
resumed by the next start when it did not finish, with nobody passing -s JOBDIR."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Self

from scrapy.settings import SETTINGS_PRIORITIES, Settings

from scraper.archive import ArchiveError
from scraper.jobdir import auto_jobdir, job_name, remove_if_done
from scraper.runlock import RunLock, lock_path

logger = logging.getLogger(__name__)


class CrawlJob:
    """Hold the lock of (archive, spider, start URLs) while the block runs, and give the
    crawl its own JOBDIR under `jobs/` beside the archive unless a JOBDIR was set (an empty
    one, `-s JOBDIR=`, turns resuming off). On leaving the block without an exception, that
    JOBDIR is removed when it holds nothing to resume (the crawl finished)."""

    def __init__(self, db: Path, spider: str, urls: tuple[str, ...], base_url: str | None,
                 settings: Settings):
        self.db = db
        self.lock = RunLock(lock_path(db, job_name(spider, urls)))
        self.jobdir: Path | None = None
        if settings.getpriority("JOBDIR") == SETTINGS_PRIORITIES["default"]:
            self.jobdir = auto_jobdir(db, job_name(spider, urls, base_url))
            settings.set("JOBDIR", str(self.jobdir), priority="cmdline")

    def __enter__(self) -> Self:
        """Take the lock (Locked when another crawl has it; ArchiveError when its file
        cannot be made beside the archive: the archive could not be written either)."""
        try:
            self.lock.acquire()
        except OSError as exc:
            raise ArchiveError(f"cannot open archive {self.db}: {exc.strerror or exc}") from exc
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        try:
            if kind is None and self.jobdir is not None and remove_if_done(self.jobdir):
                logger.debug("JOBDIR %s removed: nothing left to resume", self.jobdir)
        finally:
            self.lock.release()
