"""Golden tests: every replica page of every declared site against its expected record."""

from __future__ import annotations

import pytest
from conftest import GOLDEN_DIR, SITES_DIR, golden_cases, load_case

from scraper.extraction.extract import extract
from scraper.extraction.text import word_count
from scraper.sites import SITES

CASES = golden_cases()


def test_every_site_has_golden_cases():
    for name in SITES:
        assert golden_cases(name), f"site {name} has no golden case in {GOLDEN_DIR / name}"


def _result(case_path):
    case = load_case(case_path)
    site = case_path.parent.name
    html = (SITES_DIR / site / case["page"]).read_text(encoding="utf-8")
    return case, extract(html, case["url"], SITES[site])


@pytest.mark.parametrize("case_path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_status(case_path):
    case, result = _result(case_path)
    assert result.status == case["status"], result.reason


ARTICLE_CASES = [p for p in CASES if load_case(p)["status"] == "article"]
FIELDS = ["url", "site", "kind", "title", "subtitle", "byline", "authors", "published",
          "published_text", "tags", "original_source", "language", "body"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case_path", ARTICLE_CASES,
                         ids=[f"{p.parent.name}/{p.stem}" for p in ARTICLE_CASES])
def test_field(case_path, field):
    case, result = _result(case_path)
    assert result.article is not None, result.reason
    assert result.article.as_dict()[field] == case["expected"][field]


@pytest.mark.parametrize("case_path", ARTICLE_CASES,
                         ids=[f"{p.parent.name}/{p.stem}" for p in ARTICLE_CASES])
def test_boilerplate_excluded_and_counts(case_path):
    case, result = _result(case_path)
    article = result.article
    for phrase in case.get("body_excludes", []):
        assert phrase not in article.body, phrase
    assert article.word_count == word_count(article.body)
    assert "\n\n\n" not in article.body and article.body == article.body.strip()
