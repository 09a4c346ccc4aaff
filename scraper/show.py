"""`scraper show URL`: one archived page from the command line, as `scraper serve` shows it
(the article, and every stored fetch of its URL with date, status and headers), or the
stored bytes of a fetch decoded, or all of it as JSON for a script.

The archive is only read: a record printed is the record kept.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from scraper.archive.fetches import FETCHES, NEWEST_FIRST, fetch_record, stored_body, stored_page
from scraper.export import record
from scraper.urls import canonical_url


@dataclass
class Shown:
    """What the archive holds of one URL: its article (a record as `scraper export` gives
    it; None for a page that gave none) and its fetches, newest first."""

    url: str
    article: dict[str, Any] | None
    fetches: list[dict[str, Any]]


def find(db: Database, url: str) -> Shown | None:
    """What the archive holds of `url`: as given, in its canonical form, or as the address a
    stored fetch came from; None when it holds nothing."""
    for key in dict.fromkeys([url, canonical_url(url)]):
        found = _shown(db, key)
        if found:
            return found
    row = db.execute("select url from pages where final_url = ? order by id desc limit 1",
                     [url]).fetchone()
    return _shown(db, row[0]) if row else None


def _shown(db: Database, url: str) -> Shown | None:
    cursor = db.execute("select * from articles where url = ?", [url])
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    article = record(dict(zip(names, row, strict=True))) if row else None
    cursor = db.execute(f"{FETCHES} where p.url = ?{NEWEST_FIRST}", [url])
    names = [d[0] for d in cursor.description]
    fetches = [fetch_record(dict(zip(names, r, strict=True))) for r in cursor]
    return Shown(url, article, fetches) if article or fetches else None


def chosen_fetch(shown: Shown, fetch_id: int | None = None) -> dict[str, Any] | None:
    """Fetch `fetch_id` of the URL, or by default the newest that answered 200 (the page
    the article was read from), else the newest; None when there is no such fetch."""
    if fetch_id is not None:
        return next((f for f in shown.fetches if f["id"] == fetch_id), None)
    return next((f for f in shown.fetches if f["status"] == 200),
                shown.fetches[0] if shown.fetches else None)


def html(db: Database, fetch: dict[str, Any]) -> str:
    """The stored bytes of `fetch` decoded as the crawl decoded them."""
    body = stored_body(db, fetch["sha256"])
    if body is None:
        raise sqlite3.DataError(f"the body of fetch {fetch['id']} is not stored")
    return stored_page(fetch, body).html


def as_json(shown: Shown) -> str:
    return json.dumps({"url": shown.url, "article": shown.article, "fetches": shown.fetches},
                      ensure_ascii=False, indent=2)


def as_text(shown: Shown) -> str:
    """The article as a reader sees it, then the fetches, each with its headers."""
    lines = _article_lines(shown.article) if shown.article else [
        f"{shown.url}", "No article: the archive keeps only the fetches of this URL."]
    lines += ["", f"Fetches ({len(shown.fetches)}), newest first:"]
    for fetch in shown.fetches:
        lines.append(f"  #{fetch['id']} {fetch['fetched_at']}  HTTP {fetch['status']}"
                     f"  {fetch['kind'] or 'unclassified'}  {fetch['size'] or 0:,} bytes"
                     + (f"  from {fetch['final_url']}"
                        if fetch["final_url"] and fetch["final_url"] != shown.url else ""))
        lines += [f"      {name}: {value}" for name, value in fetch["headers"].items()]
    if not shown.fetches:
        lines.append("  none stored")
    return "\n".join(lines)


def _article_lines(article: dict[str, Any]) -> list[str]:
    source = article["original_source"]
    facts = [
        ("URL", article["url"]),
        ("Site", article["site"]),
        ("Byline", article["byline"]),
        ("Authors", ", ".join(article["authors"])),
        ("Published", article["published"]),
        ("Modified", article.get("modified")),
        ("Tags", ", ".join(f"{t['name']} ({t['kind']})" for t in article["tags"])),
        ("Original source", source and ", ".join(
            v for v in (source["name"], source["url"], source["date"]) if v)),
        ("Status", article.get("status")),
        ("Gone since", article.get("gone_at")),
        ("First seen", article["first_seen"]),
        ("Last seen", article["last_seen"]),
        ("Revisions", article.get("revision_count")),
        ("Words", article["word_count"]),
    ]
    lines = [article["title"]] + ([article["subtitle"]] if article["subtitle"] else []) + [""]
    lines += [f"{name}: {value}" for name, value in facts if value not in (None, "")]
    return [*lines, "", article["body"] or ""]
