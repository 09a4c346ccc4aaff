"""`scraper stats`: what the archive holds per site, over which dates, and the last runs."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database
from tabulate import tabulate

from scraper.runlist import status


def per_site(db: Database) -> list[dict[str, Any]]:
    return list(db.query(
        "select site, count(*) as articles, min(published) as first_published, "
        "max(published) as last_published, max(last_seen) as last_seen, "
        "sum(revision_count) as revisions from articles group by site order by site"))


def totals(db: Database) -> dict[str, Any]:
    """Articles, fetches, and how much the stored pages take (each body once, compressed)."""
    row = db.execute(
        "select (select count(*) from articles), (select min(published) from articles), "
        "(select max(published) from articles), (select count(*) from revisions), "
        "(select count(*) from revisions where reason = 'recrawl'), "
        "(select count(*) from articles where status = 'gone'), "
        "(select count(*) from pages), (select count(*) from page_bodies), "
        "(select coalesce(sum(size), 0) from page_bodies), "
        "(select coalesce(sum(length(content)), 0) from page_bodies)").fetchone()
    keys = ("articles", "first_published", "last_published", "revisions", "edits", "gone",
            "pages", "bodies", "body_bytes", "stored_bytes")
    return dict(zip(keys, row, strict=True))


def last_runs(db: Database, n: int) -> list[dict[str, Any]]:
    return list(db.query(
        "select id, spider, started, finished, exit_reason, new, changed, unchanged, "
        "not_article, blocked, failed, dropped from runs order by id desc limit ?", [n]))


def report(db: Database, runs: int = 5) -> str:
    """The text `scraper stats` prints."""
    total = totals(db)
    lines = [
        f"{total['articles']} articles, published {total['first_published'] or '-'} to "
        f"{total['last_published'] or '-'}; {total['revisions']} revisions "
        f"({total['edits']} by the publishers, the rest by re-extraction); "
        f"{total['gone']} gone from their sites",
        f"{total['pages']} page fetches, {total['bodies']} distinct bodies: "
        f"{_mb(total['body_bytes'])} stored in {_mb(total['stored_bytes'])}",
        "",
        tabulate(per_site(db), headers="keys") or "(no articles)",
        "",
        f"Last {runs} runs:",
    ]
    recent = last_runs(db, runs)
    for run in recent:
        dropped = json.loads(run["dropped"]) if run["dropped"] else {}
        run["dropped"] = ", ".join(f"{k} {v}" for k, v in dropped.items()) or "-"
        run["exit_reason"] = status(run)
    lines.append(tabulate(recent, headers="keys") if recent else "(no runs recorded)")
    return "\n".join(lines)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
