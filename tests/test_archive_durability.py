"""The archive under contention: another process holding the write lock, a commit slipped
between a batch's read and its write, two crawls of one site at once, and a slow page that
holds a crawl open while finished articles wait for their batch."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from generated_site import archived, check_archive, crawl_command, served_site, summary_counts
from test_archive import make_item

from scraper.archive import open_archive, write_batch

ARTICLES = 100
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
# Another writer: when told to (a line on stdin), takes the write lock, holds it, writes and
# commits (a commit is what made a deferred batch fail at once), and says so.
LOCKER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
sys.stdin.readline()
con.execute("begin immediate")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("create table other_tool (x)")
con.execute("commit")
print("released", flush=True)
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The generated site, served for the module: (the server, the articles' paths)."""
    with served_site(tmp_path_factory.mktemp("site"), ARTICLES) as running:
        yield running


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


def test_no_commit_can_come_between_a_batchs_read_and_its_write(db_path):
    """The failure of a deferred transaction: the batch reads (is this body stored?), another
    process commits, and the batch's first write is refused at once, whatever the timeout.
    Here the other process tries to commit at that very moment (just before the batch's first
    insert): it must find the archive locked, and the batch must be written."""
    db = open_archive(db_path, timeout=5)
    other = sqlite3.connect(db_path, timeout=0.2, isolation_level=None)
    attempts: list[str] = []

    def before(statement: str) -> None:
        if attempts or not statement.lstrip().lower().startswith("insert"):
            return
        try:
            other.execute("insert into runs (spider, arguments, started) values (?, ?, ?)",
                          ["other", "{}", "2026-12-01T00:00:00+00:00"])
            attempts.append("committed")
        except sqlite3.OperationalError as exc:
            attempts.append(str(exc))

    db.conn.set_trace_callback(before)
    counts = write_batch(db, [make_item()])
    db.conn.set_trace_callback(None)
    assert attempts == ["database is locked"]
    assert counts["new"] == 1
    assert db.execute("select count(*) from articles").fetchone()[0] == 1


def test_a_crawl_waits_for_a_lock_held_ten_seconds_and_loses_nothing(served, tmp_path):
    site, paths = served
    db = tmp_path / "archive.db"
    log = tmp_path / "crawl.log"
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db), "10"], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    with log.open("w") as out:
        crawl = subprocess.Popen(
            crawl_command(db, site.url, "-s", "DOWNLOAD_DELAY=0.05", "-s",
                          "ARCHIVE_BATCH_SIZE=10", "-s", "ARCHIVE_TIMEOUT=30"),
            stdout=out, stderr=out)
        wait_for(lambda: archived(db) >= 10, "the first batch")
        locker.stdin.write("go\n")
        locker.stdin.flush()
        assert locker.stdout.readline() == "locked\n"
        at_lock = archived(db)
        assert crawl.poll() is None  # the lock is taken while the crawl is writing
        assert locker.stdout.readline() == "released\n"
        assert crawl.wait(timeout=120) == 0
    locker.wait(timeout=10)
    assert at_lock < ARTICLES
    text = log.read_text()
    assert "database is locked" not in text
    assert "archive/write_retries" not in text
    assert summary_counts(text)["new"] == ARTICLES
    check_archive(db, paths)


def test_two_crawls_of_one_site_at_once_keep_the_archive_right(served, tmp_path):
    site, paths = served
    db = tmp_path / "archive.db"  # new: both crawls create it at the same moment
    # The same start set twice would be one crawl and a LOCKED one (test_run_lock.py): the
    # second also names the sitemap, so both run, and each finds every article.
    starts = [[], ["--url", f"{site.url}/sitemap.xml"]]
    crawls = [subprocess.Popen(crawl_command(db, site.url, *start, "-s", "DOWNLOAD_DELAY=0.01",
                                             "-s", "ARCHIVE_BATCH_SIZE=10"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for start in starts]
    outputs = [c.communicate(timeout=120) for c in crawls]
    assert [c.returncode for c in crawls] == [0, 0], outputs[0][1][-2000:] + outputs[1][1][-2000:]
    counts = [summary_counts(stdout) for stdout, _ in outputs]
    assert sum(c["new"] for c in counts) == ARTICLES
    for c in counts:  # each crawl saw every article: new, or written by the other one
        assert c["new"] + c["unchanged"] + c["already_archived"] == ARTICLES
        assert c["updated"] == 0
    con = check_archive(db, paths)
    assert con.execute("select count(*), count(finished) from runs").fetchone() == (2, 2)
    fetched = sum(ARTICLES - c["already_archived"] for c in counts)
    assert con.execute("select count(*) from pages where url like '%/story-%'"
                       ).fetchone()[0] == fetched


def test_a_slow_page_does_not_keep_finished_articles_out_of_the_archive(served, tmp_path):
    """One page answers after 60 s (or when released); the others are written by the timer
    ARCHIVE_BATCH_SECONDS after they came, while that page still holds the crawl open."""
    site, paths = served
    db = tmp_path / "archive.db"
    slow = paths[0]
    site.released.clear()
    site.delay(slow, 60)
    try:
        with (tmp_path / "crawl.log").open("w") as out:
            crawl = subprocess.Popen(
                crawl_command(db, site.url, *FAST, "-s", "ARCHIVE_BATCH_SECONDS=1",
                              "-s", "ARCHIVE_BATCH_SIZE=1000", "-s", "DOWNLOAD_TIMEOUT=120"),
                stdout=out, stderr=out)
            wait_for(lambda: archived(db) == ARTICLES - 1, "the other articles archived", 30)
            assert crawl.poll() is None and slow in site.requests  # held open by the page
            site.release()
            assert crawl.wait(timeout=60) == 0
    finally:
        site.delays.clear()
        site.release()
    check_archive(db, paths)


def test_open_archive_migrates_a_new_archive_once_under_the_lock(tmp_path: Path):
    """Two processes opening a new archive at once: one creates it, the other waits."""
    db = tmp_path / "archive.db"
    code = ("import sys; from scraper.archive import open_archive; print(flush=True); "
            "sys.stdin.readline(); open_archive(sys.argv[1]).close()")
    opens = [subprocess.Popen([sys.executable, "-c", code, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    for p in opens:  # all imported: then they open it at the same moment
        p.stdout.readline()
    for p in opens:
        p.stdin.write("go\n")
        p.stdin.flush()
    assert [(p.wait(timeout=60), p.stderr.read()) for p in opens] == [(0, "")] * 4
    con = sqlite3.connect(db)
    applied = [r[0] for r in con.execute("select name from _sqlite_migrations")]
    assert len(applied) == len(set(applied)) > 0
