"""Crawl tests of the generic `news` spider against two fixture sites of our own on 127.0.0.1:
riverside-gazette (WordPress-like: robots.txt, a sitemap index with a Google News sitemap,
an RSS feed, the REST API, sections, tags, authors, a video hub, a bot wall) and
harbour-weekly (a small CMS with no sitemap, feed or API: links only)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import REPO, SITES_DIR

from scraper.exit_codes import Exit
from scraper.fixture_server import FixtureSite

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "RETRY_TIMES=0"]
GAZETTE_ORIGIN = "https://www.riverside-gazette.example"
HARBOUR_ORIGIN = "https://harbourweekly.example"

# Article paths of the gazette and the one route that alone lists each (None: several).
GAZETTE = {
    "/2026/11/24/council-approves-flood-barrier/": None,  # news sitemap, feed, REST, home
    "/2026/11/23/bridge-closure-extended/": None,  # news sitemap, feed, home
    "/2026/10/02/school-budget-vote/": None,  # post sitemap 2, section front
    "/2025/03/14/library-reopens-after-fire/": "sitemap",  # post sitemap 1 only
    "/2026/09/15/riverfront-market-expands/": "feed",
    "/2026/08/30/ferry-timetable-changes/": "rest",
    "/2026/07/19/harbour-dredging-begins/": "links",  # from the News section front
    "/2026/06/05/old-mill-converted-to-housing/": "links",  # from the Flooding tag page
}
DEEPER = "/2026/05/12/bakery-wins-regional-award/"  # linked only from a depth-2 story
CHALLENGE = "/2026/11/20/night-buses-return/"
HARBOUR = ["/local/2026-11-21/lighthouse-keepers-cottage-sold",
           "/local/2026-11-18/fishing-quota-cut", "/local/2026-11-02/new-ferry-pier-opens"]


class Run(NamedTuple):
    returncode: int
    counts: dict[str, int]
    kinds: dict[str, int]
    routes: dict[str, str]  # URL -> the route that found it first
    stdout: str
    stderr: str


@pytest.fixture
def gazette():
    with FixtureSite(SITES_DIR / "riverside-gazette", origin=GAZETTE_ORIGIN) as served:
        yield served


@pytest.fixture
def harbour():
    with FixtureSite(SITES_DIR / "harbour-weekly", origin=HARBOUR_ORIGIN) as served:
        yield served


class FirstCrawl(NamedTuple):
    site: FixtureSite
    db: Path
    run: Run
    requests: list[str]


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> FirstCrawl:
    """One crawl of the gazette into a fresh archive, shared by the tests that only read it."""
    db = tmp_path_factory.mktemp("first") / "archive.db"
    with FixtureSite(SITES_DIR / "riverside-gazette", origin=GAZETTE_ORIGIN) as site:
        run = crawl(db, "--url", site.url + "/")
    return FirstCrawl(site, db, run, list(site.requests))


def crawl(db: Path, *args: str) -> Run:
    """`scraper crawl news ARGS` in a subprocess, at DEBUG so each find is logged."""
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", "news", "--db", str(db), *FAST,
         "-s", "LOG_LEVEL=DEBUG", *args], capture_output=True, text=True, timeout=120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("news:")), "")
    counts = {key.replace(" ", "_"): int(n) for n, key in re.findall(
        r"(\d+) (new|updated|unchanged|already archived|blocked|not articles|failed|dropped)",
        line)}
    kinds_text = re.search(r"not articles \(([^)]*)\)", line)
    kinds = {k: int(n) for n, k in re.findall(r"(\d+) (\w+)", kinds_text[1])} if (
        kinds_text) else {}
    routes = {url: route for route, url in re.findall(r"found by (\w+): (\S+)", out.stderr)}
    return Run(out.returncode, counts, kinds, routes, out.stdout, out.stderr)


def archived(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return {r["url"]: dict(r) for r in con.execute("select * from articles")}


def article_url(site: FixtureSite, path: str) -> str:
    """The archive's URL of a fixture page: https, the served host and port."""
    return "https://" + site.url.removeprefix("http://") + path


def test_every_route_finds_its_articles_each_fetched_once(first):
    gazette, db_path, run = first.site, first.db, first.run
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.counts == {"new": len(GAZETTE), "updated": 0, "unchanged": 0,
                          "already_archived": 0, "blocked": 1, "not_articles": 14,
                          "failed": 0, "dropped": 0}
    rows = archived(db_path)
    assert set(rows) == {article_url(gazette, p) for p in GAZETTE}
    flood = rows[article_url(gazette, "/2026/11/24/council-approves-flood-barrier/")]
    assert (flood["title"], flood["published"]) == (
        "Council approves flood barrier for the east bank", "2026-11-24T08:15:00+00:00")
    # Routes: what only one route lists was found by that route.
    for path, route in GAZETTE.items():
        assert run.routes[article_url(gazette, path)] == route or route is None, path
    assert run.routes[article_url(gazette, CHALLENGE)] == "sitemap"  # news sitemap only
    # Each article page (and the bot wall) fetched once, whichever routes listed it.
    for path in [*GAZETTE, CHALLENGE]:
        assert first.requests.count(path) == 1, path
    assert DEEPER not in first.requests  # three links deep: beyond NEWS_FOLLOW_DEPTH=2


