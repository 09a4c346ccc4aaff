"""The shared frontier: scrapy-redis' priority queue made reliable, its scheduler, and its
duplicate filter on Scrapy's own request fingerprints.

scrapy-redis pops a request from the queue and forgets it: a worker killed with requests
in flight loses them (the duplicate filter has them, so nobody fetches them again). Here a
pop moves the request, in one Lua script, to the worker's in-flight hash (field: a token,
which the request carries in its meta); the token is removed when the response is done
(records.py sends its records in that same script), when the request is replaced by
its retry or redirect (in the transaction that queues the replacement), or when the
replacement is filtered as a duplicate (so a spider must not build a new request with its
response's whole meta: it would carry the token). RECOVER, which the worker runs, puts the
in-flight requests of a worker whose heartbeat key expired back in the queue, bypassing the
duplicate filter; a script, so two live workers never both put them back.

Round trips. A pop (its script, ACK_POP, is in records.py) also acknowledges the requests
this worker finished since its last pop. A request the spider yields is held (the scheduler
answers "scheduled"); the held ones are filtered and queued together by one script (PUSH:
seen-check and push of each, in order) before this worker's next pop, when the engine asks
whether requests are pending, before the response that yielded them is acknowledged
(worker.py: a worker killed before the push still has that response in flight, so it is
fetched again) and at close. A sitemap's 1000 requests cost one round trip, not 2000. A
held duplicate is counted and logged as filtered when the script says so; Scrapy's
request_dropped signal is not sent for it (nothing here listens to it).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from redis import Redis
from scrapy import Request, Spider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)

TOKEN = "inflight_token"  # request meta: the field of its in-flight entry

# KEYS: seen set, queue; ARGV: (filter?, fingerprint, score, data) of each request, in order.
# Each one filtered and not seen yet, or not filtered, is queued; 1 for it, else 0.
PUSH = """
local queued = {}
for i = 1, #ARGV, 4 do
  local new = 1
  if ARGV[i] == '1' then new = redis.call('SADD', KEYS[1], ARGV[i + 1]) end
  if new == 1 then redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i + 3]) end
  queued[#queued + 1] = new
end
return queued
"""
HELD = 500  # requests held at most before they are pushed

# KEYS: workers hash, the dead worker's in-flight hash, its heartbeat key; ARGV: its id.
# Nothing if it is alive; else its requests back in its queue, and it is forgotten.
RECOVER = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local queue = redis.call('HGET', KEYS[1], ARGV[1])
local held = redis.call('HGETALL', KEYS[2])
if queue then
  for i = 1, #held, 2 do
    local score = string.match(held[i], ':([^:]*)$')
    redis.call('ZADD', queue, score, held[i + 1])
  end
end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[1], ARGV[1])
return #held / 2
"""


class ReliableQueue(PriorityQueue):
    """scrapy-redis' priority queue whose pop keeps the request in this worker's in-flight
    hash until it is done (see the module's docstring)."""

    def __init__(self, server: Redis, spider: Spider, key: str, serializer: Any = None):
        super().__init__(server, spider, key, serializer)
        from scraper.distributed.worker import state_of

        self.state = state_of(spider.crawler)
        self.state.queue_key = self.key

    def pop(self, timeout: int = 0) -> Request | None:
        """(With the acknowledgement of the requests done since the last pop: records.py.)"""
        found = self.state.ledger.exchange(self.key, uuid.uuid4().hex)
        if found is None:
            return None
        token, data = found
        request = self._decode_request(data)
        request.meta[TOKEN] = token
        return request


class SharedScheduler(Scheduler):
    """scrapy-redis' scheduler; a request that replaces one in flight (a retry, a redirect)
    takes its place in one transaction, and a replacement filtered as a duplicate ends it."""

    queue: ReliableQueue

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        """scrapy-redis' scheduler on the worker's own client (one per worker): the one
        scrapy-redis made (and pinged) is closed."""
        from scraper.distributed.worker import state_of

        found = super().from_crawler(crawler)
        found.server.close()
        found.server = state_of(crawler).ledger.server
        return found

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self.held: list[Request] = []
        self._push = self.server.register_script(PUSH)
        self.queue.state.push_held = self.push_held

    def enqueue_request(self, request: Request) -> bool:
        token = request.meta.pop(TOKEN, None)
        if not token:
            self.held.append(request)
            if len(self.held) >= HELD:
                self.push_held()
            return True
        ledger = self.queue.state.ledger
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            ledger.finish(token)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        ledger.finish(token, (self.queue.key, -request.priority,
                              self.queue._encode_request(request)))
        return True

    def push_held(self) -> None:
        """Filter and queue the held requests, in one round trip (see the module)."""
        if not self.held:
            return
        held, self.held = self.held, []
        args: list[Any] = []
        for request in held:
            args += [0 if request.dont_filter else 1, self.df.request_fingerprint(request),
                     -request.priority, self.queue._encode_request(request)]
        queued = self._push(keys=[self.df.key, self.queue.key], args=args)
        for request, new in zip(held, queued, strict=True):
            if not new:
                self.df.log(request, self.spider)
            elif self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")

    def has_pending_requests(self) -> bool:
        self.push_held()
        return super().has_pending_requests()

    def next_request(self) -> Request | None:
        self.push_held()
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> None:
        self.push_held()
        super().close(reason)


class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis' duplicate filter, on the fingerprints of the crawl's own request
    fingerprinter (scrapy-redis 0.9 hashes the URL its own way, which ignores
    REQUEST_FINGERPRINTER_CLASS). Start requests are filtered as any other: every worker
    runs the spider's start(), and the first one to schedule a start page fetches it."""

    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Spider) -> SharedDupeFilter:
        """(On the worker's own client: the one scrapy-redis made never connects.)"""
        from scraper.distributed.worker import state_of

        found = super().from_spider(spider)
        found.server = state_of(spider.crawler).ledger.server
        found.fingerprinter = spider.crawler.request_fingerprinter
        return found

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

