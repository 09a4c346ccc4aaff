"""Shared paths and helpers of the test suite."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SITES_DIR = REPO / "tests" / "sites"
GOLDEN_DIR = REPO / "tests" / "golden"
SHARED = REPO.parent / "shared"
SETTINGS_DIR = REPO / "tests" / "settings"

# Every crawl of the suite, in this process and in the subprocesses it starts, reads
# tests/settings/suite_settings.py: the project's settings with one extraction process (why:
# that module's docstring). Set before any test runs, so each subprocess inherits it.
os.environ["SCRAPY_SETTINGS_MODULE"] = "suite_settings"
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(SETTINGS_DIR), *filter(None, [os.environ.get("PYTHONPATH")])])
sys.path.insert(0, str(SETTINGS_DIR))


def golden_cases(site: str | None = None) -> list[Path]:
    pattern = f"{site}/*.json" if site else "*/*.json"
    return sorted(GOLDEN_DIR.glob(pattern))


def load_case(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def article_count(site: str) -> int:
    """How many of `site`'s golden cases are articles: what a crawl of its replica archives."""
    return sum(load_case(path)["status"] == "article" for path in golden_cases(site))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def copy_archive(db: Path, to: Path) -> Path:
    """Copy a closed archive and the files a crawl keeps beside it (its repeated-paragraph
    store, `<name>.repeats.json`) to `to`, as if the crawl had written there: a test that
    goes on from a shared crawl gets its own copy, the shared one stays as it was. Run
    locks (`*.lock`) are not copied: they belong to no one once the crawl is over."""
    for path in db.parent.iterdir():
        if path.name.startswith(db.stem) and not path.name.endswith(".lock"):
            shutil.copyfile(path, to.parent / (to.stem + path.name.removeprefix(db.stem)))
    return to


@pytest.fixture(scope="session")
def served_db(tmp_path_factory) -> Path:
    """An archive made by the project's code (see served_archive.py), built once; its name
    has a space, because `scraper serve` must work on any path. Tests leave it as it was."""
    from served_archive import build_archive

    return _built(tmp_path_factory.mktemp("served") / "news archive.db", build_archive)


@pytest.fixture(scope="module")
def served_url(served_db):
    """The base URL of the real `scraper serve` running on served_db, one per test module."""
    yield from _serving(served_db)


def _built(db: Path, build) -> Path:
    build(db)
    return db


def _serving(db: Path):
    from served_archive import served

    with served(db) as url:
        yield url


@pytest.fixture(scope="session")
def coverage_db(tmp_path_factory) -> Path:
    """31 articles on three sites over twelve weeks (served_archive.build_coverage_archive),
    for the home, the chart and the search; built once. Tests leave it as it was."""
    from served_archive import build_coverage_archive

    return _built(tmp_path_factory.mktemp("coverage") / "coverage.db", build_coverage_archive)


@pytest.fixture(scope="module")
def coverage_url(coverage_db):
    """The base URL of the real `scraper serve` running on coverage_db, one per module."""
    yield from _serving(coverage_db)
