"""The live progress line of a crawl in a terminal, read from the crawler's stats.

A person watching a crawl wants one line that moves, not Scrapy's log (which goes to the
run's log file meanwhile): pages fetched, articles new / updated / unchanged, what is still
queued, the pace, the errors and the time so far. The line is drawn by tqdm on standard
output (cut to the terminal's width, redrawn in place) and erased when the crawl ends,
where the summary takes its place. `scraper crawl` switches it on (PROGRESS_LINE) only when
standard output is a terminal and neither -q nor -v is given. (tqdm rather than rich:
Datasette, installed beside it, prints every error it answers as a rich traceback with
its locals whenever rich is importable.)
"""

from __future__ import annotations

import shutil
import sys
import time
from collections import deque
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from tqdm import tqdm
from twisted.internet.task import LoopingCall

# Seconds between two redraws, and the span the pace is measured over (the last pages,
# not the whole run: a crawl slowed by a back-off shows it at once).
INTERVAL = 0.5
RATE_WINDOW = 10.0


def progress_text(stats: dict[str, Any], elapsed: float, rate: float,
                  in_downloader: int = 0) -> str:
    """The line itself, from the run's stats so far; `in_downloader`: requests handed to
    the downloader and not answered yet (waiting for their slot's delay, or in flight)."""
    def n(key: str) -> int:
        return int(stats.get(key, 0))

    written = n("archive/new") + n("archive/updated") + n("archive/unchanged")
    pending = max(0, n("item_scraped_count") - written)  # extracted, batch not yet written
    queued = max(0, n("scheduler/enqueued") - n("scheduler/dequeued")) + in_downloader
    errors = n("pages/failed") + n("log_count/ERROR")
    minutes, seconds = divmod(int(elapsed), 60)
    return (f"{minutes}:{seconds:02d} · {n('response_received_count')} pages ({rate:.1f}/s)"
            f" · articles {n('archive/new')} new, {n('archive/updated')} updated, "
            f"{n('archive/unchanged')} unchanged"
            + (f" (+{pending} to write)" if pending else "")
            + f" · {queued} queued · {errors} errors")


class ProgressLine:
    """A Scrapy extension: redraws the progress line every INTERVAL seconds while the
    engine runs (on by PROGRESS_LINE)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.bar: tqdm | None = None
        self.timer: AsyncioLoopingCall | LoopingCall | None = None
        self.started = 0.0
        self.samples: deque[tuple[float, int]] = deque()
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("PROGRESS_LINE"):
            raise NotConfigured
        return cls(crawler)

    def engine_started(self) -> None:
        self.started = time.monotonic()
        # A bar of text only ({desc}), erased at the end.
        self.bar = tqdm(file=sys.stdout, bar_format="{desc}", leave=False, mininterval=0)
        self.redraw()
        self.timer = create_looping_call(self.redraw)
        self.timer.start(INTERVAL, now=False)

    def text(self) -> str:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        now = time.monotonic()
        pages = int(stats.get("response_received_count", 0))
        self.samples.append((now, pages))
        while self.samples and now - self.samples[0][0] > RATE_WINDOW:
            self.samples.popleft()
        first_time, first_pages = self.samples[0]
        span = now - first_time
        rate = (pages - first_pages) / span if span > 0 else 0.0
        engine = self.crawler.engine
        in_downloader = len(engine.downloader.active) if engine is not None else 0
        return progress_text(stats, now - self.started if self.started else 0.0, rate,
                             in_downloader)

    def redraw(self) -> None:
        if self.bar is not None:
            # As wide as the terminal is now; 80 columns by 24 lines for one that tells no
            # size (tqdm would cut the line to nothing there, or not draw it).
            self.bar.ncols, self.bar.nrows = shutil.get_terminal_size((80, 24))
            self.bar.set_description_str(self.text(), refresh=True)

    def spider_closed(self, spider: Spider) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
