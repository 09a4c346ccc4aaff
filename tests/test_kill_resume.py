"""Kill -9 at random moments, one of them while a batch is being written, then run to the end:
the archive is the one a clean run makes. No JOBDIR is given: `scraper crawl` keeps one per
spider and start set beside the archive, and the next start resumes on its own.

The moments are drawn from a seeded generator (the seed is printed: `pytest -s` shows it and
the figures); KILL_SEED=<n> replays one."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from generated_site import archived, article_fetches, check_archive, crawl_command, served_site

from scraper.exit_codes import Exit
from scraper.jobdir import auto_jobdir, job_name

ARTICLES = 500
# Small delays and batches: the crawl takes a few seconds, in 20 batches.
SETTINGS = ["-s", "DOWNLOAD_DELAY=0.01", "-s", "ARCHIVE_BATCH_SIZE=25"]
# Fields that say when, not what: a resumed archive has its own times.
WHEN = {"fetched_at", "first_seen", "last_seen", "last_changed"}
LIMIT = 30  # seconds any one step may take before the test gives up


def fields(db: Path) -> dict[str, tuple]:
    """Every article's fields but its times, with its authors and tags as linked, by URL."""
    con = sqlite3.connect(db)
    columns = [row[1] for row in con.execute("pragma table_info(articles)")
               if row[1] not in WHEN]
    rows = {row[0]: row for row in con.execute(
        f"select {', '.join(columns)} from articles")}
    for table, name in (("article_authors", "authors"), ("article_tags", "tags")):
        for url, names in con.execute(
                f"select article_url, group_concat(t.name, '|') from {table} "
                f"join {name} t on t.id = {table}.{name[:-1]}_id group by article_url"):
            rows[url] += (names,)
    con.close()
    return rows


def wait_for(crawl: subprocess.Popen, db: Path, committed: int) -> None:
    deadline = time.monotonic() + LIMIT
    while archived(db) < committed:
        assert crawl.poll() is None, "the crawl ended before it was killed"
        assert time.monotonic() < deadline, f"{committed} articles not committed in {LIMIT} s"
        time.sleep(0.01)


def kill_in_a_write(crawl: subprocess.Popen, db: Path) -> bool:
    """SIGKILL the crawl the moment it holds the archive's write lock (a batch is being
    written: BEGIN IMMEDIATE from here fails); True when the batch was indeed lost, i.e. no
    commit came between the last count and the kill."""
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    deadline = time.monotonic() + LIMIT
    try:
        while True:
            assert crawl.poll() is None, "the crawl ended before a write was caught"
            assert time.monotonic() < deadline, f"no write caught in {LIMIT} s"
            before = probe.execute("select count(*) from articles").fetchone()[0]
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # locked: the crawl is writing
                crawl.send_signal(signal.SIGKILL)
                crawl.wait()
                return archived(db) == before
            probe.execute("ROLLBACK")
            time.sleep(0.001)
    finally:
        probe.close()


