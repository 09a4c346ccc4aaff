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
from conftest import REPO
from served_archive import HOSTILE_TITLE, HOSTILE_URL

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
    assert page.locator("pre.diff").is_visible(), "the newest revision is open"
    added = page.locator("pre.diff .diff-added").all_inner_texts()
    assert any("This sentence was added later." in line for line in added)
    assert page.locator("pre.diff .diff-removed").count() > 0
    shoot(page, "article")


def test_article_markup_is_shown_as_text(page, served_url):
    from datasette.utils import tilde_encode

    page.goto(f"{served_url}/archive/articles/{tilde_encode(HOSTILE_URL)}")
    assert page.locator("article h1").inner_text() == HOSTILE_TITLE
    body = page.locator(".article-body").inner_text()
    assert "<script>window.pwned = 1;" in body and "onerror=" in body
    assert page.locator(".article-body script, .article-body img").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined" and page.dialogs == []
    assert page.locator("a[href^='javascript']").count() == 0
    shoot(page, "article-markup")
