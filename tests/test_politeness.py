"""Politeness: the tool's own User-Agent (a declared site may send its own), robots.txt read
for the tool's name whatever is sent, Crawl-delay honoured, and a back-off that comes down
again once the site answers well. Delays are measured by the server's request times, with
generous bounds."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import SITES_DIR
from fetch_helpers import article_html, articles, crawl_news, home_html
from test_crawl import EXPECTED, FAST

from scraper.fixture_server import FixtureSite
from scraper.sites import SITES

ROBOTS_FOR_US = b"User-agent: news-archiver\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n"


def small_site(root, paths: list[str]) -> None:
    (root / "index.html").write_text(home_html(paths), encoding="utf-8")
    for path in paths:
        (root / path.strip("/")).mkdir(parents=True)
        (root / path.strip("/") / "index.html").write_text(
            article_html(f"Story {path.strip('/')}"), encoding="utf-8")


def test_tool_user_agent_and_robots_rules_for_its_name(tmp_path, db_path):
    small_site(tmp_path, ["/public/one/", "/private/two/"])
    with FixtureSite(tmp_path) as site:
        site.answer("/robots.txt", ROBOTS_FOR_US, headers={"Content-Type": "text/plain"})
        run = crawl_news(db_path, site.url + "/", "-s", "ARCHIVE_CONTACT_URL=https://example.org/who")
        assert run.returncode == 0, run.stderr[-3000:]
        assert "/public/one/" in site.requests
        assert not [p for p in site.requests if p.startswith("/private/")]
        agents = {headers.get("User-Agent") for _, _, headers in site.hits}
    assert len(agents) == 1
    assert re.fullmatch(r"news-archiver/\S+ \(\+https://example\.org/who\)", agents.pop())
    assert "/public/one/" in "".join(articles(db_path))


def test_declared_site_sends_its_own_agent_and_obeys_rules_for_the_tool(db_path):
    """Global Research gets a browser's User-Agent; robots.txt rules for news-archiver still
    apply to it."""
    forbidden = list(EXPECTED)[0].split("/", 3)[3]
    robots = f"User-agent: news-archiver\nDisallow: /{forbidden}\n".encode()
    with FixtureSite(SITES_DIR / "globalresearch") as site:
        site.answer("/robots.txt", robots, headers={"Content-Type": "text/plain"})
        out = subprocess.run(
            [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db_path),
             "--base-url", site.url, *FAST], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
        assert f"/{forbidden}" not in site.requests
        agents = {headers.get("User-Agent") for _, _, headers in site.hits}
    assert agents == {SITES["globalresearch"].user_agent}
    assert set(articles(db_path)) == set(EXPECTED) - {list(EXPECTED)[0]}


def test_crawl_delay_is_honoured_under_autothrottle(tmp_path, db_path):
    pages = [f"/story-{n}/" for n in range(4)]
    small_site(tmp_path, pages)
    with FixtureSite(tmp_path) as site:
        site.answer("/robots.txt", b"User-agent: *\nCrawl-delay: 1\n",
                    headers={"Content-Type": "text/plain"})
        run = crawl_news(db_path, site.url + "/", "-s", "AUTOTHROTTLE_ENABLED=True",
                         "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "NEWS_FOLLOW_DEPTH=1",
                         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")
        assert run.returncode == 0, run.stderr[-3000:]
        times = sorted(t for t, path, _ in site.hits if path != "/robots.txt")
    assert len(times) >= 6  # home, probes, the four stories
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.9, gaps
    assert "asks for 1.0 s between requests (robots.txt Crawl-delay)" in run.stderr


def test_back_off_then_back_to_normal(tmp_path, db_path):
    pages = [f"/story-{n}/" for n in range(10)]
    small_site(tmp_path, pages)
    with FixtureSite(tmp_path) as site:
        site.fail("/story-0/", 503, times=1)
        run = crawl_news(db_path, site.url + "/", "-s", "DOWNLOAD_DELAY=0.1",
                         "-s", "RETRY_TIMES=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                         "-s", "DOWNLOAD_DELAY_JITTER=0")
        assert run.returncode == 0, run.stderr[-3000:]
        times = sorted(t for t, _, _ in site.hits)
        failed_at = next(t for t, path, _ in site.hits if path == "/story-0/")
    assert "slowing down on 127.0.0.1 to 1.0 s between requests (HTTP 503)" in run.stderr
    assert "back to the normal pace on 127.0.0.1 (0.1 s between requests)" in run.stderr
    after = [t for t in times if t > failed_at]
    assert after[0] - failed_at >= 0.9  # backed off: 1 s, then halved per healthy answer
    gaps = [b - a for a, b in zip(after, after[1:], strict=False)]
    assert max(gaps[-3:]) < 0.9, gaps
    assert len(articles(db_path)) == len(pages)


def test_without_a_contact_url_the_agent_names_the_tool_alone():
    from scrapy.settings import Settings

    from scraper.middlewares import tool_user_agent

    assert re.fullmatch(r"news-archiver/\S+", tool_user_agent(Settings({
        "BOT_NAME": "news-archiver", "ARCHIVE_CONTACT_URL": None})))
    assert tool_user_agent(Settings({"BOT_NAME": "news-archiver",
                                     "ARCHIVE_CONTACT_URL": "https://example.org/who"})
                           ).endswith(" (+https://example.org/who)")
