"""trafilatura's queries on class and id values, answered by one verdict per attribute list.

Inside its main pass (`_extract`, which main_text calls through trafilatura's own steps)
trafilatura finds the story's element with BODY_XPATH and prunes it with
OVERALL_DISCARD_XPATH: queries that test every element's class and id with `re:test`, which
lxml answers by a call into Python per element and test, each running a pattern of dozens
of alternatives at every position of the value: about a tenth of extract()'s time. A page
repeats a few hundred attribute lists over thousands of elements, so the same predicates,
read from each query's own text and judged once per attribute list, find the same elements
in the same order for a fraction of that. `python_answered()` lends these answers to
trafilatura's module for the length of one of our calls, and only then (the bench's plain
trafilatura, and any other caller, runs its own queries); a query whose form `PyQuery`
cannot read is left as it is.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from lxml import etree
from trafilatura import external, main_extractor

Attrs = tuple[tuple[str, str], ...]
Test = Callable[[Attrs], bool]

_NAME = r"@[\w.-]+"
_LITERAL = r"'[^']*'"
# An argument: an attribute, a union of attributes (its first in document order), or an
# attribute's value with translate().
_ARG = (rf"(?:translate\(\s*(?P<t_name>{_NAME})\s*,\s*(?P<t_from>{_LITERAL})\s*,"
        rf"\s*(?P<t_to>{_LITERAL})\s*\)|(?P<names>{_NAME}(?:\s*\|\s*{_NAME})*))")
_TERM = re.compile(
    rf"\s*(?:re:test\(\s*{_ARG}\s*,\s*(?P<pattern>{_LITERAL})\s*(?:,\s*(?P<flags>{_LITERAL})\s*)?\)"
    rf"|(?P<func>contains|starts-with)\(\s*{_ARG.replace('?P<', '?P<f_')}\s*,"
    rf"\s*(?P<needle>{_LITERAL})\s*\)"
    rf"|(?P<eq_name>{_NAME})\s*=\s*(?P<eq_value>{_LITERAL})"
    rf"|(?P<has>{_NAME})(?!\s*[=|]))\s*")
_OR = re.compile(r"or(?=[\s(@])")
_TAGS = re.compile(r"\s*self::(\w+)(?:\s+or\s+self::(\w+))*\s*$")


def _literal(token: str) -> str:
    return token[1:-1]


def _value(attrs: Attrs, names: frozenset[str]) -> str:
    """The string value of a union of attributes: its first in document order, or ""."""
    return next((value for name, value in attrs if name in names), "")


def _argument(match: re.Match[str], prefix: str = "") -> Callable[[Attrs], str]:
    if match[f"{prefix}t_name"]:
        names = frozenset({match[f"{prefix}t_name"][1:]})
        source, target = _literal(match[f"{prefix}t_from"]), _literal(match[f"{prefix}t_to"])
        table: dict[int, int | None] = {}
        for i, char in enumerate(source):  # XPath: the first occurrence counts
            table.setdefault(ord(char), ord(target[i]) if i < len(target) else None)
        return lambda attrs: _value(attrs, names).translate(table)
    names = frozenset(n.strip()[1:] for n in match[f"{prefix}names"].split("|"))
    return lambda attrs: _value(attrs, names)


def _term(match: re.Match[str]) -> Test:
    """One test of the disjunction, as XPath 1.0 and lxml's EXSLT `re:test` answer it."""
    if match["pattern"] is not None:
        arg = _argument(match)
        flags = _literal(match["flags"]) if match["flags"] else ""
        pattern = re.compile(_literal(match["pattern"]), re.IGNORECASE if "i" in flags else 0)
        return lambda attrs: pattern.search(arg(attrs)) is not None
    if match["func"]:
        arg, needle = _argument(match, "f_"), _literal(match["needle"])
        if match["func"] == "contains":
            return lambda attrs: needle in arg(attrs)
        return lambda attrs: arg(attrs).startswith(needle)
    if match["eq_name"]:
        name, wanted = match["eq_name"][1:], _literal(match["eq_value"])
        return lambda attrs: any(n == name and v == wanted for n, v in attrs)
    name = match["has"][1:]
    return lambda attrs: any(n == name for n, _ in attrs)


def _disjunction(text: str) -> list[Test] | None:
    tests, pos = [], 0
    while True:
        match = _TERM.match(text, pos)
        if match is None:
            return None
        tests.append(_term(match))
        pos = match.end()
        if pos == len(text):
            return tests
        if not _OR.match(text, pos):
            return None
        pos += 2


