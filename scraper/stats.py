"""`scraper stats`: what the archive holds per site, over which dates, and the last runs."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database
from tabulate import tabulate

from scraper.runlist import past_runs, table

# The runs' columns `stats` shows: what fits in 100 characters with "running or crashed"
# whole (other tests and scripts look for it); a longer exit reason wraps.
RUN_COLUMNS = ("id", "spider", "started", "duration", "new", "failed", "status")


def per_site(db: Database) -> list[dict[str, Any]]:
    """Counts and dates per site. Published dates are days: the archive keeps each at the
    precision its page gave (a day, or a time with its offset), and a column that mixes
    the two reads badly; last_seen is the archive's own UTC time."""
    return list(db.query(
        "select site, count(*) as articles, substr(min(published), 1, 10) as first_published, "
        "substr(max(published), 1, 10) as last_published, max(last_seen) as last_seen, "
        "sum(revision_count) as revisions from articles group by site order by site"))


def totals(db: Database) -> dict[str, Any]:
    """Articles, fetches, and how much the stored pages take (each body once, compressed)."""
    row = db.execute(
        "select (select count(*) from articles), "
        "(select substr(min(published), 1, 10) from articles), "
        "(select substr(max(published), 1, 10) from articles), (select count(*) from revisions), "
        "(select count(*) from revisions where reason = 'recrawl'), "
        "(select count(*) from articles where status = 'gone'), "
        "(select count(*) from pages), (select count(*) from page_bodies), "
        "(select coalesce(sum(size), 0) from page_bodies), "
        "(select coalesce(sum(length(content)), 0) from page_bodies)").fetchone()
    keys = ("articles", "first_published", "last_published", "revisions", "edits", "gone",
            "pages", "bodies", "body_bytes", "stored_bytes")
    return dict(zip(keys, row, strict=True))


def summary(db: Database, runs: int = 5) -> dict[str, Any]:
    """What `scraper stats` reports, as data: `--json` prints it, the text is made from it."""
    return {"totals": totals(db), "sites": per_site(db), "runs": past_runs(db, limit=runs)}


def report(db: Database, runs: int = 5) -> str:
    """The text `scraper stats` prints."""
    found = summary(db, runs)
    total = found["totals"]
    return "\n".join([
        f"{total['articles']} articles, published {total['first_published'] or '-'} to "
        f"{total['last_published'] or '-'}; {total['revisions']} revisions "
        f"({total['edits']} by the publishers, the rest by re-extraction); "
        f"{total['gone']} gone from their sites",
        f"{total['pages']} page fetches, {total['bodies']} distinct bodies: "
        f"{_mb(total['body_bytes'])} stored in {_mb(total['stored_bytes'])}",
        "",
        tabulate(found["sites"], headers="keys") or "(no articles)",
        "",
        f"Last {runs} runs (`scraper runs` tells more of each):",
        table(found["runs"], RUN_COLUMNS, wrap={"status": 21}),
    ])


def as_json(db: Database, runs: int = 5) -> str:
    return json.dumps(summary(db, runs), ensure_ascii=False, indent=2)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
