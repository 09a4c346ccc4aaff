"""Where a crawl's output goes: a log file per run beside the archive, a progress line in a
terminal, Scrapy's log on standard error with -v.

A scheduled crawl (cron, a systemd timer) has no one watching and runs for months: one file
that grows forever is unreadable, and a log on standard error ends up in mails nobody
reads. So each run logs to its own file, `logs/<spider>/<start time>.log` beside the archive,
the oldest pruned beyond LOG_KEEP_RUNS, and the run's row in `runs` names it (log_file). A
terminal gets the live progress line meanwhile (scraper/progress.py), -q only the summary,
-v Scrapy's log instead of the file. A LOG_FILE given with -s (or by scrapyd, which keeps
a file per job of its own) is used as it is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from scrapy.settings import Settings

# A run's log file: its start time in UTC, with a counter when two start in one second.
NAME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)(?:-(\d+))?\.log")


def log_folder(settings: Settings, spider: str) -> Path:
    """LOG_DIR/<spider>, by default `logs/<spider>` in the archive's folder."""
    base = settings.get("LOG_DIR") or Path(settings.get("ARCHIVE_PATH")).parent / "logs"
    return Path(base) / spider


def new_log_file(folder: Path, started: datetime | None = None) -> Path:
    """Create the log file of a run starting at `started` (now) in `folder`."""
    stamp = (started or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = folder / (f"{stamp}.log" if n == 1 else f"{stamp}-{n}.log")
        try:
            path.touch(exist_ok=False)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"too many runs started at {stamp} in {folder}")


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete the run logs of `folder` but the newest `keep` (0: keep all); other files
    are left alone. Returns what was deleted."""
    if keep <= 0:
        return []
    logs = []
    for path in folder.glob("*.log"):
        match = NAME.fullmatch(path.name)
        if match:
            logs.append(((match[1], int(match[2] or 1)), path))
    old = [path for _, path in sorted(logs)[:-keep]]
    for path in old:
        path.unlink(missing_ok=True)
    return old


class LogFolderError(Exception):
    """The run's log file cannot be made: the message says where and why, in one line."""


class RunOutput:
    """Where one `scraper crawl` sends its output; `open()` (once the archive is known to
    be writable, before Scrapy sets up its logging) sets LOG_FILE and PROGRESS_LINE and
    creates the log file (LogFolderError if its folder is unusable)."""

    def __init__(self, settings: Settings, spider: str, *, verbose: bool, quiet: bool,
                 terminal: bool):
        self.settings = settings
        self.spider = spider
        self.verbose = verbose
        self.progress = terminal and not (quiet or verbose)
        self.log_file: Path | None = None  # None: the log goes to standard error

    def open(self) -> None:
        settings = self.settings
        if settings.get("LOG_FILE"):
            self.log_file = Path(settings.get("LOG_FILE"))
        elif not self.verbose:
            folder = log_folder(settings, self.spider)
            try:
                self.log_file = new_log_file(folder)
                prune(folder, settings.getint("LOG_KEEP_RUNS"))
            except OSError as exc:
                raise LogFolderError(f"cannot write the run's log in {folder}: "
                                     f"{exc.strerror or exc}") from exc
            settings.set("LOG_FILE", str(self.log_file), priority="cmdline")
        settings.set("PROGRESS_LINE", self.progress and self.log_file is not None,
                     priority="cmdline")


def log_file_of(settings: Settings) -> str | None:
    """The absolute path of the run's log file, for its `runs` row (None: no file)."""
    name = settings.get("LOG_FILE")
    return str(Path(name).resolve()) if name else None
