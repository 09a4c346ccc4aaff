"""The `scraper` command: extract on saved pages, and clear one-line errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import GOLDEN_DIR, REPO, SITES_DIR, golden_cases, load_case

from scraper.cli import cli
from scraper.sites import SITES

RECORD_KEYS = ["url", "site", "title", "subtitle", "byline", "authors", "published",
               "published_text", "modified", "tags", "body", "original_source", "language",
               "word_count",
               "content_hash", "fetched_at", "kind"]


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_extract_prints_the_record():
    case_path = golden_cases("globalresearch")[0]
    case = load_case(case_path)
    result = run("extract", str(SITES_DIR / "globalresearch" / case["page"]), "--url", case["url"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert list(record) == RECORD_KEYS
    assert {k: record[k] for k in case["expected"]} == case["expected"]


def test_extract_debug_adds_provenance():
    case = load_case(golden_cases("globalresearch")[0])
    result = run("extract", str(SITES_DIR / "globalresearch" / case["page"]), "--url", case["url"],
                 "--debug")
    record = json.loads(result.output)
    assert record["provenance"]["body"].startswith("css:")
    assert all({"rule", "text"} == set(r) for r in record["removed"])


def test_extract_debug_names_each_piece_of_furniture_and_its_rule():
    case = load_case(GOLDEN_DIR / "globalresearch" / "2025-seed-laws-andes.json")
    result = run("extract", str(SITES_DIR / "globalresearch" / case["page"]), "--url", case["url"],
                 "--debug")
    removed = {(r["rule"], r["text"]) for r in json.loads(result.output)["removed"]}
    assert {("furniture:date_line", "Global Research, November 03, 2025"),
            ("furniture:date_line", "Andean Monitor 1 November 2025"),
            ("furniture:reading_time", "7 min read"),
            ("furniture:link_box", "More on the topic"),
            ("helpful_prompt", "Was this article helpful?")} <= removed
    assert any(rule == "furniture:author_bio" and text.startswith("Lucía Ferreyra is")
               for rule, text in removed)


def test_extract_not_an_article_exits_1():
    case = next(load_case(p) for p in golden_cases("globalresearch")
                if load_case(p)["status"] == "blocked")
    result = run("extract", str(SITES_DIR / "globalresearch" / case["page"]), "--url", case["url"])
    assert result.exit_code == 1
    assert result.output.startswith("blocked: challenge page")


@pytest.mark.parametrize("args,message", [
    (["extract", "missing.html", "--url", "https://www.globalresearch.ca/a/1"],
     "Error: no such file: missing.html"),
    (["extract", __file__, "--url", "https://x.org/", "--site", "nosuchsite"],
     f"Error: unknown site 'nosuchsite' (known: {', '.join(sorted(SITES))})"),
    (["crawl", "nosuchsite"],
     f"Error: unknown site 'nosuchsite' (known: {', '.join(sorted([*SITES, 'news']))})"),
    (["crawl", "news"], "Error: scraper crawl news needs --url URL or --urls-file FILE"),
    (["crawl", "news", "--url", "example.com"],
     "Error: a start URL must start with http:// or https://, not 'example.com'"),
    (["crawl", "news", "--urls-file", "missing.txt"], "Error: no such file: missing.txt"),
    (["crawl", "news", "--url", "https://a.example/", "--base-url", "http://127.0.0.1:8000"],
     "Error: --base-url is for declared sites; give the news spider its sites with --url"),
    (["crawl", "globalresearch", "--url", "https://example.com/"],
     "Error: --url and --urls-file are for `scraper crawl news`, not 'globalresearch'"),
    (["crawl", "globalresearch", "--since", "last week"],
     "Error: --since must be a day as YYYY-MM-DD, not 'last week'"),
    (["crawl", "globalresearch", "--base-url", "localhost:8000"],
     "Error: --base-url must start with http:// or https://, not 'localhost:8000'"),
    # Settings the crawl would refuse only once started, with a traceback from inside Scrapy.
    (["crawl", "globalresearch", "-s", "FETCH_CLIENT=curl"],
     "Error: FETCH_CLIENT must be one of aiohttp, twisted, not 'curl'"),
    (["crawl", "globalresearch", "-s", "ARCHIVE_KEEP_LISTINGS=some"],
     "Error: ARCHIVE_KEEP_LISTINGS must be one of all, changed, latest, none, not 'some'"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    result = run(*args, *(["--db", str(tmp_path / "a.db")] if args[0] == "crawl" else []))
    assert result.exit_code == 2
    assert result.output.strip() == message


def test_unwritable_db_is_reported_before_crawling(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    # A dead port: had the crawl started, it would report a failed fetch, not this.
    result = run("crawl", "globalresearch", "--db", str(blocker / "archive.db"),
                 "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.output.startswith("Error: cannot open archive")
    assert len(result.output.strip().splitlines()) == 1


def test_every_command_documented_with_an_example():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"scraper {name}" in readme, f"README does not show `scraper {name}`"
        assert "Example:" in (command.help or ""), f"`scraper {name} --help` has no example"


def test_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "scraper", "--help"], capture_output=True,
                         text=True, check=True)
    assert "crawl" in out.stdout


def test_ci_runs_exactly_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert f"\n{ci}\n" in (REPO / "README.md").read_text(encoding="utf-8")
