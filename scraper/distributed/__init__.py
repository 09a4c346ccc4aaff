"""A crawl on many machines: workers share one frontier in Redis, one writer keeps the archive.

`scraper crawl SITE --redis URL` runs a worker: Scrapy with scrapy-redis' scheduler and
duplicate filter, so every worker of a spider, on any machine, takes its requests from one
queue and no URL is fetched twice. Its pipelines extract and validate as usual, but the last
step sends each record (article and raw page, page kept as evidence, gone page, 304 notice)
to a Redis stream instead of opening the archive (records.py). `scraper archive-writer
--redis URL --db PATH` is the one process that writes the archive (writer.py): it reads the
stream in batches with the archive's usual code (scraper/archive/session.py) and publishes
what the workers need to know of the archive (what is archived, when, its fetch validators,
the last complete runs: index.py).

Nothing in flight is lost (queue.py): a request popped by a worker is moved to that
worker's in-flight hash, and removed from it only in the same Redis transaction that sends
the records of its response (or when it has definitively failed). Each worker refreshes a
heartbeat key with a TTL; the in-flight requests of a worker whose heartbeat expired (killed,
its machine gone) are put back in the queue by a live worker, past the duplicate filter.
"""

from __future__ import annotations

from typing import Any

import redis

# Every key of a crawl starts with this (REDIS_KEY_PREFIX): one Redis can serve archives
# that do not share a frontier.
DEFAULT_PREFIX = "news-archiver"
# A worker's heartbeat lives this long (REDIS_HEARTBEAT_SECONDS); refreshed every third of it.
DEFAULT_HEARTBEAT = 30.0
# A worker closes once the frontier (queue and every worker's in-flight requests) has been
# empty this long (REDIS_IDLE_CLOSE_SECONDS).
DEFAULT_IDLE_CLOSE = 30.0


class RedisUnavailable(Exception):
    """A Redis URL that cannot be used, or a Redis that does not answer: one line."""


class BadSetting(Exception):
    """A setting the archive writer refuses (e.g. ARCHIVE_KEEP_LISTINGS=bogus): one line."""


def connect(url: str) -> redis.Redis:
    """A client of the Redis at `url` that has answered PING (RedisUnavailable if not)."""
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30,
                                      health_check_interval=30)
    except ValueError as exc:
        raise RedisUnavailable(f"not a Redis URL: {url!r} ({exc})") from exc
    try:
        server.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"cannot reach Redis at {url}: {exc}") from exc
    return server


class Keys:
    """The names of a crawl's keys in Redis, all under one prefix."""

    def __init__(self, prefix: str = DEFAULT_PREFIX):
        self.prefix = prefix
        self.records = f"{prefix}:records"  # the stream the writer reads
        self.workers = f"{prefix}:workers"  # hash: worker id -> the queue key it pops from
        self.articles = f"{prefix}:index:articles"  # hash: url -> [published, first, last]
        self.fetches = f"{prefix}:index:fetches"  # hash: article url -> its last fetch
        self.ready = f"{prefix}:index:ready"  # set once the writer published the index

    def queue(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:requests"

    def seen(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:dupefilter"

    def inflight(self, worker: str) -> str:
        return f"{self.prefix}:inflight:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def complete_runs(self, spider: str) -> str:
        return f"{self.prefix}:index:runs:{spider}"


def keys_of(settings: Any) -> Keys:
    return Keys(settings.get("REDIS_KEY_PREFIX") or DEFAULT_PREFIX)


def worker_settings(url: str, settings: Any) -> dict[str, Any]:
    """The settings that make a crawl a worker of the distributed crawl at `url`."""
    keys = keys_of(settings)
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines["pipelines.archive.ArchivePipeline"] = None
    pipelines["scraper.distributed.records.RecordPipeline"] = 800
    downloader = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    downloader["scraper.conditional.IncrementalMiddleware"] = None
    downloader["scraper.distributed.index.SharedIncrementalMiddleware"] = 50
    extensions = dict(settings.getdict("EXTENSIONS"))
    # Several workers may share a machine and a --db path: no lock, no JOBDIR (the frontier
    # is in Redis, and persists there).
    extensions["scraper.runlock.RunLockExtension"] = None
    extensions["scraper.jobdir.JobdirGuard"] = None
    extensions["scraper.distributed.worker.Worker"] = 10
    return {
        "REDIS_URL": url,
        "SCHEDULER": "scraper.distributed.queue.SharedScheduler",
        "SCHEDULER_QUEUE_CLASS": "scraper.distributed.queue.ReliableQueue",
        "DUPEFILTER_CLASS": "scraper.distributed.queue.SharedDupeFilter",
        "SCHEDULER_QUEUE_KEY": keys.queue("%(spider)s"),
        "SCHEDULER_DUPEFILTER_KEY": keys.seen("%(spider)s"),
        "SCHEDULER_PERSIST": True,
        "JOBDIR": "",
        "ITEM_PIPELINES": pipelines,
        "DOWNLOADER_MIDDLEWARES": downloader,
        "EXTENSIONS": extensions,
    }
