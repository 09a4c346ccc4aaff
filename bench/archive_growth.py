"""Archive growth over scheduled runs, run by hand:
`.venv/bin/python bench/archive_growth.py [--runs 30] [--keep latest all]`.

A living site (tests/living_site.py: a sitemap index by month, a feed, a front page and a
section that list every story, a soft 404) starts with 20 stories over the last 60 days and
publishes 2 more before each run, with a new edition of its front; the server answers
conditional requests (ETag, Last-Modified). Each run is `scraper crawl news` into one archive
per ARCHIVE_KEEP_LISTINGS mode, REVISIT_MIN_HOURS=0 (the runs come seconds apart, standing
for runs hours apart: fresh stories are checked on each). Printed per run: the requests the
site got and how many it answered 304, articles new and unchanged, the archive's size (after
a checkpoint), its `pages` rows (of which listings: fronts, sections, feeds, sitemaps) and
distinct bodies.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from generated_site import crawl_command  # noqa: E402
from living_site import LivingSite  # noqa: E402

from scraper.archive.retention import EVIDENCE  # noqa: E402

SETTINGS = ["-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "-s", "NEWS_FOLLOW_DEPTH=1", "-s", "REVISIT_MIN_HOURS=0", "-s", "LOG_LEVEL=WARNING"]


def archive_figures(db: Path) -> tuple[int, int, int, int]:
    """(bytes, pages rows, listing rows, distinct bodies) of `db`, its WAL checkpointed."""
    con = sqlite3.connect(db)
    con.execute("pragma wal_checkpoint(truncate)")
    evidence = ", ".join(f"'{k}'" for k in EVIDENCE if k)
    pages, listings = con.execute(
        f"select count(*), sum(kind is not null and kind not in ({evidence})) from pages"
    ).fetchone()
    bodies = con.execute("select count(*) from page_bodies").fetchone()[0]
    con.close()
    return db.stat().st_size, pages, listings or 0, bodies


def run(mode: str, runs: int, tmp: Path) -> None:
    living = LivingSite(tmp / f"site-{mode}", ages=[i * 3 + 0.5 for i in range(20)])
    db = tmp / f"archive-{mode}.db"
    print(f"ARCHIVE_KEEP_LISTINGS={mode}\n{'run':>3} {'requests':>8} {'304':>4} {'new':>4} "
          f"{'unch':>4} {'KiB':>6} {'pages':>6} {'listing':>7} {'bodies':>6}")
    with living.serve() as site:
        for n in range(1, runs + 1):
            living.publish(2)
            site.requests.clear()
            out = subprocess.run(
                crawl_command(db, site.url, *SETTINGS, "-s", f"ARCHIVE_KEEP_LISTINGS={mode}"),
                capture_output=True, text=True, timeout=300)
            if out.returncode != 0:
                raise SystemExit(out.stderr[-3000:])
            line = next(x for x in out.stdout.splitlines() if x.startswith("news:"))
            new, unchanged, not_modified = (int(re.search(rf"(\d+) {word}", line)[1]) for word
                                            in ("new", "unchanged", "not modified"))
            size, pages, listings, bodies = archive_figures(db)
            print(f"{n:>3} {len(site.requests):>8} {not_modified:>4} {new:>4} {unchanged:>4} "
                  f"{size / 1024:>6.0f} {pages:>6} {listings:>7} {bodies:>6}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", nargs="+", default=["latest", "all"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.keep:
            run(mode, args.runs, Path(tmp))


if __name__ == "__main__":
    main()
