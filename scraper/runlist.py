"""`scraper runs`: the past crawl runs, when each started, how long it took, what it found,
how it ended and whether it raised an alarm.

A scheduled crawl is read later, not watched: this is the place to see that last night's
run finished, found nothing new, crashed or was degraded, and where its log is. It reads
whatever columns the archive's `runs` table has, so an archive of an older schema (no log
file, no drift alarm yet) is listed as it is.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database
from tabulate import tabulate

# Columns that hold JSON, given back parsed in --json.
JSON_COLUMNS = ("arguments", "dropped", "failures", "boilerplate_leak_rules", "drift",
                "drift_reasons")
TABLE = ("id", "spider", "started", "duration", "new", "changed", "unchanged", "failed",
         "blocked", "status", "alarm")
UNFINISHED = "running or crashed"


def past_runs(db: Database, site: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The last `limit` runs (of spider `site`), newest first, with their duration in
    seconds, status and alarm added to the stored columns."""
    if not db["runs"].exists():  # an archive of the first schema, never migrated
        return []
    where, args = ("where spider = ?", [site]) if site else ("", [])
    rows = db.execute(f"select * from runs {where} order by id desc limit ?", [*args, limit])
    names = [d[0] for d in rows.description]
    return [_described(dict(zip(names, row, strict=True))) for row in rows.fetchall()]


def _described(run: dict[str, Any]) -> dict[str, Any]:
    for column in JSON_COLUMNS:
        if isinstance(run.get(column), str):
            run[column] = json.loads(run[column])
    run["duration_seconds"] = _seconds(run.get("started"), run.get("finished"))
    run["status"] = status(run)
    run["alarm"] = alarm(run)
    return run


def status(run: dict[str, Any]) -> str:
    """How a run ended: its exit reason, or that it has not (yet) ended."""
    return run.get("exit_reason") or (UNFINISHED if not run.get("finished") else "-")


def _seconds(started: str | None, finished: str | None) -> float | None:
    if not (started and finished):
        return None
    return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


def alarm(run: dict[str, Any]) -> str | None:
    """The drift alarm of a run (its `degraded` flag and reasons), when the archive records
    it and it was raised."""
    if not run.get("degraded"):
        return None
    reasons = run.get("drift_reasons") or []
    return "degraded" + (f": {'; '.join(reasons)}" if reasons else "")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def table(runs: list[dict[str, Any]], columns: tuple[str, ...] = TABLE,
          wrap: dict[str, int] | None = None) -> str:
    """The runs as the text table `scraper runs` prints (`columns` of it; the text of a
    column in `wrap` wrapped at that width, for a table that must stay narrow)."""
    if not runs:
        return "(no runs recorded)"
    shown = [{key: (duration(run["duration_seconds"]) if key == "duration" else run.get(key))
              for key in columns} for run in runs]
    for row in shown:
        if "alarm" in row:
            row["alarm"] = row["alarm"] or "-"
    return tabulate(shown, headers="keys", maxcolwidths=[(wrap or {}).get(k) for k in columns])


def as_json(runs: list[dict[str, Any]]) -> str:
    return json.dumps(runs, ensure_ascii=False, indent=2)
