"""Crawl speed with 1 and 2 extraction workers, run by hand:
`.venv/bin/python bench/crawl_workers.py [--pages N]`.

Generates a site of N article pages (the replica's real Global Research articles, each under
many URLs, listed in a sitemap), serves it on 127.0.0.1, and crawls it with `scraper crawl
news` and no politeness delay, once with EXTRACT_WORKERS=1 and once with 2. Prints the
pages/s of each (wall time of the whole command, start-up included) and their ratio.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from resource import RUSAGE_CHILDREN, getrusage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.fixture_server import FixtureSite  # noqa: E402

REPLICA = ROOT / "tests" / "sites" / "globalresearch"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "NEWS_FOLLOW_DEPTH=0"]


def generate(root: Path, n: int) -> None:
    """N pages under /news/2026/05/<k>/story-<k>/, each a replica article, and a sitemap."""
    articles = [p.read_text("utf-8") for p in sorted(REPLICA.glob("*/*/index.html"))
                if p.parent.name.isdigit() and "<article" in p.read_text("utf-8")]
    urls = []
    for k in range(n):
        path = f"news/2026/05/{k % 28 + 1:02d}/story-{k}"
        html = articles[k % len(articles)].replace("</title>", f" ({k})</title>", 1)
        (root / path).mkdir(parents=True)
        (root / path / "index.html").write_text(html, encoding="utf-8")
        urls.append(f"<url><loc>ORIGIN/{path}/</loc><lastmod>2026-05-01</lastmod></url>")
    (root / "index.html").write_text("<html><head><title>Bench News</title></head>"
                                     "<body><p>Home</p></body></html>")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
        '"http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(urls) + "</urlset>")


def crawl(site: FixtureSite, db: Path, workers: int) -> tuple[float, float, int, int]:
    """(seconds, CPU seconds of the crawl and its workers, pages fetched, articles)."""
    began, cpu = time.perf_counter(), _cpu()
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "news", "--url", f"{site.url}/",
         "--db", str(db), *FAST, "-s", f"EXTRACT_WORKERS={workers}"],
        capture_output=True, text=True, cwd=ROOT)
    seconds, cpu = time.perf_counter() - began, _cpu() - cpu
    if out.returncode != 0:
        sys.exit(out.stderr[-3000:])
    con = sqlite3.connect(db)
    pages = con.execute("select count(*) from pages").fetchone()[0]
    articles = con.execute("select count(*) from articles").fetchone()[0]
    return seconds, cpu, pages, articles


def _cpu() -> float:
    usage = getrusage(RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        generate(root, args.pages)
        print(f"{args.pages} article pages, load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores")
        rates = {}
        with FixtureSite(root, origin="ORIGIN") as site:
            for workers in (1, 2):
                seconds, cpu, pages, articles = crawl(site, Path(tmp) / f"w{workers}.db",
                                                      workers)
                rates[workers] = pages / seconds
                print(f"  EXTRACT_WORKERS={workers}: {pages} pages ({articles} articles) in "
                      f"{seconds:.1f}s = {rates[workers]:.1f} pages/s; CPU s of the crawl "
                      f"and its workers {cpu:.1f}")
        print(f"  two workers / one worker = {rates[2] / rates[1]:.2f} (the crawl's own "
              "process, and this one serving the site, share the same cores)")


if __name__ == "__main__":
    main()
