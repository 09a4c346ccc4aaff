"""`scraper stats`: counts per site, the date range, and the last runs."""

from __future__ import annotations

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
    assert site_rows["example"][1:4] == ["2", "2023-03-14T10:25:00-04:00", "2024-06-01"]
    assert site_rows["other"][1] == "1"
    runs = out.split("Last 5 runs:")[1]
    assert "running or crashed" in runs
    assert "before_since 3" in runs
    assert runs.index(" other ") < runs.index(" example "), "newest run first"


def test_stats_of_a_missing_archive(tmp_path):
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "no archive at" in result.output
