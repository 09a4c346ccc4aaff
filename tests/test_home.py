"""The home, the chart and the search of `scraper serve` (scraper/browse: home.py,
charts.py, search.py), against the real server on an archive written by the project's
own writer (served_archive.build_coverage_archive), every figure checked against SQL."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from datetime import date
from email.message import Message
from urllib.parse import parse_qs, urlencode, urlsplit

import lxml.html
import pytest
from conftest import REPO
from served_archive import HEAVY_GRAIN, get_json, served

from scraper.browse.charts import choose_period, every_period, period_bounds, with_args
from scraper.browse.facets import link_arg
from scraper.browse.search import Search


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str) -> tuple[int, str, Message]:
    """Status, text and headers of `url`, redirects not followed, errors as answers."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def html(url: str, status: int = 200):
    code, text, _ = fetch(url)
    assert code == status, text[-2000:]
    return lxml.html.fromstring(text)


def sql(db, query: str, params=()) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def bar_counts(doc) -> dict[str, int]:
    return {g.get("data-period"): int(g.get("data-count"))
            for g in doc.cssselect("svg.timeline g.bar")}


def texts(doc, selector: str) -> list[str]:
    return [e.text_content().strip() for e in doc.cssselect(selector)]


# The rules, without a server.

def test_periods_run_without_gaps():
    assert every_period("2025-11", "2026-02", "month") == ["2025-11", "2025-12", "2026-01",
                                                           "2026-02"]
    assert every_period("2019", "2021", "year") == ["2019", "2020", "2021"]
    assert every_period("2026-01-05", "2026-01-19", "week") == ["2026-01-05", "2026-01-12",
                                                                "2026-01-19"]
    assert period_bounds("2025-12", "month") == ("2025-12", "2026-01")
    assert period_bounds("2026-01-05", "week") == ("2026-01-05", "2026-01-12")
    assert period_bounds("2019", "year") == ("2019", "2020")


@pytest.mark.parametrize(("first", "last", "period"), [
    ("2026-01-05", "2026-04-01T10:00:00+00:00", "week"),
    ("2020-01-01", "2026-04-01", "month"),
    ("2008-02-11", "2026-07-23", "year"),
    (None, None, "month"),
])
def test_the_period_follows_the_span(first, last, period):
    assert choose_period(first, last) == period


def test_a_bar_or_legend_link_replaces_its_filter_and_narrows_by_link():
    url = with_args("/archive/articles?site=a&_link=x&published__gte=2020",
                    {"site": "b", "published__gte": "2021"})
    assert parse_qs(urlsplit(url).query) == {"site": ["b"], "_link": ["x"],
                                             "published__gte": ["2021"]}
    url = with_args("/archive/articles?_link=x", {"_link": "y"})
    assert parse_qs(urlsplit(url).query) == {"_link": ["x", "y"]}


def test_plain_mode_quotes_every_word_and_expert_mode_keeps_the_syntax():
    assert Search("grain OR flood", "escaped", "relevance").match == '"grain" "OR" "flood"'
    assert Search("grain OR flood", "raw", "relevance").match == "grain OR flood"


# The home.

def test_root_leads_to_the_archive_home(coverage_url):
    status, _, headers = fetch(f"{coverage_url}/")
    assert status == 302 and headers["location"].endswith("/archive")


