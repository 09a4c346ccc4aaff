"""One crawl's writes to the archive, without Scrapy: what the archive pipeline of a
single-process crawl and the archive writer of a distributed one (scraper/distributed/)
both do, so that one piece of code decides what a record becomes in the archive.

A session gathers what a run sends (articles, 404/410 answers, pages kept as evidence or as
listings, 304 notices of archived articles), writes it as one batch (write.py), then runs the
boilerplate canary and counts the drift alarm's coverage (drift.py) on the articles it wrote,
keeping the run's counts in `stats` (Scrapy's stats collector, or a `Tally`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from typing import Any, Protocol

from sqlite_utils import Database

from scraper.archive.retention import check_mode
from scraper.archive.runs import CHECKED, LEAKED, LEAKED_PREFIX
from scraper.archive.write import write_batch
from scraper.drift import DriftMonitor, Thresholds
from scraper.extraction.leaks import boilerplate_leaks, watched
from scraper.items import ArticleItem, Page
from scraper.sites import SITES, site_for_url

logger = logging.getLogger(__name__)


class StatsLike(Protocol):
    """Scrapy's stats collector, as far as a session uses it."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...
    def set_value(self, key: str, value: Any) -> None: ...
    def get_value(self, key: str, default: Any = None) -> Any: ...
    def get_stats(self) -> dict[str, Any]: ...


class Tally:
    """The stats of a run written by a process that has no Scrapy crawler (the writer)."""

    def __init__(self, values: dict[str, Any] | None = None):
        self.values: dict[str, Any] = dict(values or {})

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def get_stats(self) -> dict[str, Any]:
        return self.values


class ArchiveSession:
    """What one run has sent and the archive does not hold yet, and the run's drift counts."""

    def __init__(self, db: Database, stats: StatsLike, thresholds: Thresholds,
                 keep_listings: str, batch_size: int):
        self.db = db
        self.stats = stats
        self.keep_listings = keep_listings
        self.batch_size = batch_size
        self.drift = DriftMonitor(thresholds)
        self.batch: list[ArticleItem] = []
        self.gone: list[Page] = []  # 404/410 answers of article URLs
        self.pages: list[Page] = []  # fetched, but dropped before the archive, or listings
        self.not_modified: list[str] = []  # archived articles that answered 304

    @classmethod
    def from_settings(cls, settings: Any, db: Database, stats: StatsLike) -> ArchiveSession:
        """The session of a run with these settings (ARCHIVE_KEEP_LISTINGS, checked: a
        ValueError names the modes; ARCHIVE_BATCH_SIZE; the DRIFT_* thresholds): the crawl's
        pipeline and the archive writer both build theirs here, so both refuse the same."""
        return cls(db, stats, Thresholds.from_settings(settings),
                   check_mode(settings.get("ARCHIVE_KEEP_LISTINGS")),
                   settings.getint("ARCHIVE_BATCH_SIZE"))

    # --- What a run sends ----------------------------------------------------------------
    def article(self, item: ArticleItem) -> None:
        self.batch.append(item)

    def gone_page(self, page: Page) -> None:
        self.gone.append(page)

    def keep(self, page: Page) -> None:
        self.pages.append(page)

    def seen_unchanged(self, url: str) -> None:
        self.not_modified.append(url)

    def not_article(self, page: Page) -> None:
        """A page the extraction judged no article: the drift alarm counts it when the
        archive never had it (before the page itself is written)."""
        site = (SITES.get(page.site) or site_for_url(page.url)).name
        try:
            self.drift.count_no_article(self.db, site, page.url)
        except sqlite3.Error as exc:  # the alarm goes without this page, not the crawl
            logger.warning("drift alarm: could not look up %s: %s", page.url, exc)

    def dropped(self, item: Page | ArticleItem, reason: str) -> None:
        """A page that gave no article (blocked, not an article, dropped by a rule) was
        still fetched: it is kept with the next batch, counted by the drift alarm first
        when the extraction said it is no article."""
        page = item if isinstance(item, Page) else getattr(item, "page", None)
        if isinstance(item, Page) and reason.startswith("not_article:"):
            self.not_article(item)
        if page is not None:
            page.kind = page.kind or "dropped"  # not classified: extraction failed, or a rule
            self.keep(page)

    # --- Writing -------------------------------------------------------------------------
    def pending(self) -> bool:
        return bool(self.batch or self.gone or self.pages or self.not_modified)

    def full(self) -> bool:
        return len(self.batch) >= self.batch_size or len(self.pages) >= self.batch_size

    def write(self, run_id: int | None) -> Counter[str]:
        """Write what is pending as one transaction (a savepoint inside the caller's), then
        count it; sqlite3.OperationalError (locked) leaves it all pending."""
        outcomes: list[str] = []
        counts = write_batch(self.db, self.batch, run_id, self.gone, self.pages, outcomes,
                             self.not_modified, self.keep_listings)
        for outcome, n in counts.items():
            self.stats.inc_value(f"archive/{outcome}", n)
        if counts["clusters_stale"]:
            logger.warning("%d articles were not put in clusters: the archive's signatures "
                           "were made with other parameters (run `scraper clusters --rebuild`)",
                           counts["clusters_stale"])
        self._canary(outcomes)
        self.batch, self.gone, self.pages, self.not_modified = [], [], [], []
        return counts

    def _canary(self, outcomes: list[str]) -> None:
        """Count the batch's new bodies (new or changed articles) that still hold a note,
        label or date line of their site's rules: the run's drift canary (leaks.py); and
        give the drift alarm each new or changed article with that verdict."""
        for item, outcome in zip(self.batch, outcomes, strict=True):
            site = SITES.get(item.article.site) or site_for_url(item.article.url)
            if outcome not in ("new", "updated"):
                continue
            leaks = boilerplate_leaks(item.article.body, site) if watched(site) else None
            self.drift.count(item.article, outcome == "new", leaks)
            if leaks is None:
                continue
            self.stats.inc_value(CHECKED)
            if leaks:
                self.stats.inc_value(LEAKED)
                for rule in leaks:
                    self.stats.inc_value(LEAKED_PREFIX + rule)
                logger.warning("boilerplate left in the body of %s: %s", item.article.url,
                               ", ".join(leaks))

    def judge_drift(self, run_id: int | None) -> None:
        """The drift alarm, before the run's row is finished (it stores the verdict)."""
        try:
            reasons = self.drift.finish(self.db, run_id, self.stats)
        except sqlite3.Error as exc:
            logger.error("could not judge the run's drift: %s", exc)
            return
        if reasons:
            logger.warning("drift alarm, run degraded: %s", "; ".join(reasons))
