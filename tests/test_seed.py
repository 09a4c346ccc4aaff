"""The shared replica of the seed page (outside the repo) against its expected record.

It lives in ../shared, which CI lays beside the clone; elsewhere the test is skipped.
"""

from __future__ import annotations

import json

import pytest
from conftest import SHARED

from scraper.extraction.extract import extract

SEED = SHARED / "fixtures" / "globalresearch"
pytestmark = pytest.mark.skipif(not (SEED / "seed-2019.json").exists(),
                                reason="../shared/fixtures not present")


@pytest.fixture(scope="module")
def seed():
    expected = json.loads((SEED / "seed-2019.json").read_text(encoding="utf-8"))
    html = (SEED / "seed-2019.html").read_text(encoding="utf-8")
    result = extract(html, expected["url"])
    assert result.article is not None, result.reason
    return expected, result.article


def test_seed_fields(seed):
    expected, article = seed
    assert article.url == expected["url"]
    assert article.title == expected["title"]
    assert article.authors == expected["authors"]
    assert article.published == expected["date"]
    assert [t["name"] for t in article.tags] == expected["tags"]
    assert [t["kind"] for t in article.tags] == ["region", "theme", "in_depth_report"]
    assert article.original_source["name"] == expected["original_source"]
    assert article.original_source["date"] == "2019-05-29"
    assert article.body == expected["body"]


def test_seed_boilerplate_absent(seed):
    expected, article = seed
    for phrase in expected["must_not_contain"]:
        assert phrase not in article.body, phrase
