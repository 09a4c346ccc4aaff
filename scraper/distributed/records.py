"""A worker's last pipeline step: each record goes to the archive writer through a Redis
stream, sent in the transaction that ends the request it came from.

A record is what the archive pipeline of a single-process crawl would have batched: an
article with its raw page, a page kept as evidence (dropped, blocked, no article) or as a
listing, the 404/410 answer of an article URL, the URL of an archived article that answered
304; plus a worker's `start` and `finish` (its run). Records are held per in-flight request
(its token, queue.py) and sent, with the removal of the request from the in-flight hash, in
one Lua script when the response is done (with the worker's next pop: one round trip for
both): a worker killed before that sends nothing and its request is fetched again; after it,
nothing is fetched twice.

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

# KEYS: the in-flight hash, the stream, the queue; ARGV: the token prefix of a pop ('' for
# none), the number of requests done, then of each its token, its number of records and
# (kind, worker, data) of each. ACK of each (its 1 or 0), then POP (queue.py).
ACK_POP = """
local acked = {}
local i = 3
for _ = 1, tonumber(ARGV[2]) do
  local token, n = ARGV[i], tonumber(ARGV[i + 1])
  i = i + 2
  local done = redis.call('HDEL', KEYS[1], token)
  if done == 1 then
    for r = i, i + 3 * (n - 1), 3 do
      redis.call('XADD', KEYS[2], '*', 'kind', ARGV[r], 'worker', ARGV[r + 1], 'data', ARGV[r + 2])
    end
  end
  i = i + 3 * n
  acked[#acked + 1] = done
end
if ARGV[1] == '' then return {acked} end
local found = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if #found == 0 then return {acked} end
redis.call('ZREM', KEYS[3], found[1])
local token = ARGV[1] .. ':' .. found[2]
redis.call('HSET', KEYS[1], token, found[1])
return {acked, {token, found[1]}}
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
        self.done: list[tuple[str, list[dict[str, bytes]]]] = []  # (token, records)
        self._ack = server.register_script(ACK)
        self._ack_pop = server.register_script(ACK_POP)

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
        args: list[Any] = [token, 1 if replacement else 0, score, data, *_flat(records)]
        done = bool(self._ack(keys=[self.inflight_key, self.stream, queue], args=args))
        self._acked(done, len(records))
        return done

    def finish_later(self, token: str) -> None:
        """As `finish`, with this worker's next pop (`exchange`, one round trip for both);
        killed before it, the request is fetched again as if killed before `finish`."""
        self.done.append((token, self.held.pop(token, [])))

    def exchange(self, queue: str, prefix: str | None) -> tuple[str, bytes] | None:
        """Acknowledge the requests done (`finish_later`) and, with `prefix`, pop the best
        request of `queue` (queue.py's POP): its (token, data), None if it is empty."""
        done, self.done = self.done, []
        if not done and prefix is None:
            return None
        args: list[Any] = [prefix or "", len(done)]
        for token, records in done:
            args += [token, len(records), *_flat(records)]
        found = self._ack_pop(keys=[self.inflight_key, self.stream, queue], args=args)
        for (_, records), ok in zip(done, found[0], strict=True):
            self._acked(bool(ok), len(records))
        if len(found) < 2:
            return None
        token, data = found[1]
        return (token.decode() if isinstance(token, bytes) else token), data

    def _acked(self, done: bool, records: int) -> None:
        if done:
            self.sent += records
        else:
            logger.warning("a request of this worker was put back in the queue by another "
                           "(this worker was taken for dead): its %d records are left to the "
                           "fetch that replaces it", records)


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


def _flat(records: list[dict[str, Any]]) -> list[Any]:
    """Records as the acknowledging scripts read them: kind, worker, data, one after another."""
    return [value for record in records
            for value in (record["kind"], record["worker"], record["data"])]
