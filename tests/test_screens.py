"""The shortcuts of the body path give what the long way gives: a rule's screen never hides
a match, a box's text content bounds the text it shows."""

from __future__ import annotations

import re

import pytest
from parsel import Selector

from scraper.extraction.boilerplate import (
    GENERIC_TEXT_RULES,
    TextRule,
    drop_elements,
    drop_paragraphs,
)
from scraper.extraction.screens import fold, screen
from scraper.extraction.text import Block
from scraper.sites import SITES

ALL_RULES = [*GENERIC_TEXT_RULES, *(r for site in SITES.values() for r in site.rules.text_rules)]


def _root(html):
    return Selector(text=html).css("div#c")[0].root


def test_screen_reads_the_strings_every_match_holds():
    assert screen(r"(sign(ing)? up|subscribe).*newsletter|newsletter.*(join|now)") == (
        "newsletter",)
    assert screen(r"(réservée? aux Abonnés|only for subscribers)") == (
        " aux abonnés", "only for subscribers")
    assert screen(r"all rights reserved\.?$") == ("all rights reserved",)
    assert screen(r"x+(ab)+") == ("ab",)


def test_no_screen_where_a_match_may_hold_no_literal_or_re_is_cheap():
    assert screen(r"^(by|von)\s+\w+$") is None  # anchored: tried at the start only
    assert screen(r"\d+\s*\w") is None
    assert screen(r"(ab)?\d") is None  # optional: a match need not hold it
    assert screen(r"ab|\d") is None  # one alternative holds no literal


def test_every_screened_character_folds_as_the_characters_re_takes_for_it():
    """The screen compares folded texts: each character `re` matches to a screened one
    case-insensitively (long s, Kelvin sign, dotless and dotted i…) must fold alike."""
    chars = {c for rule in ALL_RULES for need in screen(rule.pattern) or () for c in need}
    assert chars
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for char in chars:
        for match in re.finditer(re.escape(char), every, re.IGNORECASE):
            assert fold(match[0]) == fold(char), (char, match[0])


@pytest.mark.parametrize("text", [
    "SIGN UP for our Newsletter", "ſign up for our newsletter", "Sİgn up for our NEWSLETTER",
    "Already a ſubscriber? Log in", "NUR FÜR ABONNENTEN", "All rights reserved.",
    "Please enable JavaScript to view", "A paragraph about a newsletter sign-up drive.",
    "Il vous reste 80 % de cet article à lire.", "Nothing to see here.",
])
def test_screened_rules_find_what_the_plain_rules_find(text):
    kept, dropped = drop_paragraphs([Block(text, "p")], ALL_RULES)
    plain = next((r.name for r in ALL_RULES if r.matches(text)), None)
    assert dropped == ([(plain, text)] if plain else [])
    assert kept == ([] if plain else [Block(text, "p")])


def test_a_screen_passes_over_a_text_without_its_strings():
    rule = TextRule("paywall", r"subscribe to continue|nur für abonnenten")
    assert drop_paragraphs([Block("Subscribe to Continue now", "p")], [rule])[1]
    assert not drop_paragraphs([Block("Subscribe now to keep on", "p")], [rule])[1]


def test_a_box_shown_longer_than_its_text_content_is_spared():
    # Text content "abcd" is half of the container's text, but each line break shows as a
    # space: the box shows "a b c d", more than half, and a wrapper that big stays.
    root = _root('<div id="c">x<div class="share">a<br>b<br>c<br>d</div></div>')
    assert drop_elements(root) == []
    root = _root('<div id="c">xxxxxxxx<div class="share">a<br>b</div></div>')
    assert drop_elements(root) == [".share"]
