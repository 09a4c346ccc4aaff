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
    matcher, a, b = _word_matcher(old, new)
    added = removed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            removed += i2 - i1
            added += j2 - j1
    return Comparison(round(matcher.ratio(), 4), added, removed)


@dataclass(frozen=True)
class WordChange:
    """One change from `old` to `new`: the words cut and put in their place, with a few
    words of context either side, so that a cut clause is seen in a long paragraph."""

    before: str
    removed: str
    added: str
    after: str


def word_changes(old: str | None, new: str | None, context: int = 4) -> list[WordChange]:
    """The changes from `old` to `new`, word by word, in reading order."""
    matcher, a, b = _word_matcher(old, new)
    return [WordChange(" ".join(a[max(0, i1 - context):i1]), " ".join(a[i1:i2]),
                       " ".join(b[j1:j2]), " ".join(a[i2:i2 + context]))
            for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def _word_matcher(old: str | None, new: str | None
                  ) -> tuple[difflib.SequenceMatcher, list[str], list[str]]:
    a, b = (old or "").split(), (new or "").split()
    return difflib.SequenceMatcher(None, a, b, autojunk=False), a, b

