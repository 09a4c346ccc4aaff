"""The literal strings that every match of a pattern holds, to pass over a text holding none
of them without running the pattern.

A case-insensitive search for a phrase among alternatives ("subscribe to continue reading|
nur für abonnenten|…") is tried at every position of a text, alternative by alternative:
on a short paragraph it costs microseconds, and every paragraph of every page meets every
boilerplate rule. Looking for a handful of plain strings in the folded text is many times
cheaper, and a text that holds none of them cannot match. The strings are read from the
pattern's own parse, so they follow the pattern when it is edited.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def fold(text: str) -> str:
    """`text` folded so that whatever a case-insensitive pattern matches folds as the
    pattern's literals do: case folding, and the two letters `re` takes for "i" though
    folding does not (dotless ı; İ, which folds to "i" and a combining dot)."""
    return text.casefold().replace("ı", "i").replace("\u0307", "")


@lru_cache(maxsize=1024)
def screen(pattern: str) -> tuple[str, ...] | None:
    """Folded strings one of which every match of `pattern` (compiled case-insensitive)
    holds, or None: when no such strings are found, or when the pattern is anchored at
    the text's start (`re` tries it there only, which is cheap already)."""
    parsed = list(_parser.parse(pattern, re.IGNORECASE))
    if parsed and parsed[0] == (sre.AT, sre.AT_BEGINNING):
        return None
    return literals(pattern)


@lru_cache(maxsize=1024)
def literals(pattern: str) -> tuple[str, ...] | None:
    """Folded strings one of which every match of `pattern` holds, with or without case
    (a match with case is one without), anchored or not; None where no such strings are
    found."""
    found = _factors(list(_parser.parse(pattern, re.IGNORECASE)))
    return tuple(sorted(found)) if found and all(found) else None


def _factors(items: list) -> frozenset[str] | None:
    """The best set of literal runs one of which every match of the sequence `items`
    holds (the set whose shortest string is longest), or None."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:  # a run of literals ends: the match holds it whole
            consider(frozenset({fold("".join(run))}))
            run = []
        if op is sre.SUBPATTERN:
            consider(_factors(list(av[-1])))
        elif op is sre.ATOMIC_GROUP:
            consider(_factors(list(av)))
        elif op is sre.BRANCH:  # one of the alternatives matches: the union of theirs
            alternatives = [_factors(list(alt)) for alt in av[1]]
            if all(alternatives):
                consider(frozenset().union(*alternatives))
        elif op in _REPEATS and av[0] >= 1:  # repeated at least once
            consider(_factors(list(av[2])))
    if run:
        consider(frozenset({fold("".join(run))}))
    return best