def test_not_articles_are_counted_by_kind(first):
    run = first.run
    assert run.kinds == {"front": 1, "section": 2, "tag": 3, "author": 2, "video": 3,
                         "listing": 1, "error": 1, "other": 1}
    assert sum(run.kinds.values()) == run.counts["not_articles"]
    rows = archived(first.db)
    assert not [u for u in rows if re.search(r"/(tag|category|author|video|about)/", u)]


def test_robots_sitemaps_and_traps(first):
    requested = set(first.requests)
    assert {"/robots.txt", "/sitemap_index.xml", "/news-sitemap.xml", "/post-sitemap1.xml",
            "/post-sitemap2.xml", "/feed/", "/wp-json/wp/v2/posts?page=1&per_page=20"
            } <= requested
    # Sitemaps named in robots.txt: no guessing of /sitemap.xml; a feed named on the home
    # page: no guessing of /rss; taxonomies' and authors' sitemaps list no articles.
    assert not requested & {"/sitemap.xml", "/rss", "/rss.xml", "/atom.xml",
                            "/category-sitemap.xml", "/author-sitemap.xml"}
    # robots.txt disallows /members/; share links and the comments feed are traps.
    assert not [p for p in requested if p.startswith("/members/") or "share=" in p
                or "comments" in p or p.startswith("/wp-content/")]


def test_since_skips_old_sitemap_entries_and_old_child_sitemaps(gazette, db_path):
    run = crawl(db_path, "--url", gazette.url + "/", "--since", "2026-10-01")
    assert run.returncode == 0, run.stderr[-3000:]
    recent = {p for p in GAZETTE if p[1:11].replace("/", "-") >= "2026-10-01"}
    assert set(archived(db_path)) == {article_url(gazette, p) for p in recent}
    # The child sitemap last changed in 2025 is not fetched, nor what it lists; old items
    # of the feed, the REST API and the sitemaps are not fetched either, nor links whose
    # path dates them before --since.
    for path in ("/post-sitemap1.xml", "/2025/03/14/library-reopens-after-fire/",
                 "/2026/09/15/riverfront-market-expands/", "/2026/08/30/ferry-timetable-changes/",
                 "/2026/05/01/removed-story/", "/2026/07/19/harbour-dredging-begins/",
                 "/2026/06/05/old-mill-converted-to-housing/"):
        assert path not in gazette.requests, path
    assert run.counts["dropped"] == 0


def test_limit(gazette, db_path):
    run = crawl(db_path, "--url", gazette.url + "/", "--limit", "2")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.counts["new"] == 2
    assert len(archived(db_path)) == 2


def test_second_run_skips_what_is_archived(gazette, db_path):
    crawl(db_path, "--url", gazette.url + "/")
    before = archived(db_path)
    gazette.requests.clear()
    run = crawl(db_path, "--url", gazette.url + "/")
    assert run.returncode == 0, run.stderr[-3000:]
    assert (run.counts["new"], run.counts["already_archived"]) == (0, len(GAZETTE))
    assert not [p for p in GAZETTE if p in gazette.requests]
    assert archived(db_path).keys() == before.keys()


