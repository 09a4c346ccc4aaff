"""One crawl at a time per spider and start set on an archive, between real processes: the
second exits at once with one line and Exit.LOCKED; another site's crawl runs beside it; a
holder killed with SIGKILL frees the lock."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

from conftest import REPO
from generated_site import archived, crawl_command, served_site, summary_counts

from scraper.exit_codes import Exit
from scraper.runlock import Locked, RunLock, lock_path

SLOW = ["-s", "DOWNLOAD_DELAY=0.1", "-s", "ARCHIVE_BATCH_SIZE=10"]  # 150 articles: 15 s+
FAST = ["-s", "DOWNLOAD_DELAY=0"]


def test_a_second_crawl_of_the_same_site_exits_locked_another_site_runs(tmp_path):
    db = tmp_path / "archive.db"
    with (served_site(tmp_path / "big", 150) as (big, paths),
          served_site(tmp_path / "small", 20) as (small, _)):
        # One of its pages answers only once released: the first crawl cannot end before the
        # test has seen it still running, however slow the machine is.
        big.delay(paths[0], 300)
        first = subprocess.Popen(crawl_command(db, big.url, *SLOW),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while archived(db) < 10:  # it holds the lock and is crawling
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
            started = time.monotonic()
            second = subprocess.run(crawl_command(db, big.url, *FAST), capture_output=True,
                                    text=True, timeout=60)
            seconds = time.monotonic() - started
            assert second.returncode == Exit.LOCKED
            assert second.stdout == ""
            line, = second.stderr.strip().splitlines()
            assert line.startswith(f"Error: another crawl (pid {first.pid}, started ")
            assert line.endswith(".lock: this crawl did not start")
            assert f" holds {db}.news-" in line
            assert seconds < 20  # at once (the time is Python's and Scrapy's imports)
            assert runs(db) == 1  # no run recorded: the archive was not even opened

            # `scrapy crawl` (scrapyd's way) takes the same lock: it fails as it starts.
            scrapy = subprocess.run(
                [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={big.url}/",
                 "-s", f"ARCHIVE_PATH={db}", "-s", "LOG_LEVEL=WARNING"],
                cwd=REPO, capture_output=True, text=True, timeout=60)
            assert scrapy.returncode != 0
            assert (f"scraper.runlock.Locked: another crawl (pid {first.pid}, started "
                    in scrapy.stderr)
            assert runs(db) == 1

            other = subprocess.run(crawl_command(db, small.url, *FAST), capture_output=True,
                                   text=True, timeout=120)
            assert other.returncode == Exit.FINISHED, other.stderr[-2000:]
            assert summary_counts(other.stdout)["new"] == 20
            assert first.poll() is None  # the two ran side by side
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
            big.release()
        # The kernel freed the dead holder's lock: the next start resumes the crawl.
        third = subprocess.run(crawl_command(db, big.url, *FAST), capture_output=True,
                               text=True, timeout=120)
        assert third.returncode == Exit.FINISHED, third.stderr[-2000:]
        assert archived(db) == 170


def runs(db) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("select count(*) from runs").fetchone()[0]


def test_lock_is_per_archive_and_job_and_freed_on_release(tmp_path):
    db = tmp_path / "archive.db"
    assert lock_path(db, "news-abc") == tmp_path / "archive.db.news-abc.lock"
    with RunLock(lock_path(db, "globalresearch")):
        try:
            RunLock(lock_path(db, "globalresearch")).acquire()
        except Locked as exc:
            assert "holds" in str(exc) and "pid" in str(exc)
        else:
            raise AssertionError("a second holder got the lock")
        RunLock(lock_path(db, "southfront")).acquire().release()  # another spider's
        RunLock(lock_path(tmp_path / "other.db", "globalresearch")).acquire().release()
    RunLock(lock_path(db, "globalresearch")).acquire().release()
