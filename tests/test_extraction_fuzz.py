"""Property: extract() returns an Extraction for any page, never an exception. Hypothesis
drives the mutations of tests/mutations.py (byte flips, truncation, control characters,
deep nesting, huge tags and attributes, broken JSON-LD…) over the project's own fixture
pages, at a tenth of the bench's sizes to keep the suite quick; bench/fuzz_extraction.py
runs them at full size and times them."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import MUTATIONS, fixture_pages, mutate

from scraper.extraction.extract import extract
from scraper.extraction.record import Extraction

PAGES = fixture_pages()
SCALE = 0.1
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(result: Extraction) -> None:
    assert isinstance(result, Extraction)
    assert result.status in {"article", "not_article", "blocked"}
    if result.status == "article":
        assert result.article.title and result.article.body
    else:
        assert result.reason and result.article is None


@FUZZ
@given(page=st.sampled_from(PAGES),
       names=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3),
       rng=st.randoms(use_true_random=False))
def test_mutated_fixture_pages_never_raise(page, names, rng):
    _, url, html = page
    check(extract(mutate(html, rng, names, SCALE), url))


@settings(FUZZ, max_examples=100)
@given(page=st.sampled_from(PAGES), where=st.floats(0, 1), text=st.text(max_size=300))
def test_any_text_anywhere_never_raises(page, where, text):
    """Whatever Hypothesis writes (any code point, markup fragments it stumbles on) at any
    place of a page."""
    _, url, html = page
    at = int(where * len(html))
    check(extract(html[:at] + text + html[at:], url))


# Pieces of markup, JSON and the characters that break parsers, for soups of them.
SOUP = [*'<>/="\' &#;x0123abdipv{}[]:,\x00\x0b\ud800', "<p>", "</p>", "<div>", "<title>",
        "</title>", '<script type="application/ld+json">', "</script>", "<table>", "<td>",
        "<h1>", '{"@type": "NewsArticle", "headline": ', "<!--", "&#0;", "</html>"]


@settings(FUZZ, max_examples=50)
@given(html=st.lists(st.sampled_from(SOUP), max_size=500).map("".join))
def test_markup_soup_never_raises(html):
    check(extract(html, "https://soup.example/2025/03/01/story"))
