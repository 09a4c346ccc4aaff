"""The garbage collector's thresholds for the long-running processes: a crawl, its extraction
workers, the archive writer.

Why: CPython's defaults (a young collection every 700 new container objects, a full one
every 10th of the middle generation) suit short scripts. A crawl makes tens of thousands of
short-lived containers a page (Scrapy's requests, responses, deferreds; lxml's element
proxies in the workers), so the collector kept running over objects that were about to be
freed anyway: 11.5% of the crawl process's CPU and 4% of a worker's on the 2,000-page
bench site (`bench/crawl_workers.py`, timed with gc.callbacks). With THRESHOLDS the same
crawl ran 14 collections instead of 880 in its own process, 12.0 CPU s instead of 13.7 (and
its workers 17.4 instead of 19.1), at the same peak memory (181 MB): reference cycles are
still collected, only less often.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 20)


def tune() -> None:
    """Set THRESHOLDS for this process (idempotent)."""
    gc.set_threshold(*THRESHOLDS)
