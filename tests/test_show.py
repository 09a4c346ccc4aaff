"""`scraper show URL`: the article and its fetches as text, the stored page, or JSON."""

from __future__ import annotations

import json

import pytest
from captured_pages import (
    FEED,
    FEED_URL,
    HOSTILE_URL,
    PLAIN_URL,
    build_captured_archive,
    hostile_html,
)
from click.testing import CliRunner
from test_archive import gone_page

from scraper.cli import cli

REMOTE = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    db = tmp_path_factory.mktemp("show") / "archive.db"
    return db, build_captured_archive(db, REMOTE)


def show(db, *args):
    return CliRunner().invoke(cli, ["show", *args, "--db", str(db)])


def test_text_is_the_record_then_every_fetch_with_its_headers(archive):
    db, ids = archive
    result = show(db, PLAIN_URL)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Grain ships stall"
    assert f"URL: {PLAIN_URL}" in lines and "Authors: Ann Lee, Bo Ek" in lines
    assert "Tags: Europe (region), Food (theme)" in lines
    assert "Status: gone" in lines and "Gone since: 2026-12-01T09:00:00+00:00" in lines
    body = lines.index("The grain corridor closed on Monday.")
    assert lines[body + 2] == "Prices rose."
    fetches = lines[lines.index("Fetches (2), newest first:") + 1:]
    assert fetches[0].split() == [f"#{ids['gone']}", "2026-12-01T09:00:00+00:00", "HTTP",
                                  "404", "gone", str(len(gone_page().body)), "bytes"]
    assert fetches[1].strip() == "Content-Type: text/html"
    assert fetches[2].startswith(f"  #{ids['plain']} 2026-11-25T10:00:00+00:00  HTTP 200  "
                                 "article")


def test_html_is_the_stored_page_decoded(archive):
    db, ids = archive
    result = show(db, HOSTILE_URL, "--html")
    assert result.exit_code == 0, result.output
    assert result.output == hostile_html(REMOTE).decode("cp1252"), "as fetched, not inert"
    gone = show(db, PLAIN_URL, "--html")  # the page the article was read from, not its 404
    assert "<h1>Grain ships stall</h1>" in gone.output
    answer = show(db, PLAIN_URL, "--html", "--fetch", str(ids["gone"]))
    assert answer.output == "<html><body><h1>404 Not Found</h1></body></html>"


def test_json_is_the_record_and_the_fetches(archive):
    db, ids = archive
    result = show(db, PLAIN_URL, "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["url"] == PLAIN_URL
    assert shown["article"]["authors"] == ["Ann Lee", "Bo Ek"]
    assert shown["article"]["original_source"]["name"] == "South Front"
    assert shown["article"]["gone_at"] == "2026-12-01T09:00:00+00:00"
    assert [(f["id"], f["status"], f["kind"]) for f in shown["fetches"]] == [
        (ids["gone"], 404, "gone"), (ids["plain"], 200, "article")]
    assert shown["fetches"][0]["headers"] == {"Content-Type": "text/html"}
    assert {"fetched_at", "final_url", "sha256", "size", "encoding", "run_id"} <= set(
        shown["fetches"][0])


def test_a_url_with_fetches_and_no_article(archive):
    db, ids = archive
    result = show(db, FEED_URL)
    assert result.exit_code == 0, result.output
    assert "No article" in result.output and f"#{ids['feed']} " in result.output
    assert show(db, FEED_URL, "--html").output == FEED.decode()
    assert json.loads(show(db, FEED_URL, "--json").output)["article"] is None


def test_a_url_is_found_in_its_canonical_form(archive):
    db, _ = archive
    result = show(db, "http://WWW.example.org/story/2?utm_source=x#top")
    assert result.exit_code == 0 and result.output.startswith("Grain ships stall")


def test_an_unknown_url_or_fetch_is_a_usage_error(archive, tmp_path):
    db, ids = archive
    result = show(db, "https://www.example.org/nowhere")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: https://www.example.org/nowhere is not in {db} (no article and no fetch of it)")
    wrong = show(db, PLAIN_URL, "--html", "--fetch", str(ids["feed"]))
    assert wrong.exit_code == 2 and f"its fetches: {ids['gone']}, {ids['plain']}" in wrong.output
    missing = show(tmp_path / "none.db", PLAIN_URL)
    assert missing.exit_code == 2 and "no archive at" in missing.output
