"""A worker's last pipeline step: each record goes to the archive writer through a Redis
stream, sent in the transaction that ends the request it came from.

A record is what the archive pipeline of a single-process crawl would have batched: an
article with its raw page, a page kept as evidence (dropped, blocked, no article) or as a
listing, the 404/410 answer of an article URL, the URL of an archived article that answered
304; plus a worker's `start` and `finish` (its run). Records are held per in-flight request
(its token, queue.py) and sent, with the removal of the request from the in-flight hash, in
one Lua script when the response is done: a worker killed before that sends nothing and its
request is fetched again; after it, nothing is fetched twice.

Entries are pickled (as scrapy-redis pickles its requests): the Redis of a crawl must be
reachable only by the crawl's own machines.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from redis import Redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from pipelines.archive import ArchiveEvents
from scraper.items import ArticleItem, Page

logger = logging.getLogger(__name__)

# Entry kinds, in the order the writer may see them for one worker.
START, ARTICLE, GONE, KEPT, UNCHANGED, DROPPED, FINISH = (
    "start", "article", "gone", "kept", "unchanged", "dropped", "finish")


# KEYS: the in-flight hash, the stream, the queue; ARGV: token, whether a replacement is
# queued, its score and data, then (kind, worker, data) of each record.
ACK = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] == '1' then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4]) end
for i = 5, #ARGV, 3 do
  redis.call('XADD', KEYS[2], '*', 'kind', ARGV[i], 'worker', ARGV[i + 1], 'data', ARGV[i + 2])
end
return 1
"""


def entry(kind: str, worker: str, payload: Any) -> dict[str, bytes]:
    return {"kind": kind.encode(), "worker": worker.encode(), "data": pickle.dumps(payload)}


def read_entry(fields: dict[bytes, bytes]) -> tuple[str, str, Any]:
    """(kind, worker, payload) of a stream entry made by `entry`."""
    return (fields[b"kind"].decode(), fields[b"worker"].decode(),
            pickle.loads(fields[b"data"]))  # noqa: S301 (the crawl's own Redis)


class Ledger:
    """The records of each in-flight request of this worker, until its response is done."""

    def __init__(self, server: Redis, stream: str, worker: str, inflight_key: str):
        self.server = server
        self.stream = stream
        self.worker = worker
        self.inflight_key = inflight_key
        self.held: dict[str, list[dict[str, bytes]]] = {}
        self.sent = 0
        self._ack = server.register_script(ACK)

    def send(self, kind: str, payload: Any, request: Request | None = None) -> None:
        """Hold a record until its request is done; one of no request goes now."""
        from scraper.distributed.queue import TOKEN

        record = entry(kind, self.worker, payload)
        token = request.meta.get(TOKEN) if request is not None else None
        if token:
            self.held.setdefault(token, []).append(record)
        else:
            self.server.xadd(self.stream, record)
            self.sent += 1

    def finish(self, token: str, replacement: tuple[str, float, bytes] | None = None) -> bool:
        """The request of `token` is done: its in-flight entry removed and its records sent
        (with `replacement`, (queue, score, encoded request), queued) in one script; False,
        sending nothing, when the entry was no longer there (this worker was taken for dead
        and its request put back in the queue: whoever fetches it again sends them)."""
        records = self.held.pop(token, [])
        queue, score, data = replacement or (self.stream, 0, b"")
        args: list[Any] = [token, 1 if replacement else 0, score, data]
        for record in records:
            args += [record["kind"], record["worker"], record["data"]]
        done = bool(self._ack(keys=[self.inflight_key, self.stream, queue], args=args))
        if done:
            self.sent += len(records)
        else:
            logger.warning("a request of this worker was put back in the queue by another "
                           "(this worker was taken for dead): its %d records are left to the "
                           "fetch that replaces it", len(records))
        return done


class RecordPipeline(ArchiveEvents):
    """Sends the archive's records to the writer (worker mode's last step; the archive is
    not opened). An article is sent once it has passed every step (`item_scraped`, which
    names its response); the others as the signals come."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @property
    def ledger(self) -> Ledger:
        from scraper.distributed.worker import state_of

        return state_of(self.crawler).ledger

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        if isinstance(item, ArticleItem):
            self.ledger.send(ARTICLE, item, getattr(response, "request", None))

    def send_article(self, item: ArticleItem) -> None:
        """Sent by item_scraped, which knows the request it came from."""

    def send_gone(self, page: Page, request: Request) -> None:
        self.ledger.send(GONE, page, request)

    def send_kept(self, page: Page, request: Request) -> None:
        self.ledger.send(KEPT, page, request)

    def send_unchanged(self, url: str, request: Request | None) -> None:
        self.ledger.send(UNCHANGED, url, request)

    def send_dropped(self, item: Page | ArticleItem, reason: str,
                     request: Request | None) -> None:
        self.ledger.send(DROPPED, (item, reason), request)
