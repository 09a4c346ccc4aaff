"""`scraper reextract`: today's extraction over stored pages, changes kept as revisions."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from conftest import SITES_DIR, golden_cases, load_case
from test_archive import gone_page

from scraper.archive import open_archive, write_batch
from scraper.cli import cli
from scraper.items import ArticleItem, Page

CASES = list(map(load_case, golden_cases("globalresearch")))
ARTICLES = [c for c in CASES if c["status"] == "article"]
BLOCKED = next(c for c in CASES if c["status"] == "blocked")
MOVED = "https://www.globalresearch.ca/an-older-address/42"


def page_of(case: dict, url: str | None = None) -> Page:
    url = url or case["url"]
    return Page(url=url, fetched_url=url, status=200, headers={"Content-Type": "text/html"},
                body=(SITES_DIR / "globalresearch" / case["page"]).read_bytes(),
                encoding="utf-8", fetched_at="2026-11-01T10:00:00+00:00", site="globalresearch")


@pytest.fixture
def archive(db_path):
    """The replica's articles as an older extractor saw them: the first with another title
    and no tags; plus a page that today reads as a challenge page."""
    items = []
    for n, case in enumerate(ARTICLES):
        page = page_of(case)
        article = page.extract().article
        if n == 0:
            article = replace(article, title="An older title", tags=[])
        items.append(ArticleItem(article=article, page=page))
    wall = page_of(BLOCKED, "https://www.globalresearch.ca/was-an-article/1")
    items.append(ArticleItem(article=replace(items[1].article, url=wall.url), page=wall))
    # Archived under an address its page's canonical link does not give.
    moved = page_of(ARTICLES[2], MOVED)
    items.append(ArticleItem(article=replace(items[2].article, url=MOVED), page=moved))
    db = open_archive(db_path)
    write_batch(db, items)
    db.close()
    return db_path


def test_reextract_records_changes_as_revisions(archive):
    before = open_archive(archive)
    seen = {r["url"]: r["last_seen"] for r in before.query("select url, last_seen from articles")}
    pages = before["pages"].count
    before.close()
    result = CliRunner().invoke(cli, ["reextract", "--db", str(archive), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert (f"Re-extracted {len(ARTICLES) + 2} pages" in result.output
            and "1 changed" in result.output and "1 no longer articles" in result.output)
    assert "blocked: challenge page" in result.output
    db = open_archive(archive)
    first = ARTICLES[0]
    row = db["articles"].get(first["url"])
    assert row["title"] == first["expected"]["title"]
    assert json.loads(row["tags"]) == first["expected"]["tags"]
    assert row["revision_count"] == 1
    rev = next(db.query("select * from revisions"))
    assert (rev["article_url"], rev["reason"], rev["title"], rev["tags"]) == (
        first["url"], "reextract", "An older title", "[]")
    assert json.loads(rev["changed_fields"]) == ["title", "tags"]
    # Not a fetch: no page rows, and last_seen stays when the page was last seen.
    assert db["pages"].count == pages
    assert {r["url"]: r["last_seen"] for r in db.query("select url, last_seen from articles")} \
        == seen
    # Each article stays under the URL the archive knows it by: no row is added.
    assert db["articles"].count == len(ARTICLES) + 2
    assert db["articles"].get(MOVED)["revision_count"] == 0
    # The article whose page now reads as a wall is reported, and kept as it was.
    assert db["articles"].get("https://www.globalresearch.ca/was-an-article/1")["title"]
    # Run again: nothing left to change.
    again = CliRunner().invoke(cli, ["reextract", "--db", str(archive), "--workers", "1"])
    assert "0 changed" in again.output and db["revisions"].count == 1


def test_reextract_filters(archive):
    result = CliRunner().invoke(cli, ["reextract", "--db", str(archive), "--site", "nowhere"])
    assert result.exit_code == 0 and "Re-extracted 0 pages" in result.output
    db = open_archive(archive)
    dated = db.execute("select count(*) from articles where published >= '2021'").fetchone()[0]
    db.close()
    assert 0 < dated < len(ARTICLES)
    result = CliRunner().invoke(cli, ["reextract", "--db", str(archive), "--since", "2021-01-01"])
    assert f"Re-extracted {dated} pages" in result.output


def test_a_gone_article_is_reextracted_from_its_page_not_its_404(archive):
    url = ARTICLES[3]["url"]
    db = open_archive(archive)
    write_batch(db, [], gone=[gone_page(url, site="globalresearch")])
    before = db["articles"].get(url)
    db.close()
    result = CliRunner().invoke(cli, ["reextract", "--db", str(archive)])
    assert result.exit_code == 0 and url not in result.output, result.output
    db = open_archive(archive)
    after = db["articles"].get(url)
    db.close()
    assert after == before, "the same page read again: nothing changed, nothing lost"


def test_reextract_needs_an_archive(tmp_path):
    result = CliRunner().invoke(cli, ["reextract", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no archive at" in result.output


def test_pages_that_gave_no_article_are_tried_again(db_path):
    """A page an older extraction dropped becomes an article, first seen when fetched."""
    from scraper.reextract import reextract

    first = ARTICLES[0]
    db = open_archive(db_path)
    write_batch(db, [], pages=[page_of(first), page_of(BLOCKED)])
    assert reextract(db, since="2100-01-01", workers=1).counts == {
        "before_since": 1, "still_not_article": 1}
    assert db["articles"].count == 0
    report = reextract(db, workers=2)
    assert report.counts == {"new": 1, "still_not_article": 1} and report.lost == []
    row = db["articles"].get(first["url"])
    assert row["title"] == first["expected"]["title"]
    assert (row["first_seen"], row["last_seen"]) == ("2026-11-01T10:00:00+00:00",) * 2
    assert reextract(db, workers=1).counts == {"unchanged": 1, "still_not_article": 1}
    assert reextract(db, site="nowhere", workers=1).pages == 0


@pytest.mark.parametrize(("workers", "elsewhere"), [("1", False), ("2", False), ("1", True)])
def test_reextract_drops_what_the_crawls_found_repeated(archive, workers, elsewhere, tmp_path):
    """The repeated-segment store kept beside the archive serves re-extraction too, and so
    does one a crawl kept elsewhere (ARCHIVE_REPEATS_PATH), named with --repeats."""
    from scraper.extraction.repeats import RepeatStore, store_path

    second = ARTICLES[1]
    paragraph = second["expected"]["body"].split("\n\n")[-1]
    store = RepeatStore()
    for n in range(5):  # the crawls saw this paragraph on five other pages of the site
        store.add("globalresearch", f"https://www.globalresearch.ca/other/{n}", [paragraph])
    path = tmp_path / "kept-elsewhere.json" if elsewhere else store_path(archive)
    store.save(path)
    where = ["--repeats", str(path)] if elsewhere else []
    result = CliRunner().invoke(cli, ["reextract", "--db", str(archive), "--workers", workers,
                                      *where])
    assert result.exit_code == 0, result.output
    db = open_archive(archive)
    body = db["articles"].get(second["url"])["body"]
    assert paragraph not in body and body.startswith(second["expected"]["body"][:200])
    rev = next(db.query("select changed_fields from revisions where article_url = ?",
                        [second["url"]]))
    assert json.loads(rev["changed_fields"]) == ["body"]
