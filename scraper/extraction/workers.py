"""Extraction in worker processes, with a time limit per page: what the crawl and `scraper
reextract` run pages through, so no page can hold up the crawl's downloads or the run.

Why processes: extraction is CPU-bound Python, and one hostile page (a 50 MB article, 10,000
nested tables, a title of 600 parts) took minutes. In the crawl's event loop that froze every
download; in a worker it costs one core, and only until the time limit.

- N workers, each a fresh interpreter (the "spawn" start method: never a fork of the
  threaded Twisted process), each extracting one page at a time with the next one already
  handed over (so a worker never idles while the busy crawl process gets round to it). A
  thread of the calling process hands out pages and collects results, so the caller gets a
  `concurrent.futures.Future` per page (`asyncio.wrap_future` awaits it in the crawl;
  `concurrent.futures.wait` in reextract).
- A page still running after `timeout` seconds is given up: its worker is killed and
  replaced (the page waiting behind it goes to another), and the page's outcome is
  "timeout"; so is that of a page whose worker answered
  but took longer than that by its own clock (the limit is the page's, not the pool thread's
  luck in being scheduled). A worker that dies on a page (a segfault, the
  OOM killer) is replaced too, the outcome "crashed". Workers that die before they are ready,
  START_FAILURES times in a row, break the pool: every page then fails at once rather than
  waiting for a worker that will never come.
- No worker outlives the pool: `close()` (also at interpreter exit) ends them, and on Linux a
  worker gets SIGKILL when the process that started it dies, even by kill -9.

The repeated-paragraph store (repeats.py) must give the result of extracting the pages one by
one, in order, yet no store is sent with each page (it grows with the archive). So:

- The main process keeps the master store (loaded from disk, saved by the caller) and a log
  of the `Addition`s (a page's URL and paragraph hashes) counted since the pool started.
- Each worker keeps a copy, made when it starts, and is sent with each page the log entries
  it has not seen yet. Its own page is journaled, not counted (the copy answers as if it
  were): so the copy only ever counts the log, in the master's order, and stays equal to the
  master, which matters because the store is a window (the order of additions decides what
  is evicted). It answers with its result and what its page saw (`Seen`: the page's
  `Addition`, and which of its paragraphs the store held for repeated, so dropped).
- Before a result is returned, the main process checks the verdicts against the master store
  as it is now (`RepeatStore.seen`). They differ only when another page, extracted at the
  same time, finished first and pushed a paragraph of this one over the threshold (or the
  site's page count pushed one under, or evicted a page). Then the same worker extracts the
  page again, with the new additions. The MAX_REDO-th time, no other result is taken until
  that page's is back (they wait, then are checked in turn), so it cannot differ again.
  Then the page's `Addition` joins the master store and the log, and its result is returned.

So each result is the one extracting the pages one by one, in the order their results are
returned, would give; with one worker, that order is the order of submission. Log entries
every worker has seen are dropped; a worker left idle while others work is sent the entries
it lacks once they are SYNC_AFTER, so the log stays short; a replacement worker starts from a
copy of the master.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from scraper import collector
from scraper.extraction.repeats import Addition, RepeatStore

if TYPE_CHECKING:
    from scraper.extraction.record import Extraction
    from scraper.items import Page

# A task runs in a worker: (what was submitted, the worker's store copy or None) -> result.
# It must be picklable by reference (a module-level function, or a functools.partial of one).
Task = Callable[[Any, RepeatStore | None], Any]

CONTEXT = multiprocessing.get_context("spawn")
DEFAULT_TIMEOUT = 30.0
START_SECONDS = 120.0  # the longest a new worker may take to import the extraction
START_FAILURES = 3  # workers in a row that die before they are ready: the pool is broken
MAX_REDO = 3  # extractions of one page again because of a concurrent page's additions;
# the last of them with every other result held back until it is in
DEPTH = 2  # pages handed to a worker at once: the one it extracts, and the next
STOP_SECONDS = 5.0  # the longest an idle worker is given to exit before it is killed
SYNC_AFTER = 64  # log entries an idle worker lacks when it is sent them without a page


def extract_page(page: Page, repeats: RepeatStore | None,
                 max_chars: int | None = None) -> Extraction:
    """The crawl's task: the page's extraction, with its site's rules (and the crawl's cap
    on the HTML it reads, EXTRACT_MAX_CHARS; None: the extractor's own)."""
    return page.extract(repeats, max_chars)


