"""The archive keeps what it saw: revisions on change, one page row per fetch, views."""

from __future__ import annotations

import json
from dataclasses import fields, make_dataclass, replace

from test_archive import make_item

from scraper.archive import open_archive, write_batch
from scraper.extraction.record import Article

URL = "https://www.example.org/story/1"


def article(db):
    return db["articles"].get(URL)


def test_unchanged_recrawl_only_moves_last_seen(db_path, monkeypatch):
    db = open_archive(db_path)
    monkeypatch.setattr("scraper.archive.write.now", lambda: "2026-01-01T00:00:00+00:00")
    write_batch(db, [make_item()])
    before = article(db)
    monkeypatch.setattr("scraper.archive.write.now", lambda: "2026-02-01T00:00:00+00:00")
    assert write_batch(db, [make_item(fetched_at="2026-02-01T00:00:00+00:00")]) == {
        "unchanged": 1}
    after = article(db)
    assert after["last_seen"] == "2026-02-01T00:00:00+00:00"
    assert {k: v for k, v in after.items() if k != "last_seen"} == {
        k: v for k, v in before.items() if k != "last_seen"}
    assert db["revisions"].count == 0
    assert db["pages"].count == 2, "every fetch is a page row"


def test_changed_recrawl_keeps_the_old_version_as_a_revision(db_path, monkeypatch):
    db = open_archive(db_path)
    monkeypatch.setattr("scraper.archive.write.now", lambda: "2026-01-01T00:00:00+00:00")
    write_batch(db, [make_item()])
    monkeypatch.setattr("scraper.archive.write.now", lambda: "2026-03-01T00:00:00+00:00")
    edited = make_item(title="Grain ships stall, officials say",
                       body="The grain corridor closed on Monday.\n\nPrices rose sharply.")
    assert write_batch(db, [edited]) == {"updated": 1}
    row = article(db)
    assert (row["title"], row["revision_count"], row["last_changed"], row["first_seen"]) == (
        "Grain ships stall, officials say", 1, "2026-03-01T00:00:00+00:00",
        "2026-01-01T00:00:00+00:00")
    rev = db["revisions"].get(1)
    assert (rev["article_url"], rev["revision"], rev["reason"]) == (URL, 1, "recrawl")
    assert json.loads(rev["changed_fields"]) == ["title", "body"]
    assert rev["title"] == "Grain ships stall"  # the OLD version
    assert rev["body"] == "The grain corridor closed on Monday.\n\nPrices rose."
    assert "-Prices rose." in rev["body_diff"] and "+Prices rose sharply." in rev["body_diff"]
    assert json.loads(rev["authors"]) == ["Ann Lee", "Bo Ek"]
    assert json.loads(rev["original_source"])["name"] == "South Front"
    # A third version: the revisions count up, each holding the version it replaced.
    write_batch(db, [make_item(title="Retracted", body="This story was retracted.")])
    assert [(r["revision"], r["title"]) for r in db.query(
        "select revision, title from revisions order by revision")] == [
        (1, "Grain ships stall"), (2, "Grain ships stall, officials say")]
    assert article(db)["revision_count"] == 2


def test_metadata_only_change_has_no_body_diff(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item()])
    write_batch(db, [make_item(tags=[{"name": "Europe", "kind": "region"}])])
    rev = db["revisions"].get(1)
    assert json.loads(rev["changed_fields"]) == ["tags"]
    assert rev["body_diff"] is None


def test_page_row_joins_the_article_it_gave(db_path):
    """The link that led to a page may differ from the article's canonical URL."""
    db = open_archive(db_path)
    item = make_item()
    item.page.url = "https://www.example.org/?p=1"
    write_batch(db, [item])
    assert [r["url"] for r in db.query("select url from pages")] == [URL]


