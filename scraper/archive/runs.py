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
    "not_modified": "pages/not_modified",
    "revisit_skipped": "pages/revisit_skipped",
}
DROPPED_PREFIX = "articles/dropped/"
FAILED_PREFIX = "pages/failed/"
# The drift canary (scraper/extraction/leaks.py): new bodies checked against their site's
# boilerplate rules, those that still hold a note, label or date line, and by rule.
CHECKED = "boilerplate/checked"
LEAKED = "boilerplate/leaked"
LEAKED_PREFIX = "boilerplate/leaked/"
# The drift alarm (scraper/drift.py): coverage of the new articles' fields per site, whether
# the run is degraded (0/1) and why (a list of lines).
DRIFT_COVERAGE = "drift/coverage"
DRIFT_DEGRADED = "drift/degraded"
DRIFT_REASONS = "drift/reasons"


def run_arguments(crawler: Any) -> dict[str, Any]:
    """What a run is asked to do: the spider's arguments (the news spider's start pages
    among them) and the refresh and follow-sources switches, as `runs.arguments` keeps them."""
    spider = crawler.spider
    args = {name: getattr(spider, name, None)
            for name in ("limit", "since", "base_url", "start_pages")}
    args["refresh"] = crawler.settings.getbool("ARCHIVE_REFRESH")
    args["follow_sources"] = crawler.settings.getbool("ARCHIVE_FOLLOW_SOURCES")
    return {k: v for k, v in args.items() if v}


def last_complete_run(db: Database, spider: str, arguments: dict[str, Any]) -> str | None:
    """When the last run that saw all of what a run with `arguments` would see started: the
    same spider on the same start pages and address, finished (not stopped, not crashed) with
    nothing failed or blocked, no --limit, and no --since later than this run's. What a
    sitemap or feed dates before that day was read by it, so need not be again."""
    return complete_start(complete_runs(db, spider), arguments)


def complete_runs(db: Database, spider: str) -> list[tuple[str, str]]:
    """(started, arguments) of the spider's runs that finished with nothing failed or
    blocked, newest first (the archive writer publishes them to a distributed crawl)."""
    return [tuple(row) for row in db.execute(
        "select started, arguments from runs where spider = ? and exit_reason = 'finished' "
        "and failed = 0 and blocked = 0 order by id desc", [spider])]


def complete_start(runs: list[tuple[str, str]], arguments: dict[str, Any]) -> str | None:
    """The start of the first of `runs` (complete_runs) that saw all a run with `arguments`
    would see."""
    wanted = json.loads(json.dumps(arguments, default=str))  # as stored
    since = wanted.get("since")
    for started, stored in runs:
        args = json.loads(stored or "{}")
        if (args.get("start_pages") == wanted.get("start_pages")
                and args.get("base_url") == wanted.get("base_url") and not args.get("limit")
                and (not args.get("since") or (since and args["since"] <= since))):
            return started
    return None


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
    """Store the run's counts (from the crawler's stats), its boilerplate canary, its drift
    verdict and how it ended."""
    row: dict[str, Any] = {column: int(stats.get(key, 0)) for column, key in COUNTS.items()}
    row["dropped"] = json.dumps(by_reason(stats, DROPPED_PREFIX))
    row["failures"] = json.dumps(by_reason(stats, FAILED_PREFIX))
    checked = int(stats.get(CHECKED, 0))
    row["boilerplate_leaks"] = int(stats.get(LEAKED, 0))
    # No new body of a site with rules: no evidence either way (null, not a healthy 0).
    row["boilerplate_leak_share"] = row["boilerplate_leaks"] / checked if checked else None
    row["boilerplate_leak_rules"] = json.dumps(by_reason(stats, LEAKED_PREFIX))
    row["drift"] = json.dumps(stats.get(DRIFT_COVERAGE) or {})
    row["degraded"] = int(stats.get(DRIFT_DEGRADED, 0))
    row["drift_reasons"] = json.dumps(stats.get(DRIFT_REASONS) or [])
    row["finished"] = now()
    row["exit_reason"] = exit_reason
    assignments = ", ".join(f"[{k}] = ?" for k in row)
    with write_transaction(db):
        db.execute(f"update runs set {assignments} where id = ?", [*row.values(), run_id])


def by_reason(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """The counts of the stats under `prefix`, by the rest of their name."""
    return {k[len(prefix):]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}
