"""The shared frontier: scrapy-redis' priority queue made reliable, its scheduler, and its
duplicate filter on Scrapy's own request fingerprints.

scrapy-redis pops a request from the queue and forgets it: a worker killed with requests
in flight loses them (the duplicate filter has them, so nobody fetches them again). Here a
pop moves the request, in one Lua script, to the worker's in-flight hash (field: a token,
which the request carries in its meta); the token is removed when the response is done
(records.py sends its records in that same transaction), when the request is replaced by
its retry or redirect (in the transaction that queues the replacement), or when the
replacement is filtered as a duplicate (so a spider must not build a new request with its
response's whole meta: it would carry the token). RECOVER, which the worker runs, puts the
in-flight requests of a worker whose heartbeat key expired back in the queue, bypassing the
duplicate filter; a script, so two live workers never both put them back.
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

# KEYS: queue, in-flight hash; ARGV: token prefix. The best request, moved to in-flight
# under "<prefix>:<score>" (the score says where it goes back if its worker dies).
POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
local token = ARGV[1] .. ':' .. found[2]
redis.call('HSET', KEYS[2], token, found[1])
return {token, found[1]}
"""

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
        self._pop = server.register_script(POP)

    def pop(self, timeout: int = 0) -> Request | None:
        found = self._pop(keys=[self.key, self.state.inflight_key],
                          args=[uuid.uuid4().hex])
        if not found:
            return None
        token, data = found
        request = self._decode_request(data)
        request.meta[TOKEN] = token.decode() if isinstance(token, bytes) else token
        return request


class SharedScheduler(Scheduler):
    """scrapy-redis' scheduler; a request that replaces one in flight (a retry, a redirect)
    takes its place in one transaction, and a replacement filtered as a duplicate ends it."""

    queue: ReliableQueue

    def enqueue_request(self, request: Request) -> bool:
        token = request.meta.pop(TOKEN, None)
        ledger = self.queue.state.ledger
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            if token:
                ledger.finish(token)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        if token:
            ledger.finish(token, (self.queue.key, -request.priority,
                                  self.queue._encode_request(request)))
        else:
            self.queue.push(request)
        return True


    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis' duplicate filter, on the fingerprints of the crawl's own request
    fingerprinter (scrapy-redis 0.9 hashes the URL its own way, which ignores
    REQUEST_FINGERPRINTER_CLASS). Start requests are filtered as any other: every worker
    runs the spider's start(), and the first one to schedule a start page fetches it."""

    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Spider) -> SharedDupeFilter:
        found = super().from_spider(spider)
        found.fingerprinter = spider.crawler.request_fingerprinter
        return found

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

