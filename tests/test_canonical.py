"""An article is stored under the URL it was fetched for, unless its canonical link is on the
same site and plainly names the same article; a canonical link naming another article
never overwrites it nor makes a revision of it."""

from __future__ import annotations

import sqlite3

import pytest
from fetch_helpers import article_html, articles, crawl_news, home_html

from scraper.extraction.extract import extract
from scraper.fixture_server import FixtureSite
from scraper.sites import SITES

GR = SITES["globalresearch"]
STORY = "https://news.example.org/2026/11/20/flood-barrier/"


def stored_url(url: str, canonical: str, site=None) -> tuple[str, dict[str, str]]:
    article = extract(article_html("Council approves the flood barrier", canonical=canonical),
                      url, site).article
    assert article is not None
    return article.url, article.provenance


@pytest.mark.parametrize("canonical", [
    "https://news.example.org/2026/11/20/flood-barrier",  # no trailing slash
    "http://www.news.example.org/2026/11/20/flood-barrier/",  # scheme, www.
    "https://news.example.org/2026/11/20/flood-barrier/?utm_source=feed#top",  # tracking
    "/2026/11/20/flood-barrier/",  # relative
])
def test_canonical_of_the_same_article_is_taken(canonical):
    url, provenance = stored_url(STORY, canonical)
    assert url.rstrip("/") == "https://news.example.org/2026/11/20/flood-barrier"
    assert provenance["url"] == "canonical"
    assert "canonical_refused" not in provenance


@pytest.mark.parametrize("fetched", [
    "https://news.example.org/2026/11/20/flood-barrier/amp/",
    "https://news.example.org/amp/2026/11/20/flood-barrier/",
    "https://news.example.org/2026/11/20/flood-barrier/print",
    "https://news.example.org/2026/11/20/flood-barrier/?print=1",
])
def test_amp_and_print_variants_are_stored_as_their_article(fetched):
    assert stored_url(fetched, STORY)[0] == STORY


def test_canonical_naming_another_article_is_refused():
    url, provenance = stored_url(STORY, "https://news.example.org/2026/11/19/other-story/")
    assert url == STORY
    assert provenance["url"] == "fetched"
    assert provenance["canonical_refused"] == (
        "another article: https://news.example.org/2026/11/19/other-story/")


def test_canonical_on_another_host_or_port_is_refused():
    local = "https://127.0.0.1:8001/2026/11/20/flood-barrier/"
    url, provenance = stored_url(local, "http://127.0.0.1:8002/2026/11/20/flood-barrier/")
    assert url == local
    assert provenance["canonical_refused"].startswith("another site: ")
    assert stored_url(STORY, "https://other.example.com/2026/11/20/flood-barrier/")[0] == STORY


def test_declared_site_on_a_mirror_takes_its_own_canonical():
    canonical = "https://www.globalresearch.ca/the-grain-corridor/5837083"
    assert stored_url("http://127.0.0.1:8000/the-grain-corridor/5837083", canonical, GR)[0] == (
        canonical)
    assert stored_url(canonical, "https://www.globalresearch.ca/another-story/5837084", GR)[0] == (
        canonical)


def test_a_copy_naming_a_real_article_never_rewrites_it(tmp_path, db_path):
    """The issue's case: a truncated copy whose canonical link names a real article."""
    (tmp_path / "index.html").write_text(home_html(["/real/", "/copy/"]), encoding="utf-8")
    for name, paragraphs in (("real", 6), ("copy", 2)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(article_html(
            "Council approves the flood barrier", paragraphs,
            canonical="https://127.0.0.1:PORT/real/"), encoding="utf-8")
    with FixtureSite(tmp_path, origin="https://127.0.0.1:PORT") as site:
        for args in ((), ("--refresh",)):
            run = crawl_news(db_path, site.url + "/", *args)
            assert run.returncode == 0, run.stderr[-3000:]
        host = site.url.removeprefix("http://")
    stored = articles(db_path)
    real, copy = stored[f"https://{host}/real/"], stored[f"https://{host}/copy/"]
    assert real["body"].count("\n\n") == 5 and copy["body"].count("\n\n") == 1
    con = sqlite3.connect(db_path)
    assert con.execute("select count(*) from revisions").fetchone()[0] == 0
    assert (real["revision_count"], copy["revision_count"]) == (0, 0)
