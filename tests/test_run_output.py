"""What a crawl shows and keeps: in a terminal (a pseudo-terminal here) a live progress line
and then the summary, Scrapy's log in a file per run; -q only the summary, -v Scrapy's log
on standard error; not in a terminal, the summary alone and the log file, pruned, named in
`runs`; no item repr in any log line."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import sqlite3
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from conftest import REPO, article_count
from test_crawl import FAST, site  # noqa: F401 - site is a fixture

from scraper.fixture_server import FixtureSite
from scraper.runlog import new_log_file, prune

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PROGRESS = re.compile(r"(\d+):(\d\d) · (\d+) pages \([\d.]+/s\) · articles (\d+) new, (\d+) "
                      r"updated, (\d+) unchanged(?: \(\+(\d+) to write\))? · (\d+) queued · "
                      r"(\d+) errors")
# Slow enough for the line to be redrawn a few times (about 15 requests, one at a time).
PACED = [*FAST, "-s", "DOWNLOAD_DELAY=0.15", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def command(site: FixtureSite, db: Path, *args: str) -> list[str]:  # noqa: F811
    return [sys.executable, "-m", "scraper", "crawl", "globalresearch", "--db", str(db),
            "--base-url", site.url, *args]


def in_terminal(cmd: list[str], columns: int = 200) -> tuple[int, str, str]:
    """Run `cmd` with its standard output on a pseudo-terminal of `columns` (0: one that
    tells no size; standard error on a pipe); return its exit code, what the terminal got
    and standard error."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40 if columns else 0, columns,
                                                       0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    process = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                               cwd=REPO, env=env)
    os.close(slave)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed, the process is done
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    stderr = process.stderr.read().decode()
    process.wait(60)
    return process.returncode, screen.decode(errors="replace"), stderr


def frames(screen: str) -> list[re.Match]:
    """The progress lines drawn, in order."""
    return [m for line in re.split(r"[\r\n]", ANSI.sub("", screen))
            if (m := PROGRESS.fullmatch(line.strip()))]


def summary_lines(text: str) -> list[str]:
    return [line for line in ANSI.sub("", text).splitlines() if line.startswith(
        ("globalresearch: ", "Archive: ", "Log: "))]


def log_files(db: Path) -> list[Path]:
    return sorted((db.parent / "logs" / "globalresearch").glob("*.log"))


def test_a_terminal_gets_a_live_progress_line_then_the_summary(site, db_path):  # noqa: F811
    code, screen, stderr = in_terminal(command(site, db_path, *PACED))
    assert code == 0, stderr
    drawn = frames(screen)
    assert len(drawn) >= 3, screen
    pages = [int(m[3]) for m in drawn]
    assert pages == sorted(pages) and pages[-1] > pages[0]
    assert max(int(m[8]) for m in drawn) > 0  # requests waited in the queue
    assert int(drawn[-1][4]) + int(drawn[-1][7] or 0) > 0  # articles found by the end
    # The line is erased, the summary printed after it, with requests and time taken.
    plain = ANSI.sub("", screen)
    articles = article_count("globalresearch")
    assert plain.rindex(f"globalresearch: {articles} new") > plain.rindex(" queued · ")
    head = summary_lines(screen)[0]
    assert re.search(r"; (\d+) requests in \d+\.\d s$", head), head
    # Scrapy's log went to the run's file, not to the terminal.
    assert stderr == ""
    [log] = log_files(db_path)
    assert f"Log: {log}" in summary_lines(screen)
    assert "[scrapy.core.scraper] WARNING: Dropped: blocked: challenge page" in log.read_text()


def test_a_terminal_of_no_known_size_gets_a_line_of_80_columns(site, db_path):  # noqa: F811
    code, screen, stderr = in_terminal(command(site, db_path, *PACED), columns=0)
    assert code == 0, stderr
    lines = [line for line in re.split(r"[\r\n]", ANSI.sub("", screen)) if " pages (" in line]
    assert len(lines) >= 3 and all(len(line.rstrip()) <= 80 for line in lines), lines
    assert not any(line.rstrip().endswith(" errors") for line in lines)  # cut, not wrapped


def test_quiet_prints_only_the_summary(site, db_path):  # noqa: F811
    code, screen, stderr = in_terminal(command(site, db_path, *PACED, "-q"))
    assert code == 0, stderr
    assert frames(screen) == [] and stderr == ""
    assert [line.split(" ")[0] for line in ANSI.sub("", screen).split("\r\n") if line] == [
        "globalresearch:", "Archive:", "Log:"]
    assert len(log_files(db_path)) == 1


