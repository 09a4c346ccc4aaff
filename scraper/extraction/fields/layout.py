"""Where things sit: the element holding the article text, and the short lines between
the headline and the body where bylines and date lines are looked for."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator

from lxml import etree

from scraper.extraction.document import Document, subtree_end
from scraper.extraction.fields.common import Found, class_words, tagged
from scraper.extraction.text import BLOCK_TAGS, INVISIBLE, SKIP_TAGS, inline_text
from scraper.sites.base import Site

GENERIC_BODY = ("[itemprop=articleBody]", "div.entry-content", "div.post-content",
                "div.article-body", "article", "main")


def body_container(doc: Document, site: Site) -> Found | None:
    """The element holding the article text: the site's chain, then generic selectors.
    Among several matches of one selector the one with the most text wins.

    Found once per page and site: the header span, the article markers and the body
    cascade all ask for it, and each ask flattens the text of every match."""
    key = f"body_container:{site.name}"
    if key not in doc.memo:
        doc.memo[key] = _find_body_container(doc, site)
    return doc.memo[key]


def _find_body_container(doc: Document, site: Site) -> Found | None:
    for query in (*site.rules.body, *GENERIC_BODY):
        found = _generic(doc, query) if query in GENERIC_BODY else doc.css(query)
        if len(found) == 1:  # no text to weigh against another: whether it shows any
            if _shows_text(found[0]):
                return Found(found[0], f"css:{query}", found[0])
            continue
        sizes = {el: len(inline_text(el)) for el in found}
        if any(sizes.values()):
            best = max(sizes, key=sizes.__getitem__)
            return Found(best, f"css:{query}", best)
    return None


def _shows_text(el: etree._Element) -> bool:
    """Whether inline_text(el) is not empty, read only up to the first visible character:
    the text of el and of what it holds, not of scripts and the like, nor comments."""
    if el.text and _visible_in(el.text):
        return True
    walker = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    next(walker)  # el itself
    for event, node in walker:
        if event == "start":
            name = node.tag.lower() if isinstance(node.tag, str) else ""
            if name in SKIP_TAGS or name in ("", "br"):
                walker.skip_subtree()
            elif node.text and _visible_in(node.text):
                return True
        elif node is not el and node.tail and _visible_in(node.tail):
            return True
    return False


def _visible_in(text: str) -> bool:
    return bool(INVISIBLE.sub("", text).split())


def _generic(doc: Document, query: str) -> list[etree._Element]:
    """What the CSS selector `query` of GENERIC_BODY finds, from the page's index of tags
    and microdata (one walk of the tree for all of them, where each selector was one)."""
    if query == "[itemprop=articleBody]":
        return [el for el in doc.itemprops.get("articleBody", ())
                if el.get("itemprop") == "articleBody"]
    tag, _, name = query.partition(".")
    if not name:
        return tagged(doc, tag)
    return [el for el in tagged(doc, tag)
            if name in (el.get("class") or "") and name in class_words(el)]


def lines_between(doc: Document, start: int, stop: int, max_chars: int = 250,
                  opening: Callable[[str], bool] | None = None) -> Iterator[
        tuple[etree._Element, str]]:
    """Short innermost text blocks between two document positions, in order.

    "Innermost" means the element has no block children: the byline `div`, not the
    `div.postMeta` around byline, date and source lines together. `opening`, where given,
    says whether a line may start with a character: an element whose own text opens with
    an ASCII character it refuses (then so does its line, see `_opens`) is passed over
    without reading its line.
    """
    # Each element's line is read once per page, however many fields look between which
    # positions (the fields read the tree before the body's clean stage changes it).
    lines: dict[etree._Element, str] = doc.memo.setdefault("lines", {})
    elements, positions = doc.elements, doc.positions
    for i in range(bisect_right(positions, start), len(elements)):
        el = elements[i]
        if positions[i] >= stop:
            break
        text = lines.get(el)
        if text is None:
            if opening is not None and not _opens(el, opening):
                continue
            text = lines[el] = _line(el)
        if text and len(text) <= max_chars:
            yield el, text


def _opens(el: etree._Element, opening: Callable[[str], bool]) -> bool:
    """False when the line of `el` surely does not start with a character `opening`
    accepts: its first text that is not white space (its own, else that of its first
    child, and so on down) opens with an ASCII character `opening` refuses. An ASCII
    character is neither dropped as invisible nor composed by NFC into one that `opening`
    could accept (a composed character is not ASCII). Any other first character, and a
    first child that is skipped, a line break, a comment or empty, say nothing."""
    node = el
    while True:
        first = (node.text or "").lstrip()[:1]
        if first:
            return not first.isascii() or opening(first)
        if not len(node):
            return True
        node = node[0]
        if not isinstance(node.tag, str) or node.tag in SKIP_TAGS or node.tag == "br":
            return True


# The page and its body are never a line, whatever they hold (a tiny page's `<html>` has
# only `<head>` and `<body>` as children, neither a block).
_NEVER_LINES = frozenset({"html", "body"})


def _line(el: etree._Element) -> str:
    """The text of `el` when it is an innermost text block, else "". (A comment's tag is a
    function: in no set of names.)"""
    tag = el.tag
    if tag in SKIP_TAGS or tag in _NEVER_LINES:
        return ""
    if len(el):
        for child in el:
            if child.tag in BLOCK_TAGS:
                return ""
    return inline_text(el)


def header_span(doc: Document, title_el: etree._Element | None,
                body_el: etree._Element | None) -> tuple[int, int]:
    """Positions between the headline and the body: where bylines and date lines sit."""
    start = subtree_end(doc, title_el) if title_el is not None else 0
    stop = doc.order[body_el] if body_el is not None else len(doc.order)
    if stop <= start:
        stop = len(doc.order)
    return start, stop