def _predicates(text: str) -> list[str] | None:
    """The bracketed predicates `[…][…]` that make up `text`, or None."""
    found, depth, start, quoted = [], 0, 0, False
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "[":
            if depth == 0:
                if text[start:i].strip():
                    return None
                start = i + 1
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                found.append(text[start:i])
                start = i + 1
            elif depth < 0:
                return None
    return found if depth == 0 and not quoted and not text[start:].strip() else None


VERDICTS_KEPT = 2048


class PyQuery:
    """A query `.//*[self::a or …][T or T …]`, its first element `(…)[1]` or each parent's
    first `…[1]`, where each T tests attributes: `@a`, `@a='v'`, `contains(X, 'v')`,
    `starts-with(X, 'v')`, `re:test(X, 'p'[, 'i'])`, X an attribute, a union of them or
    `translate(@a, 'f', 't')`. Called on an element, it gives what the XPath gives."""

    def __init__(self, path: str, tags: tuple[str, ...], tests: list[Test], names: set[str],
                 first: str = ""):
        self.path = path
        self._tests = tests
        self._first = first  # "", "all" ((…)[1]) or "siblings" (…[1])
        self._tags = tags or (etree.Element,)
        self._names = frozenset(names)
        # Verdicts by the attributes read, kept across pages: a site's pages share their
        # templates' names. At most VERDICTS_KEPT, then begun again.
        self._verdicts: dict[Attrs, bool] = {}

    @classmethod
    def read(cls, path: str) -> PyQuery | None:
        """The query for `path`, or None where it is not of the form above."""
        text, first = " ".join(path.split()), ""
        if '"' in text:  # a literal quoted so could hold "]" or "'": not read
            return None
        if text.startswith("(") and text.endswith(")[1]"):
            text, first = text[1:-4].strip(), "all"
        if not text.startswith(".//*"):
            return None
        predicates = _predicates(text[4:])
        if not predicates:
            return None
        if predicates[-1].strip() == "1" and not first:
            predicates, first = predicates[:-1], "siblings"
        tags: tuple[str, ...] = ()
        if len(predicates) == 2 and _TAGS.match(predicates[0]):
            tags = tuple(re.findall(r"self::(\w+)", predicates[0]))
            predicates = predicates[1:]
        tests = _disjunction(predicates[0]) if len(predicates) == 1 else None
        if tests is None:
            return None
        return cls(path, tags, tests, set(re.findall(rf"(?<=@){_NAME[1:]}", predicates[0])),
                   first)

    def __call__(self, root: etree._Element) -> list[etree._Element]:
        verdicts = self._verdicts
        if len(verdicts) >= VERDICTS_KEPT:
            verdicts.clear()
        found: list[etree._Element] = []
        parents: set[etree._Element] = set()  # held, so each parent keeps its proxy
        names = self._names
        for el in root.iterdescendants(*self._tags):
            # Those it reads only: a link's own href would make each element a new case.
            attrs = tuple([item for item in el.items() if item[0] in names])
            verdict = verdicts.get(attrs)
            if verdict is None:
                verdict = verdicts[attrs] = any(test(attrs) for test in self._tests)
            if not verdict:
                continue
            if self._first == "all":
                return [el]
            if self._first == "siblings":
                parent = el.getparent()
                if parent in parents:
                    continue
                parents.add(parent)
            found.append(el)
        return found

    def __str__(self) -> str:  # trafilatura logs the query that found the body
        return self.path


def python_queries(queries: list[Any]) -> list[Any]:
    """`queries` with each one PyQuery can read answered by it."""
    return [PyQuery.read(q.path) or q if isinstance(q, etree.XPath) else q for q in queries]


# trafilatura's module globals its main pass (and the comparison of its full mode) reads.
# (Its prunes by `contains()` alone, which lxml answers without Python, gain little.)
# A name another trafilatura no longer has is left out: its queries stay lxml's.
_LENT = [(module, name) for module, name in (
    (main_extractor, "BODY_XPATH"), (main_extractor, "OVERALL_DISCARD_XPATH"),
    (external, "OVERALL_DISCARD_XPATH")) if isinstance(getattr(module, name, None), list)]
_OWN = {(module, name): getattr(module, name) for module, name in _LENT}
_ANSWERED = {key: python_queries(queries) for key, queries in _OWN.items()}
_LOCK = threading.Lock()
_depth = 0


@contextmanager
def python_answered() -> Iterator[None]:
    """trafilatura's class and id queries answered by PyQuery while the block runs; its
    own again after the last such block ends (in any thread)."""
    global _depth
    with _LOCK:
        if _depth == 0:
            for (module, name), queries in _ANSWERED.items():
                setattr(module, name, queries)
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0:
                for (module, name), queries in _OWN.items():
                    setattr(module, name, queries)
