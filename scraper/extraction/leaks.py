"""The drift canary: does a body still hold a note, label or date line the site's rules name?

A healthy run drops every known piece of furniture, so the share of new bodies that still
hold one is zero; when a redesign changes the markup (a note glued into a paragraph, a label
row inside the text) the rules miss it and the share rises, with no change to the rules. The
check reuses the site's own matchers (its TextRules, its date line, its tag labels), applied
to every line and sentence of the body, since a missed note hides inside a kept paragraph.
Only a site's declared rules count: the generic ones also drop lines that a story may
legitimately hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from scraper.extraction.clean import label_row
from scraper.sites.base import Site

# Where a sentence ends inside a line: after . ! ? … and before what opens the next one.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“‘'(\[]?[^\W\d_a-z])")


def watched(site: Site) -> bool:
    """Whether the site declares anything the canary can look for."""
    return bool(site.rules.text_rules or site.rules.date_line or site.rules.tag_labels)


def boilerplate_leaks(body: str, site: Site) -> list[str]:
    """Names of the site's rules that some line or sentence of `body` still matches, in
    rule order ("date_line" and "tag_labels" for those two)."""
    found: list[str] = []
    date_line = _date_line(site.rules.date_line)
    labels = label_row(tuple(site.rules.tag_labels))
    for piece in segments(body):
        names = [r.name for r in site.rules.text_rules if r.matches(piece)]
        if date_line and date_line.match(piece):
            names.append("date_line")
        if labels and labels.match(piece):
            names.append("tag_labels")
        found += [n for n in names if n not in found]
    return found


def segments(body: str) -> Iterator[str]:
    """Each paragraph of `body`, each of its lines, and each sentence of those."""
    for paragraph in body.split("\n\n"):
        yield paragraph
        lines = paragraph.split("\n")
        for line in lines:
            if len(lines) > 1:
                yield line
            sentences = _SENTENCE_END.split(line)
            if len(sentences) > 1:
                yield from sentences


@lru_cache(maxsize=64)
def _date_line(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None
