"""How a crawl ended, as one exit code (scraper/exit_codes.py) and, when it is bad, one line.

cron, systemd and scrapyd act on the exit status alone, so the decision is made in one
place from the run's stats: the other checks of a run (the drift alarm's `drift/degraded`)
feed it instead of exiting on their own. LOCKED and USAGE are decided before a crawl starts
(scraper/runlock.py, the command's argument checks).
"""

from __future__ import annotations

from typing import Any

from scraper.exit_codes import Exit
from scraper.unreachable import FIRST

# Finish reasons of a run that did what it was asked: all found, or stopped at --limit.
FINISHED_REASONS = ("finished", "closespider_itemcount")
# Stats of pages that got through to the spider: any of them, and the site is reachable.
THROUGH = ("archive/new", "archive/updated", "archive/unchanged", "pages/skipped_archived",
           "pages/not_article", "pages/not_modified", "pages/revisit_skipped",
           # (a worker of a distributed crawl: its articles are archived by the writer)
           "pages/article")
BLOCKED = ("pages/blocked", "discovery/blocked")


def exit_status(stats: dict[str, Any], max_failure_share: float = 0.5) -> Exit:
    """The exit code of a finished `scraper crawl`, from its stats.

    In order: nothing fetched or everything blocked (UNREACHABLE); articles left unwritten
    or a run that ended early (ERROR); more failed fetches than `max_failure_share`
    (FAILURES); the drift alarm (DEGRADED); else FINISHED, new articles or none.
    """
    if unreachable(stats) or blocked(stats):
        return Exit.UNREACHABLE
    if stats.get("archive/unwritten") or stats.get("finish_reason") not in FINISHED_REASONS:
        return Exit.ERROR
    if failure_share(stats) > max_failure_share:
        return Exit.FAILURES
    if stats.get("drift/degraded"):
        return Exit.DEGRADED
    return Exit.FINISHED


def unreachable(stats: dict[str, Any]) -> str | None:
    """Why nothing at all could be fetched (the URL tried and the error), or None: no
    response came, and a request failed."""
    if stats.get("downloader/response_count") or not (
            stats.get(FIRST) or stats.get("error/first")):
        return None
    return str(stats.get(FIRST) or stats["error/first"])


def blocked(stats: dict[str, Any]) -> int:
    """The pages that answered with a bot wall when nothing else got through, else 0."""
    if any(stats.get(key) for key in THROUGH):
        return 0
    return sum(int(stats.get(key, 0)) for key in BLOCKED)


def failure_share(stats: dict[str, Any]) -> float:
    """Failed fetches (after their retries) over the pages asked for: the failed and the
    answers that were a page (2xx) or unchanged (304). Retried answers, redirects and
    robots.txt's 404 count for nothing."""
    failed = int(stats.get("pages/failed", 0))
    answered = sum(int(v) for k, v in stats.items()
                   if k.startswith("downloader/response_status_count/")
                   and (k.endswith("/304") or k.rsplit("/", 1)[1].startswith("2")))
    return failed / (failed + answered) if failed else 0.0


def problem(status: Exit, stats: dict[str, Any], site: str, address: str) -> str | None:
    """The one line that says what went wrong, naming the address crawled; None when the
    summary says it all (FINISHED, DEGRADED: the drift alarm prints its own)."""
    where = site if address == site else f"{site} at {address}"
    if status == Exit.UNREACHABLE:
        if why := unreachable(stats):  # it names the URL tried
            return f"no page of {site} could be fetched: {why}"
        return (f"every page of {where} was blocked ({blocked(stats)} bot-wall answers, "
                "nothing else)")
    if status == Exit.FAILURES:
        return (f"{stats.get('pages/failed', 0)} fetches of {where} failed "
                f"({failure_share(stats):.0%} of the pages asked for)")
    if status == Exit.ERROR:
        if stats.get("archive/unwritten"):
            return (f"{stats['archive/unwritten']} articles were not archived (the archive "
                    "stayed locked); the next run fetches them again")
        return f"the crawl of {site} ended early: {stats.get('finish_reason', 'unknown')}"
    return None
