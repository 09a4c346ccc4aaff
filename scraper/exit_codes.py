"""Exit codes of `scraper crawl`, for cron, systemd and scrapyd to act on.

One table, documented in the README: a scheduler restarts, alerts or stays silent by the
code alone, without parsing the output.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """What a run's exit status means."""

    # The run finished: new articles or nothing new.
    FINISHED = 0
    # Anything else went wrong (an archive that could not be written, a crash).
    ERROR = 1
    # A wrong argument, a missing file, a file that is no archive of this project.
    USAGE = 2
    # No page of the site could be fetched (dead server, DNS, refused, blocked).
    UNREACHABLE = 3
    # The run finished but more fetches failed than CRAWL_MAX_FAILURE_SHARE allows.
    FAILURES = 4
    # The drift alarm: the new articles' fields or bodies fell below the site's norm.
    DEGRADED = 5
    # Another run of the same spider holds the archive's lock.
    LOCKED = 6