def default_workers() -> int:
    """One worker per CPU this process may run on, at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Outcome:
    """How one submitted item went. `status`: "ok" (`value` is the task's result), "timeout",
    "crashed" (the worker died), "error" (the task raised, or the pool is broken), or
    "cancelled" (the pool was closed first); `error` says what went wrong. `seconds`: the
    page's extraction time. `order`: this is the pool's n-th outcome (from 0), the order in
    which the repeat store counted the pages.
    """

    status: str
    value: Any = None
    error: str = ""
    seconds: float = 0.0
    order: int = -1


@dataclass
class _Job:
    item: Any
    future: Future[Outcome]
    redo: int = 0
    started: float = 0.0  # when its worker began it


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    seen: int  # log entries (absolute index) this worker's store copy holds
    started: float
    ready: bool = False
    jobs: deque[_Job] = field(default_factory=deque)  # sent, in order; the first is running
    deadline: float = 0.0  # of the first job


class ExtractionPool:
    """`workers` processes running `task` on submitted items, each within `timeout` seconds.

    `repeats` is the master repeated-paragraph store; the pool updates it with every page it
    returns (read it, or save it, after `close()`).
    """

    def __init__(self, task: Task = extract_page, workers: int = 0,
                 timeout: float = DEFAULT_TIMEOUT, repeats: RepeatStore | None = None):
        self.task = task
        self.size = workers if workers > 0 else default_workers()
        self.timeout = timeout
        self.repeats = repeats
        self._log: list[Addition] = []
        self._log_start = 0  # absolute index of self._log[0]
        self._exclusive: _Job | None = None  # extracted again while no other result is taken
        self._deferred: list[tuple] = []  # results held back meanwhile: (worker, job, reply)
        self._queue: deque[_Job] = deque()
        self._workers: list[_Worker] = []
        self._failures = 0
        self._outcomes = 0
        self._broken = ""
        self._closing = False
        self._woken = False
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = CONTEXT.Pipe(duplex=False)
        self._thread = threading.Thread(target=self._run, name="extraction-pool", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, item: Any) -> Future[Outcome]:
        """Queue `item`; the future's result is its `Outcome` (it never raises)."""
        future: Future[Outcome] = Future()
        with self._lock:
            if self._closing:
                future.set_result(Outcome("cancelled", error="the extraction pool is closed"))
                return future
            self._queue.append(_Job(item, future))
        self._wake()
        return future

    def pids(self) -> list[int]:
        """The worker processes running now (to watch their memory, or check none is left)."""
        return [w.process.pid for w in list(self._workers) if w.process.pid is not None]

    def close(self) -> None:
        """Stop every worker; items not finished yet get "cancelled". Safe to call twice."""
        with self._lock:
            self._closing = True
        atexit.unregister(self.close)
        self._wake()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    # --- the pool's thread ------------------------------------------------------------------

    def _wake(self) -> None:
        with self._lock:
            if self._woken:
                return
            self._woken = True
            with contextlib.suppress(OSError):  # the thread has ended and closed its end
                self._wake_w.send_bytes(b"")

    def _run(self) -> None:
        try:
            while not self._closing:
                self._start_missing()
                self._dispatch()
                ready = wait(self._waitables(), timeout=self._next_deadline())
                if self._wake_r in ready:
                    with self._lock:
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                        self._woken = False
                for worker in list(self._workers):
                    if worker in self._workers:  # not removed by another's check meanwhile
                        self._check(worker, ready)
        finally:
            self._shutdown()

    def _waitables(self) -> list[Any]:
        return [self._wake_r] + [x for w in self._workers for x in (w.conn, w.process.sentinel)]

    def _next_deadline(self) -> float | None:
        deadlines = [w.deadline if w.jobs else w.started + START_SECONDS
                     for w in self._workers if w.jobs or not w.ready]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def _start_missing(self) -> None:
        while len(self._workers) < self.size and not self._broken:
            try:
                self._start_worker()
            except Exception as exc:  # noqa: BLE001 - e.g. no more processes allowed
                self._failed_start(f"{type(exc).__name__}: {exc}")

    def _start_worker(self) -> None:
        ours, theirs = CONTEXT.Pipe()
        process = CONTEXT.Process(target=_serve, name="extraction-worker", daemon=True,
                                  args=(theirs, self.task, self.repeats, os.getpid()))
        try:
            process.start()  # pickles the store copy once, here
        finally:
            theirs.close()
        self._workers.append(_Worker(process, ours, self._log_start + len(self._log),
                                     time.monotonic()))

    def _resolve(self, job: _Job, status: str, value: Any = None, error: str = "",
                 seconds: float | None = None) -> None:
        if seconds is None:
            seconds = time.monotonic() - job.started if job.started else 0.0
        with self._lock:
            order, self._outcomes = self._outcomes, self._outcomes + 1
        job.future.set_result(Outcome(status, value, error, seconds, order))
        if job is self._exclusive:  # the results held back meanwhile, checked in turn
            self._exclusive, deferred, self._deferred = None, self._deferred, []
            for worker, held, reply in deferred:
                self._settle(worker, held, reply)

    def _failed_start(self, why: str) -> None:
        self._failures += 1
        if self._failures >= START_FAILURES:
            self._broken = f"extraction workers cannot start ({why})"

    def _dispatch(self) -> None:
        if self._broken:
            with self._lock:
                jobs = list(self._queue)
                self._queue.clear()
            for job in jobs:
                self._resolve(job, "error", error=self._broken)
            return
        for worker in list(self._workers):
            while worker.ready and len(worker.jobs) < DEPTH and worker in self._workers:
                with self._lock:
                    if not self._queue:
                        return
                    job = self._queue.popleft()
                self._send(worker, job)

    def _requeue(self, jobs: list[_Job]) -> None:
        """Jobs sent to a worker that is gone, but never begun: first in line again."""
        with self._lock:
            self._queue.extendleft(reversed(jobs))

    def _send(self, worker: _Worker, job: _Job) -> None:
        delta = self._log[worker.seen - self._log_start:]
        try:
            worker.conn.send(("page", job.item, delta))
        except (OSError, EOFError):  # the worker died before it took the page: not the page's fault
            self._requeue([job])
            self._died(worker)
            return
        except Exception as exc:  # noqa: BLE001 - the item could not be pickled
            self._resolve(job, "error", error=f"not sent to a worker: {exc!r}")
            return
        worker.seen = self._log_start + len(self._log)
        worker.jobs.append(job)
        if len(worker.jobs) == 1:
            self._begin(worker)
        self._trim_log()

    def _begin(self, worker: _Worker) -> None:
        """The worker's first job starts now: it has just sent the answer to the one before."""
        worker.jobs[0].started = time.monotonic()
        worker.deadline = worker.jobs[0].started + self.timeout

    def _trim_log(self) -> None:
        end = self._log_start + len(self._log)
        for worker in list(self._workers):  # idle while the others work: it would pin the log
            if worker.ready and not worker.jobs and end - worker.seen >= SYNC_AFTER:
                try:
                    worker.conn.send(("sync", self._log[worker.seen - self._log_start:]))
                except (OSError, EOFError):
                    self._died(worker)
                    continue
                worker.seen = end
        low = min((w.seen for w in self._workers), default=self._log_start + len(self._log))
        if low > self._log_start:
            del self._log[:low - self._log_start]
            self._log_start = low

    def _check(self, worker: _Worker, ready: list[Any]) -> None:
        if worker.conn in ready:
            try:
                message = worker.conn.recv()
            except (OSError, EOFError):
                self._died(worker)
                return
            if message[0] == "ready":
                worker.ready = True
                self._failures = 0
            else:
                self._finished(worker, *message)
        elif worker.process.sentinel in ready:
            self._died(worker)
        elif worker.jobs and time.monotonic() >= worker.deadline:
            job, *waiting = worker.jobs
            self._remove(worker, kill=True)
            self._requeue(waiting)
            self._resolve(job, "timeout", error=self._over_time)
        elif not worker.ready and time.monotonic() >= worker.started + START_SECONDS:
            self._remove(worker, kill=True)
            self._failed_start(f"not ready after {START_SECONDS:g} s")

    @property
    def _over_time(self) -> str:
        return f"extraction took over {self.timeout:g} s"

    def _finished(self, worker: _Worker, status: str, value: Any, error: str,
                  seen: list, seconds: float) -> None:
        job = worker.jobs.popleft()
        if worker.jobs:
            self._begin(worker)
        if seconds > self.timeout:
            self._resolve(job, "timeout", error=self._over_time, seconds=seconds)
            return
        self._settle(worker, job, (status, value, error, seen, seconds))

    def _settle(self, worker: _Worker, job: _Job, reply: tuple) -> None:
        """Return a finished job's result, unless what its page saw of the store is no longer
        what the master store says: then extract it again."""
        if self._exclusive is not None and job is not self._exclusive:
            self._deferred.append((worker, job, reply))
            return
        status, value, error, seen, seconds = reply
        store = self.repeats
        if (status == "ok" and store is not None and job.redo < MAX_REDO
                and any(store.seen(s.addition) != s for s in seen)):
            job.redo += 1  # a page finished meanwhile changed what this one drops: again
            if job.redo == MAX_REDO:
                self._exclusive = job
            if worker in self._workers:
                self._send(worker, job)
            else:  # a result held back, whose worker has gone since
                self._requeue([job])
            return
        if store is not None:
            for s in seen:
                if store.add_keys(s.addition):
                    self._log.append(s.addition)
        self._resolve(job, status, value, error, seconds)
        self._trim_log()

    def _died(self, worker: _Worker) -> None:
        jobs, was_ready = list(worker.jobs), worker.ready
        worker.jobs.clear()
        self._remove(worker, kill=True)
        why = _exit_status(worker.process.exitcode)
        if jobs:
            self._requeue(jobs[1:])
            self._resolve(jobs[0], "crashed", error=f"extraction worker died ({why})")
        elif not was_ready:
            self._failed_start(f"a worker died while starting ({why})")

    def _remove(self, worker: _Worker, kill: bool) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(STOP_SECONDS)
        worker.conn.close()

    def _shutdown(self) -> None:
        with self._lock:
            self._closing = True
            jobs = list(self._queue)
            self._queue.clear()
        jobs += [job for w in self._workers for job in w.jobs]
        jobs += [job for _, job, _ in self._deferred]  # cancelled, not checked: no worker left
        self._exclusive, self._deferred = None, []
        for worker in self._workers:
            if worker.ready and not worker.jobs:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)  # idle: let it exit on its own
        deadline = time.monotonic() + STOP_SECONDS
        for worker in list(self._workers):
            if worker.ready and not worker.jobs:
                worker.process.join(max(0.0, deadline - time.monotonic()))
            self._remove(worker, kill=True)
        for job in jobs:
            if not job.future.done():
                self._resolve(job, "cancelled", error="the extraction pool was closed")
        with self._lock:
            self._wake_r.close()
            self._wake_w.close()


