"""An archive made by the project's own code, and the real `scraper serve` running on it.

Shared by test_serve.py (JSON, CLI) and test_browser.py (headless Chromium).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from conftest import GOLDEN_DIR, REPO, SITES_DIR
from processes import free_port, stop
from test_archive import gone_page
from w3lib.encoding import html_to_unicode

from scraper.archive import open_archive, write_batch
from scraper.archive.runs import finish_run, start_run
from scraper.extraction.extract import extract
from scraper.extraction.record import Article, content_hash
from scraper.items import ArticleItem, Page
from scraper.sites import SITES

EDITED_CASE = "2023-grain-corridor"  # the replica article given a second version
GONE_CASE = "2008-coca-eradication"  # the replica article whose page is then gone
HOSTILE_URL = "https://www.globalresearch.ca/markup-in-the-archive/5999999"
HOSTILE_TITLE = "Markup <b>in</b> the archive"
HOSTILE_BODY = ("<script>window.pwned = 1; alert('pwned')</script>\n\n"
                "An image that runs code when it fails: <img src=x onerror=\"window.pwned=2\">")


def replica_item(case: str, fetched_at: str) -> ArticleItem:
    """The article of a replica page, extracted by the project's extraction."""
    golden = json.loads((GOLDEN_DIR / "globalresearch" / f"{case}.json").read_text())
    raw = (SITES_DIR / "globalresearch" / golden["page"]).read_bytes()
    _, html = html_to_unicode(None, raw)
    article = extract(html, golden["url"], SITES["globalresearch"], fetched_at=fetched_at).article
    page = Page(url=golden["url"], fetched_url=golden["url"], status=200,
                headers={"Content-Type": "text/html"}, body=raw, encoding="utf-8",
                fetched_at=fetched_at, site="globalresearch")
    return ArticleItem(article=article, page=page)


def build_archive(db: Path) -> None:
    """Crawl the replica site as `scraper demo` does, then write an edited version of one
    article (so it has a revision), an article whose text is markup, and mark another gone."""
    out = subprocess.run([sys.executable, "-m", "scraper", "demo", "--db", str(db)],
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]
    item = replica_item(EDITED_CASE, "2026-11-20T08:00:00+00:00")
    paragraphs = item.article.body.split("\n\n")
    body = "\n\n".join([paragraphs[0] + " This sentence was added later.", *paragraphs[2:]])
    title = item.article.title + ", updated"
    edited = replace(item.article, title=title, body=body, content_hash=content_hash(title, body))
    hostile = replace(item.article, url=HOSTILE_URL, title=HOSTILE_TITLE, body=HOSTILE_BODY,
                      byline="By <i>Mallory</i>", authors=["<i>Mallory</i>"],
                      tags=[{"name": "<u>Markup</u>", "kind": "theme"}],
                      original_source={"name": "<b>Evil</b> Source",
                                       "url": "javascript:window.pwned=3", "date": None},
                      published="2024-02-29", word_count=len(HOSTILE_BODY.split()),
                      content_hash=content_hash(HOSTILE_TITLE, HOSTILE_BODY))
    archive = open_archive(db)
    try:
        gone_at = datetime.now(UTC).isoformat(timespec="seconds")  # after the demo's crawl
        gone = gone_page(replica_item(GONE_CASE, gone_at).article.url, gone_at,
                         site="globalresearch")
        assert write_batch(archive, [
            ArticleItem(article=edited, page=item.page),
            ArticleItem(article=hostile, page=replace(item.page, url=HOSTILE_URL)),
        ], gone=[gone]) == {"updated": 1, "new": 1, "gone": 1}
    finally:
        archive.close()



@contextmanager
def served(db: Path, prefix: tuple[str, ...] = ()):
    """Run `scraper serve` on `db` in a subprocess (the command after `prefix`, e.g. one
    that gives it a read-only folder); yield its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [*prefix, sys.executable, "-m", "scraper", "serve", "--db", str(db), "--port",
         str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"scraper serve exited: {process.stderr.read()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        stop(process)
        process.stdout.close()
        process.stderr.close()


def get_json(url: str) -> dict | list:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def get_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


COVERAGE_SITES = ("globalresearch", "southfront", "example-news")
COVERAGE_START = date(2026, 1, 5)  # a Monday; one article every 3 days, 30 in all
HEAVY_GRAIN = 4  # the article that says "grain" most: first by relevance, not by date
COVERAGE_RUN = ("2026-04-03T06:00:00+00:00", "2026-04-03T06:04:10+00:00")


def coverage_article(i: int) -> Article:
    """Article `i` of the coverage archive: its site, date, tags, authors and words follow
    from i, so that tests can count them (grain in even ones, flood in every third one;
    no article has the word "or")."""
    words = ["The", "harbour", "report", "number", str(i), "covers", "the", "week"]
    if i % 2 == 0:
        words += ["grain", "harbour"] + ["grain"] * (12 if i == HEAVY_GRAIN else 0)
    if i % 3 == 0:
        words += ["flood", "warnings", "upstream"]
    body = " ".join(words) + "."
    title = f"Coverage story {i}"
    tags = ([{"name": "Grain", "kind": "theme"}] if i % 2 == 0 else []) + (
        [{"name": "Floods", "kind": "theme"}] if i % 3 == 0 else []) + (
        [{"name": "Ports", "kind": "region"}] if i % 5 == 0 else [])
    site = COVERAGE_SITES[i % 3]
    published = (COVERAGE_START + timedelta(days=3 * i)).isoformat() if i < 30 else None
    return Article(
        url=f"https://{site}.example/story-{i}", site=site, title=title, subtitle=None,
        byline=f"By Writer {i % 4}", authors=[f"Writer {i % 4}"], published=published,
        published_text=published, modified=None, tags=tags, body=body,
        original_source={"name": "Wire Agency", "url": None, "date": None} if i % 4 == 0
        else None, language="en", word_count=len(words), content_hash=content_hash(title, body),
        fetched_at="2026-04-03T06:01:00+00:00")


def build_coverage_archive(db: Path) -> list[Article]:
    """An archive of 31 articles on three sites over twelve weeks (one undated), written by
    the project's own writer, with one crawl run; returns the articles."""
    articles = [coverage_article(i) for i in range(31)]
    archive = open_archive(db)
    try:
        write_batch(archive, [ArticleItem(article=a, page=Page(
            url=a.url, fetched_url=a.url, status=200, headers={"Content-Type": "text/html"},
            body=f"<html><body><h1>{a.title}</h1><p>{a.body}</p></body></html>".encode(),
            encoding="utf-8", fetched_at=a.fetched_at, site=a.site)) for a in articles])
        run = start_run(archive, "example-news", {})
        finish_run(archive, run, {"archive/new": len(articles)}, "finished")
        archive.execute("update runs set started = ?, finished = ? where id = ?",
                        [*COVERAGE_RUN, run])
        archive.conn.commit()
    finally:
        archive.close()
    return articles
