"""Headless Chromium (Debian's, driven by Playwright) through `scraper serve`: a full-text
search, a facet and an article page, each saved as a screenshot.

Screenshots go to tests/screenshots/ (git-ignored), or to $SCRAPER_SCREENSHOTS.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from captured_pages import SHOWN_TEXT, Watcher, build_captured_archive
from conftest import REPO
from datasette.utils import tilde_encode
from served_archive import HOSTILE_TITLE, HOSTILE_URL, served

from scraper.browse.article import paragraphs

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("SCRAPER_SCREENSHOTS", REPO / "tests" / "screenshots"))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "no chromium: run ./scripts/bootstrap --test"
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=FLAGS, headless=True,
            viewport={"width": 1200, "height": 900})
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    page.close()


def shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def titles(page) -> list[str]:
    return page.locator("ol.article-list .article-title").all_inner_texts()


def sql(db: Path, query: str, params=()) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def test_search_box_finds_articles(page, served_url, served_db):
    page.goto(f"{served_url}/archive/articles")
    page.fill("input#_search", "grain")
    page.locator("input#_search").press("Enter")
    page.wait_for_url("**_search=grain**")
    expected = [r[0] for r in sql(
        served_db, "select a.title from articles a join articles_fts f on f.rowid = a.rowid "
                 "where articles_fts match 'grain' order by a.published desc")]
    assert titles(page) == expected and expected
    marked = page.locator("ol.article-list .search-snippet mark").all_inner_texts()
    assert marked and {m.lower() for m in marked} == {"grain"}
    assert page.locator("h3").first.inner_text().startswith(f"{len(expected)} row")
    assert shoot(page, "search").stat().st_size > 10_000


def test_a_facet_click_filters_the_list(page, served_url, served_db):
    page.goto(f"{served_url}/archive/articles")
    facet = page.locator("#facet-tags li a").first
    label = facet.inner_text()
    facet.click()
    page.wait_for_url("**_link=**")
    expected = [r[0] for r in sql(
        served_db, "select a.title from articles a join article_tags x on x.article_url = a.url "
                 "join tags t on t.id = x.tag_id where t.name = ? order by a.published desc",
        [label])]
    assert titles(page) == expected and len(expected) > 1
    selected = page.locator("#facet-tags li:has(a.cross)").inner_text()
    assert selected.startswith(label)
    year = page.locator("#facet-published li a").first
    year_label = year.inner_text()
    year.click()
    page.wait_for_url(f"**published__startswith={year_label}**")
    assert titles(page) == [t for t, in sql(
        served_db, "select a.title from articles a join article_tags x on x.article_url = a.url "
                 "join tags t on t.id = x.tag_id where t.name = ? and a.published like ? "
                 "order by a.published desc", [label, f"{year_label}%"])]
    shoot(page, "facet")


def test_article_page_with_its_revision(page, served_url, served_db):
    url, title, body, byline, modified = sql(
        served_db, "select a.url, a.title, a.body, a.byline, a.modified from articles a "
                 "where a.revision_count > 0")[0]
    page.goto(f"{served_url}/archive/articles?_search={title.split()[1]}")
    entry = page.locator("li.article-entry", has=page.get_by_role("link", name=title))
    assert entry.locator(".revised").inner_text() == "1 older version"
    page.get_by_role("link", name=title).click()
    page.wait_for_selector("article.archived-article")
    assert page.locator("article h1").inner_text() == title
    assert page.locator(".byline-text").inner_text() == byline
    assert page.locator(".modified time").get_attribute("datetime") == modified
    assert page.locator(".article-body p").all_inner_texts() == paragraphs(body)
    assert page.locator("a.original-link").get_attribute("href") == url
    tags = page.locator("ul.tags li a").all_inner_texts()
    assert tags == [t for t, in sql(served_db, "select t.name from article_tags x join tags t "
                                             "on t.id = x.tag_id where x.article_url = ? "
                                             "order by x.position", [url])]
    assert page.locator("details.revision summary").inner_text().startswith("Revision 1")
    diff = page.locator("details.revision .word-diff")
    assert diff.is_visible(), "the newest revision is open"
    added = [text.strip() for text in diff.locator("ins").all_inner_texts()]
    assert added == ["This sentence was added later."]
    old = sql(served_db, "select body from revisions where article_url = ?", [url])[0][0]
    struck = [text.strip() for text in diff.locator("del").all_inner_texts()]
    assert struck == ["¶ " + paragraphs(old)[1]], "the cut paragraph, struck in place"
    assert diff.locator("p").first.inner_text().startswith(paragraphs(old)[0])
    assert page.locator("pre.diff").count() == 0, "no unified diff, no ---/+++/@@"
    assert "@@" not in page.locator("section.revisions").inner_text()
    assert page.locator(".title-diff ins").inner_text() == ", updated"
    shoot(page, "article")


def test_article_markup_is_shown_as_text(page, served_url):
    page.goto(f"{served_url}/archive/articles/{tilde_encode(HOSTILE_URL)}")
    assert page.locator("article h1").inner_text() == HOSTILE_TITLE
    body = page.locator(".article-body").inner_text()
    assert "<script>window.pwned = 1;" in body and "onerror=" in body
    assert page.locator(".article-body script, .article-body img").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined" and page.dialogs == []
    assert page.locator("a[href^='javascript']").count() == 0
    shoot(page, "article-markup")


def test_the_archived_copy_of_an_article_renders(page, served_url, served_db):
    url, title = sql(served_db, "select url, title from articles where status = 'live' "
                              "and revision_count = 0 order by published desc")[0]
    page.goto(f"{served_url}/archive/articles/{tilde_encode(url)}")
    page.locator("a.captured-link").click()
    page.wait_for_url("**/-/captured/*")
    fetched_at, status = sql(served_db, "select fetched_at, status from pages where url = ? "
                                      "order by id desc", [url])[0]
    assert page.locator("dl.fetch dd.fetch-status").inner_text() == str(status)
    assert fetched_at in page.locator("dl.fetch").inner_text()
    copy = page.frame_locator("iframe.captured-copy")
    copy.locator("body").wait_for()
    assert title in copy.locator("body").inner_text()
    frame = next(f for f in page.frames if f.url.endswith("/copy"))
    assert frame.evaluate("document.scripts.length") == 0
    assert page.locator("a.download").get_attribute("href").endswith("/raw")
    shoot(page, "captured")


@pytest.fixture(scope="module")
def watched_archive(tmp_path_factory):
    """An archive of our hostile page, whose every request would go to a watched server,
    served by the real `scraper serve`."""
    with Watcher() as watcher:
        db = tmp_path_factory.mktemp("watched") / "archive.db"
        ids = build_captured_archive(db, watcher.url)
        with served(db) as base:
            yield watcher, base, ids


def test_a_hostile_copy_runs_nothing_and_requests_nothing(page, browser, watched_archive):
    watcher, base, ids = watched_archive
    asked: list[str] = []

    def record(request) -> None:
        asked.append(request.url)

    browser.on("request", record)  # every page and frame of the browser
    try:
        for target in (f"{base}/-/captured/{ids['hostile']}",  # in its sandboxed frame
                       f"{base}/-/captured/{ids['hostile']}/copy"):  # opened by itself
            page.goto(target)
            page.wait_for_load_state("load")
            page.wait_for_timeout(1500)  # a refresh, a timer, a submit would be done by now
            frame = next(f for f in page.frames if f.url.endswith("/copy"))
            assert frame.url == f"{base}/-/captured/{ids['hostile']}/copy", "not redirected"
            assert SHOWN_TEXT in frame.locator("p.shown").inner_text()
            assert frame.title() == "Inert test page", "no script changed it"
            assert frame.evaluate("document.images.length") == 5
            loaded = frame.evaluate("[...document.images].filter(i => i.naturalWidth).length")
            assert loaded == 1, "only the image inside the page itself"
        shoot(page, "captured-hostile")
    finally:
        browser.remove_listener("request", record)
    assert page.dialogs == [], "no script ran"
    assert asked and all(u.startswith(base + "/") or u.startswith("data:") for u in asked), asked
    assert watcher.connections == [], watcher.connections
    assert watcher.reachable(), "the watched server was listening all along"
