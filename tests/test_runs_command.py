"""`scraper runs`: the past runs with start, duration, counts, status, log file and the drift
alarm where the archive records one; as a table or JSON; the archive only read."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

from click.testing import CliRunner
from conftest import REPO

from scraper.archive import open_archive
from scraper.archive.runs import finish_run, start_run
from scraper.cli import cli


def runs_of(*args: str):
    return CliRunner().invoke(cli, ["runs", *args])


def make_runs(path, drift: bool = False):
    """Three runs: globalresearch finished in 65 s with a log file, a `news` run that
    crashed, a southfront run (degraded, where the drift columns exist)."""
    db = open_archive(path)
    first = start_run(db, "globalresearch", {"limit": 5}, "/srv/logs/gr/2026-01-01T06-00-00Z.log")
    finish_run(db, first, {"archive/new": 4, "archive/updated": 1, "pages/failed": 2,
                           "pages/failed/timeout": 2}, "finished")
    start_run(db, "news", {"start_pages": ["https://a.example/"]})  # never finished
    third = start_run(db, "southfront", {})
    finish_run(db, third, {"archive/new": 3}, "finished")
    db.execute("update runs set started = '2026-01-01T06:00:00+00:00', "
               "finished = '2026-01-01T06:01:05+00:00' where id = ?", [first])
    if drift:  # the drift alarm's columns (m009) filled in
        db.execute("update runs set degraded = 1, drift_reasons = ? where id = ?",
                   [json.dumps(["date coverage 0.10 below its norm 0.95",
                                "authors coverage 0.00 below its norm 0.90"]), third])
        db.execute("update runs set degraded = 0 where id = ?", [first])
    db.conn.commit()
    db.close()


def test_runs_as_json_newest_first_with_every_column(db_path):
    make_runs(db_path)
    result = runs_of("--db", str(db_path), "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [(r["id"], r["spider"], r["status"]) for r in found] == [
        (3, "southfront", "finished"), (2, "news", "running or crashed"),
        (1, "globalresearch", "finished")]
    first = found[2]
    assert (first["duration_seconds"], first["new"], first["changed"], first["failed"]) == (
        65.0, 4, 1, 2)
    assert first["arguments"] == {"limit": 5} and first["failures"] == {"timeout": 2}
    assert first["log_file"] == "/srv/logs/gr/2026-01-01T06-00-00Z.log"
    assert found[1]["duration_seconds"] is None and found[1]["finished"] is None
    assert all(r["alarm"] is None for r in found)  # no drift columns: no alarm, no error


def test_runs_table_filtered_by_site_and_limited(db_path):
    make_runs(db_path)
    out = runs_of("--db", str(db_path), "--site", "globalresearch").output
    lines = out.splitlines()
    assert lines[0].split() == ["id", "spider", "started", "duration", "new", "changed",
                                "unchanged", "failed", "blocked", "status", "alarm"]
    assert len(lines) == 3 and lines[2].split() == [
        "1", "globalresearch", "2026-01-01T06:00:00+00:00", "0:01:05", "4", "1", "0", "2", "0",
        "finished", "-"]
    assert len(runs_of("--db", str(db_path), "--limit", "2").output.splitlines()) == 4
    assert "running or crashed" in runs_of("--db", str(db_path)).output
    assert runs_of("--db", str(db_path), "--site", "nosuch").output == "(no runs recorded)\n"


def test_the_drift_alarm_is_shown_where_recorded(db_path):
    make_runs(db_path, drift=True)
    found = json.loads(runs_of("--db", str(db_path), "--json").output)
    assert found[0]["alarm"] == ("degraded: date coverage 0.10 below its norm 0.95; authors "
                                 "coverage 0.00 below its norm 0.90")
    assert found[0]["drift_reasons"][0].startswith("date coverage")
    assert found[2]["alarm"] is None and found[2]["degraded"] == 0
    table = runs_of("--db", str(db_path)).output
    assert "degraded: date coverage 0.10" in table.splitlines()[2]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_runs_reads_only(db_path, tmp_path):
    """Nothing is written: not to the archive, not to an older one (not migrated), not to
    a file that is no archive (refused with one line)."""
    make_runs(db_path)
    before = digest(db_path)
    assert runs_of("--db", str(db_path)).exit_code == 0
    assert digest(db_path) == before
    old = tmp_path / "old.db"
    shutil.copy(REPO / "tests" / "data" / "archive_m001.db", old)
    before = digest(old)
    result = runs_of("--db", str(old))
    assert (result.exit_code, result.output) == (0, "(no runs recorded)\n")
    assert digest(old) == before
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table notes (text)").connection.commit()
    before = digest(other)
    result = runs_of("--db", str(other))
    assert (result.exit_code, result.output) == (2, f"Error: not a news-archiver archive: "
                                                    f"{other}\n")
    assert digest(other) == before
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 100)
    assert runs_of("--db", str(text)).exit_code == 2
    assert runs_of("--db", str(tmp_path / "missing.db")).output.startswith("Error: no archive")
