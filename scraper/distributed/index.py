"""What the workers need to know of the archive, which they do not open: the writer
publishes it to Redis, the workers' IncrementalMiddleware reads it there.

- `articles`: each archived article's dates, for the revisit policy (scraper/revisit.py):
  an archived article not due is not fetched, one due is fetched again;
- `fetches`: the last fetch of each archived article that has an ETag or Last-Modified,
  so it is asked for conditionally and a 304 is "seen again, unchanged";
- `runs:<spider>`: the spider's complete runs (scraper/archive/runs.py), so a page a
  sitemap dates before the last complete run is not fetched.

Feeds, sitemaps and listings are fetched in full in worker mode (a 304 of one is answered
with the stored copy in a single-process crawl; the workers do not hold the archive's
bodies). Nothing is skipped that is not in the archive: the writer publishes an article
only after the batch that holds it is committed, and a worker that finds no index
(`ready` unset: no writer has run) skips nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from redis import Redis
from scrapy import Request, Spider
from sqlite_utils import Database

from scraper.archive.fetches import ArticleDates, StoredFetch, last_fetches
from scraper.archive.runs import complete_runs, complete_start, run_arguments
from scraper.conditional import STORED, IncrementalMiddleware, fetch_key
from scraper.distributed import Keys
from scraper.distributed.worker import state_of

CHUNK = 1000  # articles published per round trip


def publish_articles(server: Redis, keys: Keys, db: Database, urls: Iterable[str]) -> None:
    """Publish the dates and last fetch validators of the archived articles `urls`."""
    urls = list(urls)
    for start in range(0, len(urls), CHUNK):
        chunk = urls[start:start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        _publish(server, keys, db, db.execute("select url, published, first_seen, last_seen "
                                              f"from articles where url in ({marks})",
                                              chunk).fetchall())


def _publish(server: Redis, keys: Keys, db: Database, articles: list[tuple]) -> None:
    """Publish `articles` ((url, published, first_seen, last_seen) rows) in one round trip,
    their last fetches read in one query."""
    fetches = last_fetches(db, [url for url, *_ in articles])
    dates = {url: json.dumps(dates) for url, *dates in articles}
    validated = {url: json.dumps(fetch._asdict()) for url, fetch in fetches.items()
                 if fetch.header("ETag") or fetch.header("Last-Modified")}
    pipe = server.pipeline(transaction=False)
    for key, mapping in ((keys.articles, dates), (keys.fetches, validated)):
        if mapping:
            pipe.hset(key, mapping=mapping)
    pipe.execute()


def publish_runs(server: Redis, keys: Keys, db: Database, spider: str) -> None:
    server.set(keys.complete_runs(spider), json.dumps(complete_runs(db, spider)))


def publish_all(server: Redis, keys: Keys, db: Database) -> None:
    """The whole index, as the archive is now (the writer's start); then `ready`. The
    articles are read in one pass, CHUNK at a time (memory stays flat)."""
    articles = db.execute("select url, published, first_seen, last_seen from articles")
    while chunk := articles.fetchmany(CHUNK):
        _publish(server, keys, db, chunk)
    for (spider,) in db.execute("select distinct spider from runs"):
        publish_runs(server, keys, db, spider)
    server.set(keys.ready, b"1")


class SharedIncrementalMiddleware(IncrementalMiddleware):
    """IncrementalMiddleware (scraper/conditional.py) reading the writer's index in Redis."""

    known: tuple[str | None, Any, str, Any] | None = None  # (url, dates, key, fetch) read

    def spider_opened(self, spider: Spider) -> None:
        state = state_of(self.crawler)  # (the worker's own client: one per worker)
        self.keys = state.keys
        self.server = state.ledger.server
        self.db = self.server  # (what process_request checks: something to ask)
        found = self.server.get(self.keys.complete_runs(spider.name))
        started = complete_start([tuple(run) for run in json.loads(found)] if found else [],
                                 run_arguments(self.crawler))
        self.complete_day = started[:10] if started else None

    def spider_closed(self, spider: Spider) -> None:
        self.db = None

    def process_request(self, request: Request) -> None:
        """What IncrementalMiddleware asks of a request (its article's dates, its last
        fetch) read in one round trip, before it asks."""
        self.known = None
        if self.db is None or request.meta.get(STORED):
            return  # (IncrementalMiddleware asks nothing of it)
        url = request.meta.get("article_url")
        key = fetch_key(self.crawler.spider, request)
        pipe = self.server.pipeline(transaction=False)
        if url:
            pipe.hget(self.keys.articles, url)
        pipe.hget(self.keys.fetches, key)
        found = pipe.execute()
        self.known = (url, found[0] if url else None, key, found[-1])
        try:
            super().process_request(request)
        finally:
            self.known = None

    def dates(self, url: str) -> ArticleDates | None:
        known = self.known
        found = known[1] if known and known[0] == url else \
            self.server.hget(self.keys.articles, url)
        return ArticleDates(*json.loads(found)) if found else None

    def fetch(self, key: str) -> StoredFetch | None:
        known = self.known
        found: Any = known[3] if known and known[2] == key else \
            self.server.hget(self.keys.fetches, key)
        return StoredFetch(**json.loads(found)) if found else None

    def body(self, digest: str) -> bytes | None:
        return None  # (only articles are asked for conditionally: their 304 needs no body)
