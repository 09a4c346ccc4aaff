"""The pipelines on their own, with a real (unstarted) Scrapy crawler and a real archive."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest
from conftest import SITES_DIR, golden_cases, load_case
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from test_archive import make_item

from pipelines.archive import ArchivePipeline
from pipelines.extract import ExtractPipeline
from pipelines.validate import ValidatePipeline
from scraper import settings as project_settings
from scraper.archive import known_urls, open_archive
from scraper.items import Page


def crawler_with(**settings):
    """A crawler with the project's settings and `settings` on top."""
    project = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    crawler = get_crawler(settings_dict=project | settings)
    crawler._apply_settings()  # builds stats and freezes settings, as crawl() does
    return crawler


def page_for(case: dict) -> Page:
    body = (SITES_DIR / "globalresearch" / case["page"]).read_bytes()
    return Page(url=case["url"], fetched_url=case["url"], status=200, headers={}, body=body,
                encoding="utf-8", fetched_at="2026-11-25T10:00:00+00:00", site="globalresearch")


def extracted(pipeline: ExtractPipeline, page: Page):
    """The pipeline's coroutine awaited in an event loop, as Scrapy's asyncio reactor does."""
    return asyncio.run(pipeline.process_item(page))


@pytest.mark.parametrize("status", ["article", "blocked", "not_article"])
def test_extract_pipeline_outcomes(status):
    case = next(c for c in map(load_case, golden_cases("globalresearch"))
                if c["status"] == status)
    crawler = crawler_with(EXTRACT_WORKERS=1)
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        if status == "article":
            item = extracted(pipeline, page_for(case))
            assert item.article.title == case["expected"]["title"]
            assert item.article.fetched_at == "2026-11-25T10:00:00+00:00"
        else:
            with pytest.raises(DropItem, match=status):
                extracted(pipeline, page_for(case))
    finally:
        pipeline.close_spider()
    assert crawler.stats.get_value(f"pages/{status}") == 1


def test_validate_drops_before_since():
    crawler = crawler_with(ARCHIVE_SINCE="2024-01-01")
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="before_since"):
        pipeline.process_item(make_item())  # published 2023-03-14
    assert crawler.stats.get_value("articles/dropped/before_since") == 1


def test_archive_pipeline_batches_and_limit(db_path):
    crawler = crawler_with(ARCHIVE_PATH=str(db_path), ARCHIVE_BATCH_SIZE=2, ARCHIVE_LIMIT=3)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    for n in range(3):
        pipeline.process_item(make_item(url=f"https://www.example.org/story/{n}"))
    assert crawler.stats.get_value("archive/new") == 2  # the first batch of two is written
    with pytest.raises(DropItem, match="limit of 3"):
        pipeline.process_item(make_item(url="https://www.example.org/story/9"))
    pipeline.close_spider()
    assert crawler.stats.get_value("archive/new") == 3
    assert sqlite3.connect(db_path).execute("select count(*) from articles").fetchone()[0] == 3


def test_locked_archive_keeps_the_batch_until_it_can_write(db_path):
    crawler = crawler_with(ARCHIVE_PATH=str(db_path), ARCHIVE_BATCH_SIZE=1, ARCHIVE_TIMEOUT=0.1)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("begin exclusive")  # another writer holds the archive
    pipeline.process_item(make_item())
    assert crawler.stats.get_value("archive/write_retries") == 1
    assert len(pipeline.batch) == 1
    other.execute("rollback")
    pipeline.close_spider()
    assert crawler.stats.get_value("archive/new") == 1
    assert crawler.stats.get_value("archive/unwritten") is None


def test_locked_archive_is_tried_again_a_batch_period_later_not_with_each_article(db_path):
    crawler = crawler_with(ARCHIVE_PATH=str(db_path), ARCHIVE_BATCH_SIZE=1, ARCHIVE_TIMEOUT=0.1,
                           ARCHIVE_BATCH_SECONDS=0.5)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("begin exclusive")
    for n in range(3):  # each try would pause the crawl ARCHIVE_TIMEOUT
        pipeline.process_item(make_item(url=f"https://www.example.org/story/{n}"))
    assert crawler.stats.get_value("archive/write_retries") == 1
    other.execute("rollback")
    time.sleep(0.5)
    pipeline.flush_if_due()  # what the timer calls
    assert crawler.stats.get_value("archive/new") == 3
    pipeline.close_spider()