def test_home_says_what_is_in_the_archive(coverage_url, coverage_db):
    doc = html(f"{coverage_url}/archive")
    summary = doc.cssselect(".archive-summary")[0].text_content()
    assert "31 articles from 3 sites" in " ".join(summary.split())
    assert "5 January 2026" in summary and "2 April 2026" in summary  # first and last dated
    assert "3 April 2026, 06:04" in summary and "example-news" in summary  # the last run
    sites = [(r[0], int(r[1])) for r in (texts(tr, "td")[:2] for tr in
                                         doc.cssselect(".home-sites tbody tr"))]
    assert sites == [(s, n) for s, n in sql(
        coverage_db, "select site, count(*) from articles group by site "
                     "order by count(*) desc")]
    assert [t.rsplit(" ", 1)[0] for t in texts(doc, ".home-tags li")] == [n for n, in sql(
        coverage_db, "select t.name from article_tags x join tags t on t.id = x.tag_id "
                     "group by t.id order by count(*) desc, t.name")]
    assert texts(doc, ".home-sources li") == ["Wire Agency 8"]
    assert [a.text_content() for a in doc.cssselect(".home-recent-list li a")] == [t for t, in sql(
        coverage_db, "select title from articles where published is not null "
                     "order by published desc limit 10")]
    metadata = get_json(f"{coverage_url}/-/metadata.json")
    assert texts(doc, ".home-questions dt") == [
        q["title"] for q in metadata["databases"]["archive"]["queries"].values()]
    assert doc.cssselect("form.archive-search input#_search")
    # The chart: every dated article in one bar of its week, the undated one counted apart.
    bars = bar_counts(doc)
    assert sum(bars.values()) == 30 and min(bars) == "2026-01-05"
    assert doc.cssselect(".chart-period")[0].text == "week"
    assert "1 undated not shown" in doc.cssselect("figure.coverage figcaption")[0].text_content()


def test_internal_tables_are_hidden_but_still_queried(coverage_url):
    tables = {t["name"]: t["hidden"] for t in get_json(f"{coverage_url}/archive.json")["tables"]}
    for name in ("pages", "page_bodies", "article_tags", "article_authors", "article_sources",
                 "_sqlite_migrations", "articles_fts", "articles_fts_data"):
        assert tables[name], name
    for name in ("articles", "authors", "tags", "sources", "revisions", "runs"):
        assert not tables[name], name
    found = get_json(f"{coverage_url}/archive.json?" + urlencode(
        {"sql": "select count(*) as n from page_bodies", "_shape": "array"}))
    assert found == [{"n": 31}]


# The chart on the article list follows its filters.

def test_the_chart_follows_the_filters(coverage_url, coverage_db):
    doc = html(f"{coverage_url}/archive/articles?site=southfront")
    assert sum(bar_counts(doc).values()) == sql(
        coverage_db, "select count(*) from articles where site = 'southfront' "
                     "and published is not null")[0][0] == 10
    grain = sql(coverage_db, "select id from tags where name = 'Grain'")[0][0]
    narrow = urlencode({"_link": link_arg("article_tags", "tag_id", grain),
                        "_chart_by": "author", "_chart_period": "month"})
    doc = html(f"{coverage_url}/archive/articles?{narrow}")
    assert bar_counts(doc) == {m: n for m, n in sql(
        coverage_db, "select substr(a.published, 1, 7), count(*) from articles a "
                     "join article_tags x on x.article_url = a.url where x.tag_id = ? "
                     "and a.published is not null group by 1", [grain])}
    legend = {li.cssselect("a")[0].text: int(li.cssselect(".count")[0].text)
              for li in doc.cssselect("ul.chart-legend li")}
    assert legend == {f"Writer {w}": n for w, n in sql(
        coverage_db, "select substr(a.byline, 11), count(*) from articles a join article_tags x "
                     "on x.article_url = a.url where x.tag_id = ? and a.published is not null "
                     "group by 1", [grain])}
    # A bar opens the list of its month, with the page's filter kept.
    href = doc.cssselect("svg.timeline g.bar a")[0].get("href")
    args = parse_qs(urlsplit(href).query)
    assert args["published__gte"] == ["2026-01"] and args["published__lt"] == ["2026-02"]
    assert args["_link"] == [link_arg("article_tags", "tag_id", grain)]
    listed = html(f"{coverage_url}{href}")
    assert len(listed.cssselect("li.article-entry")) == bar_counts(doc)["2026-01"]


def test_the_article_list_folds_its_glossary_and_has_our_search_form(coverage_url):
    doc = html(f"{coverage_url}/archive/articles")
    assert len(doc.cssselect("dl.column-descriptions")) == 1
    assert doc.cssselect("details.column-glossary dl.column-descriptions")
    assert doc.cssselect("details.column-glossary")[0].get("open") is None
    assert len(doc.cssselect("input#_search")) == 1 and not doc.cssselect(".search-row")
    assert len(doc.cssselect("li.article-entry")) == 31


# Search.

def result_titles(doc) -> list[str]:
    return texts(doc, "ol.article-list .article-title")


