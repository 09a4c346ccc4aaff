"""`scraper stats`: counts per site, the date range, and the last runs."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from test_archive import gone_page, make_item

from scraper.archive import open_archive, write_batch
from scraper.archive.runs import finish_run, start_run
from scraper.cli import cli


def test_stats_counts_sites_dates_and_runs(db_path):
    db = open_archive(db_path)
    first = start_run(db, "example", {"limit": 2})
    write_batch(db, [make_item(), make_item(url="https://www.example.org/story/2",
                                            published="2024-06-01")], first)
    finish_run(db, first, {"archive/new": 2, "pages/blocked": 1,
                           "articles/dropped/before_since": 3}, "finished")
    other = make_item(url="https://www.other.example/1", published="2019-01-01")
    other.article.site = "other"
    second = start_run(db, "other", {})  # never finished: a crash
    write_batch(db, [other, make_item(title="Edited")], second)
    write_batch(db, [], second, gone=[gone_page("https://www.other.example/1", site="other")])
    db.close()
    result = CliRunner().invoke(cli, ["stats", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("3 articles, published 2019-01-01 to 2024-06-01; 1 revisions (1 by "
                          "the publishers, the rest by re-extraction); 1 gone from their sites")
    assert "5 page fetches, 3 distinct bodies" in out  # three share one html; the 404
    site_rows = {line.split()[0]: line.split() for line in out.splitlines()
                 if line.startswith(("example ", "other "))}
    # One form per column: published dates as days (the archive holds "2023-03-14T10:25:00
    # -04:00" and "2024-06-01"), last seen as the archive's UTC time.
    assert site_rows["example"][1:4] == ["2", "2023-03-14", "2024-06-01"]
    assert site_rows["other"][1] == "1"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row[4])
               for row in site_rows.values())
    runs = out.split("Last 5 runs")[1]
    assert "running or crashed" in runs
    assert runs.index(" other ") < runs.index(" example "), "newest run first"
    assert max(len(line) for line in runs.splitlines()) <= 100


def test_stats_as_json_says_what_the_text_says(db_path):
    db = open_archive(db_path)
    run = start_run(db, "globalresearch", {})
    write_batch(db, [make_item(), make_item(url="https://www.example.org/story/2",
                                            published="2024-06-01")], run)
    finish_run(db, run, {"archive/new": 2}, "finished")
    db.close()
    result = CliRunner().invoke(cli, ["stats", "--db", str(db_path), "--json", "--runs", "1"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["totals"]["articles"] == 2 and found["totals"]["pages"] == 2
    assert (found["totals"]["first_published"], found["totals"]["last_published"]) == (
        "2023-03-14", "2024-06-01")
    assert found["sites"] == [{"site": "example", "articles": 2,
                               "first_published": "2023-03-14", "last_published": "2024-06-01",
                               "last_seen": found["sites"][0]["last_seen"], "revisions": 0}]
    # The runs as `scraper runs --json` gives them.
    assert found["runs"] == json.loads(CliRunner().invoke(
        cli, ["runs", "--db", str(db_path), "--json", "--limit", "1"]).output)
    assert found["runs"][0]["new"] == 2 and found["runs"][0]["status"] == "finished"


def test_stats_of_a_long_run_list_stays_narrow(db_path):
    """A long spider name and every status: no line of the runs table past 100 columns."""
    db = open_archive(db_path)
    for n in range(3):
        run = start_run(db, "globalresearch", {"limit": 10_000})
        if n:
            finish_run(db, run, {"archive/new": 12_345, "archive/updated": 1_234,
                                 "pages/failed": 99}, "closespider_itemcount")
    db.close()
    out = CliRunner().invoke(cli, ["stats", "--db", str(db_path), "--runs", "3"]).output
    runs = out.split("Last 3 runs")[1].splitlines()[1:]
    assert len([line for line in runs if line.lstrip().startswith(("1 ", "2 ", "3 "))]) == 3
    assert max(len(line) for line in runs) <= 100, "\n".join(runs)


def test_sites_as_json():
    result = CliRunner().invoke(cli, ["sites", "--json"])
    assert result.exit_code == 0, result.output
    found = {site["name"]: site for site in json.loads(result.output)}
    assert found["globalresearch"]["home"] == "https://www.globalresearch.ca"
    assert found["southfront"]["domains"] == ["southfront.press", "southfront.org"]
    text = CliRunner().invoke(cli, ["sites"]).output.splitlines()
    assert [line.split("\t")[0] for line in text] == list(found)


def test_stats_of_a_missing_archive(tmp_path):
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "no archive at" in result.output