def test_archive_still_locked_at_the_end_is_reported(db_path):
    crawler = crawler_with(ARCHIVE_PATH=str(db_path), ARCHIVE_TIMEOUT=0.1)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(make_item())
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("begin exclusive")
    pipeline.close_spider()
    other.execute("rollback")
    assert crawler.stats.get_value("archive/unwritten") == 1


def test_a_crash_loses_only_the_batch_in_flight(db_path):
    """The process dies after three articles with batches of two: the first batch is in the
    archive (committed before it was counted), the third article is not, so the next run's
    skip list does not hold it and fetches it again; the run is left without an end."""
    crawler = crawler_with(ARCHIVE_PATH=str(db_path), ARCHIVE_BATCH_SIZE=2)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    urls = [f"https://www.example.org/story/{n}" for n in range(3)]
    for url in urls:
        pipeline.process_item(make_item(url=url))
    assert crawler.stats.get_value("archive/new") == 2
    # No close_spider, no spider_closed: what another process sees is what survives.
    con = sqlite3.connect(db_path)
    assert {r[0] for r in con.execute("select url from articles")} == set(urls[:2])
    assert con.execute("select count(*) from pages").fetchone()[0] == 2
    assert con.execute("select finished from runs").fetchall() == [(None,)]
    assert known_urls(open_archive(db_path), "example") == set(urls[:2])


def test_run_is_finished_with_its_exit_reason(db_path):
    crawler = crawler_with(ARCHIVE_PATH=str(db_path))
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(make_item())
    crawler.stats.inc_value("articles/dropped/before_since", 2)
    pipeline.close_spider()
    pipeline.spider_closed(None, "shutdown")
    run = sqlite3.connect(db_path).execute(
        "select exit_reason, new, dropped, finished is not null from runs").fetchone()
    assert run == ("shutdown", 1, '{"before_since": 2}', 1)


def test_extract_pipeline_keeps_a_repeat_store_next_to_the_archive(tmp_path):
    from test_body import ARTICLE, page

    from scraper.extraction.repeats import RepeatStore

    notice = "City News: local news from the harbour district since 1921, every morning."
    crawler = crawler_with(ARCHIVE_PATH=str(tmp_path / "archive.db"), EXTRACT_WORKERS=2)
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    for n in range(3):
        html = page(ARTICLE.replace("council", f"council of district {n}") + f"<p>{notice}</p>")
        url = f"https://news.example.org/city/story-{n}"
        item = extracted(pipeline, Page(url=url, fetched_url=url, status=200, headers={},
                                        body=html.encode(), encoding="utf-8",
                                        fetched_at="2026-11-25T10:00:00+00:00", site=None))
    assert notice not in item.article.body
    pipeline.close_spider()
    store = RepeatStore.load(tmp_path / "archive.repeats.json")
    assert store.is_repeated("news.example.org", notice)


def test_the_crawl_counts_the_last_repeats_window_pages_of_a_site(tmp_path):
    """REPEATS_WINDOW=2: a notice on every page is never on 3 of the last 2 pages counted,
    so it stays (unbounded, it would go from the third page on); 2 pages are saved."""
    from test_workers import NOTICE, notice_pages

    from scraper.extraction.repeats import RepeatStore

    crawler = crawler_with(ARCHIVE_PATH=str(tmp_path / "archive.db"), EXTRACT_WORKERS=1,
                           REPEATS_WINDOW=2)
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    items = [extracted(pipeline, one) for one in notice_pages(4)]
    pipeline.close_spider()
    assert all(NOTICE in item.article.body for item in items)
    assert RepeatStore.load(tmp_path / "archive.repeats.json").pages("news.example.org") == 2


def test_extract_max_chars_caps_the_html_the_crawl_extracts():
    case = next(c for c in map(load_case, golden_cases("globalresearch"))
                if c["status"] == "article")
    page = page_for(case)
    cap = len(page.html) // 3
    for settings, cut in (({}, False), ({"EXTRACT_MAX_CHARS": cap}, True)):
        crawler = crawler_with(EXTRACT_WORKERS=1, **settings)
        pipeline = ExtractPipeline.from_crawler(crawler)
        pipeline.open_spider()
        try:
            article = extracted(pipeline, page).article
        finally:
            pipeline.close_spider()
        assert ("html" in article.provenance) is cut
        assert article.title == case["expected"]["title"]
