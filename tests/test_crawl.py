"""Crawl tests: the real spider and pipelines against the replica site on 127.0.0.1.

Each crawl runs as `scraper crawl` in a subprocess (Twisted's reactor starts once per
process); the replica is served from this process, which sees every request it gets.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import REPO, SITES_DIR, copy_archive, golden_cases, load_case

from scraper.exit_codes import Exit
from scraper.fixture_server import FixtureSite

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=WARNING"]
EXPECTED = {c["url"]: c["expected"] for c in map(load_case, golden_cases("globalresearch"))
            if c["status"] == "article"}


@pytest.fixture
def site():
    with FixtureSite(SITES_DIR / "globalresearch") as served:
        yield served


class FirstCrawl(NamedTuple):
    db: Path
    counts: dict[str, int]
    requests: list[str]  # what the site was asked, in order


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory) -> FirstCrawl:
    """One crawl of the replica into a fresh archive, shared by the tests that read it (and,
    through `crawled`, by those that go on from it); no test writes to it."""
    db = tmp_path_factory.mktemp("first") / "archive.db"
    with FixtureSite(SITES_DIR / "globalresearch") as served:
        counts = crawl(served, db)
    return FirstCrawl(db, counts, list(served.requests))


@pytest.fixture
def crawled(first_crawl, db_path) -> Path:
    """db_path holding this test's own copy of the first crawl's archive."""
    return copy_archive(first_crawl.db, db_path)


def crawl(site: FixtureSite, db: Path, *args: str, spider: str = "globalresearch"
          ) -> dict[str, int]:
    """Run a crawl of `spider` on the replica `site`; return the counts of its summary line."""
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", spider, "--db", str(db),
         "--base-url", site.url, *FAST, *args],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith(f"{spider}:"))
    return {key.replace(" ", "_"): int(n) for n, key in re.findall(
        r"(\d+) (new|updated|unchanged|already archived|blocked|not articles|failed|dropped)",
        line)}


def rows(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return {r["url"]: dict(r) for r in con.execute("select * from articles")}


def article_requests(site: FixtureSite | FirstCrawl) -> list[str]:
    return [p for p in site.requests if re.fullmatch(r"/[a-z0-9-]+/\d+", p)]


def test_first_crawl_archives_every_article_exactly(first_crawl):
    counts, db_path, site = first_crawl.counts, first_crawl.db, first_crawl
    assert counts == {"new": len(EXPECTED), "updated": 0, "unchanged": 0,
                      "already_archived": 0, "blocked": 1, "not_articles": 1, "failed": 0,
                      "dropped": 0}
    archived = rows(db_path)
    assert set(archived) == set(EXPECTED)
    for url, expected in EXPECTED.items():
        row = archived[url]
        for field in ("title", "subtitle", "byline", "published", "published_text", "body",
                      "language", "site", "kind"):
            assert row[field] == expected[field], (url, field)
        assert json.loads(row["authors"]) == expected["authors"]
        assert json.loads(row["tags"]) == expected["tags"]
        source = expected["original_source"] or {}
        assert (row["original_source"], row["original_source_url"],
                row["original_source_date"]) == (source.get("name"), source.get("url"),
                                                 source.get("date"))
    # Every article page fetched once, whichever of feed, REST and listings led to it.
    fetched = article_requests(site)
    assert len(fetched) == len(set(fetched)) == len(EXPECTED) + 2  # + challenge, soft 404
    # robots.txt obeyed, traps and off-site links not followed.
    assert "/robots.txt" in site.requests
    assert not [p for p in site.requests if "members-only" in p or "doing_wp_cron" in p]


def test_which_outlets_global_research_republishes_most(first_crawl):
    """The README's question on the replica: every outlet an article names as its original
    source, counted; Global Research's own articles ("The original source of this article is
    Global Research") are not republications, so it is not among them."""
    from test_readme_sql import STATEMENTS

    query = next(s for s in STATEMENTS if "from republished_by_source" in s)
    answer = sqlite3.connect(first_crawl.db).execute(query).fetchall()
    outlets = Counter(e["original_source"]["name"] for e in EXPECTED.values()
                      if e["original_source"])
    assert dict(answer) == outlets and len(answer) == len(outlets)
    assert [n for _, n in answer] == sorted(outlets.values(), reverse=True)  # most first
    assert {"Inter Press Service", "Le Monde Diplomatique", "The Defender"} <= set(outlets)
    assert not [name for name, _ in answer if "global research" in name.lower()]