def test_identical_bodies_are_stored_once(db_path):
    db = open_archive(db_path)
    for _ in range(3):
        write_batch(db, [make_item()])
    write_batch(db, [make_item(url="https://www.example.org/story/2")])  # same html
    assert db["pages"].count == 4
    assert db["page_bodies"].count == 1
    write_batch(db, [make_item(body="Another text.")])
    assert db["page_bodies"].count == 2


def test_full_text_search_covers_byline_after_update(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item()])
    search = ("select a.url from articles a join articles_fts f on f.rowid = a.rowid "
              "where articles_fts match ?")
    assert db.execute(search, ["byline: lee"]).fetchall() == [(URL,)]
    write_batch(db, [make_item(byline="By Cy Dee")])
    assert db.execute(search, ["byline: lee"]).fetchall() == []
    assert db.execute(search, ["dee"]).fetchall() == [(URL,)]
    write_batch(db, [make_item(byline="By Cy Dee")])  # unchanged: the index is not touched
    assert db.execute(search, ["dee"]).fetchall() == [(URL,)]


def test_index_agrees_with_the_table_after_every_kind_of_write(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item(), make_item(url="https://www.example.org/story/2")])
    write_batch(db, [make_item()])  # unchanged
    write_batch(db, [make_item(title="New title", byline=None)])  # changed
    # FTS5 checks its index against the content table (the articles) itself.
    db.execute("insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)")
    assert db.execute("select count(*) from articles_fts where articles_fts match "
                      "'title: new'").fetchone()[0] == 1


def test_original_sources_are_linked(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item(), make_item(url="https://www.example.org/story/2",
                                            original_source={"name": "South Front",
                                                             "url": "https://southfront.org/z",
                                                             "date": None}),
                     make_item(url="https://www.example.org/story/3", original_source=None)])
    assert list(db.query("select * from sources")) == [
        {"id": 1, "name": "South Front", "domain": "southfront.org"}]
    assert db.execute("select count(*) from article_sources").fetchone()[0] == 2
    write_batch(db, [make_item(original_source=None)])
    assert db.execute("select count(*) from article_sources").fetchone()[0] == 1


def test_views_answer_the_common_questions(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item(), make_item(url="https://www.example.org/story/2",
                                            published="2023-04-02T08:00:00Z"),
                     make_item(url="https://www.example.org/story/3", published=None,
                               original_source=None)])
    assert [tuple(r.values()) for r in db.query("select * from articles_per_site_month")] == [
        ("example", "2023-03", 1), ("example", "2023-04", 1), ("example", "undated", 1)]
    republished = list(db.query("select source, source_domain, url from republished_by_source"))
    assert [r["url"] for r in republished] == ["https://www.example.org/story/2", URL]
    assert {r["source_domain"] for r in republished} == {"southfront.org"}
    assert list(db.query("select * from recently_changed")) == []
    write_batch(db, [make_item(title="Grain ships stall again")])
    changed = list(db.query("select url, revision_count, reason, changed_fields, "
                            "previous_title from recently_changed"))
    assert changed == [{"url": URL, "revision_count": 1, "reason": "recrawl",
                        "changed_fields": '["title"]', "previous_title": "Grain ships stall"}]


def with_modified(item, modified):
    """The item's record with a `modified` date, whether or not Article has the field yet."""
    article = item.article
    if "modified" not in {f.name for f in fields(Article)}:
        record = make_dataclass("WithModified", [("modified", "str | None", None)],
                                bases=(Article,))
        article = record(**{f.name: getattr(article, f.name) for f in fields(Article)})
    return replace(item, article=replace(article, modified=modified))


def test_whatever_fields_the_record_has_are_written(db_path):
    db = open_archive(db_path)
    write_batch(db, [with_modified(make_item(), "2023-03-15T09:00:00Z")])
    assert article(db)["modified"] == "2023-03-15T09:00:00Z"
    write_batch(db, [with_modified(make_item(), "2023-03-16T09:00:00Z")])
    assert json.loads(db["revisions"].get(1)["changed_fields"]) == ["modified"]
    assert db["revisions"].get(1)["modified"] == "2023-03-15T09:00:00Z"