def search_url(base: str, **args: str) -> str:
    return f"{base}/archive/-/search?{urlencode(args)}"


def test_plain_search_with_or_does_not_fail_quietly(coverage_url, coverage_db):
    doc = html(search_url(coverage_url, _search="grain OR flood"))
    assert result_titles(doc) == []
    hint = doc.cssselect(".search-hint")[0].text_content()
    either = sql(coverage_db, "select count(*) from articles_fts "
                              "where articles_fts match 'grain OR flood'")[0][0]
    assert either == 21 and f"({either} articles)" in hint
    expert = doc.cssselect("a.expert-link")[0].get("href")
    assert parse_qs(urlsplit(expert).query)["_searchmode"] == ["raw"]
    assert len(result_titles(html(f"{coverage_url}{expert}"))) == either


def test_relevance_order_ranks_by_fts_rank(coverage_url, coverage_db):
    doc = html(search_url(coverage_url, _search="grain", _order="relevance"))
    ranked = [t for t, in sql(coverage_db, "select a.title from articles_fts f join articles a "
                                           "on a.rowid = f.rowid where articles_fts match 'grain' "
                                           "order by f.rank")]
    assert result_titles(doc) == ranked and ranked[0] == f"Coverage story {HEAVY_GRAIN}"
    assert doc.cssselect(".search-count strong")[0].text == str(len(ranked))
    undated = sql(coverage_db, "select count(*) from articles_fts f join articles a on "
                               "a.rowid = f.rowid where articles_fts match 'grain' "
                               "and a.published is null")[0][0]
    assert undated == 1 and sum(bar_counts(doc).values()) == len(ranked) - undated


def test_date_order_is_the_article_list_with_the_filters_kept(coverage_url):
    status, _, headers = fetch(search_url(coverage_url, _search="grain", _order="oldest",
                                          _searchmode="escaped", site="southfront"))
    assert status == 302
    args = parse_qs(urlsplit(headers["location"]).query)
    assert urlsplit(headers["location"]).path == "/archive/articles"
    assert args == {"_search": ["grain"], "_searchmode": ["escaped"], "_sort": ["published"],
                    "site": ["southfront"]}
    doc = html(f"{coverage_url}{headers['location']}")
    dates = [li.cssselect(".meta")[0].text_content() for li in doc.cssselect("li.article-entry")]
    assert len(dates) == 5 and all("southfront" in d for d in dates)
    assert doc.cssselect("select[name=_order] option[selected]")[0].get("value") == "oldest"


@pytest.mark.parametrize("query", ['"grain harbour"', "harb*", "NEAR(flood upstream, 2)",
                                   "grain NOT flood", "title:story AND flood"])
def test_expert_mode_reads_fts5_syntax(coverage_url, coverage_db, query):
    doc = html(search_url(coverage_url, _search=query, _searchmode="raw"))
    expected = sql(coverage_db, "select count(*) from articles_fts where articles_fts match ?",
                   [query])[0][0]
    assert expected and doc.cssselect(".search-count strong")[0].text == str(expected)


@pytest.mark.parametrize("path", ["/archive/-/search", "/archive/articles"])
def test_a_query_that_cannot_be_parsed_shows_a_message_and_the_search_box(coverage_url, path):
    doc = html(f"{coverage_url}{path}?" + urlencode({"_search": 'grain AND (',
                                                    "_searchmode": "raw"}), status=400)
    assert "cannot be read" in doc.cssselect(".search-error")[0].text_content()
    box = doc.cssselect("input#_search")[0]
    assert box.get("value") == "grain AND ("
    assert doc.cssselect("input[name=_searchmode][value=raw]")[0].get("checked") is not None
    assert "Invalid SQL" not in lxml.html.tostring(doc).decode()


def test_search_json_errors_stay_json(coverage_url):
    code, text, _ = fetch(f"{coverage_url}/archive/articles.json?" + urlencode(
        {"_search": "grain AND (", "_searchmode": "raw"}))
    assert code == 400 and json.loads(text)["ok"] is False


def test_weeks_start_on_monday():
    assert date.fromisoformat(every_period("2026-01-05", "2026-03-30", "week")[-1]).weekday() == 0


