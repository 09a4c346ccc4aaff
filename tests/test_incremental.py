"""A run costs what changed: the revisit policy, conditional requests answered 304, child
sitemaps and feed entries unchanged since the last complete run, and what is kept of
listings. Crawls run as `scraper crawl` subprocesses against sites on 127.0.0.1."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import SITES_DIR
from generated_site import crawl_command, summary_counts
from living_site import NOT_FOUND, SECTION, LivingSite
from test_crawl import EXPECTED, article_requests
from test_crawl import crawl as crawl_globalresearch

from scraper.fixture_server import FixtureSite
from scraper.revisit import RevisitPolicy

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        "-s", "NEWS_FOLLOW_DEPTH=1"]
EVERYTHING_DUE = ["-s", "REVISIT_FRESH_DAYS=100000", "-s", "REVISIT_HORIZON_DAYS=100000",
                  "-s", "REVISIT_MIN_HOURS=0"]


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat()


# --- The policy on its own ----------------------------------------------------------------


@pytest.mark.parametrize(("published", "last_seen", "due"), [
    (ago(days=1), ago(hours=3), True),  # fresh: every run
    (ago(days=1), ago(minutes=20), False),  # ... but not twice within REVISIT_MIN_HOURS
    (ago(days=10), ago(days=3), False),  # slow: once a week
    (ago(days=10), ago(days=8), True),
    (ago(days=29), ago(days=8), True),
    (ago(days=31), ago(days=30), False),  # past the horizon: never again
    (ago(days=400), ago(days=300), False),
    ((NOW + timedelta(days=3)).isoformat(), ago(hours=3), True),  # a future date: from first seen
    ("2026-05-31", ago(hours=3), True),  # a day without a time
])
def test_revisit_policy_by_age(published, last_seen, due):
    policy = RevisitPolicy(fresh_days=2, slow_every_days=7, horizon_days=30, min_hours=1)
    assert policy.due(published, ago(days=1), last_seen, now=NOW) is due


def test_an_undated_article_ages_from_its_first_sighting():
    policy = RevisitPolicy()
    assert policy.due(None, ago(days=1), ago(hours=2), now=NOW)
    assert not policy.due(None, ago(days=60), ago(days=8), now=NOW)
    assert policy.due(None, None, None, now=NOW)  # nothing known of it: check it


# --- The fixture server answers conditional requests ------------------------------------------


def get(url: str, **headers: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_fixture_server_honours_validators(tmp_path):
    (tmp_path / "index.html").write_text("<p>one</p>")
    with FixtureSite(tmp_path) as site:
        status, headers = get(site.url + "/")
        assert status == 200 and headers["ETag"] and headers["Last-Modified"]
        assert get(site.url + "/", **{"If-None-Match": headers["ETag"]})[0] == 304
        assert get(site.url + "/", **{"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        (tmp_path / "index.html").write_text("<p>two</p>")
        assert get(site.url + "/", **{"If-None-Match": headers["ETag"]})[0] == 200
    with FixtureSite(tmp_path, validators=False) as site:
        assert "ETag" not in get(site.url + "/")[1]


# --- Crawls --------------------------------------------------------------------------------


def test_second_run_asks_conditionally_and_counts_304s_as_unchanged(db_path):
    """Every article due (settings): each is asked for with the validators of its stored
    fetch, answers 304, and is "unchanged", seen again, with nothing new stored."""
    with FixtureSite(SITES_DIR / "globalresearch") as site:
        crawl_globalresearch(site, db_path)
        con = sqlite3.connect(db_path)
        pages_before = con.execute("select count(*) from pages").fetchone()[0]
        seen_before = dict(con.execute("select url, last_seen from articles"))
        con.close()
        first = len(site.requests)
        site.requests.clear()
        site.hits.clear()
        counts = crawl_globalresearch(site, db_path, *EVERYTHING_DUE)
        fetched = article_requests(site)
        conditional = {target for _, target, headers in site.hits
                       if "If-None-Match" in headers and "If-Modified-Since" in headers}
    assert (counts["new"], counts["updated"], counts["unchanged"]) == (0, 0, len(EXPECTED))
    assert counts["already_archived"] == 0
    # Every article page and every feed, REST page and listing was asked conditionally.
    paths = {"/" + u.split("/", 3)[3] for u in EXPECTED}
    articles = [p for p in fetched if p in paths]
    assert len(articles) == len(EXPECTED) and set(articles) <= conditional
    assert {"/feed", "/wp-json/wp/v2/posts?page=1&per_page=20"} <= conditional
    assert len(site.requests) == first  # the same requests, each answered 304 or in full
    con = sqlite3.connect(db_path)
    assert con.execute("select count(*) from pages").fetchone()[0] == pages_before
    seen_after = dict(con.execute("select url, last_seen from articles"))
    assert all(seen_after[u] >= seen_before[u] for u in EXPECTED)
    unchanged, not_modified, skipped = con.execute(
        "select unchanged, not_modified, revisit_skipped from runs order by id desc").fetchone()
    assert (unchanged, skipped) == (len(EXPECTED), 0) and not_modified > len(EXPECTED)


def news_crawl(site: FixtureSite, db: Path, *args: str) -> tuple[dict[str, int], str]:
    """A crawl of `site` into `db`: the counts of its summary, and its log."""
    site.requests.clear()
    site.hits.clear()
    out = subprocess.run(crawl_command(db, site.url, *FAST, *args), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("news:"))
    counts = summary_counts(out.stdout)
    counts["not_modified"] = int(re.search(r"(\d+) not modified", line)[1])
    return counts, out.stderr


def stories_fetched(site: FixtureSite) -> set[str]:
    return {p for p in site.requests if "/story-" in p}


def set_last_seen(db: Path, when: datetime) -> None:
    with sqlite3.connect(db) as con:
        con.execute("update articles set last_seen = ?", [when.isoformat(timespec="seconds")])


def test_revisit_policy_on_a_crawl(tmp_path):
    living = LivingSite(tmp_path / "site", ages=[0.5, 10, 100])
    fresh, slow, old = living.paths()[2], living.paths()[1], living.paths()[0]
    db = tmp_path / "archive.db"
    with living.serve() as site:
        counts, _ = news_crawl(site, db)
        assert counts["new"] == 3
        counts, log = news_crawl(site, db)  # at once again: nothing is due yet
        assert stories_fetched(site) == set() and counts["already_archived"] == 3
        # The front and the section answered 304: known, not extracted again.
        assert "not_article: front, not modified" in log
        assert "not_article: section, not modified" in log
        con = sqlite3.connect(db)
        assert con.execute("select revisit_skipped from runs order by id desc").fetchone() == (3,)
        con.close()
        set_last_seen(db, datetime.now(UTC) - timedelta(hours=2))
        counts, _ = news_crawl(site, db)  # fresh: checked each run
        assert stories_fetched(site) == {fresh}
        assert (counts["unchanged"], counts["already_archived"]) == (1, 2)
        assert [h[2].get("If-None-Match") for h in site.hits if h[1] == fresh] != [None]
        assert counts["not_modified"] >= 1
        set_last_seen(db, datetime.now(UTC) - timedelta(days=8))
        page = tmp_path / "site" / slow.strip("/") / "index.html"
        page.write_text(page.read_text().replace("</article>", "<p>Correction: the ferry "
                                                 "sails at nine, not at ten.</p></article>"))
        counts, _ = news_crawl(site, db)  # a week on: the 10-day-old story too (edited)
        assert stories_fetched(site) == {fresh, slow}  # never the 100-day-old one
        assert (counts["updated"], counts["unchanged"]) == (1, 1)
        counts, _ = news_crawl(site, db, "--refresh")  # everything, in full
        assert stories_fetched(site) == {fresh, slow, old}
        assert not [h for h in site.hits if "If-None-Match" in h[2]]
        assert counts["unchanged"] == 3 and counts["not_modified"] == 0
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from revisions").fetchone()[0] == 1


def test_unchanged_child_sitemaps_and_old_entries_are_not_fetched(tmp_path):
    # The newest story is published now: the index dates a month's sitemap by the day of its
    # newest story, so a story 0.2 days old is yesterday's between midnight and 04:48, and
    # its sitemap rightly unchanged since a run made today.
    living = LivingSite(tmp_path / "site", ages=[0, 40, 70])
    db = tmp_path / "archive.db"
    this_month = f"/sitemap-{datetime.now(UTC):%Y-%m}.xml"
    with living.serve() as site:
        news_crawl(site, db, "--limit", "1")  # stopped by its limit: no complete run
        news_crawl(site, db)
        months = {p for p in site.requests if p.startswith("/sitemap-")}
        assert len(months) == 3 and NOT_FOUND in site.requests
        counts, _ = news_crawl(site, db)  # after a complete run
        assert {p for p in site.requests if p.startswith("/sitemap-")} == {this_month}
        # The soft 404 the feed dates 30 days back was read by the complete run.
        assert NOT_FOUND not in site.requests and "/feed.xml" in site.requests
        assert counts["new"] == 0
        living.publish()  # a new story: its month's sitemap and the feed change
        counts, _ = news_crawl(site, db)
        assert counts["new"] == 1
        assert {p for p in site.requests if p.startswith("/sitemap-")} == {this_month}
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from articles").fetchone()[0] == 4


def kept(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    rows = con.execute("select kind, count(*) from pages group by kind").fetchall()
    return dict(rows)


@pytest.mark.parametrize(("mode", "fronts", "sections"), [
    ("latest", 1, 1), ("changed", 3, 3), ("all", 4, 4), ("none", 0, 0)])
def test_what_is_kept_of_listings(tmp_path, mode, fronts, sections):
    """Four runs on a server without validators (every fetch in full), a new edition of the
    front before the second and third: the fetches of the front and the section kept as the
    setting says; the evidence (the soft 404) and the articles' pages whatever it says."""
    living = LivingSite(tmp_path / "site", ages=[0.2, 3])
    db = tmp_path / "archive.db"
    with living.serve(validators=False) as site:
        for run in range(4):
            news_crawl(site, db, "-s", f"ARCHIVE_KEEP_LISTINGS={mode}")
            if run < 2:
                living.publish()
    found = kept(db)
    assert found.get("front", 0) == fronts
    assert found["error"] == 1 and found["article"] == 4
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from pages where url like ?",
                       [f"%{SECTION}"]).fetchone()[0] == sections
    assert con.execute("select count(*) from page_bodies where sha256 not in "
                       "(select sha256 from pages)").fetchone()[0] == 0  # no orphan left
    if mode == "none":
        assert "discovery" not in found
