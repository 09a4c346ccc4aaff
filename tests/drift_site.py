"""A small site in Global Research's markup, written by a test into its tmp folder, whose
layout can change between two crawls: the drift alarm's fixture.

Its feed lists the articles written so far (each crawl finds the new ones); the REST API and
the latest-news listing answer with nothing more, as a quiet day's would. Articles come in
two layouts: "2019" (the markup the site's rules read: a "By …" author line, the "Global
Research, May 30, 2019" date line, Region/Theme labels) and "redesign", where byline and date
are left to a script to fill in (an empty credits box: no selector, rule or generic reader
finds them; og:type still says "article") and the share note is glued to the last
paragraph, so that it stays in the body.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ORIGIN = "https://www.globalresearch.ca"
WORDS = ("sanctions harvest corridor tribunal ministry pipeline treaty border convoy grain "
         "parliament refinery budget election reactor strait embargo ceasefire tariff port "
         "delegation summit inquiry archive commission envoy").split()
MONTHS = ("January February March April May June July August September October November "
          "December").split()
NOTE = "Click the share button below to email/forward this article to your friends."


def article_path(n: int) -> str:
    return f"/story-{n}-on-the-{WORDS[n % len(WORDS)]}/{5_900_000 + n}"


def write_articles(root: Path, numbers: range, layout: str) -> None:
    """Write the articles `numbers` in `layout` ("2019" or "redesign"), and the feed that
    lists every article written so far."""
    for n in numbers:
        page = root / article_path(n).strip("/") / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(article_html(n, layout), encoding="utf-8")
    _write_discovery(root)


def _write_discovery(root: Path) -> None:
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    written = sorted(int(p.name) - 5_900_000 for p in root.glob("story-*/*"))
    # Each item dated the day it appears, as a live feed's are: an incremental crawl skips
    # entries dated before its last complete run.
    today = format_datetime(datetime.now(UTC).replace(microsecond=0))
    items = "".join(f"<item><title>Story {n}</title><link>{ORIGIN}{article_path(n)}</link>"
                    f"<pubDate>{today}</pubDate></item>" for n in written)
    feed = root / "feed" / "index.xml"
    feed.parent.mkdir(parents=True, exist_ok=True)
    feed.write_text("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
                    f"<title>Global Research</title><link>{ORIGIN}</link>{items}</channel></rss>")
    rest = root / "wp-json" / "wp" / "v2" / "posts" / "page=1&per_page=20.json"
    rest.parent.mkdir(parents=True, exist_ok=True)
    rest.write_text("[]")
    listing = root / "latest-news-and-top-stories" / "index.html"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(f"<html><body><a href='{ORIGIN}/'>Home</a></body></html>")


def article_html(n: int, layout: str) -> str:
    rng = random.Random(n)
    title = f"Story {n}: the {rng.choice(WORDS)} and the {rng.choice(WORDS)}"
    author = f"{rng.choice(['Anna', 'Pavel', 'Maria', 'Jonas'])} Writer{n}"
    day, month = n % 27 + 1, n % 12
    paragraphs = [f"{' '.join(rng.choice(WORDS) for _ in range(30)).capitalize()}, as witness "
                  f"number {n * 10 + k} told the {k + 1}th hearing of the inquiry."
                  for k in range(5)]
    tags = ("<div class='tax-block'><div class='tax-row'><span class='tax-label'><strong>"
            f"Region:</strong></span> <a href='{ORIGIN}/region/europe' rel='tag'>Europe</a>"
            "</div><div class='tax-row'><span class='tax-label'><strong>Theme:</strong></span> "
            f"<a href='{ORIGIN}/theme/law' rel='tag'>Law and Justice</a></div></div>")
    head = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} - "
            f"Global Research</title><link rel='canonical' href='{ORIGIN}{article_path(n)}'>"
            "</head><body>")
    if layout == "2019":
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return (f"{head}<div class='post' itemscope itemtype='http://schema.org/Article'>"
                f"<div class='title'><h2 itemprop='headline'>{title}</h2></div>"
                f"<div class='postMeta'><div class='author-line'>By <a href='{ORIGIN}/author/"
                f"w{n}' rel='author'>{author}</a></div><div class='date-line'>Global Research, "
                f"{MONTHS[month]} {day}, 2026</div></div>{tags}"
                f"<div class='content' itemprop='articleBody'>{body}</div></div></body></html>")
    paragraphs[-1] += f" {NOTE}"
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    head = head.replace("</head>", "<meta property='og:type' content='article'></head>")
    return (f"{head}<main class='story'><h2 class='story-head'>{title}</h2>"
            f"<div class='story-credits' data-story='{n}'></div>{tags}"
            f"<div class='story-text'>{body}</div></main></body></html>")