def _exit_status(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


# --- a worker process ------------------------------------------------------------------------


def _serve(conn: Connection, task: Task, repeats: RepeatStore | None, parent: int) -> None:
    """A worker's life: get ready, then one page at a time until told to stop."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's: it closes the pool
    _warm_up()
    collector.tune()
    if repeats is not None:
        repeats.begin_journal()
    conn.send(("ready", os.getpid()))
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(conn, inbox), daemon=True).start()
    while (message := inbox.get()) is not None:
        kind, *rest = message
        delta = rest[-1]
        if repeats is not None:
            for addition in delta:
                repeats.add_keys(addition)
            repeats.begin_journal()
        if kind == "sync":
            continue
        item = rest[0]
        started = time.perf_counter()
        try:
            reply = ("ok", task(item, repeats), "")
        except Exception as exc:  # noqa: BLE001 - a page must never end the worker
            reply = ("error", None, repr(exc))
        seconds = time.perf_counter() - started
        seen = [repeats.seen(a) for a in repeats.journal] if repeats is not None else []
        try:
            conn.send((*reply, seen, seconds))
        except (OSError, EOFError):
            return
        except Exception as exc:  # noqa: BLE001 - the result could not be pickled
            conn.send(("error", None, f"result not sent back: {exc!r}", seen, seconds))


def _receive(conn: Connection, inbox: queue.SimpleQueue) -> None:
    """Take each page as it comes, even while one is extracted: a big page left in the pipe
    would block the pool's thread, which writes it, until this worker read it."""
    try:
        while True:
            message = conn.recv()
            inbox.put(message)
            if message is None:
                return
    except (EOFError, OSError):  # the pool's process is gone
        inbox.put(None)


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this worker when the pool's process dies (even by
    SIGKILL), so a worker busy on an endless page is never left behind."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker ends at its next recv()
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _warm_up() -> None:
    """Import the extraction before saying ready, so a page's time limit is not spent on
    imports. (The language model stays loaded on first use: most pages never need it.)"""
    import scraper.extraction.extract  # noqa: F401
