"""The SQL the README shows researchers runs on a real archive and finds what it says: every
`sqlite3` or `sqlite-utils` command of the README, each recipe checked against the rows it
must find, and each named parameter given as the command shows (`-p name value`)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import REPO
from test_archive import gone_page, make_item

from scraper.archive import open_archive, write_batch
from scraper.archive.runs import finish_run, start_run

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r'(sqlite3|sqlite-utils) data/\w+\.db "([^"]+)"([^\n]*)', README)
STATEMENTS = [sql for _, sql, _ in COMMANDS]
URL = "https://www.example.org/story/1"
GONE = "https://www.example.org/story/2"
# The values this test gives the recipes' named parameters.
PARAMS = {"url": URL, "theme": "Food", "tag": "Europe", "words": "sanctions harvest"}


def statement(words: str) -> str:
    """The one README statement that holds `words`."""
    found = [sql for sql in STATEMENTS if words in sql]
    assert len(found) == 1, (words, found)
    return found[0]


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
    # Another author, on another tag and month, and a story that went (404 on a re-crawl).
    write_batch(db, [make_item(url="https://www.example.org/story/4", authors=["Maria Lopez"],
                               tags=[{"name": "Ukraine", "kind": "region"}],
                               published="2024-05-02T09:00:00+03:00")], run, gone=[gone_page(GONE)])
    # A story two sites carry (a body long enough to be compared), with no authors or tags
    # of its own so that the recipes above count what they did.
    story = " ".join(f"The barges waited at Reni for the {n}th night." for n in range(12))
    write_batch(db, [make_item(url=f"https://{site}/barges", site=site, body=story,
                               authors=[], byline=None, tags=[], published=None)
                     for site in ("www.example.org", "southfront.press")], run)
    finish_run(db, run, {"archive/new": 3, "archive/updated": 1}, "finished")
    # A run the drift alarm marked degraded (scraper/drift.py sets these stats).
    finish_run(db, start_run(db, "example", {}), {
        "drift/degraded": 1, "drift/reasons": ["example: a date in 0% of 4 new articles, "
                                               "down from 100% in the last 1 run"]},
        "finished")
    return db


def test_the_readme_shows_queries():
    assert len(STATEMENTS) >= 14


@pytest.mark.parametrize("sql", STATEMENTS, ids=[s.split()[1][:20] for s in STATEMENTS])
def test_readme_query_runs(archive, sql):
    rows = archive.execute(sql, PARAMS).fetchall()
    assert rows, f"no rows from: {sql}"


@pytest.mark.parametrize(("tool", "sql", "tail"), COMMANDS, ids=[c[1].split()[1][:20]
                                                                 for c in COMMANDS])
def test_each_parameter_is_given_as_the_command_shows(tool, sql, tail):
    """A recipe copied from the README runs: sqlite-utils gets each `:name` with -p."""
    names = set(re.findall(r"(?<![:\w]):(\w+)", sql))
    assert names <= set(PARAMS), names
    if names:
        assert tool == "sqlite-utils", "the sqlite3 shell takes no -p"
        assert names == set(re.findall(r"-p (\w+) ", tail)), tail


def test_silent_edit_query_finds_the_edit(archive):
    rows = archive.execute(statement("r.reason = 'recrawl' order by r.recorded_at")).fetchall()
    assert [(r[0], r[3]) for r in rows] == [(URL, "Grain ships stall")]
    headline = next(s for s in STATEMENTS if "as before" in s)
    assert archive.execute(headline).fetchall()[0][:2] == (
        "Grain ships stall", "Grain ships stall, officials say")


def test_authors_on_a_theme(archive):
    by_theme = statement("t.kind = 'theme' and t.name = :theme")
    assert archive.execute(by_theme, PARAMS).fetchall() == [("Ann Lee", 3), ("Bo Ek", 3)]
    assert archive.execute(by_theme, PARAMS | {"theme": "Europe"}).fetchall() == []  # a region
    by_words = statement("where articles_fts match :words")
    assert archive.execute(by_words, PARAMS).fetchall() == [("Ann Lee", 1), ("Bo Ek", 1)]
    assert archive.execute(by_words, PARAMS | {"words": "corridor"}).fetchall() == [
        ("Ann Lee", 2), ("Bo Ek", 2), ("Maria Lopez", 1)]


def test_coverage_of_a_tag_over_time(archive):
    per_month = statement("where t.name = :tag and a.published is not null")
    assert archive.execute(per_month, PARAMS).fetchall() == [("2023-03", "example", 2),
                                                             ("2023-03", "southfront", 1)]
    assert archive.execute(per_month, PARAMS | {"tag": "Ukraine"}).fetchall() == [
        ("2024-05", "example", 1)]


def test_deletions_find_the_story_that_went(archive):
    rows = archive.execute(statement("where status = 'gone'")).fetchall()
    assert [row[0] for row in rows] == [GONE]


def test_the_recipes_values_find_articles_in_the_demo(tmp_path):
    """The README says its example values find articles in `scraper demo`'s archive."""
    db = tmp_path / "demo.db"
    # In a process of its own, as the other demo tests: a crawl runs Twisted's reactor once.
    subprocess.run([sys.executable, "-m", "scraper", "demo", "--db", str(db)], check=True,
                   capture_output=True, timeout=120)
    archive = open_archive(db)
    shown = [(sql, dict(re.findall(r"-p (\w+) '([^']+)'", tail)))
             for _, sql, tail in COMMANDS if "-p " in tail and ":url" not in sql]
    assert len(shown) == 3
    for sql, values in shown:
        assert archive.execute(sql, values).fetchall(), (sql, values)
    archive.close()