def test_verbose_shows_scrapys_log_instead_of_a_file(site, db_path):  # noqa: F811
    code, screen, stderr = in_terminal(command(site, db_path, *FAST, "-v", "-s",
                                               "LOG_LEVEL=INFO"))
    assert code == 0, stderr
    assert frames(screen) == []
    assert "[scrapy.core.engine] INFO: Spider closed (finished)" in stderr
    assert log_files(db_path) == [] and not any(
        line.startswith("Log: ") for line in summary_lines(screen))
    row = sqlite3.connect(db_path).execute("select log_file from runs").fetchone()
    assert row == (None,)


def test_a_scheduled_run_logs_to_its_own_file_named_in_runs(site, db_path):  # noqa: F811
    """Not in a terminal (cron): the summary alone on standard output, nothing on standard
    error, the whole log (here at DEBUG, with every item scraped and dropped) in the run's
    file, which `runs` names; the oldest run logs pruned to LOG_KEEP_RUNS, other files
    in the folder left alone."""
    folder = db_path.parent / "logs" / "globalresearch"
    folder.mkdir(parents=True)
    old = [folder / f"2026-01-0{day}T06-00-00Z.log" for day in (1, 2, 3)]
    for path in [*old, folder / "notes.txt", folder / "cron.log"]:
        path.write_text("earlier\n")
    out = subprocess.run(command(site, db_path, *FAST, "-s", "LOG_LEVEL=DEBUG",
                                 "-s", "LOG_KEEP_RUNS=2"),
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert len(out.stdout.splitlines()) == 3 and summary_lines(out.stdout) == (
        out.stdout.splitlines())
    new = Path(out.stdout.splitlines()[2].removeprefix("Log: "))
    assert new.parent == folder and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.log",
                                                 new.name)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [old[2].name, new.name, "notes.txt", "cron.log"])
    row = sqlite3.connect(db_path).execute("select log_file from runs").fetchone()
    assert row == (str(new.resolve()),)
    text = new.read_text()
    assert "Dropped: blocked: challenge page: Just a moment..." in text
    assert "Scraped from <200 " in text
    for repr_start in ("Page(", "ArticleItem(", "Article(", "headers=", "b'<"):
        assert repr_start not in text, repr_start


def test_an_unwritable_log_folder_is_one_line(site, tmp_path):  # noqa: F811
    (tmp_path / "logs").write_text("a file where the folder should be")
    out = subprocess.run(command(site, tmp_path / "a.db", *FAST), capture_output=True,
                         text=True, timeout=60, cwd=REPO)
    assert out.returncode == 2
    assert out.stderr.startswith("Error: cannot write the run's log in ")
    assert len(out.stderr.splitlines()) == 1 and not site.requests


def test_verbose_and_quiet_exclude_each_other(site, db_path):  # noqa: F811
    out = subprocess.run(command(site, db_path, "-v", "-q"), capture_output=True,
                         text=True, timeout=60, cwd=REPO)
    assert (out.returncode, out.stderr) == (2, "Error: -v and -q exclude each other\n")


def test_log_files_are_named_by_start_time_and_pruned_oldest_first(tmp_path):
    from datetime import UTC, datetime

    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    made = [new_log_file(tmp_path, at) for _ in range(3)]
    assert [p.name for p in made] == ["2026-03-04T05-06-07Z.log", "2026-03-04T05-06-07Z-2.log",
                                      "2026-03-04T05-06-07Z-3.log"]
    later = new_log_file(tmp_path, datetime(2026, 3, 4, 5, 6, 8, tzinfo=UTC))
    assert prune(tmp_path, 2) == made[:2]
    assert sorted(tmp_path.iterdir()) == sorted([made[2], later])
    assert prune(tmp_path, 0) == [] and len(list(tmp_path.iterdir())) == 2


@pytest.mark.parametrize("item_kind", ["page", "article"])
def test_the_log_formatter_names_items_by_url(item_kind):
    from scrapy.exceptions import DropItem

    from scraper.items import ArticleItem, Page
    from scraper.logformatter import ItemUrlLogFormatter

    page = Page(url="https://a.example/story", fetched_url="http://127.0.0.1/story",
                status=200, headers={}, body=b"<html>" * 1000, encoding="utf-8",
                fetched_at="2026-01-01T00:00:00+00:00", site="example")
    item = page if item_kind == "page" else ArticleItem(article=object(), page=page)
    formatter = ItemUrlLogFormatter()

    class Spider:
        class crawler:  # noqa: N801
            settings = {"DEFAULT_DROPITEM_LOG_LEVEL": "WARNING"}

    for result in (formatter.dropped(item, DropItem("not wanted"), None, Spider),
                   formatter.item_error(item, ValueError("bad"), None, Spider)):
        line = result["msg"] % result["args"]
        assert "https://a.example/story" in line and "Page(" not in line, line