def canary(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    return con.execute("select boilerplate_leaks, boilerplate_leak_share, "
                       "boilerplate_leak_rules from runs order by id").fetchall()


def test_the_canary_is_zero_on_the_healthy_replica(site, crawled):
    db_path = crawled
    assert canary(db_path) == [(0, 0.0, "{}")]
    crawl(site, db_path)  # nothing new: no evidence, not a healthy zero
    assert canary(db_path)[1] == (0, None, "{}")


def test_the_canary_counts_a_note_the_cleaner_missed(site, db_path):
    """A page whose share note is glued to the end of a long paragraph (the paragraph is
    kept: it is article text) leaves the note in the body; the run says so."""
    url = "https://www.globalresearch.ca/drone-strikes-and-the-law-of-armed-conflict/5891455"
    path = "/" + url.split("/", 3)[3]
    page = SITES_DIR / "globalresearch" / path.lstrip("/") / "index.html"
    html = page.read_text(encoding="utf-8")
    last = "and no less deadly for those who live beneath it."
    assert html.count(last) == 1
    note = " Click the share button above to email/forward this article to your friends."
    site.answer(path, html.replace(last, last + note).encode())
    crawl(site, db_path)
    assert note.strip() in rows(db_path)[url]["body"]
    leaks, share, rules = canary(db_path)[0]
    assert (leaks, share) == (1, 1 / len(EXPECTED))
    assert list(json.loads(rules).values()) == [1]


def test_archive_links_and_raw_pages(first_crawl):
    con = sqlite3.connect(first_crawl.db)
    # Every fetched article page, also the challenge page and the soft 404 (kept as fetches).
    statuses = dict(con.execute("select a.status is null, count(*) from pages p "
                                "left join articles a on a.url = p.url "
                                "where p.kind is not 'discovery' group by 1").fetchall())
    assert statuses == {0: len(EXPECTED), 1: 2}
    assert con.execute("select count(distinct url) from articles").fetchone()[0] == len(EXPECTED)
    n_authors = len({a for e in EXPECTED.values() for a in e["authors"]})
    assert con.execute("select count(*) from authors").fetchone()[0] == n_authors
    hits = con.execute("select count(*) from articles_fts where articles_fts match 'grain'")
    assert hits.fetchone()[0] >= 1


def test_second_crawl_adds_nothing_and_skips_archived_pages(site, crawled):
    db_path = crawled
    before = rows(db_path)
    site.requests.clear()
    counts = crawl(site, db_path)
    assert counts["new"] == counts["updated"] == 0
    assert counts["already_archived"] == len(EXPECTED)
    assert rows(db_path).keys() == before.keys()
    # Only the challenge and the soft 404 are fetched again: they were never archived.
    assert len(article_requests(site)) == 2


def test_refresh_refetches_and_finds_nothing_changed(site, crawled):
    db_path = crawled
    counts = crawl(site, db_path, "--refresh")
    assert (counts["new"], counts["updated"], counts["unchanged"]) == (0, 0, len(EXPECTED))


def test_each_crawl_is_a_run_with_its_counts_and_pages(site, db_path):
    first = crawl(site, db_path, "--limit", "3")
    second = crawl(site, db_path, "--refresh")
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    runs = [dict(r) for r in con.execute("select * from runs order by id")]
    assert [(r["spider"], r["exit_reason"]) for r in runs] == [
        ("globalresearch", "closespider_itemcount"), ("globalresearch", "finished")]
    assert json.loads(runs[0]["arguments"])["limit"] == 3
    assert json.loads(runs[1]["arguments"]) == {"base_url": site.url, "refresh": True}
    for run, counts in zip(runs, (first, second), strict=True):
        assert run["started"] <= run["finished"]
        assert (run["new"], run["changed"], run["unchanged"], run["blocked"],
                run["not_article"], run["failed"]) == (
            counts["new"], counts["updated"], counts["unchanged"], counts["blocked"],
            counts["not_articles"], counts["failed"])
        fetched = con.execute("select count(*) from pages where run_id = ? "
                              "and kind is not 'discovery'", [run["id"]])
        assert fetched.fetchone()[0] == (counts["new"] + counts["updated"] + counts["unchanged"]
                                         + counts["blocked"] + counts["not_articles"]
                                         + counts["dropped"])
    # The refresh fetched every page again: new page rows, no new bodies.
    assert con.execute("select count(distinct sha256) from pages where kind is not "
                       "'discovery'").fetchone()[0] == len(EXPECTED) + 2


def test_article_that_disappears_is_marked_gone_and_kept(site, crawled):
    db_path = crawled
    url = next(iter(EXPECTED))
    site.fail("/" + url.split("/", 3)[3], 404, times=1)
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db_path),
         "--base-url", site.url, *FAST, "--refresh"], capture_output=True, text=True, timeout=120)
    assert "; 1 archived articles gone (404/410)" in out.stdout
    archived = rows(db_path)
    assert archived[url]["status"] == "gone"
    assert archived[url]["body"] == EXPECTED[url]["body"]
    assert {r["status"] for u, r in archived.items() if u != url} == {"live"}
    con = sqlite3.connect(db_path)
    kept = con.execute("select status, kind, fetched_at from pages where url = ? "
                       "and status != 200", [url]).fetchall()
    con.close()
    assert [k[:2] for k in kept] == [(404, "gone")], "the 404 is kept as evidence"
    assert archived[url]["gone_at"] == kept[0][2]
    crawl(site, db_path, "--refresh")  # back online
    assert rows(db_path)[url]["status"] == "live"


def test_limit(site, db_path):
    counts = crawl(site, db_path, "--limit", "2")
    assert counts["new"] == 2
    assert len(rows(db_path)) == 2


