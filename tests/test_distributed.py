"""A distributed crawl on a real Redis: workers share the frontier, one writer keeps the
archive, and the archive is the one a single-process crawl makes, whoever dies on the way.

The Redis is a redis-server this module starts (redis_server.py), flushed before each test;
the replica site is served from this process, which counts every request; the workers and
the writer are `scraper crawl --redis` and `scraper archive-writer` subprocesses.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from conftest import SITES_DIR, golden_cases, load_case
from redis_server import redis_server
from test_crawl import FAST, article_requests, crawl

from scraper.fixture_server import FixtureSite

WORKER = [*FAST, "-s", "EXTRACT_WORKERS=1", "-s", "REDIS_IDLE_CLOSE_SECONDS=1"]
# What a row is, less what depends on when it was written or by which run.
ARTICLES = ("url, site, title, subtitle, byline, authors, published, published_text, tags, "
            "body, original_source, original_source_url, original_source_date, language, "
            "word_count, content_hash, modified, revision_count, status, kind")
REVISIONS = ("article_url, revision, reason, changed_fields, title, subtitle, byline, authors, "
             "published, modified, tags, body, original_source, content_hash, body_diff")
PAGES = "url, final_url, status, encoding, sha256, kind"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def server(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture(scope="module")
def site():
    with FixtureSite(SITES_DIR / "globalresearch") as served:
        yield served


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory) -> dict[str, Counter]:
    """The archive of a single-process crawl of the replica, and the pages it fetched."""
    db = tmp_path_factory.mktemp("single") / "archive.db"
    crawl(site, db)
    found = archive(db)
    found["requests"] = Counter(article_requests(site))
    return found


def archive(db: Path) -> dict[str, Counter]:
    con = sqlite3.connect(db)
    try:
        return {table: Counter(con.execute(f"select {columns} from {table}").fetchall())
                for table, columns in (("articles", ARTICLES), ("revisions", REVISIONS),
                                       ("pages", PAGES))}
    finally:
        con.close()


def writer(url: str, db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", "archive-writer", "--redis", url, "--db", str(db),
         "-s", "ARCHIVE_BATCH_SECONDS=0.2", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def worker(url: str, site: FixtureSite, folder: Path, *args: str) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db",
         str(folder / "archive.db"), "--base-url", site.url, "--redis", url, *WORKER, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen, timeout: float = 120) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return out


def wait_for(condition, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_workers_and_a_writer_make_the_archive_of_one_crawl(redis_url, server, site,
                                                                  reference, tmp_path):
    site.requests.clear()
    site.released.clear()
    db = tmp_path / "archive.db"
    writing = writer(redis_url, db, "--exit-when-idle", "1")
    # robots.txt, each worker's first request, waits until both workers are registered:
    # neither can finish the crawl (and clear its duplicate filter) before the other starts.
    site.delay("/robots.txt", 60)
    workers = [worker(redis_url, site, tmp_path / f"worker{i}") for i in range(2)]
    try:
        wait_for(lambda: server.hlen("news-archiver:workers") == 2, timeout=60,
                 what="two workers")
    finally:
        site.delays.clear()
        site.release()
    outs = [finished(w) for w in workers]
    assert "records written" in finished(writing)
    assert archive(db) | {"requests": Counter(article_requests(site))} == reference
    # Each page fetched once by the two workers together; robots.txt once by each worker
    # that fetched anything (Scrapy's robots.txt middleware fetches it itself, past the
    # scheduler, before a process's first download).
    fetched = Counter(site.requests)
    assert fetched.pop("/robots.txt") in (1, 2)
    assert set(fetched.values()) == {1}, fetched
    assert all("records sent to the archive writer" in out for out in outs)
    con = sqlite3.connect(db)
    runs = con.execute("select spider, exit_reason, finished is not null from runs").fetchall()
    assert runs == [("globalresearch", "finished", 1)] * 2  # one run per worker
    assert not server.exists("news-archiver:globalresearch:dupefilter")  # crawl complete
    # The next crawl skips what the archive holds, as a single-process one does: the writer
    # published it to Redis.
    site.requests.clear()
    writing = writer(redis_url, db, "--exit-when-idle", "1")
    out = finished(worker(redis_url, site, tmp_path / "again"))
    finished(writing)
    assert f"{len(reference['articles'])} already archived" in out
    assert not set(article_requests(site)) & {
        f"/{url.split('/', 3)[3]}" for url, *_ in reference["articles"]}


def test_a_worker_killed_mid_crawl_loses_nothing(redis_url, server, site, reference,
                                                 tmp_path):
    site.requests.clear()
    site.released.clear()
    slow = [f"/{url.split('/', 3)[3]}" for url, *_ in reference["articles"]]
    for path in slow:
        site.delay(path, 60)
    db = tmp_path / "archive.db"
    writing = writer(redis_url, db, "--exit-when-idle", "1")
    # A heartbeat of 3 s: the killed worker's requests come back 3 s after its death.
    beat = ("-s", "REDIS_HEARTBEAT_SECONDS=3")
    first = worker(redis_url, site, tmp_path / "first", *beat)
    try:
        wait_for(lambda: any(p in slow for p in site.requests), timeout=60,
             what="an article in flight")
        inflight = [k for k in server.scan_iter("news-archiver:inflight:*") if server.hlen(k)]
        assert inflight  # the killed worker holds requests
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        site.delays.clear()
        site.release()
    second = worker(redis_url, site, tmp_path / "second", *beat)
    out = finished(second)
    finished(writing)
    assert archive(db) == {k: v for k, v in reference.items() if k != "requests"}
    assert "records sent" in out
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from runs where finished is null").fetchone() == (1,)


def test_the_writer_killed_mid_stream_and_restarted_loses_nothing(redis_url, server, site,
                                                                  reference, tmp_path):
    site.requests.clear()
    db = tmp_path / "archive.db"
    # One record a batch, written as they come: the writer is killed between batches.
    options = ("-s", "ARCHIVE_BATCH_SIZE=1")
    writing = writer(redis_url, db, *options)
    # One page at a time, a quarter second apart: however loaded the machine, the crawl is
    # still sending when the writer has written its first two (the kill is mid-stream).
    crawling = worker(redis_url, site, tmp_path / "worker", "-s", "CONCURRENT_REQUESTS=1",
                      "-s", "DOWNLOAD_DELAY=0.25", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False")
    con = sqlite3.connect(db, timeout=30)

    def some_written() -> bool:
        try:
            return con.execute("select count(*) from articles").fetchone()[0] >= 2
        except sqlite3.OperationalError:  # not made yet
            return False

    wait_for(some_written, timeout=60, what="the writer's first batches")
    os.kill(writing.pid, signal.SIGKILL)
    writing.wait()
    finished(crawling)
    assert con.execute("select count(*) from articles").fetchone()[0] < len(
        reference["articles"])  # killed mid-stream
    restarted = writer(redis_url, db, *options, "--exit-when-idle", "1")
    finished(restarted)
    assert archive(db) == {k: v for k, v in reference.items() if k != "requests"}
    assert con.execute("select count(*) from runs").fetchone() == (1,)


def send_one_article(server) -> None:
    """A worker's start and one article of the replica, put on the stream as a worker does."""
    from scraper.distributed import Keys
    from scraper.distributed.records import ARTICLE, START, entry
    from scraper.items import ArticleItem, Page

    case = load_case(golden_cases("globalresearch")[0])
    page = Page(url=case["url"], fetched_url=case["url"], status=200,
                headers={"Content-Type": "text/html; charset=utf-8"},
                body=(SITES_DIR / "globalresearch" / case["page"]).read_bytes(),
                encoding="utf-8", fetched_at="2026-01-01T00:00:00+00:00", site="globalresearch")
    item = ArticleItem(article=page.extract().article, page=page)
    for kind, payload in ((START, {"spider": "news", "arguments": {}, "log_file": None}),
                          (ARTICLE, item)):
        server.xadd(Keys().records, entry(kind, "w1", payload))


