"""`scraper export`: JSON lines, CSV and WARC from the archive, with their filters."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
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
                  published="2024-05-01T23:00:00Z", original_source=None, kind="video",
                  authors=["Maria Lopez"], tags=[{"name": "Ukraine", "kind": "region"}])
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


def test_filters_until_tag_author_kind_and_limit(archive):
    def urls(*args):
        result = run("export", "--db", str(archive), *args)
        assert result.exit_code == 0, result.output
        return [json.loads(line)["url"] for line in result.stdout.splitlines()]

    # --until takes in the whole day, whatever the hour of publication.
    assert urls("--until", "2024-05-01") == [A, B]
    assert urls("--until", "2024-04-30") == [A]
    assert urls("--since", "2023-03-14", "--until", "2023-03-14") == [A]
    assert urls("--tag", "ukraine") == [B]  # case does not matter
    assert urls("--tag", "Europe") == [C, A]
    assert urls("--tag", "Europe", "--since", "2023-01-01") == [A]
    assert urls("--author", "maria lopez") == [B]
    assert urls("--author", "Ann Lee", "--site", "other") == []  # known names, no match
    assert urls("--kind", "video") == [B]
    assert urls("--kind", "article") == [C, A]
    assert urls("--limit", "2") == [C, A]
    assert urls("--limit", "1", "--tag", "Ukraine") == [B]


def test_fields_choose_and_order_the_columns(archive, tmp_path):
    result = run("export", "--db", str(archive), "--fields", "published, url,authors",
                 "--site", "other")
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"published": "2024-05-01T23:00:00Z", "url": B, "authors": ["Maria Lopez"]}]
    out = tmp_path / "a.csv"
    result = run("export", "--db", str(archive), "--format", "csv", "-o", str(out),
                 "--fields", "url,original_source,kind", "--tag", "Food", "--limit", "1")
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows == [["url", "original_source", "original_source_url", "original_source_date",
                     "kind"], [C, "South Front", "https://southfront.org/x", "2023-03-13",
                               "article"]]


def test_warc_until_and_limit_count_fetches(archive, tmp_path):
    def uris(*args):
        out = tmp_path / "p.warc.gz"
        result = run("export", "--db", str(archive), "--format", "warc", "-o", str(out), *args)
        assert result.exit_code == 0, result.output
        with out.open("rb") as stream:
            return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                    if r.rec_type == "response"]

    assert uris("--until", "2026-11-24") == []  # every fetch is of 2026-11-25
    assert len(uris("--until", "2026-11-25")) == 5
    assert uris("--limit", "2") == [A, B]
    assert uris("--tag", "Ukraine", "--until", "2026-11-25") == [B]


@pytest.mark.parametrize("args, message", [
    (["--site", "exampel"], "no site 'exampel' in the archive (closest: 'example', 'other')"),
    (["--tag", "Europa"], "no tag 'Europa' in the archive (closest: 'Europe', "),
    (["--author", "Ann Le"], "no author 'Ann Le' in the archive (closest: 'Ann Lee', "),
    (["--format", "warc", "--site", "nosuch"], "no site 'nosuch'"),
    (["--kind", "videos"], "--kind must be a kind of post, not 'videos' (closest: 'video', "),
    (["--fields", "url,titel"], "no field 'titel' in an exported article (closest: 'title', "),
    (["--fields", " , "], "--fields needs at least one field name"),
    (["--format", "warc", "--fields", "url"], "--fields is for jsonl and csv"),
    (["--until", "2024-13-01"], "--until must be a day"),
])
def test_unknown_names_are_exit_2_with_the_closest_known(archive, args, message):
    result = run("export", "--db", str(archive), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_suggestions_come_closest_first_and_say_how_many():
    from scraper.archive.selection import suggestion

    known = [f"Author {n}" for n in range(40)] + ["Maria Lopez", "Mario Lopes"]
    assert suggestion("maria lopez", known).startswith(" (closest: 'Maria Lopez', 'Mario Lopes'")
    assert suggestion("maria lopez", known).endswith("; 42 in all)")
    assert suggestion("x", []) == " (it holds none)"


@pytest.mark.parametrize("query, why", [("AND (", "fts5: syntax error"),
                                        ("grain OR", "fts5: syntax error"),
                                        ('say "hello', "unterminated string")])
def test_a_bad_query_is_blamed_on_the_query_not_the_file(archive, query, why):
    result = run("export", "--db", str(archive), "--query", query)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith(f"Error: --query {query!r} is not a full-text query"), line
    assert why in line
    assert "cannot read" not in line
    assert str(archive) not in line


def test_warc_refuses_a_terminal_but_not_a_pipe(archive):
    """A real terminal (a pseudo-terminal) on standard output: gzip bytes there would only
    garble it."""
    scraper = Path(sys.executable).parent / "scraper"
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([str(scraper), "export", "--format", "warc", "--db", str(archive)],
                              stdout=follower, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert done.stderr.strip() == ("Error: --format warc writes gzip data: give -o FILE "
                                   "(or pipe it)")
    piped = subprocess.run([str(scraper), "export", "--format", "warc", "--db", str(archive)],
                           capture_output=True, timeout=60)
    assert piped.returncode == 0 and piped.stdout[:2] == b"\x1f\x8b"  # gzip


@pytest.mark.parametrize("args, message", [
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
