"""trafilatura's main-text extraction, run on the tree the Document already parsed, as
paragraphs (`Block`s) the project's own rules can judge.

trafilatura finds the article among the page's furniture better than any selector list;
we hand it the parsed tree (no second parse, no metadata pass) with two prunings it does
not do itself: teaser cards (a link wrapped around a headline or a paragraph is a link
to another page, never article text) and the other articles of an endless-scroll page.
Links are kept in its output so each paragraph knows how much of it is link text.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree
from trafilatura.core import bare_extraction

from scraper.extraction.document import Document
from scraper.extraction.text import Block, clean_text, inline_text

# A link around block content: a teaser card of another article.
TEASER_CARDS = "//a[.//p or .//h1 or .//h2 or .//h3 or .//h4 or .//h5 or .//h6]"
TOP_ARTICLES = "//article[not(ancestor::article)]"
# An <article> with less text than this is a teaser, not an article of its own.
ARTICLE_MIN_CHARS = 1000
# trafilatura's output elements, and the HTML tag each paragraph stands for.
OUTPUT_TAGS = {"p": "p", "head": "h2", "quote": "blockquote", "item": "li", "row": "tr",
               "code": "pre"}


def main_text(doc: Document, title: str | None = None) -> list[Block]:
    """The page's main text as paragraphs, with each one's share of link text."""
    prune = [TEASER_CARDS, *other_articles(doc, title)]
    result = bare_extraction(doc.root, url=doc.url, include_links=True, prune_xpath=prune)
    if result is None or result.body is None:
        return []
    return list(blocks_of_output(result.body))


def other_articles(doc: Document, title: str | None) -> list[str]:
    """XPaths of the articles appended below the one whose headline is `title`.

    Endless-scroll pages put the next stories after the article in `<article>`s of their
    own; trafilatura would read them as one long article.
    """
    if not title:
        return []
    tops = doc.root.xpath(TOP_ARTICLES)
    big = [i for i, el in enumerate(tops) if len(el.text_content()) > ARTICLE_MIN_CHARS]
    if len(big) < 2:
        return []
    main = next((i for i in big
                 if any(inline_text(h) == title for h in tops[i].iter("h1", "h2"))), None)
    if main is None:
        return []
    return [f"({TOP_ARTICLES})[{i + 1}]" for i in big if i != main]


def blocks_of_output(body: etree._Element) -> Iterator[Block]:
    """One Block per paragraph, heading, list item, quote or table row of trafilatura's
    output tree; nested lists and quoted paragraphs are walked into."""
    for el in body:
        tag = el.tag if isinstance(el.tag, str) else ""
        if (tag in ("list", "table") or (tag == "quote" and el.find("p") is not None)
                or (tag == "item" and el.find("list") is not None)):
            yield from blocks_of_output(el)
        else:
            text = clean_text("".join(_output_text(el)))
            if text:
                linked = sum(len(clean_text("".join(_output_text(ref)))) for ref in el.iter("ref"))
                yield Block(text, OUTPUT_TAGS.get(tag, "p"), min(1.0, linked / len(text)))


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
