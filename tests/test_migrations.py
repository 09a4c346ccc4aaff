"""An archive made by an older version of the schema is migrated in place, with its data.

tests/data/archive_m001.db was written by the project's m001 code (commit 188d2ed): three
articles, one of them updated once, with gzip pages, authors, tags and original sources.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3

import pytest
from conftest import REPO
from test_archive import make_item

from scraper.archive import open_archive, write_batch
from scraper.archive.bodies import decompress
from scraper.archive.schema import FTS_AUTOMERGE

OLD = REPO / "tests" / "data" / "archive_m001.db"


@pytest.fixture
def old_archive(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(OLD, path)
    return path


def snapshot(path):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return {
            "articles": {r["url"]: dict(r) for r in con.execute("select * from articles")},
            "authors": con.execute("select a.article_url, x.name, a.position from "
                                   "article_authors a join authors x on x.id = a.author_id "
                                   "order by 1, 3").fetchall(),
            "tags": con.execute("select a.article_url, t.name, t.kind, a.position from "
                                "article_tags a join tags t on t.id = a.tag_id "
                                "order by 1, 4").fetchall(),
            "pages": {r["url"]: dict(r) for r in con.execute("select * from pages")},
        }
    finally:
        con.close()


def test_fixture_is_an_m001_archive(old_archive):
    con = sqlite3.connect(old_archive)
    assert con.execute("select name from _sqlite_migrations").fetchall() == [("m001_articles",)]
    assert "html_gzip" in {r[1] for r in con.execute("pragma table_info(pages)")}


def test_m001_archive_is_migrated_in_place_with_its_data(old_archive):
    before = snapshot(old_archive)
    db = open_archive(old_archive)
    assert [r["name"] for r in db.query("select name from _sqlite_migrations order by id")] == [
        "m001_articles", "m002_research_archive", "m003_fts_automerge",
        "m004_run_failures", "m005_republications", "m006_republication_kinds",
        "m007_page_kinds", "m008_run_log_files",
        "m009_drift", "m010_clusters", "m011_gone_at",
        "m012_writer_state"]
    after = snapshot(old_archive)
    assert after["authors"] == before["authors"] and after["tags"] == before["tags"]
    assert after["articles"].keys() == before["articles"].keys()
    for url, old in before["articles"].items():
        new = after["articles"][url]
        assert {k: new[k] for k in old} == old, url
        assert (new["last_changed"], new["revision_count"], new["status"]) == (
            old["first_seen"], 0, "live")
    # Each m001 page is now a fetch row whose body is kept, still gzip, once per hash.
    for url, old in before["pages"].items():
        page = next(db.query("select * from pages where url = ?", [url]))
        body = db["page_bodies"].get(page["sha256"])
        assert body["compression"] == "gzip"
        assert decompress("gzip", body["content"]) == gzip.decompress(old["html_gzip"])
        assert (page["final_url"], page["status"], page["fetched_at"], page["headers"]) == (
            old["fetched_url"], old["status"], old["fetched_at"], old["headers"])
    # Original sources become linked rows.
    sources = db.execute("select a.article_url, s.name, s.domain, a.url, a.date from "
                         "article_sources a join sources s on s.id = a.source_id "
                         "order by 1").fetchall()
    assert sources == [(u, a["original_source"], "southfront.org", a["original_source_url"],
                        a["original_source_date"])
                       for u, a in sorted(before["articles"].items()) if a["original_source"]]
    # Full text now covers the byline, for the old rows too.
    hits = db.execute("select rowid from articles_fts where articles_fts match 'byline: lee'")
    assert len(hits.fetchall()) == 1
    # m003: the full-text index merges its segments by 8, and still finds what it found.
    assert db.execute("select v from articles_fts_config where k = 'automerge'").fetchone() == (
        FTS_AUTOMERGE,)
    db.execute("insert into articles_fts (articles_fts) values ('integrity-check')")


def test_migrated_archive_takes_new_writes(old_archive):
    db = open_archive(old_archive)
    url = "https://www.example.org/story/1"
    old_title = db["articles"].get(url)["title"]
    assert write_batch(db, [make_item(title="Edited after the upgrade")]) == {"updated": 1}
    rev = db["revisions"].get(1)
    assert (rev["title"], json.loads(rev["changed_fields"])[0]) == (old_title, "title")
    db.close()
    assert open_archive(old_archive)["_sqlite_migrations"].count == 12


def test_pages_kept_by_m001_can_be_extracted_again(old_archive):
    """Their gzip bodies are read back as they are: no recompression was needed."""
    from scraper.reextract import reextract

    db = open_archive(old_archive)
    report = reextract(db, workers=1)
    assert report.pages == 3
    assert not [lost for lost in report.lost if lost[1] == "error"]