def test_killed_at_random_moments_then_run_to_the_end_equals_a_clean_run(tmp_path):
    seed = int(os.environ.get("KILL_SEED") or random.randrange(10**6))
    rng = random.Random(seed)
    print(f"\nKILL_SEED={seed}")
    with served_site(tmp_path / "site", ARTICLES) as (site, paths):
        clean = tmp_path / "clean" / "archive.db"
        out = subprocess.run(crawl_command(clean, site.url, *SETTINGS), capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
        expected = fields(clean)

        db = tmp_path / "killed" / "archive.db"
        jobdir = auto_jobdir(db, job_name("news", (site.url + "/",)))
        logs: list[Path] = []
        lost = 0
        # Kills at random moments (a random 1-75 articles committed by the run, then a
        # random fraction of a second), and one while a batch is being written: tried again
        # when the batch committed before the signal landed, at most 5 times.
        plan = ["random", "write", "random", "random"]
        while plan:
            site.requests.clear()
            start = archived(db)
            logs.append(tmp_path / f"run{len(logs) + 1}.log")
            with logs[-1].open("w") as err:
                crawl = subprocess.Popen(crawl_command(db, site.url, *SETTINGS),
                                         stdout=subprocess.DEVNULL, stderr=err)
                if plan[0] == "write":
                    wait_for(crawl, db, start + 1)  # the run is recorded, a batch written
                    if kill_in_a_write(crawl, db):
                        plan.pop(0)
                    assert len(logs) < 9, "no kill landed inside a write in 5 tries"
                else:
                    wait_for(crawl, db, start + rng.randint(1, 75))
                    time.sleep(rng.uniform(0, 0.3))
                    crawl.send_signal(signal.SIGKILL)
                    crawl.wait()
                    plan.pop(0)
            assert crawl.returncode == -signal.SIGKILL
            assert jobdir.is_dir()  # left for the next start
            # Articles this run fetched (none archived before: those are skipped) and the
            # kill kept out of the archive.
            lost += len(set(article_fetches(site))) - (archived(db) - start)
        kills = len(logs)

        site.requests.clear()
        out = subprocess.run(crawl_command(db, site.url, *SETTINGS), capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
        # Each start after a kill found the JOBDIR the killed run left, and said so.
        assert "was left by a crawl that did not close" in out.stderr
        for log in logs[1:]:
            assert "was left by a crawl that did not close" in log.read_text()
        assert not jobdir.exists()  # removed after the finished run

    got = fields(db)
    con = check_archive(db, paths)  # each article once, never revised, integrity ok
    con.execute("insert into articles_fts(articles_fts) values ('integrity-check')")
    duplicated = con.execute(
        "select count(*) from (select url from pages where url in (select url from articles) "
        "group by url having count(*) > 1)").fetchone()[0]
    differing = sum(got[url] != expected[url] for url in expected.keys() & got.keys())
    missing = len(expected.keys() - got.keys())
    runs = con.execute("select finished, exit_reason from runs order by id").fetchall()
    print(f"{ARTICLES} articles, {kills} kills (one inside a batch write): {lost} fetched by "
          f"a killed run and not committed (fetched again), {missing} missing, {duplicated} "
          f"fetched twice into the archive, {differing} differing from the clean run")
    assert (missing, duplicated, differing) == (0, 0, 0)
    assert got.keys() == expected.keys()
    # The killed runs are crashed (never finished), the last one finished.
    assert [reason for _, reason in runs] == [None] * kills + ["finished"]
    assert all(finished is None for finished, _ in runs[:-1]) and runs[-1][0]
    stats = subprocess.run([sys.executable, "-m", "scraper", "stats", "--db", str(db),
                            "--runs", "20"], capture_output=True, text=True, timeout=60)
    assert stats.stdout.count("running or crashed") == kills


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def test_a_crawl_stopped_by_sigterm_resumes_its_queue_on_the_next_start(tmp_path):
    """A reboot or `systemctl stop` sends SIGTERM: Scrapy stops cleanly and saves its queue
    in the automatic JOBDIR; the next start (no -s JOBDIR) resumes that queue, then removes
    it."""
    with served_site(tmp_path / "site", 200) as (site, paths):
        db = tmp_path / "archive.db"
        jobdir = auto_jobdir(db, job_name("news", (site.url + "/",)))
        crawl = subprocess.Popen(crawl_command(db, site.url, *SETTINGS),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_for(crawl, db, 50)
        crawl.send_signal(signal.SIGTERM)
        _, err = crawl.communicate(timeout=LIMIT)
        assert crawl.returncode == Exit.ERROR  # it did not finish
        assert "JOBDIR" in err and "kept (shutdown)" in err
        assert (jobdir / "requests.queue" / "active.json").exists()
        stopped = archived(db)
        assert stopped < len(paths)
        site.requests.clear()
        out = subprocess.run(crawl_command(db, site.url, *SETTINGS), capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == Exit.FINISHED, out.stderr[-3000:]
        assert "resuming the crawl stopped there" in out.stderr
        fetched = article_fetches(site)
        assert len(fetched) == len(set(fetched)) == len(paths) - stopped
        assert not jobdir.exists()
    check_archive(db, paths)