def test_an_old_archive_has_a_home_a_list_and_a_search(tmp_path):
    """An archive of the first schema (no runs, link tables or revisions) is served as it
    is: the home and the list leave out what it lacks."""
    old = tmp_path / "old.db"
    old.write_bytes((REPO / "tests" / "data" / "archive_m001.db").read_bytes())
    articles = sql(old, "select count(*) from articles")[0][0]
    with served(old) as url:
        summary = html(f"{url}/archive").cssselect(".archive-summary")[0].text_content()
        assert f"{articles} article" in summary and "Last run" not in summary
        listed = html(f"{url}/archive/articles?_chart_by=tag")
        assert len(listed.cssselect("li.article-entry")) == articles
        html(f"{url}/archive/-/search?_search=the")


@pytest.mark.parametrize(("query", "params", "expected"), [
    ("tag_over_time", {"tag": "Flood"},
     "select substr(a.published, 1, 7), a.site, count(*) from articles a join article_tags x "
     "on x.article_url = a.url join tags t on t.id = x.tag_id where t.name = 'Floods' "
     "and a.published is not null group by 1, 2 order by 1 desc, 3 desc, 2"),
    ("authors_on_a_theme", {"words": "flood warnings"},
     "select au.name, count(*) from articles a join article_authors x on x.article_url = a.url "
     "join authors au on au.id = x.author_id where a.body like '%flood warnings%' "
     "group by au.id order by 2 desc, 1"),
])
def test_the_questions_on_the_home_answer(coverage_url, coverage_db, query, params, expected):
    found = get_json(f"{coverage_url}/archive/{query}.json?_shape=array&" + urlencode(params))
    expected_rows = sql(coverage_db, expected)
    assert expected_rows
    width = len(expected_rows[0])
    assert [tuple(row.values())[:width] for row in found] == expected_rows


def test_a_chart_past_the_time_limit_says_so_and_keeps_its_switches(coverage_db):
    """Rows that take long to count (ten million made up by SQL) end the chart at the
    facet time limit: the page gets a note and the switches, not an error."""
    import asyncio

    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.utils.asgi import Request

    from scraper.browse.charts import chart_context

    slow = ("with recursive n(i) as (select 1 union all select i + 1 from n limit 10000000) "
            "select '2026-01-05' as published, 'a' as site, 'u' as url from n")
    ds = Datasette(settings={"facet_time_limit_ms": 20})
    ds.add_database(Database(ds, path=str(coverage_db), is_mutable=False), name="archive")
    request = Request.fake("/archive/articles?_chart_by=site")
    context = asyncio.run(chart_context(ds, ds.get_database("archive"), request, slow, {},
                                        "/archive/articles"))
    assert context["timed_out"] and "svg" not in context
    assert [label for label, _, on in context["splits"] if on] == ["site"]


def test_the_chart_is_counted_again_once_the_archive_changes(tmp_path):
    """The chart is remembered between pages (cached_timeline) until a crawl commits."""
    import asyncio
    from dataclasses import replace

    from served_archive import coverage_article

    from scraper.archive import open_archive, write_batch
    from scraper.items import ArticleItem, Page
    from scraper.serve import build_datasette

    db = tmp_path / "growing.db"
    first = coverage_article(1)
    page = Page(url=first.url, fetched_url=first.url, status=200, headers={}, body=b"<p>x</p>",
                encoding="utf-8", fetched_at="2026-04-03T06:01:00+00:00", site=first.site)
    archive = open_archive(db)
    write_batch(archive, [ArticleItem(article=first, page=page)])
    ds = build_datasette(db)

    async def bars() -> dict[str, int]:
        response = await ds.client.get("/archive/articles")
        return bar_counts(lxml.html.fromstring(response.text))

    try:
        assert asyncio.run(bars()) == {"2026-01-05": 1} == asyncio.run(bars())  # its Monday
        second = coverage_article(2)
        write_batch(archive, [ArticleItem(article=second, page=replace(
            page, url=second.url, fetched_url=second.url))])
        assert asyncio.run(bars()) == {"2026-01-05": 2}  # 8 and 11 January
    finally:
        archive.close()
