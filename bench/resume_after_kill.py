"""Kill and resume, run by hand: `.venv/bin/python bench/resume_after_kill.py [--articles N]`.

A generated site of N small articles (tests/generated_site.py, default 1,000) is served on
127.0.0.1 and crawled with the project's batch settings (ARCHIVE_BATCH_SIZE 50,
ARCHIVE_BATCH_SECONDS 30) and a JOBDIR, at one request per --delay seconds. The crawl is
killed with SIGKILL after --kill-after seconds, then resumed with the same JOBDIR into the
same archive and (from a copy of the JOBDIR) into an empty one. Reported:

- the uninterrupted crawl's wall time (the baseline);
- what the killed crawl had fetched and committed: the difference is what the kill lost
  (at most one batch, or ARCHIVE_BATCH_SECONDS of articles);
- each resume's wall time, articles new and skipped, and what it fetched again that the
  killed crawl had fetched already;
- `PRAGMA integrity_check` of each archive.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from generated_site import (  # noqa: E402
    archived,
    article_fetches,
    crawl_command,
    served_site,
    summary_counts,
)

from scraper.fixture_server import FixtureSite  # noqa: E402


def timed_crawl(site: FixtureSite, db: Path, settings: list[str]) -> tuple[float, dict]:
    site.requests.clear()
    started = time.monotonic()
    out = subprocess.run(crawl_command(db, site.url, *settings), capture_output=True,
                         text=True, check=True)
    return time.monotonic() - started, summary_counts(out.stdout)


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return con.execute("pragma integrity_check").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.02, help="DOWNLOAD_DELAY, seconds")
    parser.add_argument("--kill-after", type=float, default=8.0, help="seconds")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="resume-bench-"))
    try:
        settings = ["-s", f"DOWNLOAD_DELAY={args.delay}"]
        with served_site(tmp / "site", args.articles) as (site, _):
            full, _ = timed_crawl(site, tmp / "full.db", settings)
            print(f"{args.articles} articles, DOWNLOAD_DELAY {args.delay} s; uninterrupted "
                  f"crawl: {full:.1f} s")

            db, jobdir = tmp / "killed.db", tmp / "job"
            site.requests.clear()
            crawl = subprocess.Popen(crawl_command(db, site.url, *settings, "-s",
                                                   f"JOBDIR={jobdir}"),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(args.kill_after)
            crawl.send_signal(signal.SIGKILL)
            crawl.wait()
            before = set(article_fetches(site))
            committed = archived(db)
            print(f"killed after {args.kill_after:.0f} s: {len(before)} articles fetched, "
                  f"{committed} committed, {len(before) - committed} lost with the kill")
            shutil.copytree(jobdir, tmp / "job-copy")

            for label, target, job in (("same archive", db, jobdir),
                                       ("empty archive", tmp / "empty.db", tmp / "job-copy")):
                seconds, counts = timed_crawl(site, target, [*settings, "-s", f"JOBDIR={job}"])
                again = before & set(article_fetches(site))
                print(f"resume into the {label}: {seconds:.1f} s, {counts['new']} new, "
                      f"{counts['already_archived']} skipped as archived, {len(again)} "
                      f"fetched again, {archived(target)} archived, integrity "
                      f"{integrity(target)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
