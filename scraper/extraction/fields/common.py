"""What several fields' cascades share: the Found record (a value and where it came
from) and the tests of where an element sits on the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from scraper.extraction.boilerplate import name_parts
from scraper.extraction.document import Document
from scraper.extraction.text import inline_text

# An article's own <header> holds its byline and date; navigation, footers and asides don't.
_OUTSIDE_ARTICLE = "ancestor-or-self::*[self::nav or self::footer or self::aside or self::figure]"


@dataclass
class Found:
    """A field's value and where it came from."""

    value: Any
    source: str
    element: etree._Element | None = None


# Tags of few elements that the rules look elements up by, nearly all on every page. One
# walk of the tree finds them all: a query for each (`//h1`, `//title`, `//time[@datetime]`,
# `article`, …) was a walk of its own, some 0.2 ms a page each.
_FEW_TAGS = ("article", "form", "h1", "link", "main", "time", "title")


def tagged(doc: Document, tag: str) -> list[etree._Element]:
    """The page's elements of `tag`, in document order, as `//tag` finds them: those of
    _FEW_TAGS from one walk, any other (links, divs: hundreds a page, not asked of every
    page) from a walk of its own the first time it is asked."""
    index = doc.memo.get("tagged")
    if index is None:
        index = doc.memo["tagged"] = {name: [] for name in _FEW_TAGS}
        for el in doc.root.iter(*_FEW_TAGS):
            index[el.tag].append(el)
    if tag not in index:
        index[tag] = list(doc.root.iter(tag))
    return index[tag]


def class_words(el: etree._Element) -> list[str]:
    """The words of `el`'s class as CSS and XPath's normalize-space see them: split at XML
    white space only (a no-break space is part of a word)."""
    return (el.get("class") or "").translate(_XML_SPACES).split(" ")


_XML_SPACES = str.maketrans("\t\n\r", "   ")


def item_scope(el: etree._Element) -> etree._Element | None:
    """The nearest ancestor of `el` that opens a microdata item (itemscope)."""
    found = _ITEM_SCOPE(el)
    return found[0] if found else None


_ITEM_SCOPE = etree.XPath("ancestor::*[@itemscope][1]")


def _microdata(doc: Document, prop: str) -> str | None:
    for el in doc.itemprops.get(prop, ()):
        # An <abbr> shows a short form ("7:30 AM") and holds the full value in its title.
        full = el.get("title") if el.tag == "abbr" else None
        value = el.get("content") or el.get("datetime") or full or inline_text(el)
        if value:
            return value
    return None


def _in_parts(el: etree._Element, parts: frozenset[str],
              memo: dict[etree._Element, bool] | None = None,
              stop: frozenset[str] = frozenset()) -> bool:
    """True when `el` or an ancestor below any `stop` element has a class or id word of
    `parts`. `memo`, shared by the calls of one pass over many elements, answers each
    ancestor once: otherwise a page of thousands of links in deep boxes reads every box's
    names once per link."""
    if memo is None:
        memo = {}
    chain: list[etree._Element] = []
    found = False
    node: etree._Element | None = el
    while node is not None and node.tag not in stop:
        if node in memo:
            found = memo[node]
            break
        if name_parts(node) & parts:
            found = True
            break
        chain.append(node)
        node = node.getparent()
    for seen in chain:  # below the answer: each holds it too (True), or nothing (False)
        memo[seen] = found
    if node is not None and node not in memo:
        memo[node] = found
    return found


def _box_with(el: etree._Element, others: list[etree._Element], levels: int
              ) -> tuple[etree._Element | None, list[etree._Element]]:
    """The smallest ancestor of `el`, at most `levels` up, that holds any of `others`, with
    those it holds; (None, []) when none does."""
    wanted = set(others)
    wanted.discard(el)
    if not wanted:
        return None, []
    node = el
    for _ in range(levels):
        node = node.getparent()
        if node is None:
            break
        # The box's own elements, not each other element's ancestors: linear in the box.
        inside = [d for d in node.iterdescendants() if d in wanted]
        if inside:
            return node, inside
    return None, []
