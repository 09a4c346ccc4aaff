"""`scraper serve`: the real Datasette server on an archive made by the project's code.

One server for the module; every expectation is read from the archive with sqlite3.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import REPO, SITES_DIR, article_count
from datasette.utils import tilde_encode
from served_archive import (
    EDITED_CASE,
    GONE_CASE,
    HOSTILE_URL,
    get_json,
    get_text,
    replica_item,
    served,
)

from scraper.archive import open_archive
from scraper.fixture_server import FixtureSite
from scraper.serve import load_metadata, load_settings


def sql(db: Path, query: str, params=()) -> list[sqlite3.Row]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def rows(base: str, path: str) -> list[dict]:
    sep = "&" if "?" in path else "?"
    return get_json(f"{base}{path}{sep}_shape=array&_size=max")


def row_path(url: str) -> str:
    return f"/archive/articles/{tilde_encode(url)}"


def test_every_table_view_and_column_is_described(tmp_path):
    db = open_archive(tmp_path / "fresh.db")
    described = load_metadata()["databases"]["archive"]["tables"]
    names = [t for t in db.table_names() if not t.startswith("articles_fts_")]
    for name in [*names, *db.view_names()]:
        meta = described.get(name)
        assert meta and meta.get("title") and meta.get("description"), name
        columns = [c.name for c in db[name].columns]
        assert set(columns) <= set(meta["columns"]), (name, set(columns) - set(meta["columns"]))
        assert all(meta["columns"].values()), name


def test_canned_queries_name_no_table_and_settings_are_datasettes():
    from datasette.app import DEFAULT_SETTINGS

    metadata = load_metadata()["databases"]["archive"]
    assert not set(metadata["queries"]) & set(metadata["tables"])
    assert set(load_settings()) <= set(DEFAULT_SETTINGS)


def test_the_archive_is_served_as_archive_with_its_tables(served_url, served_db):
    tables = {t["name"]: t for t in get_json(f"{served_url}/archive.json")["tables"]}
    expected = {r["name"] for r in sql(served_db, "select name from sqlite_master "
                                                "where type in ('table', 'view')")}
    assert {"articles", "revisions", "pages", "runs", "sources", "tags", "authors"} <= set(tables)
    assert set(tables) <= expected
    assert tables["articles"]["count"] == sql(served_db, "select count(*) from articles")[0][0]
    assert tables["articles"]["fts_table"] == "articles_fts"
    databases = get_json(f"{served_url}/-/databases.json")
    assert [d["name"] for d in databases] == ["archive"]


def test_metadata_titles_and_descriptions(served_url):
    metadata = get_json(f"{served_url}/-/metadata.json")
    assert metadata["title"] == "News archive"
    articles = metadata["databases"]["archive"]["tables"]["articles"]
    assert articles["title"] == "Articles"
    html = get_text(f"{served_url}/archive/articles")
    assert "<h1" in html and "Articles" in html
    assert articles["columns"]["body"] in html, "column descriptions are shown"


def test_articles_are_sorted_by_published_newest_first(served_url, served_db):
    got = [r["url"] for r in rows(served_url, "/archive/articles.json")]
    expected = [r["url"] for r in sql(
        served_db, "select url from articles order by published desc, rowid")]
    assert got == expected


def test_facets_on_site_tags_authors_source_and_year(served_url, served_db):
    facets = get_json(
        f"{served_url}/archive/articles.json?_size=0&_facet_size=max")["facet_results"]
    assert set(facets) == {"site", "tags", "authors", "original source", "published",
                           "kind", "status"}

    def counts(name):
        return {v["label"]: v["count"] for v in facets[name]["results"]}

    assert counts("status") == {"live": len(rows(served_url, "/archive/articles.json")) - 1,
                                "gone": 1}
    assert counts("site") == {r[0]: r[1] for r in sql(
        served_db, "select site, count(*) from articles group by site")}
    assert counts("kind") == {r[0]: r[1] for r in sql(
        served_db, "select kind, count(*) from articles group by kind")}
    assert counts("tags") == {r[0]: r[1] for r in sql(
        served_db, "select t.name, count(*) from article_tags x join tags t on t.id = x.tag_id "
                 "group by t.id")}
    assert counts("authors") == {r[0]: r[1] for r in sql(
        served_db, "select a.name, count(*) from article_authors x "
                 "join authors a on a.id = x.author_id group by a.id")}
    sources = {r[0]: r[1] for r in sql(
        served_db, "select s.name, count(*) from article_sources x "
                 "join sources s on s.id = x.source_id group by s.id")}
    assert sources and counts("original source") == sources
    years = [v["value"] for v in facets["published"]["results"]]
    assert years == sorted({r[0] for r in sql(
        served_db, "select substr(published, 1, 4) from articles")}, reverse=True)


def test_a_site_is_not_its_own_original_source(served_url, served_db):
    """Global Research's own articles name it as their source: the facet, the view and the
    article page count no site as a source of itself."""
    facets = get_json(
        f"{served_url}/archive/articles.json?_size=0&_facet_size=max")["facet_results"]
    names = {v["label"] for v in facets["original source"]["results"]}
    republished = {r["source"] for r in rows(served_url, "/archive/republished_by_source.json")}
    assert names and republished and "Global Research" not in names | republished
    own = replica_item("2021-sanctions-harvest", "2026-01-01T00:00:00+00:00").article.url
    assert "Republished from" not in get_text(f"{served_url}{row_path(own)}")
    other = replica_item("2026-vaccine-liability", "2026-01-01T00:00:00+00:00").article.url
    assert "Republished from" in get_text(f"{served_url}{row_path(other)}")


def test_a_facet_value_filters_the_articles(served_url, served_db):
    facets = get_json(f"{served_url}/archive/articles.json?_shape=objects")["facet_results"]
    tag = facets["tags"]["results"][0]
    picked = get_json(tag["toggle_url"])
    expected = {r[0] for r in sql(
        served_db, "select article_url from article_tags where tag_id = ?", [tag["value"]])}
    assert {r["url"] for r in picked["rows"]} == expected and len(expected) == tag["count"]
    selected = [v for v in picked["facet_results"]["tags"]["results"] if v["selected"]]
    assert [v["value"] for v in selected] == [tag["value"]]
    assert picked["human_description_en"].startswith(f'where tags is "{tag["label"]}"')
    year = facets["published"]["results"][-1]
    in_year = rows(served_url, f"/archive/articles.json?published__startswith={year['value']}")
    assert len(in_year) == year["count"]
    assert all(r["published"].startswith(year["value"]) for r in in_year)
    # A link and a column filter together (their SQL parameters must not collide).
    year = picked["facet_results"]["published"]["results"][0]
    both = get_json(year["toggle_url"])
    assert {r["url"] for r in both["rows"]} == {r[0] for r in sql(
        served_db, "select a.url from articles a join article_tags x on x.article_url = a.url "
                 "where x.tag_id = ? and a.published like ?", [tag["value"], year["value"] + "%"])}
    assert both["rows"]


@pytest.mark.parametrize(("link", "message"), [
    ("tags", "_link takes a JSON object with table, column and value, not 'tags'"),
    ('{"table": "runs", "column": "id", "value": 1}', "runs does not link to articles"),
])
def test_a_wrong_link_filter_is_a_bad_request(served_url, link, message):
    with pytest.raises(urllib.error.HTTPError) as answer:
        get_json(f"{served_url}/archive/articles.json?_link={quote(link)}")
    assert answer.value.code == 400
    assert json.loads(answer.value.read())["error"] == message


@pytest.mark.parametrize("words", ["grain", "harvests", "Whitcombe"])
def test_full_text_search_over_title_byline_and_body(served_url, served_db, words):
    got = {r["url"] for r in rows(served_url, f"/archive/articles.json?_search={quote(words)}")}
    expected = {r[0] for r in sql(
        served_db, "select a.url from articles a join articles_fts f on f.rowid = a.rowid "
                 "where articles_fts match ?", [words])}
    assert got == expected and got


def test_search_finds_a_name_only_in_the_byline(served_url, served_db):
    byline, url = sql(served_db, "select byline, url from articles where byline like 'By %' "
                               "order by published limit 1")[0]
    surname = byline.split()[-1]
    found = rows(served_url, f"/archive/articles.json?_search={surname}")
    assert url in {r["url"] for r in found}


def test_canned_queries_for_the_views(served_url, served_db):
    per_month = rows(served_url, "/archive/articles_per_month.json?site=globalresearch")
    assert sum(r["articles"] for r in per_month) == sql(
        served_db, "select count(*) from articles where site = 'globalresearch'")[0][0]
    assert [r["month"] for r in per_month] == sorted((r["month"] for r in per_month),
                                                     reverse=True)
    republished = rows(served_url, "/archive/republished_articles.json?source=")
    assert {r["source"]: r["articles"] for r in republished} == {
        r[0]: r[1] for r in sql(served_db, "select source, count(*) from republished_by_source "
                                         "group by source")}
    changed = rows(served_url, "/archive/recent_changes.json?since=2000-01-01")
    edited = replica_item(EDITED_CASE, "2026-01-01T00:00:00+00:00").article
    assert [(r["url"], r["previous_title"], r["revision_count"]) for r in changed] == [
        (edited.url, edited.title, 1)]
    assert rows(served_url, "/archive/recent_changes.json?since=2999-01-01") == []
    page = get_text(f"{served_url}/archive/recent_changes?since=")
    assert f'<a href="{row_path(edited.url)}">{edited.url}</a>' in page, "links to the article"
    sources = get_text(f"{served_url}/archive/article_sources")
    assert '<a href="javascript:' not in sources


def test_article_page_reads_like_an_article(served_url, served_db):
    edited = replica_item(EDITED_CASE, "2026-01-01T00:00:00+00:00").article
    row = sql(served_db, "select * from articles where url = ?", [edited.url])[0]
    html = get_text(served_url + row_path(edited.url))
    assert '<article class="archived-article">' in html
    assert f"<h1>{row['title']}</h1>" in html
    assert html.count('<p>', html.index('class="article-body"'),
                      html.index('class="provenance"')) == len(row["body"].split("\n\n"))
    assert f'href="{edited.url}"' in html, "link to the original"
    assert "Revision 1" in html and "+" in html and "This sentence was added later." in html
    for tag in json.loads(row["tags"]):
        assert f">{tag['name'].replace('&', '&amp;')}</a>" in html


def test_a_gone_article_says_so_and_keeps_its_text(served_url, served_db):
    gone = replica_item(GONE_CASE, "2026-01-01T00:00:00+00:00").article
    html = get_text(served_url + row_path(gone.url))
    gone_at = sql(served_db, "select gone_at from articles where url = ?", [gone.url])[0][0]
    assert f'<p class="status">Gone since <time class="gone-at" datetime="{gone_at}">' in html
    listing = get_text(f"{served_url}/archive/articles?status=gone")
    assert '<span class="status-gone">gone</span>' in listing and gone.title in listing
    assert f"<h1>{gone.title}</h1>" in html
    live = replica_item(EDITED_CASE, "2026-01-01T00:00:00+00:00").article
    assert 'class="status"' not in get_text(served_url + row_path(live.url))


def test_markup_in_an_article_is_escaped_not_run(served_url):
    html = get_text(served_url + row_path(HOSTILE_URL))
    assert "&lt;script&gt;window.pwned = 1;" in html
    assert "<script>window.pwned" not in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
    assert "Markup &lt;b&gt;in&lt;/b&gt; the archive" in html
    assert "<b>in</b>" not in html and "<i>Mallory</i>" not in html
    assert 'href="javascript:' not in html.lower(), "no javascript: link"
    listing = get_text(f"{served_url}/archive/articles?_search=pwned")
    assert "&lt;script&gt;window.<mark>pwned</mark> = 1;" in listing
    assert "<script>window.pwned" not in listing


def test_serve_reports_a_missing_archive_and_a_busy_port(tmp_path, served_db):
    def serve(*args):
        return subprocess.run([sys.executable, "-m", "scraper", "serve", *args],
                              capture_output=True, text=True, timeout=60, cwd=REPO)

    missing = serve("--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"Error: no archive at {tmp_path / 'none.db'} (crawl first, or give --db)"]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = serve("--db", str(served_db), "--port", str(busy.getsockname()[1]))
    assert taken.returncode == 2
    assert taken.stderr.startswith("Error: cannot listen on 127.0.0.1:")
    assert len(taken.stderr.strip().splitlines()) == 1


def test_serve_shows_an_old_archive_as_it_is(tmp_path):
    """A read-only command never migrates: the archive may be a researcher's shared copy
    (a crawl or `scraper reextract` upgrades it)."""
    old = tmp_path / "old.db"
    old.write_bytes((REPO / "tests" / "data" / "archive_m001.db").read_bytes())
    before = old.read_bytes()
    with served(old) as url:
        listed = get_json(f"{url}/archive.json")
        first = get_json(f"{url}/archive/articles.json?_shape=array&_size=1")[0]
        page = get_text(f"{url}/archive/articles/{tilde_encode(first['url'])}")
    assert first["title"] in page
    assert "articles" in {t["name"] for t in listed["tables"]}
    assert not {"revisions", "runs", "sources"} & {t["name"] for t in listed["tables"]}
    assert old.read_bytes() == before


def test_reads_do_not_wait_for_an_open_write_transaction(served_url, served_db):
    """In WAL mode a reader sees the last commit while a writer holds its transaction; in
    rollback-journal mode this query would wait for the lock and fail as "locked"."""
    writer = open_archive(served_db)
    try:
        writer.execute("begin exclusive")
        writer.execute("insert into runs (spider, started) values ('held-open', '2026-01-01')")
        assert rows(served_url, "/archive/runs.json?spider=held-open") == [], "last commit"
        writer.execute("commit")
        assert [r["spider"] for r in rows(served_url, "/archive/runs.json?spider=held-open")] == [
            "held-open"]
    finally:
        if writer.conn.in_transaction:
            writer.execute("rollback")
        writer.execute("delete from runs where spider = 'held-open'")
        writer.conn.commit()
        writer.close()


def test_datasette_reads_while_a_crawl_writes(tmp_path):
    """WAL: queries during a crawl that commits every article never meet a locked archive."""
    db = tmp_path / "live.db"
    open_archive(db).close()
    failures: list[str] = []
    answered = 0
    with served(db) as url, FixtureSite(SITES_DIR / "globalresearch") as site:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db),
             "--base-url", site.url, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "ARCHIVE_BATCH_SIZE=1", "-s", "LOG_LEVEL=WARNING"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        paths = ["/archive/articles.json?_search=grain", "/archive/articles.json?_size=0",
                 "/archive/recent_changes.json", "/archive/runs.json", "/archive/pages.json"]

        def read() -> None:
            nonlocal answered
            while crawl.poll() is None:
                for path in paths:
                    try:
                        get_json(url + path)
                        answered += 1
                    except urllib.error.HTTPError as exc:
                        failures.append(f"{path}: {exc.code} {exc.read()[:300]!r}")

        readers = [threading.Thread(target=read) for _ in range(2)]
        started = time.monotonic()
        for reader in readers:
            reader.start()
        out, err = crawl.communicate(timeout=120)
        for reader in readers:
            reader.join()
        assert crawl.returncode == 0, err[-2000:]
        assert answered >= 10, f"only {answered} queries in {time.monotonic() - started:.1f}s"
        print(f"{answered} queries answered during the crawl, none refused")
        assert failures == []
        final = get_json(f"{url}/archive/articles.json?_size=0")
    assert final["filtered_table_rows_count"] == sql(db, "select count(*) from articles")[0][0]
    articles = article_count("globalresearch")
    assert final["filtered_table_rows_count"] > 0 and f"{articles} new" in out
