"""The archive writer of a distributed crawl: the one process that writes the archive.

It reads the workers' records from the Redis stream (consumer group `archive-writer`) and
writes them in batches (ARCHIVE_BATCH_SIZE entries, or fewer once the oldest has waited
ARCHIVE_BATCH_SECONDS) with the archive pipeline's own code (scraper/archive/session.py):
revisions, gone articles, kept pages, the boilerplate canary and the drift alarm are those
of a single-process crawl. Each worker is a run: its `start` record opens a `runs` row, its
`finish` record (the worker's stats) gives the row its counts, its drift verdict and its
exit reason; a worker killed before it finished leaves its run unfinished, as a killed crawl
does.

Exactly once: a batch, the id of its last stream entry (`writer_offsets`) and what the
writer has counted of each open run (`writer_runs`) are committed in one transaction, and
the entries are acknowledged (and deleted from the stream) only after. A writer killed
before the commit finds the entries pending at its next start and writes them first; one
killed between the commit and the acknowledgement finds them again too, and skips those
its offset says are written. After each batch it publishes to Redis what the workers must
know of the archive (index.py).
"""

from __future__ import annotations

import json
import logging
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import RedisError, ResponseError
from sqlite_utils import Database

from scraper import collector
from scraper.archive import open_archive
from scraper.archive.runs import finish_run, start_run
from scraper.archive.session import ArchiveSession, Tally
from scraper.archive.transaction import write_transaction
from scraper.distributed import BadSetting, Keys, RedisUnavailable, connect, keys_of
from scraper.distributed.index import publish_all, publish_articles, publish_runs
from scraper.distributed.records import (
    ARTICLE,
    DROPPED,
    FINISH,
    GONE,
    KEPT,
    START,
    UNCHANGED,
    read_entry,
)
from scraper.drift import SiteCounts
from scraper.runlock import RunLock, lock_path

logger = logging.getLogger(__name__)

GROUP = "archive-writer"
CONSUMER = "writer"  # one writer per archive: its pending entries are its own
READ_BLOCK_MS = 500


def entry_order(entry_id: str) -> tuple[int, int]:
    """A stream entry id ("<ms>-<seq>") as something that compares in stream order."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass
class OpenRun:
    """A worker's run the writer has not finished yet."""

    run_id: int
    spider: str
    session: ArchiveSession


