"""A news site of many small articles, written by a test into its tmp folder: enough pages for
a crawl to be killed, locked or overlapped mid-run. robots.txt names one sitemap listing every
article; each article is a plain NewsArticle page with paragraphs of its own (no text shared
between pages, so the repeated-paragraph rule removes nothing). Also: the `news` crawl of it,
its summary's counts, and what another process sees in the archive."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from scraper.fixture_server import FixtureSite

ORIGIN = "https://generated-news.example"
WORDS = ("harbour council budget bridge ferry school market river flood library station "
         "museum tram festival hospital election court garden factory farm road tunnel "
         "bakery theatre stadium pier lighthouse archive mill dock clinic").split()


def article_path(n: int) -> str:
    return f"/2026/{n % 12 + 1:02d}/{n % 28 + 1:02d}/story-{n}/"


def write_site(root: Path, articles: int) -> list[str]:
    """Write the site under `root`; return the articles' paths, in sitemap order."""
    paths = [article_path(n) for n in range(articles)]
    (root / "robots.txt").parent.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {ORIGIN}/sitemap.xml\n")
    (root / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Generated News"
        "</title></head><body><h1>Generated News</h1><p>Stories from the valley.</p></body>"
        "</html>")
    entries = "".join(f"<url><loc>{ORIGIN}{p}</loc><lastmod>{p[1:11].replace('/', '-')}"
                      "</lastmod></url>" for p in paths)
    (root / "sitemap.xml").write_text(
        "<?xml version='1.0' encoding='UTF-8'?><urlset xmlns="
        f"'http://www.sitemaps.org/schemas/sitemap/0.9'>{entries}</urlset>")
    for n, path in enumerate(paths):
        page = root / path.strip("/") / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(article_html(n, path))
    return paths


@contextmanager
def served_site(root: Path, articles: int) -> Iterator[tuple[FixtureSite, list[str]]]:
    """The site written under `root` and served on 127.0.0.1, with its articles' paths."""
    paths = write_site(root, articles)
    with FixtureSite(root, origin=ORIGIN) as site:
        yield site, paths


def article_fetches(site: FixtureSite) -> list[str]:
    """The article pages `site` has served (its log of requests, in order)."""
    return [p for p in site.requests if "/story-" in p]


def article_html(n: int, path: str) -> str:
    rng = random.Random(n)
    title = f"Story {n}: the {rng.choice(WORDS)} and the {rng.choice(WORDS)}"
    day = path[1:11].replace("/", "-")
    paragraphs = "".join(
        f"<p>{' '.join(rng.choice(WORDS) for _ in range(24)).capitalize()}, said resident "
        f"number {n * 10 + k} on the {k + 1}th day of the works.</p>" for k in range(5))
    schema = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                         "headline": title, "datePublished": f"{day}T09:00:00+00:00",
                         "author": {"@type": "Person", "name": "Ada Reporter"}})
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} | "
            f"Generated News</title><link rel='canonical' href='{ORIGIN}{path}'>"
            "<meta property='og:type' content='article'>"
            f"<meta property='article:published_time' content='{day}T09:00:00+00:00'>"
            f"<script type='application/ld+json'>{schema}</script></head><body><article>"
            f"<h1>{title}</h1><p class='byline'>By Ada Reporter</p>{paragraphs}</article>"
            "</body></html>")


# A crawl of the generated site: the news spider through its sitemap only, no back-off.
NEWS = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
        "-s", "NEWS_FOLLOW_DEPTH=0", "-s", "RETRY_TIMES=0", "-s", "LOG_LEVEL=INFO"]


def crawl_command(db: Path, site_url: str, *args: str) -> list[str]:
    """`scraper crawl news` of the site served at `site_url` into `db`."""
    return [sys.executable, "-m", "scraper", "crawl", "-v", "news", "--url", site_url + "/",
            "--db", str(db), *NEWS, *args]


def summary_counts(stdout: str) -> dict[str, int]:
    """The counts of a crawl's summary line."""
    line = next(x for x in stdout.splitlines() if x.startswith("news:"))
    return {key.replace(" ", "_"): int(n) for n, key in re.findall(
        r"(\d+) (new|updated|unchanged|already archived|failed)", line)}


def archived(db: Path) -> int:
    """Articles committed to `db`, as another process sees them (0 before it exists)."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return con.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        con.close()


def check_archive(db: Path, paths: list[str]) -> sqlite3.Connection:
    """Assert that `db` holds each article of `paths` once, never revised, and is sound."""
    con = sqlite3.connect(db)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    urls = [row[0] for row in con.execute("select url from articles")]
    assert sorted(urlsplit(u).path for u in urls) == sorted(paths)
    assert con.execute("select count(*) from revisions").fetchone()[0] == 0
    assert con.execute("select max(revision_count) from articles").fetchone()[0] == 0
    return con
