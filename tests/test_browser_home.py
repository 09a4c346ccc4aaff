"""Headless Chromium through `scraper serve` on the coverage archive: the home, the chart on
a filtered article list, the search modes and orders, each saved as a screenshot; the home
and the filtered chart are also copied into docs/screenshots/ for the README.

Every request the pages make goes to the server under test: the chart is inline SVG, the
page needs nothing from elsewhere (the test runs offline)."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest
from conftest import REPO
from served_archive import HEAVY_GRAIN
from test_browser import SCREENSHOTS, browser, shoot, sql  # noqa: F401 (browser: a fixture)

DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
VIEWPORT_HEIGHT = 900  # test_browser's viewport: what a first screen shows


@pytest.fixture
def page(browser, coverage_url):  # noqa: F811 (browser is the fixture imported above)
    page = browser.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    yield page
    page.close()
    assert hosts == {urlsplit(coverage_url).netloc}, f"requests went elsewhere: {hosts}"


def first_screen(page, name: str) -> None:
    """The page's first screen, as the README shows it (a full-page shot is in SCREENSHOTS)."""
    shoot(page, name)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-first-screen.png"))
    shutil.copyfile(SCREENSHOTS / f"{name}-first-screen.png", DOCS_SCREENSHOTS / f"{name}.png")


def bar_total(page) -> int:
    return page.evaluate("Array.from(document.querySelectorAll('svg.timeline g.bar'))"
                         ".reduce((n, g) => n + Number(g.dataset.count), 0)")


def titles(page) -> list[str]:
    return page.locator("ol.article-list .article-title").all_inner_texts()


def test_home_explains_the_archive(page, coverage_url, coverage_db):
    page.goto(f"{coverage_url}/")
    page.wait_for_url("**/archive")
    assert "31 articles from 3 sites" in page.locator(".archive-summary").inner_text()
    assert page.locator("svg.timeline g.bar").count() == 13  # weeks of 5 Jan to 30 Mar
    assert bar_total(page) == 30
    assert page.locator("svg.timeline").bounding_box()["y"] < VIEWPORT_HEIGHT
    assert page.locator(".home-sites tbody tr").count() == 3
    assert page.get_by_role("link", name="Articles per site per month").is_visible()
    assert page.locator("text=article_tags").count() == 0, "link tables are hidden"
    first_screen(page, "home")
    page.fill("input#_search", "grain")
    page.locator("input#_search").press("Enter")
    page.wait_for_url("**/-/search?**")
    assert titles(page)[0] == f"Coverage story {HEAVY_GRAIN}", "most relevant first"


def test_chart_follows_the_filters_of_the_list(page, coverage_url, coverage_db):
    page.goto(f"{coverage_url}/archive/articles")
    assert page.locator("li.article-entry").first.bounding_box()["y"] < VIEWPORT_HEIGHT
    assert not page.locator("details.column-glossary dl").is_visible(), "glossary folded"
    page.locator("#facet-site li a", has_text="southfront").click()
    page.wait_for_url("**site=southfront**")
    assert bar_total(page) == 10 == len(titles(page))
    page.locator("figure.coverage .chart-switch a", has_text="tag").click()
    page.wait_for_url("**_chart_by=tag**")
    legend = page.locator("ul.chart-legend li").all_inner_texts()
    assert [line.rsplit(" ", 1)[0] for line in legend] == [name for name, in sql(
        coverage_db, "select t.name from articles a join article_tags x on x.article_url = a.url "
                     "join tags t on t.id = x.tag_id where a.site = 'southfront' "
                     "group by t.id order by count(*) desc, t.name")]
    first_screen(page, "chart-filtered")
    bar = page.locator("svg.timeline g.bar").nth(2)
    week, count = bar.get_attribute("data-period"), bar.get_attribute("data-count")
    bar.locator("a").click()
    page.wait_for_url(f"**published__gte={week}**")
    expected = [t for t, in sql(
        coverage_db, "select title from articles where site = 'southfront' and published >= ? "
                     "and published < date(?, '+7 days') order by published desc",
        [week, week])]
    assert titles(page) == expected and len(expected) == int(count)


def test_search_modes_and_orders_on_the_page(page, coverage_url):
    page.goto(f"{coverage_url}/archive/articles")
    page.fill("input#_search", "grain OR flood")
    assert page.locator("input[name=_searchmode][value=escaped]").is_checked()
    page.locator("input#_search").press("Enter")
    page.wait_for_url("**/archive/articles?**")
    assert page.locator(".search-hint").is_visible() and titles(page) == []
    page.locator("a.expert-link").click()
    page.wait_for_url("**_searchmode=raw**")
    assert page.locator("h3").first.inner_text().startswith("21 rows")
    page.locator("select[name=_order]").select_option("relevance")
    page.locator("input#_search").press("Enter")
    page.wait_for_url("**/-/search?**")
    assert len(titles(page)) == 21
    shoot(page, "search-relevance")
    page.fill("input#_search", "grain AND (")
    page.locator("input#_search").press("Enter")
    page.wait_for_selector(".search-error")
    assert "cannot be read" in page.locator(".search-error").inner_text()
    assert page.locator("input#_search").input_value() == "grain AND ("
    shoot(page, "search-error")