class ArchiveWriter:
    def __init__(self, server: Redis, db: Database, keys: Keys, settings: Any):
        self.server = server
        self.db = db
        self.keys = keys
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.batch_seconds = settings.getfloat("ARCHIVE_BATCH_SECONDS")
        self.settings = settings
        self.last_id = "0-0"
        self.runs: dict[str, OpenRun] = {}
        self.written = Counter[str]()
        self.stopping = False
        try:  # (a bad setting refused now, not at a worker's first record)
            self._session(Tally())
        except ValueError as exc:
            raise BadSetting(str(exc)) from exc

    # --- State kept in the archive -------------------------------------------------------
    def load(self) -> None:
        """The offset and the open runs as the last committed batch left them."""
        row = self.db.execute("select last_id from writer_offsets where stream = ?",
                              [self.keys.records]).fetchone()
        self.last_id = row[0] if row else "0-0"
        self.runs = {}
        for worker, run_id, state in self.db.execute(
                "select worker, run_id, state from writer_runs"):
            saved = json.loads(state)
            session = self._session(Tally(saved["stats"]))
            for site, counts in saved["drift"].items():
                session.drift.sites[site] = SiteCounts(**counts | {
                    "present": Counter(counts["present"]), "rules": Counter(counts["rules"])})
            self.runs[worker] = OpenRun(run_id, saved["spider"], session)

    def _session(self, stats: Tally) -> ArchiveSession:
        return ArchiveSession.from_settings(self.settings, self.db, stats)

    def _save(self, last_id: str) -> None:
        self.db.execute("insert or replace into writer_offsets (stream, last_id) values (?, ?)",
                        [self.keys.records, last_id])
        for worker, run in self.runs.items():
            state = {"spider": run.spider, "stats": run.session.stats.get_stats(),
                     "drift": {site: vars(c) for site, c in run.session.drift.sites.items()}}
            self.db.execute("insert or replace into writer_runs (worker, run_id, state) "
                            "values (?, ?, ?)", [worker, run.run_id, json.dumps(state)])

    # --- Reading the stream --------------------------------------------------------------
    def join(self) -> None:
        """The consumer group, made on the first start from the stream's first entry (the
        workers may have started before the writer)."""
        try:
            self.server.xgroup_create(self.keys.records, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read(self, pending: bool) -> list[tuple[str, dict[bytes, bytes]]]:
        """The next entries: this writer's pending ones (delivered to a writer that did not
        acknowledge them), or new ones (waiting up to READ_BLOCK_MS)."""
        found = self.server.xreadgroup(GROUP, CONSUMER, {self.keys.records: "0" if pending
                                                         else ">"},
                                       count=self.batch_size,
                                       block=None if pending else READ_BLOCK_MS)
        entries = found[0][1] if found else []
        return [(i.decode() if isinstance(i, bytes) else i, f) for i, f in entries if f]

    def run(self, idle_exit: float | None = None) -> None:
        """Write the stream until stopped (SIGTERM: `stopping`), or, with `idle_exit`, until
        the crawl is over: records came, then none for that many seconds, and no worker is
        registered (a writer started before its workers waits for them; a killed worker's
        run stays open, unfinished, as a killed crawl's does)."""
        collector.tune()
        self.join()
        self.load()
        publish_all(self.server, self.keys, self.db)
        while entries := self.read(pending=True):  # what a killed writer left, first
            self.write(entries)
        buffer: list[tuple[str, dict[bytes, bytes]]] = []
        oldest = last_came = time.monotonic()
        while not self.stopping:
            entries = self.read(pending=False)
            now = time.monotonic()
            if entries:
                if not buffer:
                    oldest = now
                buffer += entries
                last_came = now
            if buffer and (len(buffer) >= self.batch_size or now - oldest >= self.batch_seconds
                           or not entries and self.batch_seconds <= 0) and self.write(buffer):
                # (a batch the locked archive refused stays in the buffer, to be tried again:
                # dropped, its entries would be pending behind the offset of the next batch,
                # so skipped as written at the next start)
                buffer = []
            if (idle_exit is not None and not buffer and self.written["read"]
                    and now - last_came >= idle_exit and not self.server.hlen(self.keys.workers)):
                break
        if buffer:
            self.write(buffer)

    # --- Writing -------------------------------------------------------------------------
    def write(self, entries: list[tuple[str, dict[bytes, bytes]]]) -> bool:
        """Write `entries` as one batch, then acknowledge them; False (nothing acknowledged,
        the open runs as the archive has them) when the archive was locked."""
        fresh = [(i, f) for i, f in entries if entry_order(i) > entry_order(self.last_id)]
        touched: set[str] = set()
        finished: set[str] = set()
        try:
            with write_transaction(self.db):
                for _, fields in fresh:
                    self.apply(*read_entry(fields), touched, finished)
                for run in self.runs.values():
                    if run.session.pending():
                        run.session.write(run.run_id)
                if fresh:
                    self._save(fresh[-1][0])
        except sqlite3.OperationalError as exc:
            logger.error("could not write %d records to the archive (%s); will try again",
                         len(fresh), exc)
            self.load()
            time.sleep(min(1.0, max(self.batch_seconds, 0.1)))
            return False
        if fresh:
            self.last_id = fresh[-1][0]
        ids = [i for i, _ in entries]
        pipe = self.server.pipeline(transaction=True)
        pipe.xack(self.keys.records, GROUP, *ids)
        pipe.xdel(self.keys.records, *ids)
        pipe.execute()
        publish_articles(self.server, self.keys, self.db, touched)
        for spider in finished:
            publish_runs(self.server, self.keys, self.db, spider)
        self.written["entries"] += len(fresh)
        self.written["read"] += len(entries)
        return True

    def apply(self, kind: str, worker: str, payload: Any, touched: set[str],
              finished: set[str]) -> None:
        """One record, as the archive pipeline of a single-process crawl takes it."""
        if kind == START:
            run_id = start_run(self.db, payload["spider"], payload["arguments"],
                               payload["log_file"])
            self.runs[worker] = OpenRun(run_id, payload["spider"], self._session(Tally()))
            return
        run = self.runs.get(worker)
        if run is None:  # (its start was written by an archive since restored: a new run)
            logger.warning("records of worker %s, whose run is unknown: a new run", worker)
            self.apply(START, worker, {"spider": "distributed", "arguments": {},
                                       "log_file": None}, touched, finished)
            run = self.runs[worker]
        session = run.session
        if kind == ARTICLE:
            session.article(payload)
            touched.add(payload.article.url)
        elif kind == GONE:
            session.gone_page(payload)
            touched.add(payload.url)
        elif kind == KEPT:
            session.keep(payload)
        elif kind == UNCHANGED:
            session.seen_unchanged(payload)
            touched.add(payload)
        elif kind == DROPPED:
            session.dropped(*payload)
        elif kind == FINISH:
            self.finish(worker, run, payload)
            finished.add(run.spider)
        else:
            logger.warning("unknown record %r from worker %s: skipped", kind, worker)

    def finish(self, worker: str, run: OpenRun, payload: dict[str, Any]) -> None:
        """The worker's run ends: what it sent is written, the drift alarm judges it, and
        its row gets the worker's counts with the writer's (archive/*, the canary)."""
        if run.session.pending():
            run.session.write(run.run_id)
        run.session.judge_drift(run.run_id)
        stats = payload["stats"] | run.session.stats.get_stats()
        finish_run(self.db, run.run_id, stats, payload["reason"])
        self.db.execute("delete from writer_runs where worker = ?", [worker])
        del self.runs[worker]
        reasons = stats.get("drift/reasons") or []
        if reasons:
            logger.warning("run %d (worker %s) degraded: %s", run.run_id, worker,
                           "; ".join(reasons))


def run_writer(url: str, path: Path, settings: Any, idle_exit: float | None = None) -> int:
    """`scraper archive-writer`: hold the writer's lock on the archive at `path` and write
    the stream of the Redis at `url` until SIGTERM or SIGINT (or `idle_exit`); return the
    number of records written. RedisUnavailable, ArchiveError, Locked or BadSetting when it
    cannot start."""
    server = connect(url)
    with RunLock(lock_path(path, "archive-writer")):
        db = open_archive(path, settings.getfloat("ARCHIVE_TIMEOUT"), mmap=False)
        try:
            writer = ArchiveWriter(server, db, keys_of(settings), settings)

            def stop(signum: int, frame: Any) -> None:
                logger.info("signal %d: writing what was read, then stopping", signum)
                writer.stopping = True

            previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
            try:
                writer.run(idle_exit)
            except RedisError as exc:
                raise RedisUnavailable(f"lost Redis at {url}: {exc}") from exc
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
        finally:
            db.close()
    return writer.written["entries"]
