"""`scraper export`: JSON lines, CSV and WARC from the archive, with their filters."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_archive import make_item
from warcio.archiveiterator import ArchiveIterator

from scraper.archive import open_archive, write_batch
from scraper.archive.selection import Chosen, selection
from scraper.cli import cli

A = "https://www.example.org/story/1"
B = "https://www.other.example/story/2"
C = "https://www.example.org/story/3"


@pytest.fixture
def archive(db_path):
    db = open_archive(db_path)
    b = make_item(url=B, title="Ports reopen", body="Ships left Odesa at dawn.",
                  published="2024-05-01T08:00:00Z", original_source=None)
    b.article.site = "other"
    b.page.headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
                      "Content-Length": "17"}
    write_batch(db, [make_item(), b, make_item(url=C, title="Wheat prices",
                                               body="Wheat futures fell.", published=None)])
    write_batch(db, [make_item(title="Grain ships stall again")])  # a second fetch of A
    wall = make_item(url="https://www.example.org/wall", title="Just a moment...").page
    write_batch(db, [], pages=[wall])  # a fetch that gave no article
    db.close()
    return db_path


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    return result


def test_jsonl_has_every_field_of_every_article(archive):
    result = run("export", "--db", str(archive))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["url"] for r in rows] == [C, A, B]  # by published date, undated first
    first = rows[1]
    assert first["title"] == "Grain ships stall again"
    assert first["authors"] == ["Ann Lee", "Bo Ek"]
    assert first["tags"][0] == {"name": "Europe", "kind": "region"}
    assert first["original_source"] == {"name": "South Front", "url": "https://southfront.org/x",
                                        "date": "2023-03-13"}
    assert first["revision_count"] == 1 and first["body"].startswith("The grain corridor")
    assert "Exported 3 articles" in result.stderr


def test_filters_site_since_and_query(archive):
    def urls(*args):
        result = run("export", "--db", str(archive), *args)
        assert result.exit_code == 0, result.output
        return [json.loads(line)["url"] for line in result.stdout.splitlines()]

    assert urls("--site", "other") == [B]
    assert urls("--since", "2024-01-01") == [B]
    assert urls("--query", "corridor") == [A]
    assert urls("--query", "wheat OR odesa", "--site", "example") == [C]
    # Matches come in order of publication too (undated first), whatever the index's order.
    assert urls("--query", "wheat OR odesa OR corridor") == [C, A, B]
    assert urls("--query", "wheat OR odesa OR corridor", "--since", "2023-01-01") == [A, B]


def test_csv_to_a_file(archive, tmp_path):
    out = tmp_path / "articles.csv"
    result = run("export", "--db", str(archive), "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    by_url = {r["url"]: r for r in rows}
    assert by_url[A]["authors"] == "Ann Lee; Bo Ek"
    assert by_url[A]["tags"] == "Europe; Food"
    assert by_url[A]["original_source"] == "South Front"
    assert by_url[A]["body"] == "The grain corridor closed on Monday.\n\nPrices rose."


def test_warc_holds_every_fetch_and_reads_back(archive, tmp_path):
    out = tmp_path / "pages.warc.gz"
    result = run("export", "--db", str(archive), "--format", "warc", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Exported 5 pages" in result.stderr
    with out.open("rb") as stream:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
                    r.rec_headers.get_header("WARC-Date"), r.http_headers,
                    r.content_stream().read()) for r in ArchiveIterator(stream)]
    assert records[0][0] == "warcinfo"
    responses = records[1:]
    assert [r[0] for r in responses] == ["response"] * 5
    assert [r[1] for r in responses] == [A, B, C, A, "https://www.example.org/wall"]
    assert responses[0][2] == "2026-11-25T10:00:00Z"
    assert responses[0][3].get_statuscode() == "200"
    assert responses[0][4] == make_item().page.body
    # The stored body is decoded: wire headers about its encoding are not passed on.
    assert responses[1][3].get_header("Content-Encoding") is None
    assert responses[1][3].get_header("Content-Length") == str(len(responses[1][4]))


def test_warc_to_stdout_with_a_filter(archive):
    result = run("export", "--db", str(archive), "--format", "warc", "--site", "other")
    assert result.exit_code == 0, result.output
    uris = [r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(io.BytesIO(result.stdout_bytes)) if r.rec_type == "response"]
    assert uris == [B]


@pytest.mark.parametrize("args, message", [
    (["--query", "AND ("], "fts5: syntax error"),
    (["--since", "May 2024"], "--since must be a day"),
    (["--db", "/nonexistent/archive.db"], "no archive at /nonexistent/archive.db"),
])
def test_bad_input_is_one_line(archive, args, message):
    result = run("export", "--db", str(archive), *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unwritable_output_is_one_line(archive, tmp_path):
    result = run("export", "--db", str(archive), "-o", str(tmp_path / "no" / "such" / "x.csv"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot write") and "No such file" in result.stderr


def test_warc_passes_warcio_check(archive, tmp_path):
    """warcio's own checker (a standard tool) reads every record and verifies its digests."""
    out = tmp_path / "pages.warc.gz"
    assert run("export", "--db", str(archive), "--format", "warc", "-o", str(out)).exit_code == 0
    warcio = Path(sys.executable).parent / "warcio"
    checked = subprocess.run([str(warcio), "check", "-v", str(out)], capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("digest pass") >= 5


def test_a_query_streams_along_the_date_index_without_sorting_its_matches(archive):
    """So the first rows come at once and memory stays the same, however many match."""
    db = open_archive(archive)
    where, params = selection(Chosen(query="grain"), by_date=True)
    plan = [row[3] for row in db.execute(
        f"explain query plan select a.* from articles a{where} order by a.published", params)]
    assert any("idx_articles_published" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
