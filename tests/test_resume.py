"""Resuming after a kill: a crawl with a JOBDIR is killed with SIGKILL mid-run, then run again
into the same archive and into an empty one. Both must end with every article archived
once; no later run may finish at once having done nothing (Scrapy's seen-requests file of
the killed run used to filter every start request)."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from generated_site import (
    archived,
    article_fetches,
    check_archive,
    crawl_command,
    served_site,
    summary_counts,
)
from scrapy import Request
from scrapy.utils.test import get_crawler

from scraper.fixture_server import FixtureSite
from scraper.jobdir import (
    MARKER,
    QUEUE,
    QUEUE_INDEX,
    SEEN,
    JobdirGuard,
    RequestDiskQueue,
    ResumeDupeFilter,
    left_by_killed_crawl,
    request_dict,
)
from spiders.news import NewsSpider

ARTICLES = 300
# The killed crawl: one request each 30 ms (at least 9 s for the site), batches of 20, so
# it is killed with batches committed and most of the site still to fetch.
SLOW = ["-s", "DOWNLOAD_DELAY=0.03", "-s", "ARCHIVE_BATCH_SIZE=20"]
KILL_AFTER = 60  # articles committed
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


class Killed(NamedTuple):
    site: FixtureSite
    paths: list[str]
    db: Path  # the killed crawl's archive
    jobdir: Path  # its JOBDIR, as the kill left it
    jobdir_copy: Path  # the same, for the resume into an empty archive
    committed: int  # articles the killed crawl had committed


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("killed")
    with served_site(tmp / "site", ARTICLES) as (site, paths):
        db, jobdir = tmp / "archive.db", tmp / "job"
        with (tmp / "killed.log").open("w") as log:
            crawl = subprocess.Popen(
                crawl_command(db, site.url, *SLOW, "-s", f"JOBDIR={jobdir}"),
                stdout=log, stderr=log)
            deadline = time.monotonic() + 60
            while archived(db) < KILL_AFTER and crawl.poll() is None:
                assert time.monotonic() < deadline, "the crawl committed nothing in 60 s"
                time.sleep(0.05)
            crawl.send_signal(signal.SIGKILL)
            assert crawl.wait() == -signal.SIGKILL
        shutil.copytree(jobdir, tmp / "job-copy")
        yield Killed(site, paths, db, jobdir, tmp / "job-copy", archived(db))


def resume(killed: Killed, db: Path, jobdir: Path) -> subprocess.CompletedProcess:
    killed.site.requests.clear()
    out = subprocess.run(crawl_command(db, killed.site.url, *FAST, "-s", f"JOBDIR={jobdir}"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "was left by a crawl that did not close" in out.stderr
    return out


def test_the_kill_landed_mid_run_and_left_a_crashed_run(killed):
    assert KILL_AFTER <= killed.committed < ARTICLES
    con = sqlite3.connect(killed.db)
    assert con.execute("select finished, exit_reason from runs").fetchall() == [(None, None)]
    stats = subprocess.run([sys.executable, "-m", "scraper", "stats", "--db", str(killed.db)],
                           capture_output=True, text=True, timeout=60)
    assert "running or crashed" in stats.stdout
    # What made every later run a no-op: the seen-file of the killed crawl, and its marker.
    assert (killed.jobdir_copy / SEEN).stat().st_size > 0
    assert (killed.jobdir_copy / MARKER).exists()


def test_resume_into_the_same_archive_fetches_only_what_is_missing(killed):
    out = resume(killed, killed.db, killed.jobdir)
    counts = summary_counts(out.stdout)
    assert counts["new"] == ARTICLES - killed.committed
    assert counts["already_archived"] == killed.committed
    fetched = article_fetches(killed.site)
    assert len(fetched) == len(set(fetched)) == ARTICLES - killed.committed
    check_archive(killed.db, killed.paths)
    con = sqlite3.connect(killed.db)
    assert con.execute("select exit_reason from runs order by id").fetchall() == [
        (None,), ("finished",)]
    # The finished crawl cleared its JOBDIR: the next scheduled run starts clean.
    assert not any((killed.jobdir / name).exists() for name in (SEEN, QUEUE, MARKER))
    again = subprocess.run(
        crawl_command(killed.db, killed.site.url, *FAST, "-s", f"JOBDIR={killed.jobdir}"),
        capture_output=True, text=True, timeout=120)
    assert summary_counts(again.stdout)["already_archived"] == ARTICLES
    assert "did not close" not in again.stderr


def test_resume_into_an_empty_archive_fetches_everything(killed, tmp_path):
    db = tmp_path / "empty.db"
    out = resume(killed, db, killed.jobdir_copy)
    assert summary_counts(out.stdout)["new"] == ARTICLES
    check_archive(db, killed.paths)


# --- The parts on their own -------------------------------------------------------------


def test_a_killed_crawl_is_told_from_a_paused_one(tmp_path):
    assert not left_by_killed_crawl(tmp_path)  # a new JOBDIR
    (tmp_path / SEEN).write_bytes(b"")
    (tmp_path / QUEUE).mkdir()
    # What a version without markers left after a kill: requests, no queue index.
    assert left_by_killed_crawl(tmp_path)
    (tmp_path / QUEUE / QUEUE_INDEX).write_text("{}")  # a clean stop writes the index
    assert not left_by_killed_crawl(tmp_path)
    (tmp_path / MARKER).write_text("{}")  # ... and a crawl that started since, then died
    assert left_by_killed_crawl(tmp_path)


def guard(jobdir: Path) -> tuple[JobdirGuard, object]:
    crawler = get_crawler(NewsSpider, settings_dict={"JOBDIR": str(jobdir)})
    crawler._apply_settings()  # builds the stats, as crawl() does
    return JobdirGuard.from_crawler(crawler), crawler


def test_guard_resets_a_killed_crawls_jobdir_and_clears_a_finished_one(tmp_path, caplog):
    (tmp_path / SEEN).write_bytes(b"\x00\x01x")
    (tmp_path / QUEUE).mkdir()
    (tmp_path / MARKER).write_text('{"pid": 1}')
    with caplog.at_level("WARNING"):
        ext, _ = guard(tmp_path)
    assert [r.message for r in caplog.records if "did not close" in r.message]
    assert not (tmp_path / SEEN).exists() and not (tmp_path / QUEUE).exists()
    assert (tmp_path / MARKER).exists()  # this crawl's
    (tmp_path / SEEN).write_bytes(b"\x00\x01y")  # what the crawl scheduled
    ext.spider_closed(None, "finished")
    assert not any((tmp_path / n).exists() for n in (SEEN, QUEUE, MARKER))


def test_guard_keeps_a_stopped_crawls_queue_unless_articles_went_unwritten(tmp_path):
    ext, _ = guard(tmp_path)
    (tmp_path / SEEN).write_bytes(b"\x00\x01y")
    ext.spider_closed(None, "shutdown")  # Ctrl-C: the next crawl resumes this one
    assert (tmp_path / SEEN).exists() and not (tmp_path / MARKER).exists()
    for unarchived in ("archive/unwritten", "articles/dropped/limit"):
        (tmp_path / SEEN).write_bytes(b"\x00\x01y")
        ext, crawler = guard(tmp_path)
        crawler.stats.set_value(unarchived, 3)
        ext.spider_closed(None, "closespider_itemcount")  # 3 "seen", to be fetched again
        assert not (tmp_path / SEEN).exists()


def test_start_requests_are_not_filtered_by_an_earlier_runs_seen_file(tmp_path):
    start = Request("http://127.0.0.1/feed/", meta={"is_start_request": True})
    article = Request("http://127.0.0.1/2026/01/01/story-1/")
    earlier = ResumeDupeFilter(str(tmp_path))
    assert not earlier.request_seen(start) and not earlier.request_seen(article)
    earlier.close("shutdown")
    later = ResumeDupeFilter(str(tmp_path))
    assert not later.request_seen(start.copy())  # read again: the feed may list new stories
    assert later.request_seen(start.copy())  # but once a run
    assert later.request_seen(article.copy())  # fetched by the earlier run: still filtered


def test_the_disk_queue_stores_what_scrapy_stores_and_gives_the_requests_back(tmp_path):
    """RequestDiskQueue names callbacks from a table, not a scan of the spider per request:
    the dict is Scrapy's own, and a request comes back from the queue as it went in."""
    crawler = get_crawler(NewsSpider, {"JOBDIR": str(tmp_path)})
    spider = crawler.spider = NewsSpider.from_crawler(crawler, url="http://127.0.0.1/")
    requests = [
        spider.article_request("http://127.0.0.1/2026/01/01/story-1/", "2026-01-01", "sitemap"),
        spider.discovery_request("http://127.0.0.1/sitemap.xml", spider.parse_sitemap),
        Request("http://127.0.0.1/robots.txt", callback=spider.parse_robots,
                errback=spider.robots_missing, cb_kwargs={"root": "http://127.0.0.1/"}),
        Request("http://127.0.0.1/plain/"),
    ]
    for request in requests:
        assert request_dict(request, spider) == request.to_dict(spider=spider)
    outside = Request("http://127.0.0.1/x/", callback=lambda response: None)
    with pytest.raises(ValueError):  # not a spider method: Scrapy's own error, as before
        request_dict(outside, spider)
    queue = RequestDiskQueue(crawler, str(tmp_path / "queue"))
    for request in requests:
        queue.push(request)
    back = [queue.pop() for _ in requests][::-1]  # last in, first out
    queue.close()
    assert [r.to_dict(spider=spider) for r in back] == [r.to_dict(spider=spider)
                                                       for r in requests]
