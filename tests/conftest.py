"""Shared paths and helpers of the test suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SITES_DIR = REPO / "tests" / "sites"
GOLDEN_DIR = REPO / "tests" / "golden"
SHARED = REPO.parent / "shared"


def golden_cases(site: str | None = None) -> list[Path]:
    pattern = f"{site}/*.json" if site else "*/*.json"
    return sorted(GOLDEN_DIR.glob(pattern))


def load_case(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"
