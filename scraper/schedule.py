"""`scraper schedule`: a ready crontab line, and a systemd service and timer, for a crawl
run every few minutes, hours or once a day.

Written by hand, these go wrong in the same few ways: a relative path that cron's working
directory does not have, the system's python instead of the project's, every site starting
at minute 0, the log appended to one file forever. Here every path is absolute (the venv's
`scraper`, the archive, the log folder), the minute is taken from the site's name (sites
scheduled alike start at different minutes), the crawl runs with -q (its log goes to a file
per run, pruned: scraper/runlog.py) and the timer catches up after the machine was off.
"""

from __future__ import annotations

import re
import shlex
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

EVERY = re.compile(r"(\d+)\s*([mhd])")
UNITS = {"m": ("minute", 60), "h": ("hour", 24), "d": ("day", 1)}


@dataclass(frozen=True)
class Every:
    """How often: `count` minutes, hours or days (`unit` m, h or d)."""

    count: int
    unit: str

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


def parse_every(text: str) -> Every:
    """`30m`, `6h`, `1d`: a period that divides the hour or the day evenly (cron's `*/5`
    on hours runs at 0, 5, 10, 15, 20 and 0 again: uneven). ValueError with the reason."""
    match = EVERY.fullmatch(text.strip().lower())
    if not match:
        raise ValueError(f"--every takes minutes, hours or a day, as 30m, 6h or 1d, not {text!r}")
    count, unit = int(match[1]), match[2]
    name, whole = UNITS[unit]
    if unit == "d" and count != 1:
        raise ValueError(f"--every takes at most 1d (a daily run), not {text!r}")
    if unit != "d" and (count < 1 or whole % count):
        fits = ", ".join(f"{n}{unit}" for n in range(1, whole) if whole % n == 0)
        raise ValueError(f"--every {text} does not divide the {'hour' if unit == 'm' else 'day'}"
                         f" evenly; one of {fits}, or 1{'h' if unit == 'm' else 'd'}")
    return Every(count, unit)


def start_offset(site: str) -> tuple[int, int]:
    """The minute (and, for a daily run, the hour) the site's runs start at: fixed for a
    site, spread across sites."""
    digest = zlib.crc32(site.encode())
    return digest % 60, (digest // 60) % 24


def cron_times(every: Every, site: str) -> str:
    """The five time fields of the crontab line."""
    minute, hour = start_offset(site)
    if every.unit == "m":
        return f"{minute % every.count}-59/{every.count} * * * *"
    if every.unit == "h":
        return f"{minute} */{every.count} * * *" if every.count > 1 else f"{minute} * * * *"
    return f"{minute} {hour} * * *"


def on_calendar(every: Every, site: str) -> str:
    """The same times as systemd's OnCalendar."""
    minute, hour = start_offset(site)
    if every.unit == "m":
        return f"*-*-* *:{minute % every.count:02d}/{every.count}:00"
    if every.unit == "h":
        return f"*-*-* 00/{every.count}:{minute:02d}:00"
    return f"*-*-* {hour:02d}:{minute:02d}:00"


def scraper_command() -> list[str]:
    """The running venv's `scraper` (absolute: cron's PATH has no venv), else this Python
    with `-m scraper`."""
    beside = Path(sys.executable).parent / "scraper"
    return [str(beside.absolute())] if beside.is_file() else [
        str(Path(sys.executable).absolute()), "-m", "scraper"]


def crawl_command(site: str, db: Path, logs: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return [*scraper_command(), "crawl", site, "--db", str(db), "-q",
            "-s", f"LOG_DIR={logs}", *extra]


@dataclass(frozen=True)
class Schedule:
    """A crawl of `site` every `every`, from `workdir`, into the archive `db` (absolute),
    its logs under `logs`/<site>/."""

    site: str
    every: Every
    db: Path
    logs: Path
    workdir: Path
    extra: tuple[str, ...] = ()
    name: str | None = None

    @property
    def unit(self) -> str:
        return self.name or f"news-archiver-{re.sub(r'[^A-Za-z0-9_.-]', '-', self.site)}"

    def command(self) -> str:
        return shlex.join(crawl_command(self.site, self.db, self.logs, self.extra))

    def crontab(self) -> str:
        """The crontab line: standard output (the summary) is dropped, so cron mails only
        what the crawl writes to standard error (an error, an alarm); `scraper runs` and
        the log files keep the rest. (`%` is a newline to cron: escaped.)"""
        line = (f"{cron_times(self.every, self.site)}  cd {shlex.quote(str(self.workdir))} && "
                f"{self.command()} >/dev/null")
        return line.replace("%", r"\%")

    def service(self) -> str:
        return "\n".join([
            "[Unit]",
            f"Description=news-archiver: crawl {self.site} into {self.db}",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            f"WorkingDirectory={_systemd(str(self.workdir))}",  # a path as it is: no quoting
            f"ExecStart={_systemd(self.command())}",
            "Nice=10",
            "",
        ])

    def timer(self) -> str:
        return "\n".join([
            "[Unit]",
            f"Description=news-archiver: crawl {self.site} every {self.every}",
            "",
            "[Timer]",
            f"OnCalendar={on_calendar(self.every, self.site)}",
            # A run missed while the machine was off starts when it is back.
            "Persistent=true",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ])

    def text(self) -> str:
        """All of it, as `scraper schedule` prints it."""
        site_logs = self.logs / self.site
        return "\n".join([
            f"# crawl {self.site} every {self.every} into {self.db}",
            f"# each run logs to a file of its own in {site_logs}/;",
            "# two runs never overlap: a run that finds the last one still going exits at once.",
            "# `scraper runs` lists them all.",
            "",
            "# --- cron: add this line with `crontab -e` ---",
            self.crontab(),
            "",
            "# --- or systemd: save the two files below in ~/.config/systemd/user/, then",
            f"#   systemctl --user daemon-reload && systemctl --user enable --now "
            f"{self.unit}.timer",
            "#   (and `loginctl enable-linger` to run while you are logged out;",
            "#   for a system unit: /etc/systemd/system/, `sudo systemctl`, and User=)",
            f"# {self.unit}.service",
            self.service(),
            f"# {self.unit}.timer",
            self.timer(),
        ])


def _systemd(value: str) -> str:
    """A value for a unit file: `%` starts a specifier there, so it is doubled."""
    return value.replace("%", "%%")