def test_since(site, db_path):
    crawl(site, db_path, "--since", "2021-01-01")
    wanted = {u for u, e in EXPECTED.items() if e["published"][:10] >= "2021-01-01"}
    assert set(rows(db_path)) == wanted
    # Listing pages whose items are all older are not paged through.
    assert not any("page/3" in p for p in site.requests)


def test_retry_with_backoff_then_success(site, db_path):
    url = next(iter(EXPECTED))
    path = "/" + url.split("/", 3)[3]
    site.fail(path, 429, times=1)
    counts = crawl(site, db_path, "-s", "BACKOFF_MAX_DELAY=0.2")
    assert counts["new"] == len(EXPECTED)
    assert site.requests.count(path) == 2


def test_persistent_server_error_is_counted_and_the_rest_archived(site, db_path):
    url = next(iter(EXPECTED))
    path = "/" + url.split("/", 3)[3]
    site.fail(path, 503, times=10)
    counts = crawl(site, db_path, "-s", "RETRY_TIMES=1", "-s", "BACKOFF_MAX_DELAY=0.2")
    assert counts["failed"] == 1
    assert counts["new"] == len(EXPECTED) - 1
    assert url not in rows(db_path)


def test_dead_server_loses_nothing_archived(crawled):
    db_path = crawled
    before = rows(db_path)
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db_path),
         "--base-url", "http://127.0.0.1:9", *FAST, "-s", "RETRY_TIMES=0"],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == Exit.UNREACHABLE
    assert "0 new" in out.stdout
    # The address really tried: the mirror's, not the site's.
    assert ("Error: no page of globalresearch could be fetched: http://127.0.0.1:9/robots.txt: "
            "Connection was refused") in out.stderr
    assert rows(db_path) == before


def test_bot_wall_answering_403_is_blocked_not_failed(site, db_path):
    url = next(iter(EXPECTED))
    path = "/" + url.split("/", 3)[3]
    challenge = (SITES_DIR / "globalresearch" / "bombing-of-the-kerch-bridge-what-we-know"
                 / "5911111" / "index.html").read_bytes()
    site.fail(path, 403, times=10, body=challenge)
    counts = crawl(site, db_path, "-s", "RETRY_TIMES=1", "-s", "BACKOFF_MAX_DELAY=0.2")
    assert (counts["blocked"], counts["failed"]) == (2, 0)
    assert url not in rows(db_path)


def test_scrapy_native_crawl(site, db_path):
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "globalresearch", "-a", f"base_url={site.url}",
         "-a", "limit=3", "-s", f"ARCHIVE_PATH={db_path}", *FAST],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(rows(db_path)) == 3
    assert set(rows(db_path)) <= set(EXPECTED)


def test_demo_fills_its_archive_offline(tmp_path):
    db = tmp_path / "demo.db"
    out = subprocess.run([sys.executable, "-m", "scraper", "demo", "--db", str(db)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"Archive: {db} ({len(EXPECTED)} articles)" in out.stdout
    assert set(rows(db)) == set(EXPECTED)


def test_rest_api_discovers_what_feed_and_listings_do_not(site, db_path):
    only_in_rest = "https://www.globalresearch.ca/drone-strikes-and-the-law-of-armed-conflict/5891455"
    site.fail("/wp-json/wp/v2/posts?page=1&per_page=20", 500, times=10)
    counts = crawl(site, db_path, "-s", "RETRY_TIMES=0")
    assert counts["new"] == len(EXPECTED) - 1
    assert only_in_rest not in rows(db_path)


def test_blocked_listing_is_reported(site, db_path):
    challenge = (SITES_DIR / "globalresearch" / "bombing-of-the-kerch-bridge-what-we-know"
                 / "5911111" / "index.html").read_bytes()
    site.fail("/latest-news-and-top-stories", 200, times=1, body=challenge)
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db_path),
         "--base-url", site.url, *FAST], capture_output=True, text=True, timeout=120)
    assert "; 1 feed/listing pages blocked" in out.stdout
    # Feed and REST still found what they list.
    assert set(rows(db_path)) == {
        "https://www.globalresearch.ca/vaccine-liability-shields-and-the-courts/5934366",
        "https://www.globalresearch.ca/the-grain-corridor-and-the-politics-of-hunger/5837083",
        "https://www.globalresearch.ca/sanctions-and-the-2021-harvest/5752210",
        "https://www.globalresearch.ca/drone-strikes-and-the-law-of-armed-conflict/5891455",
        "https://www.globalresearch.ca/seed-laws-and-the-farmers-of-the-andes/5902317"}


def test_locked_archive_loses_nothing_and_says_so(site, db_path):
    crawl(site, db_path, "--limit", "1")
    before = rows(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("begin exclusive")  # e.g. a long write by another tool
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db_path),
         "--base-url", site.url, *FAST, "-s", "ARCHIVE_TIMEOUT=0.2"],
        capture_output=True, text=True, timeout=120)
    other.execute("rollback")
    assert out.returncode == Exit.ERROR
    assert f"; {len(EXPECTED) - 1} articles NOT archived (database locked)" in out.stdout
    assert rows(db_path) == before
    assert crawl(site, db_path)["new"] == len(EXPECTED) - 1  # the next run fetches them
