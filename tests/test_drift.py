"""The drift alarm: a run whose new articles lose fields or take in boilerplate is degraded,
says why in `runs` and on the terminal, and exits 5; healthy runs are not.

The crawls are real (`scraper crawl` in a subprocess, as in test_crawl.py) of a site in
Global Research's markup written by the test (drift_site.py), whose layout changes between
two runs; the judgement's rules are also tested on their own, on coverage figures.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from drift_site import NOTE, ORIGIN, write_articles

from scraper.crawl import project_settings
from scraper.drift import DriftMonitor, Thresholds
from scraper.exit_codes import Exit
from scraper.fixture_server import FixtureSite

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=ERROR"]


def crawl(site: FixtureSite, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "globalresearch", "--db", str(db),
         "--base-url", site.url, *FAST], capture_output=True, text=True, timeout=120)


def runs(db: Path) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return [dict(r) for r in con.execute("select * from runs order by id")]


def test_a_changed_layout_degrades_its_run_and_says_why(tmp_path):
    root, db = tmp_path / "site", tmp_path / "archive.db"
    root.mkdir()
    with FixtureSite(root, origin=ORIGIN) as site:
        outcomes = []
        for numbers, layout in ((range(0, 6), "2019"), (range(6, 12), "2019"),
                                (range(12, 18), "redesign"), (range(18, 24), "2019")):
            write_articles(root, numbers, layout)
            outcomes.append(crawl(site, db))
    first, healthy, changed, fixed = outcomes
    assert [o.returncode for o in outcomes] == [0, 0, Exit.DEGRADED, 0], changed.stderr[-2000:]
    rows = runs(db)
    assert [r["degraded"] for r in rows] == [0, 0, 1, 0]
    assert [json.loads(r["drift_reasons"]) for r in rows if not r["degraded"]] == [[], [], []]
    # Every run's coverage is kept, per site; the redesign's articles were still archived.
    coverage = json.loads(rows[2]["drift"])["globalresearch"]
    assert coverage | {"leak_rules": None} == {
        "articles": 6, "pages": 6, "article_share": 1.0, "title": 1.0, "published": 0.0,
        "authors": 0.0, "body": 1.0, "tags": 1.0, "bodies_checked": 6, "leak_share": 1.0,
        "leak_rules": None}
    assert coverage["leak_rules"] == {"share_button_note": 6}
    assert json.loads(rows[1]["drift"])["globalresearch"]["authors"] == 1.0
    reasons = json.loads(rows[2]["drift_reasons"])
    assert reasons == [
        "globalresearch: a date in 0% of 6 new articles, down from 100% in the last 2 runs",
        "globalresearch: authors in 0% of 6 new articles, down from 100% in the last 2 runs",
        "globalresearch: boilerplate left in 100% of 6 new bodies (share_button_note 6), "
        "above the ceiling of 20%"]
    # One warning line on the terminal, naming the reasons; none for the healthy runs.
    warnings = [line for line in changed.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == ["Warning: drift alarm, run degraded: " + "; ".join(reasons)]
    for ok in (first, healthy, fixed):
        assert "drift alarm" not in ok.stderr
    # The degraded run is no norm: the fixed run was held against runs 1 and 2 (and passed).
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from articles where body like ?",
                       [f"%{NOTE}%"]).fetchone() == (6,)


@pytest.fixture
def monitor() -> DriftMonitor:
    return DriftMonitor(Thresholds.from_settings(project_settings("unused.db")))


def coverage(**shares: float) -> dict:
    base = {"articles": 10, "pages": 10, "article_share": 1.0, "title": 1.0, "published": 1.0,
            "authors": 1.0, "body": 1.0, "tags": 0.0, "bodies_checked": 10, "leak_share": 0.0,
            "leak_rules": {}}
    return base | shares


def test_a_field_the_site_never_had_cannot_drop(monitor):
    assert monitor.site_reasons("s", coverage(tags=0.0), [coverage(tags=0.0)] * 3) == []


def test_a_small_dip_within_the_drop_is_no_alarm(monitor):
    assert monitor.site_reasons("s", coverage(published=0.8), [coverage()] * 3) == []
    assert monitor.site_reasons("s", coverage(published=0.7), [coverage()] * 3) == [
        "s: a date in 70% of 10 new articles, down from 100% in the last 3 runs"]


def test_floors_hold_without_any_history(monitor):
    assert monitor.site_reasons("s", coverage(body=0.5, title=1.0), []) == [
        "s: a body of sane length in 50% of 10 new articles, below the floor of 80%"]
    assert monitor.site_reasons("s", coverage(published=0.0), []) == []  # no norm yet


def test_too_few_articles_are_not_judged(monitor):
    few = coverage(articles=2, pages=2, bodies_checked=2, published=0.0, body=0.0,
                   leak_share=1.0)
    assert monitor.site_reasons("s", few, [coverage()] * 3) == []


def test_articles_no_longer_recognised_as_articles(monitor):
    gone = coverage(articles=0, pages=8, article_share=0.0, bodies_checked=0, leak_share=None)
    assert monitor.site_reasons("s", gone, [coverage()] * 2) == [
        "s: 0% of 8 pages gave an article, down from 100% in the last 2 runs"]


def test_a_leak_rising_over_the_norm(monitor):
    assert monitor.site_reasons("s", coverage(leak_share=0.1), [coverage()]) == []
    assert monitor.site_reasons(
        "s", coverage(leak_share=0.3, leak_rules={"x": 3}), [coverage(leak_share=0.02)]) == [
        "s: boilerplate left in 30% of 10 new bodies (x 3), above the ceiling of 20%"]
    lenient = DriftMonitor(replace(monitor.thresholds, max_leak_share=0.9))
    assert lenient.site_reasons(
        "s", coverage(leak_share=0.3, leak_rules={"x": 3}), [coverage(leak_share=0.02)]) == [
        "s: boilerplate left in 30% of 10 new bodies (x 3), up from 2% in the last 1 run"]
