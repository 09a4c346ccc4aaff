"""End to end: `scraper crawl news` against the hostile site (tests/hostile_site.py), in a
subprocess, once for the module. Whatever a server sends, the crawl keeps going, stores
nothing false, and says of each page it could not keep why, at WARNING, with its URL.

The failure reasons are the contract of issue 8: stats `pages/failed` and
`pages/failed/<reason>`, the summary's `N failed (k reason, ...)`, the runs table's
`failures` (JSON), log lines "<what> not fetched: <url> (<reason>: <detail>)".
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlsplit

import hostile_pages as pages
import pytest
from hostile_site import Crawl, ElsewhereSite, HostileSite, crawl_site

from scraper.archive.bodies import decompress

# Fast and small, so that the crawl takes seconds: no politeness delays, one retry, a 3 s
# timeout (the slow body trickles for minutes) and a 2 MB cap (the big page is 3 MiB).
SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "RETRY_TIMES": 1, "BACKOFF_MAX_DELAY": 0.5,
            "DOWNLOAD_TIMEOUT": 3, "DOWNLOAD_MAXSIZE": 2_000_000, "LOG_LEVEL": "INFO"}
LIMIT = 240  # seconds: only to prove the crawl does not hang

# Endpoint -> why its fetch fails. The redirects name the path each hop starts with.
FAILED = {
    "/hostile/error-500": "http_500",
    "/hostile/error-503": "http_503",
    "/hostile/reset-mid-body": "connection_lost",
    "/hostile/short-body": "short_body",
    "/hostile/slow-body": "timeout",
    "/hostile/too-big": "too_big",
    "/hostile/too-big-streamed": "too_big",
    "/hostile/gzip-bomb": "too_big",
    "/hostile/gzip-bomb-nested": "too_big",
    "/hostile/redirect-loop": "redirect_loop",
    "/hostile/redirect-chain": "too_many_redirects",
    "/hostile/redirect-elsewhere": "offsite_redirect",
}
# Archived, each with the fields of its story: the normal articles, both charset lies, and
# the articles whose markup attacks the extractor without hiding the article.
ARCHIVED = (*HostileSite.GOOD, *HostileSite.CHARSET_LIES, pages.NESTED_JSON_LD,
            pages.CONTROL_CHARACTERS, pages.MALFORMED_HEAD)
# Archived (and sane) or, when not, logged with the URL: what extraction makes of them is
# the extractor's business, but none may vanish silently or stall the crawl.
ACCOUNTED = ("/hostile/nested-divs", "/hostile/nested-tables", "/hostile/huge-title",
             "/hostile/missing-title-end", "/hostile/canonical-lie")
NOT_ARTICLES = ("/hostile/empty", "/hostile/binary")
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class HostileCrawl(NamedTuple):
    site: HostileSite
    elsewhere: ElsewhereSite
    db: Path
    run: Crawl


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> HostileCrawl:
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    with ElsewhereSite() as elsewhere, HostileSite(elsewhere.url) as site:
        run = crawl_site(site.url + "/", db, SETTINGS, timeout=LIMIT)
    return HostileCrawl(site, elsewhere, db, run)


def article_url(site: HostileSite, path: str) -> str:
    """The archive's URL of a page of the site: https, the served host and port."""
    return "https://" + site.url.removeprefix("http://") + path