def test_a_redelivered_batch_is_not_written_twice(redis_url, server, tmp_path):
    """Entries read again after their batch was committed (a writer killed between its
    commit and its acknowledgement) add nothing: the offset is in the same transaction."""
    from scraper.archive import open_archive
    from scraper.crawl import project_settings
    from scraper.distributed import Keys
    from scraper.distributed.writer import ArchiveWriter

    keys = Keys()
    send_one_article(server)
    db = open_archive(tmp_path / "archive.db")
    settings = project_settings(tmp_path / "archive.db")
    first = ArchiveWriter(server, db, keys, settings)
    first.join()
    entries = first.read(pending=False)
    assert first.write(entries)
    again = ArchiveWriter(server, db, keys, settings)
    again.load()
    assert again.write(entries)
    assert db.execute("select count(*) from pages").fetchone() == (1,)
    assert db.execute("select count(*) from runs").fetchone() == (1,)
    assert again.written["entries"] == 0


def test_a_batch_the_locked_archive_refused_is_written_once_it_is_free(redis_url, server,
                                                                       tmp_path):
    """Another process holds the archive's write lock when the batch is due: the writer
    keeps the batch and writes it when the lock is gone, in the same run."""
    import threading

    from scraper.archive import open_archive
    from scraper.crawl import project_settings
    from scraper.distributed import Keys
    from scraper.distributed.writer import ArchiveWriter

    path = tmp_path / "archive.db"
    open_archive(path).close()
    settings = project_settings(path)
    settings.set("ARCHIVE_BATCH_SECONDS", 0)
    written: Counter[str] = Counter()

    def write() -> None:  # (a connection is its thread's own)
        writer = ArchiveWriter(server, open_archive(path, timeout=0.1), Keys(), settings)
        writer.written = written
        writer.run(idle_exit=0.5)

    holder = sqlite3.connect(path, timeout=5)
    holder.execute("begin immediate")  # the archive is locked before anything comes
    send_one_article(server)
    running = threading.Thread(target=write, daemon=True)
    running.start()
    def read_by_the_writer() -> bool:
        groups = server.xinfo_groups(Keys().records) if server.exists(Keys().records) else []
        return any(g["pending"] == 2 for g in groups)

    wait_for(read_by_the_writer, what="the writer's first try")
    time.sleep(1.0)  # tries again and again while the lock is held
    assert written["read"] == 0
    holder.rollback()
    running.join(30)
    assert not running.is_alive()
    assert holder.execute("select count(*) from pages").fetchone() == (1,)
    assert holder.execute("select count(*) from runs").fetchone() == (1,)
    assert written["entries"] == 2


