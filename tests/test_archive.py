"""The archive's SQL: schema, one row per URL, link tables, full-text search, raw pages."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import pytest

from scraper.archive import MMAP_BYTES, ArchiveError, open_archive, write_batch
from scraper.archive.bodies import decompress
from scraper.extraction.record import Article, content_hash
from scraper.items import ArticleItem, Page


def make_item(url="https://www.example.org/story/1", title="Grain ships stall",
              body="The grain corridor closed on Monday.\n\nPrices rose.", **changes):
    article = Article(
        url=url, site="example", title=title, subtitle=None, byline="By Ann Lee and Bo Ek",
        authors=["Ann Lee", "Bo Ek"], published="2023-03-14T10:25:00-04:00",
        published_text="2023-03-14T10:25:00-04:00", modified=None,
        tags=[{"name": "Europe", "kind": "region"}, {"name": "Food", "kind": "theme"}],
        body=body, original_source={"name": "South Front", "url": "https://southfront.org/x",
                                    "date": "2023-03-13"},
        language="en", word_count=len(body.split()), content_hash=content_hash(title, body),
        fetched_at="2026-11-25T10:00:00+00:00",
    )
    article = replace(article, **changes)
    html = f"<html><body><h1>{title}</h1><p>{body}</p></body></html>".encode()
    page = Page(url=url, fetched_url=url, status=200, headers={"Content-Type": "text/html"},
                body=html, encoding="utf-8", fetched_at=article.fetched_at, site="example")
    return ArticleItem(article=article, page=page)


def gone_page(url="https://www.example.org/story/1", fetched_at="2026-12-01T09:00:00+00:00",
              status=404, site="example") -> Page:
    """The answer of a server whose article at `url` is no more."""
    return Page(url=url, fetched_url=url, status=status, headers={"Content-Type": "text/html"},
                body=f"<html><body><h1>{status} Not Found</h1></body></html>".encode(),
                encoding="utf-8", fetched_at=fetched_at, site=site)


def test_schema_tables_and_wal(db_path):
    db = open_archive(db_path)
    assert {"articles", "authors", "article_authors", "tags", "article_tags", "pages",
            "page_bodies", "revisions", "runs", "sources", "article_sources",
            "articles_fts", "republications"} <= set(db.table_names())
    assert set(db.view_names()) == {"articles_per_site_month", "republished_by_source",
                                    "recently_changed", "stories_across_sites",
                                    "sites_sharing_stories"}
    assert {"modified", "last_changed", "revision_count", "status", "kind"} <= set(
        db["articles"].columns_dict)
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("pragma mmap_size").fetchone()[0] == MMAP_BYTES
    assert [r["name"] for r in db.query("select name from _sqlite_migrations")] == [
        "m001_articles", "m002_research_archive", "m003_fts_automerge", "m004_run_failures",
        "m005_republications", "m006_republication_kinds", "m007_page_kinds", "m008_run_log_files",
        "m009_drift", "m010_clusters", "m011_gone_at",
        "m012_writer_state"]
    indexed = {tuple(i.columns) for i in db["articles"].indexes}
    assert {("published",), ("site", "published"), ("last_changed",)} <= indexed


def test_reopening_migrates_nothing_twice(db_path):
    open_archive(db_path).close()
    db = open_archive(db_path)
    assert db["_sqlite_migrations"].count == 12


def test_write_new_then_unchanged_then_updated(db_path):
    db = open_archive(db_path)
    assert write_batch(db, [make_item()]) == {"new": 1}
    assert write_batch(db, [make_item()]) == {"unchanged": 1}
    assert write_batch(db, [make_item(title="Grain ships stall again")]) == {"updated": 1}
    assert db["articles"].count == 1
    row = db["articles"].get("https://www.example.org/story/1")
    assert row["title"] == "Grain ships stall again"
    assert row["first_seen"] <= row["last_seen"]


def test_authors_and_tags_are_linked_in_order(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item(), make_item(url="https://www.example.org/story/2",
                                            authors=["Bo Ek"], tags=[])])
    rows = db.execute(
        "select a.name, count(*) from authors a join article_authors aa on aa.author_id = a.id "
        "group by a.name order by a.name").fetchall()
    assert rows == [("Ann Lee", 1), ("Bo Ek", 2)]
    tags = db.execute(
        "select t.name, t.kind from tags t join article_tags at on at.tag_id = t.id "
        "where at.article_url = ? order by at.position",
        ["https://www.example.org/story/1"]).fetchall()
    assert tags == [("Europe", "region"), ("Food", "theme")]
    assert json.loads(db["articles"].get("https://www.example.org/story/1")["tags"])[0] == {
        "name": "Europe", "kind": "region"}


def test_relinking_replaces_old_links(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item()])
    write_batch(db, [make_item(authors=["Cy Dee"])])
    names = [r[0] for r in db.execute(
        "select a.name from authors a join article_authors aa on aa.author_id = a.id")]
    assert names == ["Cy Dee"]


def test_full_text_search_follows_updates(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item()])
    search = ("select a.url from articles a join articles_fts f on f.rowid = a.rowid "
              "where articles_fts match ?")
    assert db.execute(search, ["corridor"]).fetchall() == [("https://www.example.org/story/1",)]
    assert db.execute(search, ["closing"]).fetchall(), "porter stemming: closing ~ closed"
    write_batch(db, [make_item(body="Talks resumed in Istanbul on Friday.")])
    assert db.execute(search, ["corridor"]).fetchall() == []
    assert db.execute(search, ["istanbul"]).fetchall()


def test_raw_page_kept_compressed(db_path):
    db = open_archive(db_path)
    item = make_item()
    write_batch(db, [item])
    page = next(db.query("select * from pages where url = ?", [item.article.url]))
    stored = db["page_bodies"].get(page["sha256"])
    assert stored["compression"] == "zstd"
    assert decompress(stored["compression"], stored["content"]) == item.page.body
    assert stored["size"] == len(item.page.body)
    assert json.loads(page["headers"]) == {"Content-Type": "text/html"}
    assert (page["final_url"], page["status"]) == (item.article.url, 200)


def test_original_source_columns(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item()])
    row = db["articles"].get("https://www.example.org/story/1")
    assert (row["original_source"], row["original_source_url"], row["original_source_date"]) == (
        "South Front", "https://southfront.org/x", "2023-03-13")


def test_batch_is_one_transaction(db_path):
    db = open_archive(db_path)
    bad = make_item(url="https://www.example.org/story/3")
    bad.article.title = None  # violates NOT NULL: the whole batch must roll back
    with pytest.raises(sqlite3.IntegrityError):
        write_batch(db, [make_item(), bad])
    assert db["articles"].count == 0


def test_unwritable_path_is_an_archive_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ArchiveError, match="cannot open archive"):
        open_archive(blocker / "archive.db")


def test_a_gone_article_keeps_the_date_and_the_404(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item()])
    first, again = gone_page(), gone_page(fetched_at="2026-12-08T09:00:00+00:00", status=410)
    dead_link = gone_page(url="https://www.example.org/never-archived")
    assert write_batch(db, [], gone=[first, dead_link]) == {"gone": 1}
    assert write_batch(db, [], gone=[again]) == {}  # still gone: the first date stands
    row = db["articles"].get(first.url)
    assert (row["status"], row["gone_at"]) == ("gone", "2026-12-01T09:00:00+00:00")
    assert row["body"] == "The grain corridor closed on Monday.\n\nPrices rose."
    kept = db.execute("select p.status, p.kind, p.fetched_at, b.compression, b.content "
                      "from pages p join page_bodies b on b.sha256 = p.sha256 "
                      "where p.url = ? and p.status != 200 order by p.id", [first.url]).fetchall()
    assert [k[:3] for k in kept] == [(404, "gone", first.fetched_at),
                                     (410, "gone", again.fetched_at)]
    assert decompress(*kept[0][3:]) == first.body
    assert not db.execute("select 1 from pages where url = ?", [dead_link.url]).fetchall()
    assert write_batch(db, [make_item()]) == {"unchanged": 1}  # back online
    row = db["articles"].get(first.url)
    assert (row["status"], row["gone_at"]) == ("live", None)
    assert db.execute("select count(*) from pages where kind = 'gone'").fetchone()[0] == 2
