"""Comparing two bodies: a unified paragraph diff (stored with a revision), the words
struck and added inside each paragraph (what the article page shows), and word counts a
query sorts on.

Shared by the revisions of an article (what its publisher changed) and by republications
(what a republisher changed of the original).
"""

from __future__ import annotations

import difflib
import re
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


PARAGRAPH_BREAK = "\n\n"  # between two paragraphs of an archived body
SAME, REMOVED, ADDED = "same", "removed", "added"


@dataclass(frozen=True)
class Piece:
    """Words of a paragraph that stayed (SAME), were struck (REMOVED) or put in (ADDED)."""

    kind: str
    text: str


@dataclass(frozen=True)
class ParagraphDiff:
    """A paragraph of the newer version with its changes marked in place, or (`unchanged`
    > 0, no pieces) that many paragraphs that did not change, folded."""

    pieces: tuple[Piece, ...] = ()
    unchanged: int = 0


def inline_diff(old: str | None, new: str | None) -> list[ParagraphDiff]:
    """The changes from `old` to `new` as a reader sees them: paragraph by paragraph, each
    changed paragraph with what was struck and what was added inside it, word by word, and
    the unchanged paragraphs between folded; two paragraphs made one show their break (¶)
    struck. Paragraphs are aligned first, so the word comparison only runs on the
    paragraphs that changed (a long article edited in one place costs little)."""
    a, b = _paragraphs(old), _paragraphs(new)
    out: list[ParagraphDiff] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(ParagraphDiff(unchanged=i2 - i1))
        else:
            out += _changed_block(a[i1:i2], b[j1:j2])
    return out


def inline_words(old: str | None, new: str | None) -> tuple[Piece, ...]:
    """One line of text (a title) from `old` to `new`, word by word."""
    diff = _changed_block([old or ""], [new or ""])
    return diff[0].pieces if diff else ()


def _paragraphs(body: str | None) -> list[str]:
    return [p.strip() for p in (body or "").split(PARAGRAPH_BREAK) if p.strip()]


def _changed_block(old: list[str], new: list[str]) -> list[ParagraphDiff]:
    """Paragraphs `old` replaced by `new`, compared word by word as one run of words with
    the paragraph breaks in it: the newer version's breaks lay out the result, and a break
    the newer one dropped (two paragraphs made one) is shown struck."""
    a, b = _tokens(old), _tokens(new)
    paragraphs: list[list[Piece]] = [[]]

    def put(kind: str, tokens: list[str]) -> None:
        struck_break = False
        for token in tokens:
            if token != PARAGRAPH_BREAK:
                space = " " if struck_break and not token[:1].isspace() else ""
                _append(paragraphs[-1], kind, space + token)
                struck_break = False
            elif kind == REMOVED:
                _append(paragraphs[-1], REMOVED, "¶")
                struck_break = True
            else:
                paragraphs.append([])

    for op, i1, i2, j1, j2 in _word_opcodes(a, b):
        if op == "equal":
            put(SAME, b[j1:j2])  # as the newer version spaces them
        else:
            removed, added = a[i1:i2], b[j1:j2]
            if removed and added and _spaced(removed[0]) and _spaced(added[0]):
                # A replacement: the space before it is no part of either version's words.
                put(SAME, [removed[0][:len(removed[0]) - len(removed[0].lstrip())]])
                removed[0], added[0] = removed[0].lstrip(), added[0].lstrip()
            put(REMOVED, removed)
            put(ADDED, added)
    return [ParagraphDiff(tuple(pieces)) for pieces in paragraphs if pieces]


def _word_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from tokens `a` to `b`, where a mark of punctuation left alone
    between two changes (a full stop matched across a rewritten sentence) joins them: the
    reader sees one change, not two around a dot."""
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b],
                                      autojunk=False)
    codes = matcher.get_opcodes()
    merged: list[tuple[str, int, int, int, int]] = []
    for n, (op, i1, i2, j1, j2) in enumerate(codes):
        lone = (op == "equal" and 0 < n < len(codes) - 1
                and not any(c.isalnum() for t in a[i1:i2] for c in t))
        if op != "equal" or lone:
            if merged and merged[-1][0] == "replace":
                merged[-1] = ("replace", merged[-1][1], i2, merged[-1][3], j2)
            else:
                merged.append(("replace", i1, i2, j1, j2))
        else:
            merged.append((op, i1, i2, j1, j2))
    return merged


def _spaced(token: str) -> bool:
    """Whether the token is a word with a space before it (not a paragraph break)."""
    return token != PARAGRAPH_BREAK and token[:1].isspace()


# A word or a punctuation mark, with the space before it: "rose." -> "rose", ".", so that
# "rose sharply." shows one word added, and the pieces join back into the text as written.
TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])")


def _tokens(paragraphs: list[str]) -> list[str]:
    tokens: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        tokens += ([PARAGRAPH_BREAK] if i else []) + TOKEN.findall(paragraph.strip())
    return tokens


def _append(pieces: list[Piece], kind: str, token: str) -> None:
    if pieces and pieces[-1].kind == kind:
        pieces[-1] = Piece(kind, pieces[-1].text + token)
    else:
        pieces.append(Piece(kind, token))
