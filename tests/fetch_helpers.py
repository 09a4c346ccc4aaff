"""What the fetch tests share: article pages of our own, a crawl of the `news` spider in a
subprocess, and reading its summary, warnings and archive."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from conftest import REPO

# No delay, no AutoThrottle, no retries: each test sets what it measures.
QUICK = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "RETRY_TIMES=0",
         "-s", "NEWS_FOLLOW_DEPTH=1"]

WORDS = ("The council met on Tuesday evening and les élus voted on the new flood barrier "
         "for the east bank, after a long debate about its cost, its height and the "
         "homes it protects from the river in spring.")


def article_html(title: str, paragraphs: int = 3, canonical: str | None = None,
                 charset: str | None = None) -> str:
    """An article page the extractor takes as one: headline, date, byline, a body."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{WORDS} ({n})</p>" for n in range(paragraphs))
    return (f'<!doctype html><html lang="en"><head>{meta}<title>{title}</title>{link}'
            '<meta property="og:type" content="article">'
            '<meta property="article:published_time" content="2026-11-20T10:00:00+00:00">'
            f'</head><body><article><h1>{title}</h1><p class="byline">By Ann Writer</p>'
            f'{body}</article></body></html>')


def home_html(paths: list[str]) -> str:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
    return ("<!doctype html><html><head><title>Home</title></head>"
            f"<body><ul>{links}</ul></body></html>")


class Crawl(NamedTuple):
    returncode: int
    summary: str
    stderr: str

    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "WARNING" in line]


def crawl_news(db: Path, url: str, *args: str, timeout: float = 120) -> Crawl:
    """`scraper crawl news --url URL` in a subprocess (Twisted's reactor starts once)."""
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", "news", "--db", str(db), "--url", url,
         *QUICK, "-s", "LOG_LEVEL=INFO", *args],
        capture_output=True, text=True, timeout=timeout, cwd=REPO)
    line = next((x for x in out.stdout.splitlines() if x.startswith("news:")), "")
    return Crawl(out.returncode, line, out.stderr)


def failed_by_reason(summary: str) -> dict[str, int]:
    """The summary's "N failed (1 timeout, 2 http_503)" as {reason: count}."""
    found = re.search(r"\d+ failed \(([^)]*)\)", summary)
    return {k: int(n) for n, k in re.findall(r"(\d+) (\w+)", found[1])} if found else {}


def articles(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return {r["url"]: dict(r) for r in con.execute("select * from articles")}
    finally:
        con.close()
