"""Run a spider in this process with the project's settings, and summarise what it did."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from scraper.archive import open_archive
from scraper.archive.retention import check_mode
from scraper.archive.runs import FAILED_PREFIX, by_reason
from scraper.download import check_client


def project_settings(db: str | Path, overrides: dict[str, Any] | None = None) -> Settings:
    """The project's Scrapy settings, wherever the command is run from."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    settings = get_project_settings()
    settings.set("ARCHIVE_PATH", str(db), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def check_settings(settings: Settings) -> None:
    """ValueError for a setting whose value the crawl would only refuse once started (one
    line for the person who typed it, rather than a traceback from inside Scrapy)."""
    check_mode(settings.get("ARCHIVE_KEEP_LISTINGS"))
    check_client(settings.get("FETCH_CLIENT"))


def spider_names(settings: Settings) -> list[str]:
    return sorted(get_spider_loader(settings).list())


def run_crawl(spider: str, settings: Settings, before_start: Callable[[], object] | None = None,
              open_first: bool = True, **spider_args: Any) -> dict[str, Any]:
    """Crawl with `spider` until done; return the run's stats.

    The archive is opened (and migrated) first, so an unwritable path fails before any
    request is sent; then `before_start` is called, before Scrapy sets up its logging (the
    run's log file is made there: scraper/runlog.py). A worker of a distributed crawl
    (`open_first` False) never opens the archive.
    """
    if open_first:
        open_archive(settings.get("ARCHIVE_PATH"), settings.getfloat("ARCHIVE_TIMEOUT")).close()
    if before_start is not None:
        before_start()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **{k: v for k, v in spider_args.items() if v not in (None, "")})
    process.start()
    return crawler.stats.get_stats() if crawler.stats else {}


def summary(stats: dict[str, Any]) -> str:
    """One line a person reads after a run: what was archived and what was not."""
    def n(key: str) -> int:
        return int(stats.get(key, 0))

    dropped = sum(v for k, v in stats.items() if k.startswith("articles/dropped/"))
    kinds = ", ".join(f"{v} {k}" for k, v in by_reason(stats, "pages/not_article/").items())
    reasons = ", ".join(f"{v} {k}" for k, v in by_reason(stats, FAILED_PREFIX).items())
    return (
        f"{n('archive/new')} new, {n('archive/updated')} updated, "
        f"{n('archive/unchanged')} unchanged articles; "
        f"{n('pages/revisit_skipped')} already archived, {n('pages/not_modified')} not "
        f"modified (304), {n('pages/blocked')} blocked, "
        f"{n('pages/not_article')} not articles{f' ({kinds})' if kinds else ''}, "
        f"{n('pages/failed')} failed{f' ({reasons})' if reasons else ''}, "
        f"{dropped} dropped; finish reason: {stats.get('finish_reason', 'unknown')}"
        + (f"; {n('archive/gone')} archived articles gone (404/410)"
           if n("archive/gone") else "")
        + (f"; {n('follow/requested')} original sources followed, "
           f"{n('archive/republications')} republications paired"
           if n("follow/requested") or n("archive/republications") else "")
        + (f"; {n('discovery/blocked')} feed/listing pages blocked"
           if n("discovery/blocked") else "")
        + (f"; {n('archive/unwritten')} articles NOT archived (database locked)"
           if n("archive/unwritten") else "")
        + f"; {n('downloader/request_count')} requests in "
        f"{float(stats.get('elapsed_time_seconds', 0)):.1f} s"
    )
