"""The exit codes of `scraper crawl` (README's table): each from a real crawl where one can be
made here, and the decision itself from the stats it reads. LOCKED is tested with two
processes in test_run_lock.py, USAGE (2) in test_cli.py."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
from conftest import SITES_DIR
from generated_site import crawl_command, served_site, summary_counts

from scraper.exit_codes import Exit
from scraper.outcome import exit_status, failure_share, problem

NO_DELAY = ["-s", "DOWNLOAD_DELAY=0"]
CHALLENGE = (SITES_DIR / "globalresearch" / "bombing-of-the-kerch-bridge-what-we-know"
             / "5911111" / "index.html").read_bytes()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_site_fails_fast_in_one_line_naming_the_address_tried(tmp_path):
    """With the default retries and pace: robots.txt is tried 4 times, then every discovery
    route fails at once (each used to be retried in turn: 40-55 s)."""
    base = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "globalresearch", "--base-url", base,
         "--db", str(tmp_path / "archive.db")], capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    print(f"\nunreachable site: exit {out.returncode} after {seconds:.1f} s")
    assert out.returncode == Exit.UNREACHABLE
    assert seconds < 30
    errors = [line for line in out.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: no page of globalresearch could be fetched: {base}/robots.txt: "
                      f"Connection was refused by {base.removeprefix('http://')}"]
    assert "Traceback" not in out.stderr
    assert "globalresearch.ca" not in errors[0]  # the mirror tried, not the site it mirrors
    # robots.txt with its retries, and nothing after it.
    assert "3 failed (3 connection_refused)" in out.stdout


@pytest.fixture
def small_site(tmp_path):
    with served_site(tmp_path / "site", 10) as (site, paths):
        yield site, paths


def test_a_site_whose_every_page_is_a_bot_wall_is_unreachable(small_site, tmp_path):
    site, paths = small_site
    for path in ["/", *paths]:
        site.fail(path, 403, times=10, body=CHALLENGE)
    # Each 403 doubles the site's delay (back-off): capped low, or this takes minutes.
    out = subprocess.run(crawl_command(tmp_path / "archive.db", site.url, *NO_DELAY,
                                       "-s", "BACKOFF_MAX_DELAY=0.1"), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == Exit.UNREACHABLE, out.stderr[-2000:]
    assert summary_counts(out.stdout)["new"] == 0
    assert (f"Error: every page of {site.url}/ was blocked (11 bot-wall "
            "answers, nothing else)") in out.stderr


@pytest.mark.parametrize(("share", "status"), [(None, Exit.FAILURES), ("0.9", Exit.FINISHED)])
def test_failures_above_the_share_allowed_exit_failures(small_site, tmp_path, share, status):
    site, paths = small_site
    for path in paths[:8]:
        site.fail(path, 404, times=10)
    setting = ["-s", f"CRAWL_MAX_FAILURE_SHARE={share}"] if share else []
    out = subprocess.run(crawl_command(tmp_path / "archive.db", site.url, *NO_DELAY, *setting),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == status, out.stderr[-2000:]
    counts = summary_counts(out.stdout)
    assert (counts["new"], counts["failed"]) == (2, 8)
    # 8 failed of 14 asked for: robots.txt (read by Scrapy, and by the spider for its
    # sitemaps), the home page, the sitemap, 10 articles.
    failure_line = f"Error: 8 fetches of {site.url}/ failed (57% of the pages asked for)"
    assert (failure_line in out.stderr) == (status == Exit.FAILURES)


def test_a_finished_crawl_exits_0_also_with_nothing_new(small_site, tmp_path):
    site, _ = small_site
    for _ in range(2):
        out = subprocess.run(crawl_command(tmp_path / "archive.db", site.url, *NO_DELAY),
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == Exit.FINISHED, out.stderr[-2000:]
    assert summary_counts(out.stdout)["already_archived"] == 10


# --- The decision, from the stats ------------------------------------------------------

FINE = {"finish_reason": "finished", "downloader/response_count": 12,
        "downloader/response_status_count/200": 12, "archive/new": 10}


@pytest.mark.parametrize(("stats", "status"), [
    ({}, Exit.ERROR),  # no finish reason: the crawl never ran to its end
    (FINE, Exit.FINISHED),
    (FINE | {"archive/new": 0, "pages/skipped_archived": 10}, Exit.FINISHED),  # nothing new
    (FINE | {"finish_reason": "closespider_itemcount"}, Exit.FINISHED),  # --limit reached
    ({"finish_reason": "finished", "pages/failed": 3, "unreachable/first": "u: refused"},
     Exit.UNREACHABLE),
    ({"finish_reason": "finished", "pages/failed": 1, "error/first": "u: DNS lookup failed"},
     Exit.UNREACHABLE),
    ({"finish_reason": "finished", "downloader/response_count": 3, "pages/blocked": 2,
      "discovery/blocked": 1}, Exit.UNREACHABLE),
    (FINE | {"pages/blocked": 2}, Exit.FINISHED),  # some blocked, the rest archived
    (FINE | {"finish_reason": "shutdown"}, Exit.ERROR),  # Ctrl-C, SIGTERM
    (FINE | {"archive/unwritten": 4}, Exit.ERROR),  # the archive stayed locked
    (FINE | {"pages/failed": 13}, Exit.FAILURES),  # 13 / 25
    (FINE | {"pages/failed": 12}, Exit.FINISHED),  # 12 / 24: not above half
    (FINE | {"drift/degraded": 1}, Exit.DEGRADED),
    (FINE | {"drift/degraded": 0}, Exit.FINISHED),
    (FINE | {"drift/degraded": 1, "pages/failed": 20}, Exit.FAILURES),
    (FINE | {"drift/degraded": 1, "finish_reason": "shutdown"}, Exit.ERROR),
])
def test_exit_status_from_the_stats(stats, status):
    assert exit_status(stats) == status


def test_failure_share_counts_pages_not_retried_answers():
    stats = {"pages/failed": 1, "downloader/response_status_count/503": 4,
             "downloader/response_status_count/200": 2, "downloader/response_status_count/301": 1,
             "downloader/response_status_count/304": 1}
    assert failure_share(stats) == 1 / 4
    assert failure_share({}) == 0.0
    assert exit_status(FINE | {"pages/failed": 3}, max_failure_share=0.1) == Exit.FAILURES


def test_the_one_line_names_the_site_and_the_address_crawled():
    mirror = "http://127.0.0.1:8000"
    assert problem(Exit.FAILURES, FINE | {"pages/failed": 13}, "globalresearch", mirror) == (
        f"13 fetches of globalresearch at {mirror} failed (52% of the pages asked for)")
    assert problem(Exit.ERROR, FINE | {"finish_reason": "shutdown"}, "globalresearch",
                   mirror) == "the crawl of globalresearch ended early: shutdown"
    assert problem(Exit.ERROR, FINE | {"archive/unwritten": 4}, "globalresearch", mirror) == (
        "4 articles were not archived (the archive stayed locked); the next run fetches them "
        "again")
    # The summary says it all, or the drift alarm prints its own line.
    assert problem(Exit.FINISHED, FINE, "globalresearch", mirror) is None
    assert problem(Exit.DEGRADED, FINE | {"drift/degraded": 1}, "globalresearch", mirror) is None
