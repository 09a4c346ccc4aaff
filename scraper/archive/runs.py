"""The `runs` table: what each crawl was asked to do, when, how it ended and what it found."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from scraper.archive.transaction import write_transaction
from scraper.archive.write import now

# runs column <- crawler stat
COUNTS = {
    "new": "archive/new",
    "changed": "archive/updated",
    "unchanged": "archive/unchanged",
    "not_article": "pages/not_article",
    "blocked": "pages/blocked",
    "failed": "pages/failed",
}
DROPPED_PREFIX = "articles/dropped/"
FAILED_PREFIX = "pages/failed/"
# The drift canary (scraper/extraction/leaks.py): new bodies checked against their site's
# boilerplate rules, those that still hold a note, label or date line, and by rule.
CHECKED = "boilerplate/checked"
LEAKED = "boilerplate/leaked"
LEAKED_PREFIX = "boilerplate/leaked/"


def start_run(db: Database, spider: str, arguments: dict[str, Any],
              log_file: str | None = None) -> int:
    """Record the start of a crawl, and the file it logs to; its id goes on every page the
    crawl fetches."""
    with write_transaction(db):
        return db.execute(
            "insert into runs (spider, arguments, started, log_file) values (?, ?, ?, ?)",
            [spider, json.dumps(arguments, default=str, sort_keys=True), now(),
             log_file]).lastrowid


def finish_run(db: Database, run_id: int, stats: dict[str, Any],
               exit_reason: str | None) -> None:
    """Store the run's counts (from the crawler's stats), its boilerplate canary and how
    it ended."""
    row: dict[str, Any] = {column: int(stats.get(key, 0)) for column, key in COUNTS.items()}
    row["dropped"] = json.dumps(by_reason(stats, DROPPED_PREFIX))
    row["failures"] = json.dumps(by_reason(stats, FAILED_PREFIX))
    checked = int(stats.get(CHECKED, 0))
    row["boilerplate_leaks"] = int(stats.get(LEAKED, 0))
    # No new body of a site with rules: no evidence either way (null, not a healthy 0).
    row["boilerplate_leak_share"] = row["boilerplate_leaks"] / checked if checked else None
    row["boilerplate_leak_rules"] = json.dumps(by_reason(stats, LEAKED_PREFIX))
    row["finished"] = now()
    row["exit_reason"] = exit_reason
    assignments = ", ".join(f"[{k}] = ?" for k in row)
    with write_transaction(db):
        db.execute(f"update runs set {assignments} where id = ?", [*row.values(), run_id])


def by_reason(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """The counts of the stats under `prefix`, by the rest of their name."""
    return {k[len(prefix):]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}
