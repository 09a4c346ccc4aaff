"""Two distributed workers against one, run by hand:
`.venv/bin/python bench/distributed_workers.py [--pages N]`.

Builds the loopback site of bench/crawl_workers.py (N article pages listed in a sitemap),
starts a redis-server of its own on 127.0.0.1 (tests/redis_server.py) and, for 1 then 2
workers, one `scraper archive-writer` and that many `scraper crawl news --redis` workers,
each capped to EXTRACT_WORKERS=1 (so that on a 2-core machine the comparison is of workers,
not of extraction processes), no politeness delay. Prints the pages/s of each (articles in
the archive over the wall time from the first start to the writer's exit, start-up and the
workers' idle close of IDLE seconds included), their ratio and the load average.
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
from resource import RUSAGE_CHILDREN

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from redis_server import redis_server  # noqa: E402

from bench.crawl_workers import FAST, Server, _cpu, generate  # noqa: E402

IDLE = 2  # seconds a worker waits on an empty frontier before it closes


def crawl(url: str, site: Server, folder: Path, workers: int) -> tuple[float, float, int]:
    """(seconds, CPU seconds of the writer, the workers and their extraction processes,
    articles archived) of one distributed crawl with `workers` workers."""
    redis.Redis.from_url(url).flushall()
    db = folder / "archive.db"
    began, cpu = time.perf_counter(), _cpu(RUSAGE_CHILDREN)
    writer = subprocess.Popen(
        [sys.executable, "-m", "scraper", "archive-writer", "--redis", url, "--db", str(db),
         "--exit-when-idle", "1", "-s", "ARCHIVE_BATCH_SECONDS=1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    crawlers = [subprocess.Popen(
        [sys.executable, "-m", "scraper", "crawl", "news", "--url", f"{site.origin}/", "--redis",
         url, "--db", str(folder / f"worker{k}" / "archive.db"), *FAST,
         "-s", "EXTRACT_WORKERS=1", "-s", f"REDIS_IDLE_CLOSE_SECONDS={IDLE}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for k in range(workers)]
    for process in [*crawlers, writer]:
        _, err = process.communicate()
        if process.returncode != 0:
            sys.exit(err[-3000:])
    seconds, cpu = time.perf_counter() - began, _cpu(RUSAGE_CHILDREN) - cpu
    con = sqlite3.connect(db)
    articles = con.execute("select count(*) from articles").fetchone()[0]
    con.close()
    return seconds, cpu, articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        generate(root, args.pages)
        site = Server(root)
        try:
            with redis_server(Path(tmp) / "redis") as url:
                rates = {}
                for workers in (1, 2):
                    seconds, cpu, articles = crawl(url, site, Path(tmp) / f"crawl{workers}",
                                                   workers)
                    rates[workers] = articles / seconds
                    print(f"{workers} worker{'s' if workers > 1 else ' '}: {articles} articles "
                          f"in {seconds:.1f} s = {rates[workers]:.1f} pages/s, CPU/wall "
                          f"{cpu / seconds:.2f} (Redis not counted) "
                          f"(load average {os.getloadavg()[0]:.2f})")
        finally:
            site.stop()
    print(f"two workers / one: {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
