"""Crawls of the replica with extraction in worker processes: as many workers as wanted give
the same archive, a page over the time limit is dropped and kept as a fetch, and a corrupt
repeated-paragraph store costs one warning, not the crawl."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from test_crawl import EXPECTED, FAST, crawl, site  # noqa: F401 - site is a fixture

from scraper.extraction.repeats import store_path
from scraper.fixture_server import FixtureSite

MOVING = {"fetched_at", "first_seen", "last_seen", "last_changed"}  # the clock's, not the page's


def run(served: FixtureSite, db: Path, *args: str) -> subprocess.CompletedProcess:
    """A crawl whose output the test reads (test_crawl.crawl keeps only the counts)."""
    return subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "-v", "globalresearch", "--db", str(db),
         "--base-url", served.url, *FAST, *args], capture_output=True, text=True, timeout=300)


def archive(db: Path) -> tuple[list[dict], list[tuple]]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    articles = [{k: v for k, v in dict(r).items() if k not in MOVING}
                for r in con.execute("select * from articles order by url")]
    pages = con.execute("select url, final_url, status, sha256 from pages order by url").fetchall()
    return articles, [tuple(p) for p in pages]


def counted(store: dict) -> set[tuple]:
    """The pages a saved repeat store counts, with their paragraphs: its window, whose order
    (which only decides what goes first) may differ from one crawl to another."""
    return {(store["sites"][name], page, tuple(sorted(keys)))
            for name, page, keys in store["pages"]}


def test_two_workers_make_the_archive_one_worker_makes(site, tmp_path):  # noqa: F811
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    counts_one = crawl(site, one, "-s", "EXTRACT_WORKERS=1")
    counts_two = crawl(site, two, "-s", "EXTRACT_WORKERS=2")
    assert counts_one == counts_two
    assert counts_one["new"] == len(EXPECTED)
    assert archive(one) == archive(two)
    assert len(archive(one)[0]) == len(EXPECTED)
    stores = [counted(json.loads(store_path(db).read_text())) for db in (one, two)]
    assert stores[0] == stores[1] and stores[0]  # the same pages, maybe in another order


def test_pages_over_the_time_limit_are_dropped_and_kept_as_fetches(site, db_path):  # noqa: F811
    out = run(site, db_path, "-s", "EXTRACT_TIMEOUT=0.000001", "-s", "LOG_LEVEL=INFO")
    assert out.returncode == 0, out.stderr[-3000:]
    assert "finish reason: finished" in out.stdout
    timed_out = re.findall(r"extract_timeout: extraction took over 1e-06 s \((\S+)\)",
                           out.stderr)
    assert set(EXPECTED) <= set(timed_out)
    assert f"'pages/extract_timeout': {len(timed_out)}," in out.stderr  # in the stats
    con = sqlite3.connect(db_path)
    assert con.execute("select count(*) from articles").fetchone()[0] == 0
    kept = {r[0] for r in con.execute("select url from pages")}
    assert set(EXPECTED) <= kept  # every fetch is evidence, dropped or not


def test_a_truncated_store_is_set_aside_and_the_crawl_finishes(site, db_path):  # noqa: F811
    crawl(site, db_path, "--limit", "3")
    path = store_path(db_path)
    whole = path.read_text()
    path.write_text(whole[: len(whole) // 2])  # as a kill during a non-atomic save left it
    out = run(site, db_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "finish reason: finished" in out.stdout
    warnings = [line for line in out.stderr.splitlines() if "repeated-paragraph store" in line]
    assert len(warnings) == 1 and str(path) in warnings[0] and "WARNING" in warnings[0]
    assert "Traceback" not in out.stderr
    assert path.with_name(path.name + ".corrupt").read_text() == whole[: len(whole) // 2]
    rebuilt = json.loads(path.read_text())  # the crawl saved a whole store again
    assert counted(rebuilt)
    runs = sqlite3.connect(db_path).execute("select exit_reason from runs").fetchall()
    assert runs == [("closespider_itemcount",), ("finished",)]
