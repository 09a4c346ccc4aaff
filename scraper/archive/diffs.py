"""Comparing two bodies: a paragraph diff a person reads, and word counts a query sorts on.

Shared by the revisions of an article (what its publisher changed) and by republications
(what a republisher changed of the original).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


def paragraph_diff(old: str | None, new: str | None, fromfile: str, tofile: str) -> str:
    """Unified diff, a paragraph a line, from `old` to `new` (archived bodies: one paragraph
    a line, a blank line between two)."""
    return "\n".join(difflib.unified_diff(
        (old or "").splitlines(), (new or "").splitlines(), fromfile=fromfile, tofile=tofile,
        lineterm=""))


@dataclass(frozen=True)
class Comparison:
    """How far `new` is from `old`: the similarity of their words (difflib's ratio, 1.0 for
    the same text), and the words `new` adds and leaves out."""

    similarity: float
    words_added: int
    words_removed: int


def compare_words(old: str | None, new: str | None) -> Comparison:
    """Compare two bodies word by word. Case and punctuation count as the page shows them:
    a republisher that retouches a quote has changed a word."""
    a, b = (old or "").split(), (new or "").split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    added = removed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            removed += i2 - i1
            added += j2 - j1
    return Comparison(round(matcher.ratio(), 4), added, removed)

