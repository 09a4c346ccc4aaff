"""The SQL the README shows researchers runs on a real archive and finds what it says."""

from __future__ import annotations

import re

import pytest
from conftest import REPO
from test_archive import make_item

from scraper.archive import open_archive, write_batch
from scraper.archive.runs import finish_run, start_run

README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## The archive\n"):README.index("## Layout\n")]
STATEMENTS = re.findall(r'(?:sqlite3|sqlite-utils) data/archive\.db "([^"]+)"', SECTION)
URL = "https://www.example.org/story/1"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    db = open_archive(tmp_path_factory.mktemp("readme") / "archive.db")
    run = start_run(db, "example", {})
    write_batch(db, [make_item(), make_item(url="https://www.example.org/story/2",
                                            body="Sanctions hit the harvest hard.")], run)
    write_batch(db, [make_item(title="Grain ships stall, officials say",
                               body="The grain corridor closed.")], run)
    # The original the example articles name as their source, archived after them.
    write_batch(db, [make_item(url="https://southfront.press/x", site="southfront",
                               original_source=None, body="The grain corridor closed.")], run)
    # A story two sites carry (a body long enough to be compared).
    story = " ".join(f"The barges waited at Reni for the {n}th night." for n in range(12))
    write_batch(db, [make_item(url=f"https://{site}/barges", site=site, body=story)
                     for site in ("www.example.org", "southfront.press")], run)
    finish_run(db, run, {"archive/new": 3, "archive/updated": 1}, "finished")
    # A run the drift alarm marked degraded (scraper/drift.py sets these stats).
    finish_run(db, start_run(db, "example", {}), {
        "drift/degraded": 1, "drift/reasons": ["example: a date in 0% of 4 new articles, "
                                               "down from 100% in the last 1 run"]},
        "finished")
    return db


def test_the_readme_shows_queries():
    assert len(STATEMENTS) >= 8


@pytest.mark.parametrize("sql", STATEMENTS, ids=[s.split()[1][:20] for s in STATEMENTS])
def test_readme_query_runs(archive, sql):
    rows = archive.execute(sql, {"url": URL} if ":url" in sql else []).fetchall()
    assert rows, f"no rows from: {sql}"


def test_silent_edit_query_finds_the_edit(archive):
    rows = archive.execute(STATEMENTS[0]).fetchall()
    assert [(r[0], r[3]) for r in rows] == [(URL, "Grain ships stall")]
    headline = next(s for s in STATEMENTS if "as before" in s)
    assert archive.execute(headline).fetchall()[0][:2] == (
        "Grain ships stall", "Grain ships stall, officials say")
