"""`scraper schedule`: the crontab line and the systemd units it prints run the crawl they
name (absolute paths, the archive, the log folder), at the same times in both."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_crawl import EXPECTED, FAST, site  # noqa: F401 - site is a fixture

from scraper.cli import cli
from scraper.schedule import Every, cron_times, on_calendar, parse_every, start_offset

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def schedule(*args: str, cwd: Path) -> str:
    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, ["schedule", *args])
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return result.output


def sections(text: str, unit: str) -> tuple[str, str, str]:
    """The crontab line, the service file and the timer file of the output."""
    cron = next(line for line in text.splitlines() if re.match(r"[\d*]", line))
    service = text.split(f"# {unit}.service\n")[1].split(f"# {unit}.timer\n")[0]
    timer = text.split(f"# {unit}.timer\n")[1]
    return cron, service, timer


def cron_day(fields: str) -> set[tuple[int, int]]:
    """The (hour, minute) a day of the crontab fields runs at (the forms schedule.py
    writes: N, *, */N, A-59/N; day, month and weekday `*`)."""
    def expand(field: str, top: int) -> set[int]:
        if field == "*":
            return set(range(top))
        if match := re.fullmatch(r"(?:\*|(\d+)-(\d+))/(\d+)", field):
            first, last, step = int(match[1] or 0), int(match[2] or top - 1), int(match[3])
            return set(range(first, last + 1, step))
        return {int(field)}

    minute, hour, *rest = fields.split()
    assert rest == ["*", "*", "*"]
    return {(h, m) for h in expand(hour, 24) for m in expand(minute, 60)}


def systemd_day(calendar: str) -> set[tuple[int, int]]:
    """The (hour, minute) of the timer's elapses over one day, by systemd's own reading."""
    out = subprocess.run(
        [SYSTEMD_ANALYZE, "calendar", "--iterations=200", "--base-time=2026-03-02 00:00:00 UTC",
         calendar], capture_output=True, text=True, check=True, env={**os.environ, "TZ": "UTC"})
    times = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ 2026-03-02 (\d\d):(\d\d):00", out.stdout)
    return {(int(h), int(m)) for h, m in times}


@pytest.mark.parametrize(("every", "runs_a_day"), [("15m", 96), ("30m", 48), ("1h", 24),
                                                   ("6h", 4), ("12h", 2), ("1d", 1)])
def test_cron_and_systemd_run_at_the_same_times(every, runs_a_day):
    period = parse_every(every)
    times = cron_day(cron_times(period, "globalresearch"))
    assert len(times) == runs_a_day
    minute, hour = start_offset("globalresearch")
    if period.unit == "m":  # every N minutes from the site's minute within the first N
        first = minute % period.count
        assert {m for _, m in times} == set(range(first, 60, period.count))
    else:
        assert {m for _, m in times} == {minute}
    if period.unit == "d":
        assert times == {(hour, minute)}
    if SYSTEMD_ANALYZE:
        assert systemd_day(on_calendar(period, "globalresearch")) == times


def test_sites_start_at_different_minutes():
    minutes = {start_offset(name)[0] for name in ("globalresearch", "southfront", "news")}
    assert len(minutes) == 3


@pytest.mark.parametrize(("text", "error"), [
    ("7h", "does not divide the day evenly; one of 1h, 2h, 3h, 4h, 6h, 8h, 12h, or 1d"),
    ("45m", "does not divide the hour evenly"), ("2d", "at most 1d"), ("0h", "divide"),
    ("weekly", "as 30m, 6h or 1d")])
def test_periods_that_cron_cannot_keep_are_refused(text, error):
    with pytest.raises(ValueError, match=re.escape(error)):
        parse_every(text)


def test_bad_arguments_are_one_line(tmp_path):
    for args, message in ((["globalresearch", "--every", "7h"], "does not divide the day"),
                          (["nosuch", "--every", "6h"], "unknown site 'nosuch'")):
        result = CliRunner().invoke(cli, ["schedule", *args])
        assert result.exit_code == 2 and message in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert parse_every(" 6H ") == Every(6, "h")


def test_the_printed_commands_crawl_into_the_archive_with_their_logs(site, tmp_path):  # noqa: F811
    """The crontab line run by a shell from elsewhere (as cron does, with a bare PATH), and
    the service's ExecStart: both crawl the replica into the archive given relative to the
    folder `scraper schedule` ran in, each run logging to its own file in the log folder."""
    workdir = tmp_path / "work dir"
    workdir.mkdir()
    extra = ["--base-url", site.url, *FAST]
    text = schedule("globalresearch", "--every", "6h", "--db", "data/news.db", "--",
                    *extra, cwd=workdir)
    unit = "news-archiver-globalresearch"
    cron, service, timer = sections(text, unit)
    db = workdir / "data" / "news.db"
    logs = workdir / "data" / "logs"
    command = cron.split("  ", 1)[1]
    assert command.startswith(f"cd {shlex.quote(str(workdir))} && /")
    assert command.endswith(" >/dev/null")
    words = shlex.split(command.split(" && ", 1)[1].removesuffix(" >/dev/null"))
    assert Path(words[0]).is_absolute() and os.access(words[0], os.X_OK)
    assert words[1:] == ["crawl", "globalresearch", "--db", str(db), "-q",
                         "-s", f"LOG_DIR={logs}", *extra]
    assert f"WorkingDirectory={workdir}\n" in service
    exec_start = re.search(r"^ExecStart=(.+)$", service, re.M)[1]
    assert shlex.split(exec_start) == words
    assert "OnCalendar=*-*-* 00/6:" in timer and "Persistent=true" in timer
    assert f"in {logs / 'globalresearch'}/" in text

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run(["/bin/sh", "-c", command], cwd=elsewhere, capture_output=True,
                         text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")
    out = subprocess.run(words, cwd=workdir, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    con = sqlite3.connect(db)
    assert {r[0] for r in con.execute("select url from articles")} == set(EXPECTED)
    files = [r[0] for r in con.execute("select log_file from runs order by id")]
    assert len(files) == 2 and all(Path(f).parent == logs / "globalresearch" for f in files)
    assert sorted(str(p) for p in (logs / "globalresearch").iterdir()) == sorted(files)


@pytest.mark.skipif(not SYSTEMD_ANALYZE, reason="needs systemd-analyze")
def test_systemd_finds_nothing_wrong_with_the_units(tmp_path):
    text = schedule("southfront", "--every", "30m", "--name", "sf-crawl", cwd=tmp_path)
    _, service, timer = sections(text, "sf-crawl")
    (tmp_path / "sf-crawl.service").write_text(service)
    (tmp_path / "sf-crawl.timer").write_text(timer)
    out = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", "./sf-crawl.timer",
                          "./sf-crawl.service"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_percent_signs_are_escaped_for_cron_and_systemd(tmp_path):
    text = schedule("southfront", "--every", "1d", "--db", "50%.db", cwd=tmp_path)
    cron, service, _ = sections(text, "news-archiver-southfront")
    assert f"--db {tmp_path}/50\\%.db" in cron and f"--db {tmp_path}/50%%.db" in service
