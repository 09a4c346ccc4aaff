"""Scrapy's JOBDIR made safe: a killed crawl is resumed by discovering again, never by a
seen-requests file that says everything was done.

Scrapy keeps two things in a JOBDIR: `requests.seen`, the fingerprint of every request ever
scheduled (appended as they come), and `requests.queue`, the requests still to fetch, whose
index (`active.json`) is written only when the crawl closes cleanly. After a kill -9 the
seen-file names every request scheduled, fetched or not, and the queue is lost: each later
run with that JOBDIR had its start requests filtered as duplicates and finished at once,
"0 new … finished", even into an empty archive.

So the archive, not the JOBDIR, is the record of what is done: the archive skips the
articles it holds (scraper/conditional.py), and running discovery again IS the resume.
The JOBDIR keeps only what a clean stop (Ctrl-C, CLOSESPIDER_TIMEOUT) leaves:

- `JobdirGuard` (an extension, so `scrapy crawl` has it too) writes a marker when a crawl
  starts and removes it when the crawl closes. A marker found at start, or a queue with no
  index, means the last crawl never closed: its seen-file and queue are discarded, with one
  warning, before Scrapy's scheduler reads them. A crawl that finished (nothing left to
  fetch) or did not archive all it fetched clears them too, so the next run starts clean.
- `ResumeDupeFilter` filters a start request only against this run's own requests: the
  start pages (a site's feeds, REST API and listings; the news spider's robots.txt and home
  page) are read again by a resumed crawl, so what appeared since is found.

`scraper crawl` gives every crawl a JOBDIR of its own unless told otherwise (`auto_jobdir`):
one per archive, spider and start set, under `jobs/` beside the archive, removed once a run
has finished with it. A scheduled crawl stopped by a reboot (SIGTERM) resumes its queue on
the next start, without anyone passing -s JOBDIR.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import logging
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.squeues import PickleLifoDiskQueue
from scrapy.utils.job import job_dir
from scrapy.utils.request import RequestFingerprinterProtocol

logger = logging.getLogger(__name__)

MARKER = "crawl.running"  # present while a crawl uses the JOBDIR
SEEN = "requests.seen"  # RFPDupeFilter's
QUEUE = "requests.queue"  # the scheduler's; active.json inside it is its index
QUEUE_INDEX = "active.json"
# Stats of articles fetched but not archived (so never to be filtered as seen).
UNARCHIVED = ("archive/unwritten", "articles/dropped/limit")


def left_by_killed_crawl(jobdir: Path) -> bool:
    """True when the last crawl with `jobdir` never closed: its marker is still there, or
    (a JOBDIR of a version without markers) it left requests with no queue index."""
    if (jobdir / MARKER).exists():
        return True
    has_state = (jobdir / SEEN).exists() or (jobdir / QUEUE).exists()
    return has_state and not (jobdir / QUEUE / QUEUE_INDEX).exists()


def clear_state(jobdir: Path) -> None:
    """Remove the seen-file and the queue (not spider.state: that is the spider's own)."""
    (jobdir / SEEN).unlink(missing_ok=True)
    shutil.rmtree(jobdir / QUEUE, ignore_errors=True)


def write_marker(jobdir: Path, spider: str) -> None:
    """Say that a crawl uses `jobdir` (written whole: a kill while writing leaves no half)."""
    text = json.dumps({"spider": spider, "pid": os.getpid(),
                       "started": datetime.now(UTC).isoformat(timespec="seconds")})
    partial = jobdir / f"{MARKER}.tmp"
    partial.write_text(text, encoding="utf-8")
    partial.replace(jobdir / MARKER)


def marker_text(jobdir: Path) -> str:
    try:
        return (jobdir / MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return "no marker"


def job_name(spider: str, urls: tuple[str, ...] = (), base_url: str | None = None) -> str:
    """The name of a spider's crawls of one start set: the spider's name, with a digest of
    its start URLs and mirror when it has any (the news spider crawls any sites)."""
    if not urls and not base_url:
        return spider
    start = json.dumps([sorted({url.strip() for url in urls}), base_url or ""])
    return f"{spider}-{hashlib.sha256(start.encode()).hexdigest()[:12]}"


def auto_jobdir(db: Path, job: str) -> Path:
    """The JOBDIR of crawls named `job` into the archive `db`: `jobs/<archive>-<job>/`
    beside it (data/archive.db: data/jobs/archive-globalresearch/)."""
    return db.parent / "jobs" / f"{db.stem}-{job}"


def remove_if_done(jobdir: Path) -> bool:
    """Remove a JOBDIR that holds nothing to resume (JobdirGuard cleared it: the crawl
    finished, or must fetch again what it did not archive); True if removed."""
    if any((jobdir / name).exists() for name in (SEEN, QUEUE, MARKER)):
        return False
    shutil.rmtree(jobdir, ignore_errors=True)
    with contextlib.suppress(OSError):  # jobs/ itself, once its last JOBDIR is gone
        jobdir.parent.rmdir()
    return True


class JobdirGuard:
    """Make a JOBDIR left by a killed crawl harmless, and clear a finished crawl's."""

    def __init__(self, crawler: Crawler, jobdir: Path):
        self.crawler = crawler
        self.jobdir = jobdir

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = job_dir(crawler.settings)
        if not path:
            raise NotConfigured
        guard = cls(crawler, Path(path))
        # Extensions are built before the scheduler: its dupefilter and queue have not read
        # the JOBDIR yet.
        guard.prepare(crawler.spidercls.name)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def prepare(self, spider: str) -> None:
        if left_by_killed_crawl(self.jobdir):
            logger.warning(
                "JOBDIR %s was left by a crawl that did not close (%s): its seen requests and "
                "queue are discarded; discovery runs again and the archive skips what it holds",
                self.jobdir, marker_text(self.jobdir))
            clear_state(self.jobdir)
        elif (self.jobdir / QUEUE / QUEUE_INDEX).exists():
            logger.info("JOBDIR %s: resuming the crawl stopped there", self.jobdir)
        write_marker(self.jobdir, spider)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """The scheduler has saved its queue by now; keep it only for a crawl that stopped
        with work left and archived all it fetched."""
        if unwritten := self.unarchived():
            logger.info("JOBDIR %s cleared: %d articles fetched were not archived, and the "
                        "next run must fetch them again", self.jobdir, unwritten)
            clear_state(self.jobdir)
        elif reason == "finished":
            logger.info("JOBDIR %s cleared: the crawl finished, the next one starts afresh",
                        self.jobdir)
            clear_state(self.jobdir)
        else:
            logger.info("JOBDIR %s kept (%s): the next crawl with it resumes this one",
                        self.jobdir, reason)
        (self.jobdir / MARKER).unlink(missing_ok=True)


    def unarchived(self) -> int:
        """Articles fetched (so "seen") but not archived: left unwritten by a locked archive,
        or dropped past --limit by the requests still in flight when it was reached."""
        stats = self.crawler.stats
        if stats is None:
            return 0
        return sum(stats.get_value(key, 0) for key in UNARCHIVED)


class ResumeDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, except for start requests (Scrapy marks them
    `is_start_request`): one is filtered only when this run already had it, never by the
    seen-file of an earlier run. Other requests are filtered as Scrapy does."""

    def __init__(self, path: str | None = None, debug: bool = False, *,
                 fingerprinter: RequestFingerprinterProtocol | None = None):
        super().__init__(path, debug, fingerprinter=fingerprinter)
        self.starts: set[bytes] = set()

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)  # records it either way
        if not request.meta.get("is_start_request"):
            return seen
        fingerprint = self.fingerprinter.fingerprint(request)
        if fingerprint in self.starts:
            return True
        self.starts.add(fingerprint)
        return False


class RequestDiskQueue(PickleLifoDiskQueue):
    """Scrapy's default disk queue (SCHEDULER_DISK_QUEUE), storing the same dict per
    request, but naming its callback and errback from a table made once per spider:
    Scrapy lists the spider's members (inspect.getmembers) twice for every request it
    queues, a tenth of the crawl process's time when a sitemap index lists 10,000 pages."""

    def push(self, request: Request) -> None:
        super(PickleLifoDiskQueue, self).push(request_dict(request, self.spider))


_METHODS: WeakKeyDictionary[Spider, dict[Any, str]] = WeakKeyDictionary()


def request_dict(request: Request, spider: Spider) -> dict[str, Any]:
    """`request.to_dict(spider=spider)`, the spider's method names looked up in a table."""
    names = _METHODS.get(spider)
    if names is None:
        names = _METHODS[spider] = {
            method.__func__: name
            for name, method in reversed(inspect.getmembers(spider, inspect.ismethod))}
    callback, errback = (_method_name(names, f) for f in (request.callback, request.errback))
    if _MISSING in (callback, errback):  # no method of the spider: Scrapy's answer (or error)
        return request.to_dict(spider=spider)
    data = {"url": request.url, "callback": callback, "errback": errback,
            "headers": dict(request.headers)}
    for attr in request.attributes:
        data.setdefault(attr, getattr(request, attr))
    if type(request) is not Request:
        data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
    return data


_MISSING = object()


def _method_name(names: dict[Any, str], func: Callable | str | None) -> Any:
    """The name of the spider's method `func` (_MISSING when it is none); what is no
    callable (None, a name) is stored as it is."""
    if not callable(func):
        return func
    return names.get(getattr(func, "__func__", None), _MISSING)
