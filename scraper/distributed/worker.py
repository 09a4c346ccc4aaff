"""A worker of a distributed crawl: its heartbeat, the acknowledgement of each request, the
recovery of dead workers' requests, its run's start and finish, and when it stops.

- At start the worker registers (the `workers` hash names the queue it pops from), sets
  its heartbeat key (TTL REDIS_HEARTBEAT_SECONDS, refreshed every third of it) and sends a
  `start` record: the writer makes it a `runs` row (one run per worker).
- A request is done when Scrapy's scraper has finished with its response or failure: the
  callback or errback has run and every item has passed the pipelines. Scrapy has no signal
  for that moment, so the worker wraps the scraper slot's `finish_response` (called exactly
  then) to send the request's records and acknowledge it (records.py) with its next pop,
  or its next tick (every TICK s), idle or close, whichever comes first.
- With every heartbeat, and when idle, the worker puts back in the queue the in-flight
  requests of every worker whose heartbeat expired (queue.py's RECOVER).
- It closes once the frontier (the queue, and every worker's in-flight requests) has been
  empty for REDIS_IDLE_CLOSE_SECONDS; it then sends `finish` (its stats) and deregisters.
  The last worker of a finished crawl clears the duplicate filter: the next crawl starts
  afresh, as a single-process crawl's finished JOBDIR is cleared.
- The repeated-paragraph store of the extraction (repeats.py) is each worker's own, beside
  its --db path: workers on one machine with one --db share it from one crawl to the next.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import create_looping_call
from twisted.python.failure import Failure

from scraper.archive.runs import run_arguments
from scraper.distributed import (
    DEFAULT_HEARTBEAT,
    DEFAULT_IDLE_CLOSE,
    Keys,
    connect,
    keys_of,
)
from scraper.distributed.queue import RECOVER, TOKEN
from scraper.distributed.records import FINISH, START, Ledger
from scraper.runlog import log_file_of

logger = logging.getLogger(__name__)

TICK = 0.5  # seconds between two looks at the shared queue while this worker idles


@dataclass
class WorkerState:
    """What the queue, the pipeline and the extension of one worker share."""

    id: str
    keys: Keys
    ledger: Ledger
    queue_key: str = ""
    inflight_key: str = field(init=False)
    # Queues the requests the scheduler holds (queue.py); before a request's acknowledgement.
    push_held: Callable[[], None] = lambda: None

    def __post_init__(self) -> None:
        self.inflight_key = self.keys.inflight(self.id)


_states: weakref.WeakKeyDictionary[Crawler, WorkerState] = weakref.WeakKeyDictionary()


def state_of(crawler: Crawler) -> WorkerState:
    """The worker state of `crawler`, made on first use (its id: host, pid, a random part),
    with the worker's one Redis client (`ledger.server`): the scheduler, the duplicate
    filter, the records, the heartbeat and the incremental middleware all use it."""
    found = _states.get(crawler)
    if found is None:
        keys = keys_of(crawler.settings)
        worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        server = connect(crawler.settings.get("REDIS_URL"))
        found = WorkerState(worker, keys, Ledger(server, keys.records, worker,
                                                 keys.inflight(worker)))
        _states[crawler] = found
    return found


class Worker:
    """The extension of worker mode (scraper.distributed.worker_settings enables it)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.state = state_of(crawler)
        self.keys = self.state.keys
        self.server = self.state.ledger.server
        self.heartbeat = settings.getfloat("REDIS_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT)
        self.idle_close = settings.getfloat("REDIS_IDLE_CLOSE_SECONDS", DEFAULT_IDLE_CLOSE)
        self.recover_script = self.server.register_script(RECOVER)
        self.beat_at = 0.0
        self.idle_since: float | None = None
        self.timer: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    # --- Start ---------------------------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        self.beat()
        if not self.server.exists(self.keys.ready):
            logger.warning("no archive writer has published the archive's index to this Redis "
                           "yet: this worker skips nothing the archive holds")
        self.state.ledger.send(START, {"spider": spider.name,
                                       "arguments": run_arguments(self.crawler),
                                       "log_file": log_file_of(self.crawler.settings)})
        self._watch_requests()
        self.timer = create_looping_call(self.tick)
        self.timer.start(TICK, now=False)
        logger.info("worker %s of the crawl in %s", self.state.id, self.state.queue_key)

    def _watch_requests(self) -> None:
        """Acknowledge each request once the scraper is done with it (the module says why
        this wraps the slot's finish_response)."""
        slot = getattr(self.crawler.engine.scraper, "slot", None)
        if slot is None or not hasattr(slot, "finish_response"):
            raise RuntimeError("this Scrapy's scraper has no slot.finish_response: worker "
                               "mode cannot tell when a response is done")
        finish = slot.finish_response

        def finish_response(result: Response | Failure, request: Request) -> None:
            finish(result, request)
            token = request.meta.get(TOKEN)
            if token:
                self.state.push_held()  # (what the response yielded, queued first)
                self.state.ledger.finish_later(token)

        slot.finish_response = finish_response

    # --- While it runs -------------------------------------------------------------------
    def tick(self) -> None:
        """Heartbeat when due; wake the engine when the shared queue has requests (another
        worker queued them) or while it idles (to see the frontier empty long enough):
        Scrapy's engine would otherwise look only every 5 s."""
        self.acknowledge()
        if time.monotonic() >= self.beat_at:
            self.beat()
            self.recover()
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and (self.idle_since is not None
                                 or self.server.zcard(self.state.queue_key)):
            slot.nextcall.schedule()

    def acknowledge(self) -> None:
        """Acknowledge the requests done that no pop has acknowledged yet (records.py)."""
        self.state.ledger.exchange(self.state.queue_key, None)

    def beat(self) -> None:
        """Say this worker lives (registered again if it was taken for dead meanwhile)."""
        self.server.hset(self.keys.workers, self.state.id, self.state.queue_key)
        self.server.set(self.keys.alive(self.state.id), b"1",
                        px=max(1, int(self.heartbeat * 1000)))
        self.beat_at = time.monotonic() + self.heartbeat / 3

    def recover(self) -> bool:
        """Put back the in-flight requests of the workers whose heartbeat expired; then
        whether the frontier is empty: no request queued, none in flight at any worker (a
        dead worker's count until its heartbeat expires and they come back). Two round
        trips whatever the number of workers: their list, then one pipeline of a RECOVER
        script for each other worker (each atomic on its own, as it must be), the queue's
        length and each one's in-flight count (read after the scripts ran)."""
        workers = [worker.decode() for worker in self.server.hkeys(self.keys.workers)]
        others = [name for name in workers if name != self.state.id]
        pipe = self.server.pipeline(transaction=False)
        for name in others:  # (EVAL: a script in a pipeline would cost a SCRIPT EXISTS)
            pipe.eval(RECOVER, 3, self.keys.workers, self.keys.inflight(name),
                      self.keys.alive(name), name)
        pipe.zcard(self.state.queue_key)
        for name in workers:
            pipe.hlen(self.keys.inflight(name))
        found = pipe.execute()
        for name, n in zip(others, found[:len(others)], strict=True):
            if n > 0:
                logger.warning("worker %s is gone (no heartbeat): %d requests it had in "
                               "flight are back in the queue", name, n)
                self.crawler.stats.inc_value("distributed/recovered", n)
        return not any(found[len(others):])

    def spider_idle(self, spider: Spider) -> None:
        self.acknowledge()
        if not self.recover():
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_close:
            raise DontCloseSpider
        logger.info("the frontier has been empty for %.0f s: worker %s closes",
                    self.idle_close, self.state.id)

    # --- Stop ----------------------------------------------------------------------------
    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.acknowledge()
        ledger = self.state.ledger
        self.crawler.stats.set_value("records/sent", ledger.sent + 1)
        ledger.send(FINISH, {"stats": dict(self.crawler.stats.get_stats()), "reason": reason})
        # Whatever is still in flight (a stop before the end) goes back to the queue.
        self.server.delete(self.keys.alive(self.state.id))
        back = self.recover_script(keys=[self.keys.workers, self.state.inflight_key,
                                         self.keys.alive(self.state.id)], args=[self.state.id])
        if back:
            logger.info("%d requests in flight went back to the queue", back)
        if reason == "finished" and not self.server.hlen(self.keys.workers) and \
                not self.server.zcard(self.state.queue_key):
            self.server.delete(self.keys.seen(spider.name))
            logger.info("the distributed crawl of %s is complete: its duplicate filter is "
                        "cleared, the next crawl starts afresh", spider.name)
