"""--follow-sources: a Global Research republication and its South Front original, served as
two hosts on 127.0.0.1, crawled into one archive and paired."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

import pytest
from conftest import GOLDEN_DIR, SITES_DIR, load_case
from datasette.utils import tilde_encode
from served_archive import get_text, served
from test_crawl import crawl

from pipelines.follow import FollowSourcesPipeline
from scraper.archive import open_archive, write_batch
from scraper.archive.diffs import WordChange, compare_words, word_changes
from scraper.archive.republications import cited_forms, source_page
from scraper.extraction.record import Article
from scraper.fixture_server import FixtureSite
from scraper.items import ArticleItem, Page
from scraper.sites import SITES

REPUBLISHED = "https://www.globalresearch.ca/drone-raids-reach-tuapses-oil-terminal/5941207"
ORIGINAL = "https://southfront.press/drone-raids-reach-the-port-of-tuapse/"
ORIGINAL_PATH = "/drone-raids-reach-the-port-of-tuapse/"
ORIGINAL_BODY = load_case(GOLDEN_DIR / "southfront" / "2025-drone-raids-tuapse.json")[
    "expected"]["body"]
# What the republisher changed (see the replica's page): it cut "among the terminal
# workers," (five words, "reported" losing its comma), left out the paragraph on Moscow's
# answer, and added "Western media barely mentioned it." (five words).
LEFT_OUT = next(p for p in ORIGINAL_BODY.split("\n\n") if p.startswith("Moscow answered"))


@pytest.fixture
def southfront():
    with FixtureSite(SITES_DIR / "southfront", origin="https://southfront.press") as served_:
        yield served_


@pytest.fixture
def republisher():
    with FixtureSite(SITES_DIR / "globalresearch-republication",
                     origin="https://www.globalresearch.ca") as served_:
        yield served_


def follow(republisher: FixtureSite, southfront: FixtureSite, db, *args: str) -> dict[str, int]:
    return crawl(republisher, db, "--follow-sources", "-s",
                 "ARCHIVE_MIRRORS=" + json.dumps({"southfront": southfront.url}), *args)


def table(db, sql: str) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql)]
    finally:
        con.close()


def test_crawl_archives_both_sides_and_pairs_them(republisher, southfront, db_path):
    counts = follow(republisher, southfront, db_path)
    assert (counts["new"], counts["failed"]) == (2, 0)
    articles = {r["url"]: r for r in table(db_path, "select * from articles")}
    assert {url: r["site"] for url, r in articles.items()} == {
        REPUBLISHED: "globalresearch", ORIGINAL: "southfront"}
    # The original is archived under South Front's rules: its appeals are gone.
    assert articles[ORIGINAL]["body"] == ORIGINAL_BODY
    assert articles[REPUBLISHED]["original_source_url"] == ORIGINAL
    [pair] = table(db_path, "select * from republications")
    assert (pair["republished_url"], pair["original_url"]) == (REPUBLISHED, ORIGINAL)
    assert pair["words_added"] == 1 + 5
    assert pair["words_removed"] == 5 + len(LEFT_OUT.split())
    assert 0.8 < pair["similarity"] < 1
    # Fetched once, from South Front's host, politely: its robots.txt read first.
    assert southfront.requests.count(ORIGINAL_PATH) == 1
    assert southfront.requests.index("/robots.txt") < southfront.requests.index(ORIGINAL_PATH)
    # Nothing else of South Front is crawled: only the original named.
    assert set(southfront.requests) == {"/robots.txt", ORIGINAL_PATH}
    [run] = table(db_path, "select arguments from runs")
    assert json.loads(run["arguments"])["follow_sources"] is True

    # The next run fetches neither side again, and keeps the pair.
    southfront.requests.clear()
    again = follow(republisher, southfront, db_path)
    assert (again["new"], again["already_archived"]) == (0, 1)
    assert ORIGINAL_PATH not in southfront.requests
    assert table(db_path, "select * from republications") == [pair]


def test_an_original_older_than_since_is_kept_with_its_republication(republisher, southfront,
                                                                     db_path):
    # The republication is of November 15, its original of the day before.
    counts = follow(republisher, southfront, db_path, "--since", "2025-11-15")
    assert counts["new"] == 2
    assert {r["url"] for r in table(db_path, "select url from articles")} == {
        REPUBLISHED, ORIGINAL}


def test_without_the_option_no_source_is_fetched(republisher, southfront, db_path):
    counts = crawl(republisher, db_path, "-s",
                   "ARCHIVE_MIRRORS=" + json.dumps({"southfront": southfront.url}))
    assert counts["new"] == 1
    assert southfront.requests == []
    assert table(db_path, "select count(*) as n from republications") == [{"n": 0}]


def test_an_original_already_archived_is_paired_without_a_fetch(republisher, southfront,
                                                                db_path):
    crawl(southfront, db_path, spider="southfront")
    southfront.requests.clear()
    follow(republisher, southfront, db_path)
    assert ORIGINAL_PATH not in southfront.requests
    [pair] = table(db_path, "select republished_url, original_url from republications")
    assert pair == {"republished_url": REPUBLISHED, "original_url": ORIGINAL}


def test_articles_archived_before_get_their_originals_on_the_first_following_crawl(
        republisher, southfront, db_path):
    crawl(republisher, db_path)  # no --follow-sources: the original is not fetched
    assert southfront.requests == []
    counts = follow(republisher, southfront, db_path)
    assert (counts["new"], counts["already_archived"]) == (1, 1)
    assert southfront.requests.count(ORIGINAL_PATH) == 1
    [pair] = table(db_path, "select republished_url, original_url from republications")
    assert pair == {"republished_url": REPUBLISHED, "original_url": ORIGINAL}
    southfront.requests.clear()
    follow(republisher, southfront, db_path)
    assert ORIGINAL_PATH not in southfront.requests


def test_an_original_archived_later_is_paired_with_what_cites_it(republisher, southfront,
                                                                 db_path):
    crawl(republisher, db_path)  # no --follow-sources
    crawl(southfront, db_path, spider="southfront")
    [pair] = table(db_path, "select republished_url, original_url from republications")
    assert pair == {"republished_url": REPUBLISHED, "original_url": ORIGINAL}


def test_reextract_compares_the_pair_again(republisher, southfront, db_path):
    follow(republisher, southfront, db_path)
    [pair] = table(db_path, "select * from republications")
    con = sqlite3.connect(db_path)
    with con:  # as an older extraction would have left them
        con.execute("update articles set body = 'Nothing alike.' where url = ?", [ORIGINAL])
        con.execute("update republications set similarity = 0, words_added = 0")
    con.close()
    out = subprocess.run([sys.executable, "-m", "scraper", "reextract", "--db", str(db_path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    [again] = table(db_path, "select * from republications")
    assert {k: again[k] for k in ("similarity", "words_added", "words_removed")} == {
        k: pair[k] for k in ("similarity", "words_added", "words_removed")}


def test_the_source_may_redirect_on_its_own_host_only(republisher, southfront, db_path):
    html = (SITES_DIR / "southfront" / "drone-raids-reach-the-port-of-tuapse" / "index.html")
    moved = "/2025/11/drone-raids-reach-the-port-of-tuapse/"
    southfront.answer(ORIGINAL_PATH, status=301, headers={"Location": southfront.url + moved})
    southfront.answer(moved, html.read_bytes())
    follow(republisher, southfront, db_path)
    assert {r["url"] for r in table(db_path, "select url from articles")} == {
        REPUBLISHED, ORIGINAL}

    # A redirect to any other host is refused, and counted by its reason.
    with FixtureSite(SITES_DIR / "southfront") as elsewhere:
        southfront.answer(ORIGINAL_PATH, status=302,
                          headers={"Location": elsewhere.url + ORIGINAL_PATH})
        other_db = db_path.with_name("other.db")
        counts = follow(republisher, southfront, other_db)
        assert (counts["new"], counts["failed"]) == (1, 1)
        assert elsewhere.requests == []
    [run] = table(other_db, "select failures from runs")
    assert json.loads(run["failures"]) == {"offsite_redirect": 1}


def test_article_page_shows_the_pair_and_what_the_republisher_changed(republisher, southfront,
                                                                     db_path):
    follow(republisher, southfront, db_path)
    [pair] = table(db_path, "select * from republications")
    with served(db_path) as base:
        page = get_text(f"{base}/archive/articles/{tilde_encode(REPUBLISHED)}")
        original_page = get_text(f"{base}/archive/articles/{tilde_encode(ORIGINAL)}")
        pairs_page = get_text(f"{base}/archive/republications")
    section = page[page.index('<section class="republications">'):]
    section = section[:section.index("</section>")]
    assert f'href="{ORIGINAL}"' in section
    assert (f"similarity {pair['similarity']:.2f}, +{pair['words_added']} words, "
            f"−{pair['words_removed']} words") in section
    # The diff: the cut clause and the left-out paragraph as removed lines, the retouched
    # paragraphs as added ones, every text escaped.
    removed = re.findall(r'<span class="diff-removed">(.*?)</span>', section, re.S)
    added = re.findall(r'<span class="diff-added">(.*?)</span>', section, re.S)
    assert any(line.startswith("-Moscow answered") for line in removed)
    assert any("Western media barely mentioned it." in line for line in added)
    assert any("among the terminal workers" in line for line in removed)
    # ... and word by word: each cut and addition in its context.
    cut = re.findall(r"<del>(.*?)</del>", section)
    put = re.findall(r"<ins>(.*?)</ins>", section)
    assert "reported among the terminal workers," in cut and "reported," in put
    assert LEFT_OUT in cut and "Western media barely mentioned it." in put
    # The table of pairs links both sides to their article pages, by their titles.
    for url in (REPUBLISHED, ORIGINAL):
        assert f'<a href="/archive/articles/{tilde_encode(url)}">' in pairs_page
    # The original's page names its republisher.
    republished_by = original_page[original_page.index('<section class="republications">'):]
    assert f'href="/archive/articles/{tilde_encode(REPUBLISHED)}"' in republished_by


def test_the_diff_is_shown_as_text(db_path):
    """Markup in either body is shown, never run."""
    original = article(ORIGINAL, None, site="southfront", body="Plain words here.")
    republished = article(REPUBLISHED, ORIGINAL,
                          body="Plain words here.\n\n<script>alert('x')</script><b>bold</b>")
    db = open_archive(db_path)
    write_batch(db, [ArticleItem(republished, page(REPUBLISHED)),
                     ArticleItem(original, page(ORIGINAL))])
    db.close()
    with served(db_path) as base:
        html = get_text(f"{base}/archive/articles/{tilde_encode(REPUBLISHED)}")
    section = html[html.index('<section class="republications">'):]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in section
    assert "<script>alert" not in html and "<b>bold" not in html


# --- the rules on their own ---------------------------------------------------------------

def article(url: str, source_url: str | None, site: str = "globalresearch", body: str = "b"
            ) -> Article:
    return Article(url=url, site=site, title="T", subtitle=None, byline=None, authors=[],
                   published=None, published_text=None, modified=None, tags=[], body=body,
                   original_source={"name": "S", "url": source_url, "date": None},
                   language="en", word_count=1, content_hash="h", fetched_at="x")


def page(url: str) -> Page:
    return Page(url=url, fetched_url=url, status=200, headers={}, body=b"<html></html>",
                encoding="utf-8", fetched_at="2026-01-01T00:00:00+00:00", site="x")


@pytest.mark.parametrize(("source_url", "expected"), [
    # a declared site's former domain is archived under its own host
    ("http://southfront.org/some-post/?utm_source=gr", ("southfront", "https://southfront.press/some-post/")),
    # a site with no declaration keeps its host (and port)
    ("http://127.0.0.1:8123/2025/story", ("127.0.0.1:8123",
                                          "https://127.0.0.1:8123/2025/story")),
    # the site's own article, or no web address: nothing to follow
    ("https://globalresearch.ca/x/5", None),
    ("javascript:alert(1)", None),
    (None, None),
])
def test_source_page(source_url, expected):
    found = source_page(source_url, "globalresearch")
    assert (found and (found[0].name, found[1])) == expected


def test_cited_forms():
    forms = cited_forms("https://southfront.press/a-b/", SITES["southfront"])
    assert {"https://southfront.press/a-b/", "http://www.southfront.org/a-b",
            "https://southfront.org/a-b/"} <= set(forms)
    assert cited_forms("https://127.0.0.1:8123/x", None) == [
        "http://127.0.0.1:8123/x", "http://127.0.0.1:8123/x/", "https://127.0.0.1:8123/x",
        "https://127.0.0.1:8123/x/"]


def test_fetch_url_uses_a_mirror_or_the_scheme_cited():
    follow_ = FollowSourcesPipeline.__new__(FollowSourcesPipeline)
    follow_.mirrors = {"southfront": "http://127.0.0.1:9001"}
    site, url = source_page("https://southfront.org/a-b/?x=1", "globalresearch")
    assert follow_.fetch_url(site, url, "https://southfront.org/a-b/?x=1") == (
        "http://127.0.0.1:9001/a-b/")
    cited = "http://news.example.org/a-b"
    site, url = source_page(cited, "globalresearch")
    assert follow_.fetch_url(site, url, cited) == cited


def test_compare_words():
    same = compare_words("one two three", "one two three")
    assert (same.similarity, same.words_added, same.words_removed) == (1.0, 0, 0)
    changed = compare_words("the port was hit at night", "the port was hit again at dawn")
    assert (changed.words_added, changed.words_removed) == (2, 1)
    assert 0 < changed.similarity < 1
    assert compare_words("", "").similarity == 1.0


def test_word_changes_in_context():
    changes = word_changes("a b c d e f g h", "a b c X e f g h Y", context=2)
    assert changes == [WordChange("b c", "d", "X", "e f"), WordChange("g h", "", "Y", "")]
    assert word_changes("same words", "same words") == []
