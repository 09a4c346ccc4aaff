"""Archives as files researchers share: the read-only commands read an archive on a folder that
cannot be written and leave it byte for byte as it was; a file that is no archive of this
project is refused by every command, and nothing is added to it.

A read-only folder is made for real: `chmod 0555` for an ordinary user; as root (who writes
through any mode bits) a read-only bind mount of the folder onto itself, in a private mount
namespace (`unshare`), for the one command run there.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SITES_DIR
from served_archive import get_json, served

from scraper.fixture_server import FixtureSite

SCRAPER = (sys.executable, "-m", "scraper")
# Run the rest of the command with "$0" (a folder) read-only, after checking it is.
READ_ONLY_MOUNT = ('mount --bind -o ro "$0" "$0" && ! touch "$0/.probe" 2>/dev/null '
                   '&& exec "$@"')


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of `folder`: its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture
def read_only(served_db, tmp_path):
    """A copy of an archive in a folder made read-only; yields (archive, command prefix)."""
    folder = tmp_path / "shared copy"
    folder.mkdir()
    archive = folder / "archive.db"
    shutil.copyfile(served_db, archive)
    if os.geteuid() != 0:
        archive.chmod(0o444)
        folder.chmod(0o555)
        yield archive, ()
        folder.chmod(0o755)
        return
    prefix = ("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", READ_ONLY_MOUNT,
              str(folder))
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"root, and no read-only bind mount here: {probe.stderr.strip()}")
    yield archive, prefix


def run(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, *SCRAPER, *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def test_sqlite_alone_cannot_read_the_read_only_copy(read_only):
    """What the commands must get around: the read-only mode needs the WAL's -shm file."""
    archive, prefix = read_only
    reader = ("import sqlite3, sys; sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True)"
              ".execute('select count(*) from articles').fetchone()")
    out = subprocess.run([*prefix, sys.executable, "-c", reader, str(archive)],
                         capture_output=True, text=True)
    # (as root, in the read-only mount: cannot open; for a user, in a 0555 folder: cannot
    # write the -shm file)
    assert out.returncode != 0
    assert "unable to open database file" in out.stderr or "readonly database" in out.stderr


def test_read_only_commands_read_a_read_only_copy_and_leave_it_as_it_was(read_only, tmp_path):
    archive, prefix = read_only
    before = snapshot(archive.parent)
    total = sqlite3.connect(f"file:{archive}?immutable=1", uri=True).execute(
        "select count(*) from articles").fetchone()[0]
    assert total > 5

    stats = run("stats", "--db", str(archive), prefix=prefix)
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.startswith(f"{total} articles, published ")

    out = tmp_path / "articles.jsonl"
    export = run("export", "--db", str(archive), "-o", str(out), prefix=prefix)
    assert export.returncode == 0, export.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == total
    warc = run("export", "--format", "warc", "--db", str(archive), "-o",
               str(tmp_path / "pages.warc.gz"), prefix=prefix)
    assert warc.returncode == 0, warc.stderr

    with served(archive, prefix) as url:
        assert get_json(f"{url}/archive/articles.json?_shape=array&_size=max").__len__() == total
        databases = get_json(f"{url}/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("archive", False)]

    assert snapshot(archive.parent) == before  # no -wal, no -shm, the same bytes and mtime


def test_a_writable_folder_is_read_without_changing_the_archive(tmp_path):
    """On a writable folder SQLite's read-only mode (which sees a running crawl's commits)
    is used; the archive itself is not written, and an older one is not migrated (serving
    one: test_serve.py)."""
    old = tmp_path / "old.db"
    old.write_bytes((REPO / "tests" / "data" / "archive_m001.db").read_bytes())
    before = old.read_bytes(), old.stat().st_mtime_ns
    export = run("export", "--db", str(old))
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) > 0
    assert (old.read_bytes(), old.stat().st_mtime_ns) == before
    con = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
    assert con.execute("select count(*) from _sqlite_migrations").fetchone() == (1,)


def foreign_files(folder: Path) -> dict[str, Path]:
    """Files that are no archive of this project: another program's SQLite database, a
    text file, an empty file."""
    other = folder / "other.db"
    con = sqlite3.connect(other)
    con.execute("create table notes (id integer primary key, text)")
    con.execute("insert into notes (text) values ('mine')")
    con.commit()
    con.close()
    (folder / "notes.db").write_text("not a database\n")
    (folder / "empty.db").write_bytes(b"")
    return {p.name: p for p in (other, folder / "notes.db", folder / "empty.db")}


COMMANDS = {
    "stats": ("stats",),
    "export": ("export",),
    "export-warc": ("export", "--format", "warc", "-o", "{out}"),
    "serve": ("serve", "--port", "1"),
    "reextract": ("reextract",),
    "demo": ("demo",),
    "crawl": ("crawl", "globalresearch", "--base-url", "http://127.0.0.1:9"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_is_no_archive_is_refused_and_left_alone(command, tmp_path):
    files = foreign_files(tmp_path)
    if command in ("crawl", "demo"):  # a crawl into an empty (or new) file makes an archive
        files.pop("empty.db")
    before = snapshot(tmp_path)
    for path in files.values():
        args = [a.format(out=tmp_path / "out.warc.gz") for a in COMMANDS[command]]
        out = run(*args, "--db", str(path))
        assert (out.returncode, out.stderr) == (
            2, f"Error: not a news-archiver archive: {path}\n"), (command, path.name)
    assert snapshot(tmp_path) == before


def test_a_crawl_into_an_empty_file_makes_an_archive(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with FixtureSite(SITES_DIR / "globalresearch") as site:
        out = run("crawl", "globalresearch", "--db", str(empty), "--base-url", site.url,
                  "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                  "-s", "LOG_LEVEL=ERROR")
    assert out.returncode == 0, out.stderr
    stats = run("stats", "--db", str(empty))
    assert stats.returncode == 0 and not stats.stdout.startswith("0 articles")
    assert json.loads(run("export", "--db", str(empty)).stdout.splitlines()[0])["url"]