def test_a_bad_or_unreachable_redis_is_one_line_and_exit_2(tmp_path):
    """(A locked archive is refused the same way: run_writer's Locked and ArchiveError.)"""
    for args in (["archive-writer", "--redis", "localhost:6379"],
                 ["crawl", "globalresearch", "--redis", "redis://127.0.0.1:1/0"]):
        out = subprocess.run([sys.executable, "-m", "scraper", *args, "--db",
                              str(tmp_path / "a.db")], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 2, out.stderr
        assert out.stderr.startswith("Error: ") and len(out.stderr.splitlines()) == 1
    assert not (tmp_path / "a.db").exists()  # a worker never opens the archive


def test_a_bad_archive_setting_is_refused_by_the_writer_as_by_the_crawl(redis_url, server,
                                                                        site, tmp_path):
    """ARCHIVE_KEEP_LISTINGS is checked where both build their session (ArchiveSession.
    from_settings): the writer says so in one line, exit 2, and so does the crawl, before it
    fetches anything."""
    bogus = ("-s", "ARCHIVE_KEEP_LISTINGS=bogus")
    out = subprocess.run([sys.executable, "-m", "scraper", "archive-writer", "--redis",
                          redis_url, "--db", str(tmp_path / "a.db"), "--exit-when-idle", "1",
                          *bogus], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2, out.stderr[-3000:]
    assert out.stderr.splitlines() == [
        "Error: ARCHIVE_KEEP_LISTINGS must be one of all, changed, latest, none, not 'bogus'"]
    site.requests.clear()
    out = subprocess.run([sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch",
                          "--db", str(tmp_path / "b.db"), "--base-url", site.url, *FAST,
                          *bogus], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "Error: ARCHIVE_KEEP_LISTINGS must be one of" in out.stderr
    assert site.requests == []


def test_the_writer_publishes_the_archive_in_one_pass(redis_url, server, tmp_path,
                                                      monkeypatch):
    """publish_all reads the articles once and each chunk's last fetches in one query, and
    publishes what the one-URL look-ups (article_dates, last_fetch) say: the dates of every
    article, the last 200 fetch of those that have a validator."""
    import json

    from test_archive import gone_page, make_item

    from scraper.archive import open_archive
    from scraper.archive.fetches import article_dates, last_fetch
    from scraper.archive.write import write_batch
    from scraper.distributed import Keys, index

    db = open_archive(tmp_path / "archive.db")
    url = "https://www.example.org/story/{}".format
    validators = [{"ETag": '"a1"'}, {"Last-Modified": "Mon, 30 Nov 2026 10:00:00 GMT"}, {},
                  {"etag": '"d1"'}, {}, {"ETag": '"f1"'}, {}]
    for n, headers in enumerate(validators):
        item = make_item(url=url(n))
        item.page.headers |= headers
        write_batch(db, [item])
    again = make_item(url=url(0), fetched_at="2026-11-26T10:00:00+00:00")  # a later fetch
    again.page.headers |= {"ETag": '"a2"'}
    write_batch(db, [again])
    write_batch(db, [], gone=[gone_page(url(3))])  # its last fetch answered 404
    keys = Keys()
    monkeypatch.setattr(index, "CHUNK", 2)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    server.config_resetstat()
    index.publish_all(server, keys, db)
    db.conn.set_trace_callback(None)
    hset = server.info("commandstats").get("cmdstat_hset", {}).get("calls", 0)
    urls = [url(n) for n in range(len(validators))]
    assert {k.decode(): json.loads(v) for k, v in server.hgetall(keys.articles).items()} == {
        u: list(article_dates(db, u)) for u in urls}
    published = {k.decode(): json.loads(v) for k, v in server.hgetall(keys.fetches).items()}
    assert published == {u: last_fetch(db, u)._asdict() for u in (url(0), url(1), url(3),
                                                                    url(5))}
    assert published[url(0)]["headers"]["ETag"] == '"a2"'
    chunks = -(-len(urls) // 2)
    assert sum("from articles" in s for s in statements) == 1
    assert sum("from pages" in s for s in statements) == chunks  # not one per article
    assert hset <= 2 * chunks
    assert server.get(keys.ready) == b"1"


def round_trips(server, call, *raises: type[Exception]) -> int:
    """The requests Redis read while `call` ran (its read events, less the one of the INFO
    that reads the count after it: a pipeline is one); `raises`: what `call` must raise."""
    before = server.info("stats")["total_reads_processed"]
    try:
        call()
    except raises:
        pass
    else:
        assert not raises, f"{call} did not raise {raises}"
    return server.info("stats")["total_reads_processed"] - before - 1


def test_an_idle_worker_recovers_and_looks_at_the_frontier_in_two_round_trips(redis_url,
                                                                              server):
    """spider_idle: the dead worker's requests back in the queue, the live one's counted,
    in two round trips (the workers, then one pipeline) whatever the number of workers;
    closed once the frontier is empty (REDIS_IDLE_CLOSE_SECONDS=0 here)."""
    from scrapy.exceptions import DontCloseSpider
    from scrapy.utils.test import get_crawler

    from scraper.distributed import Keys
    from scraper.distributed.worker import Worker

    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url,
                                         "REDIS_IDLE_CLOSE_SECONDS": 0})
    crawler._apply_settings()
    idle = Worker(crawler)
    keys = Keys()
    idle.state.queue_key = queue = keys.queue("news")
    idle.beat()
    for name, held, alive in (("dead", 2, False), ("live", 1, True), ("late", 0, True)):
        server.hset(keys.workers, name, queue)
        if alive:
            server.set(keys.alive(name), b"1")
        for n in range(held):
            server.hset(keys.inflight(name), f"{name}{n}:-{n}", f"request {name} {n}")
    server.config_resetstat()
    assert round_trips(server, lambda: idle.spider_idle(crawler.spider), DontCloseSpider) == 2
    assert server.info("commandstats")["cmdstat_hkeys"]["calls"] == 1
    assert sorted(server.zrange(queue, 0, -1)) == [b"request dead 0", b"request dead 1"]
    assert sorted(server.hkeys(keys.workers)) == sorted([b"live", b"late",
                                                         idle.state.id.encode()])
    assert crawler.stats.get_value("distributed/recovered") == 2
    server.delete(queue)  # fetched, but the live worker still has its request in flight
    assert round_trips(server, lambda: idle.spider_idle(crawler.spider), DontCloseSpider) == 2
    server.delete(keys.inflight("live"))  # done: the frontier is empty, the worker closes
    assert round_trips(server, lambda: idle.spider_idle(crawler.spider)) == 2


def test_a_worker_talks_to_redis_through_one_connection(redis_url, server, site, reference,
                                                       tmp_path):
    """The queue, the duplicate filter, the records, the heartbeat and the incremental
    middleware of a worker share its one client (state_of): one connection mid-crawl."""
    site.requests.clear()
    site.released.clear()
    slow = [f"/{url.split('/', 3)[3]}" for url, *_ in reference["articles"]]
    for path in slow:
        site.delay(path, 60)
    before = {c["id"] for c in server.client_list()}  # (this test's, the fixture's)
    crawling = worker(redis_url, site, tmp_path / "worker")
    try:
        wait_for(lambda: any(p in slow for p in site.requests), timeout=60,
                 what="an article in flight")
        connections = [(c["id"], c["cmd"]) for c in server.client_list()
                       if c["id"] not in before]
        assert len(connections) == 1, connections
    finally:
        site.delays.clear()
        site.release()
    finished(crawling)
