"""The drift canary's matcher: the site's own rules, on every line and sentence of a body."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import SITES_DIR, golden_cases, load_case

from scraper.extraction.extract import extract
from scraper.extraction.leaks import boilerplate_leaks, segments, watched
from scraper.sites import SITES, generic_site

GR = SITES["globalresearch"]
PROSE = ("The barrier held through the night, and by morning the engineers said the "
         "river had dropped by half a metre.")


def test_a_clean_body_leaks_nothing():
    assert boilerplate_leaks(f"{PROSE}\n\n{PROSE}", GR) == []


@pytest.mark.parametrize(("body", "rule"), [
    # A note glued to the end of a kept paragraph, as its last sentence.
    (f"{PROSE} Click the share button above to email/forward this article.", "share_button_note"),
    # A note on its own line inside a paragraph (a <br> where a </p> was).
    (f"{PROSE}\nGlobal Research is a reader-funded media. We do not accept funding.",
     "reader_funded_appeal"),
    (f"Global Research, May 30, 2019\n{PROSE}", "date_line"),
    (f"{PROSE}\n\nRegion: Europe", "tag_labels"),
    (f"{PROSE}\n\nThe original source of this article is Global Research", "original_source_line"),
])
def test_a_note_left_in_the_body_is_named(body, rule):
    assert rule in boilerplate_leaks(body, GR)


def test_a_sentence_that_only_mentions_a_note_is_no_leak():
    body = (f"{PROSE} The editor said that global research is a reader-funded media "
            "project, and that the original source of this article is an open question.")
    assert boilerplate_leaks(body, GR) == []


def test_segments_are_paragraphs_lines_and_sentences():
    body = "One. Two!\nThree?\n\nFour"
    assert list(segments(body)) == ["One. Two!\nThree?", "One. Two!", "One.", "Two!",
                                    "Three?", "Four"]


def test_a_site_without_rules_is_not_watched():
    site = generic_site("https://harbour-weekly.example/x")
    assert not watched(site) and watched(GR)
    assert boilerplate_leaks("Click the share button above to email this article.", site) == []


def _replica_cases():
    return [c for c in map(load_case, golden_cases("globalresearch")) if c["status"] == "article"]


@pytest.mark.parametrize("case", _replica_cases(), ids=lambda c: c["url"].rsplit("/", 2)[1])
def test_the_replica_bodies_leak_nothing(case):
    html = (SITES_DIR / "globalresearch" / case["page"]).read_text(encoding="utf-8")
    assert boilerplate_leaks(extract(html, case["url"], GR).article.body, GR) == []


def test_a_rule_switched_off_leaks_what_it_dropped():
    """Extraction without one of the site's rules keeps that rule's note in the body (unless
    another rule catches it): the canary, with the site's full rules, names it. Tried for
    every site rule that fires on a replica page."""
    tried = 0
    for case in _replica_cases():
        html = (SITES_DIR / "globalresearch" / case["page"]).read_text(encoding="utf-8")
        removed = extract(html, case["url"], GR).article.removed
        for name in sorted({r["rule"] for r in removed} & {r.name for r in GR.rules.text_rules}):
            rules = tuple(r for r in GR.rules.text_rules if r.name != name)
            body = extract(html, case["url"],
                           replace(GR, rules=replace(GR.rules, text_rules=rules))).article.body
            if any(r["text"] in body.split("\n\n") for r in removed if r["rule"] == name):
                assert name in boilerplate_leaks(body, GR), (case["url"], name)
                tried += 1
    assert tried >= 3