def archived(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return {r["url"]: dict(r) for r in con.execute("select * from articles")}


def log_lines(run: Crawl, levels: tuple[str, ...]) -> list[str]:
    return [line for line in run.stderr.splitlines()
            if re.match(rf"\S+ \S+ \[[^]]+\] ({'|'.join(levels)}): ", line)]


def test_the_crawl_ends_in_time_and_exits_0(hostile):
    run = hostile.run
    assert run.seconds < LIMIT
    assert run.returncode == 0, run.stderr[-3000:]  # pages were fetched; it finished
    assert "finish reason: finished" in run.summary


def test_the_extractor_never_raises(hostile):
    assert "Traceback" not in hostile.run.stderr
    assert "'pages/extract_error'" not in hostile.run.stderr


def test_good_articles_are_archived_with_their_fields(hostile):
    rows = archived(hostile.db)
    for story in ARCHIVED:
        row = rows.get(article_url(hostile.site, story.path))
        assert row is not None, story.path
        assert (row["title"], row["published"], json.loads(row["authors"]),
                row["language"]) == (story.title, story.published, list(story.authors),
                                     story.language), story.path
        if story is not pages.CONTROL_CHARACTERS:
            assert row["body"] == story.body, story.path


def test_charset_lies_are_read_right(hostile):
    rows = archived(hostile.db)
    for story in HostileSite.CHARSET_LIES:
        row = rows[article_url(hostile.site, story.path)]
        for text in (row["title"], row["body"]):
            assert not re.search("Ã|Â|â€|\ufffd", text), (story.path, text[:200])
    assert "les élus" in rows[article_url(hostile.site, pages.ELUS.path)]["body"]
    assert "“a tax on custom”" in rows[article_url(hostile.site, pages.CAFE.path)]["body"]


def test_links_of_a_charset_lie_are_read_as_its_text_is(hostile):
    # ELUS's byline links /author/élodie-brébeuf/: read from Latin-1 it becomes a 404.
    author = "/author/" + quote(pages.slug(pages.ELUS.authors[0])) + "/"
    assert author in hostile.site.requests
    assert not [p for p in hostile.site.requests if p.startswith("/author/%C3%83")]


def test_a_truncated_page_is_archived_as_served(hostile):
    story = pages.TRUNCATED
    row = archived(hostile.db)[article_url(hostile.site, story.path)]
    assert row["title"] == story.title
    assert row["body"] == "\n\n".join((story.description, *story.paragraphs[:-1],
                                        pages.TRUNCATED_AT))


def test_control_characters_are_not_stored(hostile):
    rows = archived(hostile.db)
    for row in rows.values():
        assert not CONTROLS.search(row["title"] or ""), row["url"]
        assert not CONTROLS.search(row["body"] or ""), row["url"]
    story = pages.CONTROL_CHARACTERS
    row = rows[article_url(hostile.site, story.path)]
    assert row["body"].split() == story.body.split()  # the words around them kept


def test_no_article_is_absurd(hostile):
    for url, row in archived(hostile.db).items():
        assert len(row["title"]) <= 1000, (url, len(row["title"]))
        assert len(row["body"]) < 100_000, (url, len(row["body"]))


def test_only_pages_that_may_be_articles_are_archived(hostile):
    paths = [*(s.path for s in ARCHIVED), pages.TRUNCATED.path, *ACCOUNTED]
    allowed = {article_url(hostile.site, p) for p in paths}
    extra = set(archived(hostile.db)) - allowed
    assert not extra


def test_nothing_from_the_other_server_is_fetched_or_archived(hostile):
    assert hostile.elsewhere.requests == []  # the redirect opened no door
    netloc = urlsplit(hostile.elsewhere.url).netloc
    con = sqlite3.connect(hostile.db)
    for title, body in con.execute("select title, body from articles"):
        assert pages.ELSEWHERE_MARK not in title + body
    assert not con.execute("select url from pages where final_url like ?",
                           [f"%{netloc}%"]).fetchall()
    for compression, content in con.execute("select compression, content from page_bodies"):
        assert pages.ELSEWHERE_MARK.encode() not in decompress(compression, content)


def test_a_canonical_link_to_another_article_records_nothing_false(hostile):
    rows = archived(hostile.db)
    tram = rows[article_url(hostile.site, pages.TRAM.path)]
    assert tram["body"] == pages.TRAM.body  # not the truncated copy
    assert tram["revision_count"] == 0
    con = sqlite3.connect(hostile.db)
    assert con.execute("select article_url, reason from revisions").fetchall() == []


def test_each_failure_is_logged_at_warning_with_its_url_and_reason(hostile):
    netloc = urlsplit(hostile.site.url).netloc
    warnings = log_lines(hostile.run, ("WARNING",))
    for path, reason in FAILED.items():
        assert [line for line in warnings if "not fetched: " in line
                and netloc + path in line and f"({reason}" in line], (path, reason)


def test_failures_are_counted_by_reason_in_stats_summary_and_runs(hostile):
    expected = dict(Counter(FAILED.values()))
    run = hostile.run
    assert run.failures == expected
    assert f"'pages/failed': {len(FAILED)}," in run.stderr
    listed = re.search(r"(\d+) failed \(([^)]*)\)", run.summary)
    assert listed, run.summary
    assert int(listed[1]) == len(FAILED)
    assert {k: int(n) for n, k in re.findall(r"(\d+) (\w+)", listed[2])} == expected
    con = sqlite3.connect(hostile.db)
    con.row_factory = sqlite3.Row
    row = dict(con.execute("select * from runs").fetchone())
    assert row["failed"] == len(FAILED)
    assert "failures" in row, "the runs table has no failures column"
    assert json.loads(row["failures"]) == expected


def test_pages_that_are_not_kept_are_logged_with_their_url(hostile):
    rows = archived(hostile.db)
    netloc = urlsplit(hostile.site.url).netloc
    said = log_lines(hostile.run, ("INFO", "WARNING"))
    for path in (*NOT_ARTICLES, *ACCOUNTED):
        if article_url(hostile.site, path) in rows:
            continue
        assert [line for line in said if netloc + path in line], path
    for path in NOT_ARTICLES:
        assert article_url(hostile.site, path) not in rows


def test_the_archive_is_sound(hostile):
    con = sqlite3.connect(hostile.db)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    # Each archived article has the fetch it came from.
    assert con.execute("select count(*) from articles where url not in "
                       "(select url from pages)").fetchone()[0] == 0


def test_an_answer_aiohttp_refuses_is_fetched_again_with_twisteds_client(hostile):
    """aiohttp's parser refuses MALFORMED_HEAD's header lines; the page is archived all the
    same (test_good_articles_are_archived_with_their_fields), sent once more through
    Twisted's lenient client, and only that page was."""
    assert "'downloader/twisted_fallback': 1," in hostile.run.stderr
