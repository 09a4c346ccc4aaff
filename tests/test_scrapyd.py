"""scrapyd runs the project: a real scrapyd on 127.0.0.1 gets the project from
`scrapyd-deploy` (scrapy.cfg's [deploy] section, the egg posted to addversion.json), a crawl
of the replica site is scheduled through its HTTP API (schedule.json), and its articles are
in the archive, its run in `runs` naming scrapyd's log file of the job."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO
from processes import free_port
from test_crawl import EXPECTED, site  # noqa: F401 - site is a fixture

PROJECT = "news-archiver"
# What the egg is built from: the packages, their metadata and scrapy.cfg.
SOURCES = ("scraper", "spiders", "pipelines", "pyproject.toml", "setup.py", "scrapy.cfg",
           "README.md")



def call(url: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{url}/{endpoint}", body, timeout=10) as answer:
        return json.load(answer)


@pytest.fixture
def scrapyd(tmp_path):
    """A scrapyd of the scrapyd package on a free port, its state in a folder of its own."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
        "items_dir =\nmax_proc = 1\npoll_interval = 0.2\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(url, "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            assert process.poll() is None, "scrapyd exited"
            assert time.monotonic() < deadline, "scrapyd did not answer"
            time.sleep(0.2)
        yield url, home
    finally:
        process.terminate()
        process.wait(30)


def deploy(url: str, workdir: Path) -> str:
    """`scrapyd-deploy` run on a copy of the project whose [deploy] URL is the test's
    scrapyd (the repository is left without build files)."""
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, workdir / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, workdir / name)
    cfg = workdir / "scrapy.cfg"
    text = cfg.read_text(encoding="utf-8")
    assert re.search(rf"^\[deploy\]\nurl = \S+\nproject = {PROJECT}$", text, re.M), text
    cfg.write_text(re.sub(r"^url = \S+$", f"url = {url}/", text, flags=re.M), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy"], cwd=workdir,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["status"] == "ok" and answer["spiders"] >= 3, answer
    return answer["version"]


def test_scrapyd_deploys_and_runs_a_scheduled_crawl(scrapyd, site, tmp_path):  # noqa: F811
    url, home = scrapyd
    deploy(url, tmp_path / "project")
    assert "globalresearch" in call(url, f"listspiders.json?project={PROJECT}")["spiders"]
    db = tmp_path / "archive.db"
    job = call(url, "schedule.json", [
        ("project", PROJECT), ("spider", "globalresearch"), ("base_url", site.url),
        ("setting", f"ARCHIVE_PATH={db}"), ("setting", "DOWNLOAD_DELAY=0"),
        ("setting", "AUTOTHROTTLE_ENABLED=False"), ("setting", "EXTRACT_WORKERS=1")])
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 60
    while True:
        jobs = call(url, f"listjobs.json?project={PROJECT}")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        assert time.monotonic() < deadline, jobs
        time.sleep(0.3)
    log = home / "logs" / PROJECT / "globalresearch" / f"{job['jobid']}.log"
    con = sqlite3.connect(db)
    assert {r[0] for r in con.execute("select url from articles")} == set(EXPECTED), (
        log.read_text(encoding="utf-8")[-3000:])
    run = con.execute("select exit_reason, new, log_file from runs").fetchall()
    assert run == [("finished", len(EXPECTED), str(log.resolve()))]
    text = log.read_text(encoding="utf-8")
    assert "Dropped: blocked: challenge page" in text and "Page(" not in text