def test_follow_depth_setting(gazette, db_path, tmp_path):
    # One request at a time: pages are then reached breadth first, by their shortest way.
    deeper = crawl(db_path, "--url", gazette.url + "/", "-s", "NEWS_FOLLOW_DEPTH=3",
                   "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    assert deeper.routes[article_url(gazette, DEEPER)] == "links"
    assert article_url(gazette, DEEPER) in archived(db_path)
    gazette.requests.clear()
    db = tmp_path / "no-links.db"
    none = crawl(db, "--url", gazette.url + "/", "-s", "NEWS_FOLLOW_DEPTH=0")
    assert set(none.routes.values()) == {"sitemap", "feed", "rest"}
    assert not [p for p in gazette.requests if p.startswith(("/tag/", "/category/"))]
    assert set(archived(db)) == {article_url(gazette, p) for p, route in GAZETTE.items()
                                 if route != "links"}


def test_link_only_site_and_a_urls_file(gazette, harbour, db_path, tmp_path):
    urls = tmp_path / "sites.txt"
    urls.write_text(f"# two local papers\n{gazette.url}/\n\n{harbour.url}/   # no sitemap\n")
    run = crawl(db_path, "--urls-file", str(urls))
    assert run.returncode == 0, run.stderr[-3000:]
    rows = archived(db_path)
    assert {article_url(harbour, p) for p in HARBOUR} <= set(rows)
    assert len(rows) == len(GAZETTE) + len(HARBOUR)
    # Two sites on one host, on two ports: two sites, each named with its port.
    sites = {article_url(s, "").removeprefix("https://"): s for s in (gazette, harbour)}
    assert {r["site"] for r in rows.values()} == set(sites)
    assert {r["url"] for r in rows.values() if sites[r["site"]] is harbour} == {
        article_url(harbour, p) for p in HARBOUR}
    assert {run.routes[article_url(harbour, p)] for p in HARBOUR} == {"links"}
    # No sitemap or feed: the usual paths are tried once each; not WordPress: no /wp-json/.
    for path in ("/sitemap.xml", "/sitemap_index.xml", "/feed", "/rss",
                 "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml"):
        assert harbour.requests.count(path) == 1, path
    assert "/wp-json/" not in harbour.requests
    assert run.kinds["front"] == 2 and run.kinds["listing"] == 2  # + harbour's /local/
    assert run.counts["failed"] == 0  # off-site links (other hosts) never fetched


def test_dead_server_says_so_and_exits_unreachable(db_path):
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", "news", "--url", "http://127.0.0.1:9/",
         "--db", str(db_path), *FAST], capture_output=True, text=True, timeout=120)
    assert out.returncode == Exit.UNREACHABLE
    assert "0 new" in out.stdout
    assert ("Error: no page of http://127.0.0.1:9/ could be fetched: "
            "http://127.0.0.1:9/robots.txt: Connection was refused" in out.stderr)


def test_scrapy_crawl_news(gazette, harbour, db_path):
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news",
         "-a", f"urls={gazette.url}/,{harbour.url}/", "-a", "limit=3",
         "-s", f"ARCHIVE_PATH={db_path}", *FAST, "-s", "LOG_LEVEL=WARNING"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(archived(db_path)) == 3


def test_blocked_start_page_is_reported_and_sitemaps_still_work(gazette, db_path):
    challenge = (SITES_DIR / "riverside-gazette" / CHALLENGE.strip("/") / "index.html"
                 ).read_bytes()
    gazette.fail("/", 200, times=1, body=challenge)
    run = crawl(db_path, "--url", gazette.url + "/")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "; 1 feed/listing pages blocked" in run.stdout
    # No feed or API named (the page was a wall): the usual feed path is tried instead.
    assert "/feed" in gazette.requests
    found = set(archived(db_path))
    assert article_url(gazette, "/2025/03/14/library-reopens-after-fire/") in found
    assert article_url(gazette, "/2026/07/19/harbour-dredging-begins/") not in found  # links


def test_wordpress_api_found_at_wp_json_when_the_page_does_not_name_it(gazette, db_path):
    home = (SITES_DIR / "riverside-gazette" / "index.html").read_text(encoding="utf-8")
    home = re.sub(r'<link rel="https://api.w.org/"[^>]*>', "", home).replace(
        GAZETTE_ORIGIN, gazette.url)
    gazette.fail("/", 200, times=1, body=home.encode())
    run = crawl(db_path, "--url", gazette.url + "/", "-s", "NEWS_FOLLOW_DEPTH=0")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "/wp-json/" in gazette.requests  # a WordPress page (wp-content): ask the API root
    assert run.routes[article_url(gazette, "/2026/08/30/ferry-timetable-changes/")] == "rest"


def test_a_sitemap_or_feed_as_start_url(gazette, db_path):
    run = crawl(db_path, "--url", gazette.url + "/news-sitemap.xml",
                "--url", gazette.url + "/feed/")
    assert run.returncode == 0, run.stderr[-3000:]
    # Read as a sitemap and a feed (beside robots.txt's sitemaps), not as pages whose links
    # are followed: the home page, and so the REST API and the links, are never reached.
    assert "/" not in gazette.requests
    assert set(archived(db_path)) == {article_url(gazette, p) for p, route in GAZETTE.items()
                                      if route not in ("rest", "links")}
    assert run.routes[article_url(gazette, "/2026/09/15/riverfront-market-expands/")] == "feed"
    assert run.counts["blocked"] == 1


def test_the_run_and_every_fetch_are_archived(first):
    con = sqlite3.connect(first.db)
    spider, arguments, exit_reason, new, not_article = con.execute(
        "select spider, arguments, exit_reason, new, not_article from runs").fetchone()
    assert (spider, exit_reason, new, not_article) == ("news", "finished", len(GAZETTE), 14)
    assert json.loads(arguments)["start_pages"] == [first.site.url + "/"]
    # Article pages, the bot wall and the pages of other kinds: each fetch is a pages row.
    fetched = con.execute("select count(*) from pages where kind is not 'discovery'")
    assert fetched.fetchone()[0] == len(GAZETTE) + 1 + 14
