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

from collections.abc import Iterator
from copy import deepcopy
from typing import Any

from lxml import etree
from trafilatura.core import trafilatura_sequence
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.settings import Extractor

from scraper.extraction.boilerplate import FURNITURE_PARTS, drop_elements
from scraper.extraction.document import Document
from scraper.extraction.guards import html_parser
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
        tree = standalone(scope)
        scope_chars = len(tree.text_content())  # before trafilatura prunes the copy
        blocks = _trafilatura(tree, fast=True)
        # Little text from a large element: the story was not (all) in it; read the page.
        if sum(len(b.text) for b in blocks) >= SCOPE_YIELD * scope_chars:
            return blocks
    page = standalone(doc.root)
    return _trafilatura(page, fast=len(page.text_content()) > RESCUE_MAX_CHARS
                        or sum(1 for _ in page.iter(*_BLOCK_TAGS)) > RESCUE_MAX_BLOCKS)


# Makes the root of a page around a copied element: its nodes are then looked up as the
# parsed page's are (see guards.HTML_CLASSES).
_PARSER = html_parser()
# trafilatura's options as bare_extraction(include_comments=False, include_links=True)
# sets them, made once: building them reads its configuration anew on every call.
_OPTIONS = {fast: Extractor(output_format="python", fast=fast, comments=False, links=True)
            for fast in (False, True)}
_TEASER_CARDS = [etree.XPath(TEASER_CARDS)]


def _trafilatura(tree: etree._Element, fast: bool = False) -> list[Block]:
    """trafilatura's output as Blocks. `fast` skips its comparison with readability and
    jusText, which a page narrowed to its article element does not need.

    `tree` is a copy of our own, which trafilatura may change. It is given to the steps of
    `bare_extraction` that make its body (the pruning of teaser cards, its extraction
    cascade, its check of the output's size), not to the function itself: that would copy
    the tree once more, and make a plain text of the output and options we never read.
    No URL: links are kept for their text only, trafilatura need not resolve them."""
    options = _OPTIONS[fast]
    try:
        tree = prune_unwanted_nodes(tree, _TEASER_CARDS)
        body, text, _, comments = trafilatura_sequence(tree, options)
    except RecursionError:  # a pathologically deep page: the other steps of the cascade
        return []
    except (TypeError, ValueError):  # what bare_extraction reads as "no text"
        return []
    if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
        return []
    return list(blocks_of_output(body))


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


def standalone(el: etree._Element) -> etree._Element:
    """A copy of `el` as a page of its own, without scripts, styles and comments.

    Comments go because trafilatura loses the text after a link when a comment follows it
    (`<a>…</a><!-- -->, but the …`); its own parser drops them, our tree keeps them.
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
    if page.find("body") is not None:  # boxes named as furniture (newsletter, comments…)
        drop_elements(page.find("body"), tags=(), parts=PRUNED_PARTS)
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
