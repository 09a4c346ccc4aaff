"""Re-extraction speed, run by hand: `.venv/bin/python bench/reextract_speed.py [--pages N]`.

Stores N article pages (the replica's real Global Research pages, each under many URLs) in a
fresh archive, then runs `reextract` over them with one worker process and with two, and
prints pages/s and the speed-up of the second core (the baseline is the one-worker run).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF, getrusage

from scraper.archive import open_archive, write_batch
from scraper.items import ArticleItem, Page
from scraper.reextract import reextract

REPLICA = Path(__file__).resolve().parent.parent / "tests" / "sites" / "globalresearch"
HOME = "https://www.globalresearch.ca"


def replica_pages() -> list[tuple[str, bytes]]:
    """(URL, body) of the replica's article pages: /<slug>/<id>/index.html."""
    pages = []
    for index in sorted(REPLICA.glob("*/*/index.html")):
        slug, ident = index.parent.parent.name, index.parent.name
        if ident.isdigit():
            pages.append((f"{HOME}/{slug}/{ident}", index.read_bytes()))
    return pages


def fill(db, n: int) -> int:
    originals = []
    for url, body in replica_pages():
        page = Page(url=url, fetched_url=url, status=200, headers={}, body=body,
                    encoding="utf-8", fetched_at="2026-11-25T10:00:00+00:00",
                    site="globalresearch")
        result = page.extract()
        if result.article is not None:
            originals.append(ArticleItem(article=result.article, page=page))
    items = []
    for k in range(n):
        item = originals[k % len(originals)]
        url = f"{item.article.url}-copy{k}"
        items.append(ArticleItem(article=replace(item.article, url=url),
                                 page=replace(item.page, url=url, fetched_url=url)))
    write_batch(db, items)
    return len(originals)


def _cpu(who: int) -> float:
    usage = getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_archive(Path(tmp) / "archive.db")
        distinct = fill(db, args.pages)
        print(f"{args.pages} stored pages ({distinct} distinct replica articles), load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        rates = {}
        for workers in (1, 2):
            main_cpu, workers_cpu = _cpu(RUSAGE_SELF), _cpu(RUSAGE_CHILDREN)
            began = time.perf_counter()
            report = reextract(db, workers=workers)
            seconds = time.perf_counter() - began
            main_cpu = _cpu(RUSAGE_SELF) - main_cpu
            workers_cpu = _cpu(RUSAGE_CHILDREN) - workers_cpu
            rates[workers] = report.pages / seconds
            print(f"  {workers} worker(s): {report.pages} pages in {seconds:.1f}s = "
                  f"{rates[workers]:.0f} pages/s; CPU s in the main process {main_cpu:.1f}, "
                  f"in workers {workers_cpu:.1f} ({dict(report.counts)})")
        print(f"  two workers / one worker = {rates[2] / rates[1]:.2f} (2.0 would be both cores "
              "fully used; the main process also writes)")
        db.close()


if __name__ == "__main__":
    main()
