"""trafilatura's main-text extraction, run on the tree the Document already parsed, as
paragraphs (`Block`s) the project's own rules can judge.

trafilatura finds the article among the page's furniture better than any selector list.
We hand it a copy of the parsed tree (no second parse, no metadata pass) without scripts,
styles and comments, narrowed to the page's `<article>` or `<main>` when the markup says
which element holds the story (then in its fast mode, without its comparison with
readability and jusText; and on an endless-scroll page the next stories stay out), and
without teaser cards (a link wrapped around a headline or a paragraph leads to another
page; it is never article text). Links are kept in its output so each paragraph knows how
much of it is link text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from copy import copy, deepcopy
from functools import lru_cache
from typing import Any

from lxml import etree
from trafilatura.baseline import _BLOCK_ELEMS, baseline, html2txt
from trafilatura.core import (
    ESCALATION_ACCEPT_RATIO,
    ESCALATION_JUSTEXT_RATIO,
    ESCALATION_MAX_LENGTH,
    ESCALATION_PAGE_SHARE,
    _extract_and_compare,
    _forum_thread_page,
    _recall_retry,
)
from trafilatura.external import justext_rescue
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.settings import Extractor
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

from scraper.extraction.boilerplate import FURNITURE_PARTS, drop_elements
from scraper.extraction.document import Document
from scraper.extraction.guards import html_parser
from scraper.extraction.prunes import python_answered
from scraper.extraction.screens import fold, literals
from scraper.extraction.text import Block, clean_text, inline_text

# A link around block content: a teaser card of another article.
TEASER_CARDS = "//a[.//p or .//h1 or .//h2 or .//h3 or .//h4 or .//h5 or .//h6]"
# `/descendant::x[...]`, not `//x[...]`: libxml2 folds `//` into one walk only for a step
# without predicates, else it first builds the set of every node of the page. And the
# `role` attributes are found by their own axis, not by a test of every element.
TOP_ARTICLES = "/descendant::article[not(ancestor::article)]"
# Where the story may be, narrowest first.
SCOPES = (TOP_ARTICLES, "/descendant::main[not(ancestor::main)]", "//@role[. = 'main']/..")
# An <article> or <main> with less text than this is a teaser, not the story.
ARTICLE_MIN_CHARS = 1000
# The one <article> of a page is the article when it holds at least this share of the
# page's long paragraphs (those over LONG_PARAGRAPH characters).
SCOPE_SHARE = 0.5
LONG_PARAGRAPH = 150
# trafilatura must keep at least this share of the scope's text, or it reads the whole page.
SCOPE_YIELD = 0.2
# trafilatura's rescue by jusText looks at each paragraph's whole text many times over: on a
# page with more text than this (ten long articles' worth) it costs seconds, and a page that
# big never needs rescuing for having too little text.
RESCUE_MAX_CHARS = 300_000
# ... and it looks for each short paragraph's neighbours from the start of the list again, a
# cost that grows with the square of the paragraphs: 4,800 of them took 6 s. The longest of
# the 828 dev pages has 5,000 blocks, the next 2,600.
RESCUE_MAX_BLOCKS = 3_000
# The block elements counted, by lxml's own iterator (an XPath union walks the tree once
# per tag).
_BLOCK_TAGS = ("p", "div", "li", "td", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
               "dd", "dt")
# Elements whose content is never text (a copied article drops them before trafilatura).
NEVER_TEXT = ("script", "style", "noscript", "template", "svg")
# Class words of boxes never part of the article's text, dropped before trafilatura reads.
PRUNED_PARTS = FURNITURE_PARTS - {"caption", "print"}
# trafilatura's output elements, and the HTML tag each paragraph stands for.
OUTPUT_TAGS = {"p": "p", "head": "h2", "quote": "blockquote", "item": "li", "row": "tr",
               "code": "pre"}


def main_text(doc: Document, title: str | None = None) -> list[Block]:
    """The page's main text as paragraphs, with each one's share of link text."""
    scope = article_scope(doc, title)
    if scope is not None:
        names: list[str] = []
        tree = standalone(scope, names)
        scope_chars = len(tree.text_content())  # before trafilatura prunes the copy
        blocks = _trafilatura(tree, fast=True, names=names)
        # Little text from a large element: the story was not (all) in it; read the page.
        if sum(len(b.text) for b in blocks) >= SCOPE_YIELD * scope_chars:
            return blocks
    names = []
    page = standalone(doc.root, names)
    return _trafilatura(page, fast=len(page.text_content()) > RESCUE_MAX_CHARS
                        or sum(1 for _ in page.iter(*_BLOCK_TAGS)) > RESCUE_MAX_BLOCKS,
                        names=names)


# Makes the root of a page around a copied element: its nodes are then looked up as the
# parsed page's are (see guards.HTML_CLASSES).
_PARSER = html_parser()
# trafilatura's options as bare_extraction(include_comments=False, include_links=True)
# sets them, made once: building them reads its configuration anew on every call.
_OPTIONS = {fast: Extractor(output_format="python", fast=fast, comments=False, links=True)
            for fast in (False, True)}
_TEASER_CARDS = [etree.XPath(TEASER_CARDS)]


def _trafilatura(tree: etree._Element, fast: bool = False,
                 names: list[str] | None = None) -> list[Block]:
    """trafilatura's output as Blocks. `fast` skips its comparison with readability and
    jusText, which a page narrowed to its article element does not need.

    `tree` is a copy of our own, which trafilatura may change. It is given to the steps of
    `bare_extraction` that make its body (the pruning of teaser cards, its extraction
    cascade, its check of the output's size), not to the function itself: that would copy
    the tree once more, and make a plain text of the output and options we never read.
    No URL: links are kept for their text only, trafilatura need not resolve them.
    `names`: the class and id values of the tree (see `standalone`), which let the
    raw-tree prunes that cannot match any of them be skipped."""
    options = _OPTIONS[fast]
    try:
        tree = prune_unwanted_nodes(tree, _TEASER_CARDS)
        with python_answered():  # its class and id queries, as fast as one look-up each
            body, text = _sequence(tree, options, names)
    except RecursionError:  # a pathologically deep page: the other steps of the cascade
        return []
    except (TypeError, ValueError):  # what bare_extraction reads as "no text"
        return []
    # Without comments, bare_extraction's test of the output's size is on the text alone.
    if len(text) < options.min_output_size:
        return []
    return list(blocks_of_output(body))


def _sequence(tree: etree._Element, options: Extractor, names: list[str] | None = None
              ) -> tuple[etree._Element, str]:
    """The body and text trafilatura's `trafilatura_sequence` makes of `tree` with our
    options (comments off, balanced focus, no URL), without two of its costs that give
    nothing on our trees: the copy of the cleaned tree for the comparison with readability
    and jusText, which the fast mode never makes, and the plain text of the whole page for
    its recall retry, where a bound on that text's length already says that the output is
    too long for a retry. Its steps, in its order: the raw-tree prunes, the cleaning and
    tag conversion, the extraction (and comparison), the baseline rescue of a short
    output, the recall retry of an output that covers little of the page. Of the raw-tree
    prunes, those that can match none of `names` (the tree's class and id values) are
    skipped."""
    shown = None if names is None else fold("\n".join(names))
    is_forum = _forum_thread_page(tree)
    tree = prune_unwanted_nodes(tree, _may_match(RAW_TREE_PRUNE_XPATH, shown))
    if not is_forum:
        tree = prune_unwanted_nodes(tree, _may_match(REMOVE_COMMENTS_AND_LISTS_XPATH, shown))
    cleaned = tree_cleaning(copy(tree), options)
    backup = None if options.fast else copy(cleaned)
    cleaned = convert_tags(cleaned, options, None)
    body, text = _extract_and_compare(cleaned, backup, tree, options)
    if len(text) < options.min_extracted_size:
        b_body, b_text, b_len = baseline(tree)
        if b_len > len(text):
            body, text = b_body, b_text
    if (0 < len(text) < ESCALATION_MAX_LENGTH
            and len(text) < ESCALATION_PAGE_SHARE * _page_text_bound(tree)
            and len(text) < ESCALATION_PAGE_SHARE * len(html2txt(tree))):
        body, text = _recall(tree, options, body, text)
    return body, text


def _may_match(queries: list[etree.XPath], shown: str | None) -> list[etree.XPath]:
    """The queries that may find an element of a tree whose class and id values, folded,
    are `shown` (all of them where that is not known)."""
    if shown is None:
        return queries
    return [q for q in queries if (needs := name_screen(q.path)) is None
            or any(need in shown for need in needs)]


# trafilatura's raw-tree prunes are `.//*[self::div or …][T or T …]…`, each T a test of a
# class or id value: `re:test(@id, '…')` (or of `@id|@class`, or with the flag 'i') or
# `contains(@class, '…')`. An element found holds, in its class or id, one of the
# strings one of its T needs.
_TEST = (r"(?:re:test\(@(?:id|class)(?:\|@(?:id|class))?,\s*'(?P<pattern>[^']*)'(?:,\s*'i')?\)"
         r"|contains\(@(?:id|class),\s*'(?P<literal>[^']*)'\))")
_ANY_TEST = re.sub(r"\?P<\w+>", "", _TEST)
_NAME_QUERY = re.compile(r"\s*\.//\*\[self::\w+(?:\s+or\s+self::\w+)*\]\s*"
                         rf"\[\s*(?P<tests>{_ANY_TEST}(?:\s+or\s+{_ANY_TEST})*)\s*\]")
_TESTS = re.compile(_TEST)


@lru_cache(maxsize=64)
def name_screen(query: str) -> tuple[str, ...] | None:
    """Folded strings one of which the class or id value of every element `query` finds
    holds, read from the query; None where the query is not of that form, or a pattern of
    it needs no string (screens.literals)."""
    form = _NAME_QUERY.match(query)
    if form is None:
        return None
    needs: list[str] = []
    for test in _TESTS.finditer(form["tests"]):
        found = (literals(test["pattern"]) if test["pattern"] is not None
                 else (fold(test["literal"]),) if test["literal"] else None)
        if found is None:
            return None
        needs += found
    return tuple(needs)


def _page_text_bound(tree: etree._Element) -> int:
    """At least the length of trafilatura's `html2txt(tree)`, found without its copy of the
    tree and its cleaning query: that text is the body's, with elements deleted (which
    never lengthens its white-space-collapsed form) and a space put before the text and the
    tail of each block element (each at most one more separator)."""
    body = tree.find(".//body")
    if body is None:
        body = tree
    return (len(" ".join(body.text_content().split()))
            + 2 * sum(1 for _ in body.iter(*_BLOCK_ELEMS)))


def _recall(tree: etree._Element, options: Extractor, body: etree._Element, text: str
            ) -> tuple[etree._Element, str]:
    """trafilatura's recall retry (and, out of its fast mode, its jusText candidate) of
    a short output, kept where it is clearly longer."""
    r_options = copy(options)
    r_options.focus = "recall"
    retried = justext = (body, "")
    with suppress(Exception):  # as trafilatura: a failed retry keeps the output
        retried = _recall_retry(tree, r_options, None)
    if not options.fast:
        with suppress(Exception):
            justext = justext_rescue(copy(tree), options)
    if len(justext[1]) > len(retried[1]) and len(justext[1]) > ESCALATION_JUSTEXT_RATIO * len(text):
        return justext
    if (len(retried[1]) >= options.min_extracted_size
            and len(retried[1]) > ESCALATION_ACCEPT_RATIO * len(text)):
        return retried
    return body, text


def article_scope(doc: Document, title: str | None) -> etree._Element | None:
    """The element holding the story, when the markup says which one it is.

    The `<article>` whose headline is `title` (endless scroll appends the next stories in
    `<article>`s of their own); else the page's one substantial `<article>`, else its
    `<main>`, if it holds most of the page's long paragraphs. Otherwise None: the whole
    page. Reading that element alone, trafilatura reads a fraction of the page and nothing
    around it.
    """
    if title:
        for el in doc.xpath(TOP_ARTICLES):  # compiled once (a string query is compiled per call)
            if any(inline_text(h) == title for h in el.iter("h1", "h2")):
                return el if len(el.text_content()) > ARTICLE_MIN_CHARS else None
    page_text = None
    for query in SCOPES:
        found = [el for el in doc.xpath(query)
                 if len(el.text_content()) > ARTICLE_MIN_CHARS]
        if len(found) != 1:
            continue
        if page_text is None:
            page_text = _long_paragraph_chars(doc.root)
        if not page_text or _long_paragraph_chars(found[0]) >= SCOPE_SHARE * page_text:
            return found[0]
    return None


def _long_paragraph_chars(el: etree._Element) -> int:
    lengths = (len(p.text_content()) for p in el.iter("p"))
    return sum(n for n in lengths if n > LONG_PARAGRAPH)


def standalone(el: etree._Element, names: list[str] | None = None) -> etree._Element:
    """A copy of `el` as a page of its own, without scripts, styles and comments.

    Comments go because trafilatura loses the text after a link when a comment follows it
    (`<a>…</a><!-- -->, but the …`); its own parser drops them, our tree keeps them.
    `names`, where given, receives the class and id values left in the copy (some of
    those removed too), gathered by the walk that drops the furniture boxes.
    """
    if el.tag == "html":
        page = deepcopy(el)
    else:
        page = _PARSER.makeelement("html")
        body = etree.SubElement(page, "body")
        body.append(deepcopy(el))
        body[0].tail = None
    etree.strip_elements(page, *NEVER_TEXT, with_tail=False)
    etree.strip_tags(page, etree.Comment)
    body = page.find("body")
    if body is not None:  # boxes named as furniture (newsletter, comments…)
        drop_elements(body, tags=(), parts=PRUNED_PARTS, names=names)
    if names is not None:  # and the elements that walk does not see
        outside = [page, *(n for child in page if child is not body for n in child.iter())]
        if body is not None:
            outside.append(body)
        names += [v for n in outside for v in (n.get("class"), n.get("id")) if v]
    return page


def blocks_of_output(body: etree._Element | list[etree._Element]) -> Iterator[Block]:
    """One Block per paragraph, heading, list item, quote or table row of trafilatura's
    output tree; nested lists and quoted paragraphs are walked into. A row whose cells hold
    paragraphs is a layout table (menu, story, sidebar side by side): only the story's
    column, the cell with the most paragraph text, is read, paragraph by paragraph."""
    for el in body:
        tag = el.tag if isinstance(el.tag, str) else ""
        if (tag in ("list", "table") or (tag == "quote" and el.find("p") is not None)
                or (tag == "item" and el.find("list") is not None)):
            yield from blocks_of_output(el)
        elif tag == "row" and el.find("cell/p") is not None:
            column = max(el.findall("cell"), key=_paragraph_chars)
            yield from _mixed_blocks(column)
        else:
            block = _block([el], OUTPUT_TAGS.get(tag, "p"))
            if block:
                yield block


def _block(nodes: list[Any], tag: str) -> Block | None:
    """The Block of output elements and texts: one element, or a run of inline ones."""
    text = clean_text("".join(t for n in nodes for t in _inline_texts(n)))
    if not text:
        return None
    refs = [r for n in nodes if not isinstance(n, str) for r in n.iter("ref")]
    linked = sum(len(clean_text("".join(_output_text(ref)))) for ref in refs)
    return Block(text, tag, min(1.0, linked / len(text)))


def _inline_texts(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node.replace("\n", " ")
    else:
        yield from _output_text(node)


def _mixed_blocks(cell: etree._Element) -> Iterator[Block]:
    """A cell's paragraphs, with each run of loose text and links between them a block."""
    run: list[Any] = [cell.text] if cell.text else []
    for child in cell:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("p", "head", "list", "quote", "table"):
            block = _block(run, "p") if run else None
            if block:
                yield block
            run = []
            yield from blocks_of_output([child])
        else:
            run.append(child)
        if child.tail:
            run.append(child.tail)
    block = _block(run, "p") if run else None
    if block:
        yield block


def _paragraph_chars(cell: etree._Element) -> int:
    return sum(len("".join(p.itertext())) for p in cell.iter("p"))


def _output_text(el: etree._Element) -> Iterator[str]:
    """Text of an output element on one line: a line break `<lb/>` or a new table cell
    is a space, inline markup is flattened."""
    if el.tag in ("lb", "cell"):
        yield " "
    if el.text:
        yield el.text.replace("\n", " ")
    for child in el:
        yield from _output_text(child)
        if child.tail:
            yield child.tail.replace("\n", " ")
