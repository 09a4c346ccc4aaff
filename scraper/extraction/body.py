"""The body cascade: the article's text from the strongest evidence on the page.

1. The declared site's own body selectors and rules (exact; its golden files test them).
2. trafilatura's main text (`main_text.py`), checked against the page's JSON-LD
   `articleBody` when that is complete: a paragraph the publisher's own copy of the text
   lacks is furniture. Where trafilatura finds (almost) nothing, a complete `articleBody`
   that the page shows is the body.
3. The generic container selectors and the clean stage.

The paragraphs then pass the named rules: echoes of the title, byline or date line, link
lists, the boilerplate TextRules of `boilerplate.py`, and the site's repeated segments
(`repeats.py`). The page's lead (its description, where the page shows it) opens the body.
Every removal is named in `removed`, and `source` is the step that gave the body.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from lxml import etree

from scraper.extraction.boilerplate import GENERIC_TEXT_RULES, join_split_paragraphs
from scraper.extraction.clean import casefold_words, clean_body, tidy
from scraper.extraction.document import Document
from scraper.extraction.fields import body_container
from scraper.extraction.main_text import main_text
from scraper.extraction.repeats import RepeatStore, drop_repeated
from scraper.extraction.text import Block, clean_text, inline_text, word_count
from scraper.sites.base import Site

# `articleBody` is complete when it holds this share of the main text's words; then a
# paragraph less than half of whose words it holds is not article text.
COMPLETE_SHARE = 0.8
# Where the main text has less than this share of `articleBody`'s words, `articleBody` is
# the body, if the page shows at least VISIBLE_SHARE of its words.
MAIN_TEXT_SHARE = 0.5
VISIBLE_SHARE = 0.9
# Page elements that never show text.
HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "title", "head", "meta"})
# A description shown in these is the site's blurb or a link to the story, not its lead.
NOT_LEAD = frozenset({"a", "nav", "footer", "aside", "form", "figcaption"})


@dataclass
class Body:
    """The body's text, where it came from, and what the boilerplate rules removed."""

    text: str
    source: str
    removed: list[dict[str, str]] = field(default_factory=list)


def find_body(doc: Document, site: Site, title: str | None = None,
              echoes: set[str] | frozenset[str] = frozenset(),
              repeats: RepeatStore | None = None,
              authors: list[str] | tuple[str, ...] = ()) -> Body | None:
    """The article text of `doc`, or None when no step finds any.

    `echoes` are texts already taken as other fields (title, byline, date line); `repeats`
    is the site's repeated-segment store, which this page's paragraphs also join; `authors`
    are the names whose bio at the end of the story is not story.
    """
    body = (_site_body(doc, site, echoes, authors)
            or _generic_body(doc, site, title, echoes, authors))
    if body is not None and repeats is not None:
        paragraphs = body.text.split("\n\n")
        repeats.add(site.name, doc.url, paragraphs)
        kept, dropped = drop_repeated(repeats, site.name, paragraphs)
        body.text = "\n\n".join(kept)
        body.removed += [{"rule": "repeated", "text": text} for text in dropped]
    return body


def _site_body(doc: Document, site: Site, echoes: set[str] | frozenset[str],
               authors: list[str] | tuple[str, ...]) -> Body | None:
    """The declared site's own body element, cleaned by its own rules."""
    if not site.rules.body:
        return None
    found = body_container(doc, site)
    if found is None or found.source.removeprefix("css:") not in site.rules.body:
        return None
    text, removed = clean_body(found.value, site, set(echoes), authors)
    return Body(text, found.source, removed)


def _generic_body(doc: Document, site: Site, title: str | None,
                  echoes: set[str] | frozenset[str], authors: list[str] | tuple[str, ...]
                  ) -> Body | None:
    blocks = main_text(doc, title)
    structured = structured_body(doc)
    source = "trafilatura"
    check: set[str] | None = None
    if structured:
        ld_words = set(casefold_words(structured))
        if sum(word_count(b.text) for b in blocks) < MAIN_TEXT_SHARE * word_count(structured):
            if _visible_share(doc, ld_words) >= VISIBLE_SHARE:
                blocks = [Block(p, "p") for p in structured.split("\n")]
                source = "json-ld articleBody"
        elif _share_in(blocks, ld_words) >= COMPLETE_SHARE:
            check = ld_words
    if not blocks:
        container = body_container(doc, site)
        if container is None:
            return None
        text, removed = clean_body(container.value, site, set(echoes), authors)
        return Body(text, container.source, removed)
    rules = (*GENERIC_TEXT_RULES, *site.rules.text_rules)
    blocks, removed = tidy(blocks, echoes, rules, check, authors)
    lead = page_lead(doc)
    if lead and not any(_holds(b.text, lead) for b in blocks[:5]):
        kept, dropped = tidy([Block(lead, "p")], echoes, rules)
        blocks = kept + blocks
        removed += dropped
    text = "\n\n".join(b.text for b in join_split_paragraphs(blocks))
    return Body(text, source, removed) if text else None


def structured_body(doc: Document) -> str | None:
    """The JSON-LD `articleBody` of the page as plain text lines, if it has one."""
    for obj in doc.json_ld:
        value = obj.get("articleBody")
        if isinstance(value, str) and value.strip():
            if "<" in value:  # some publishers put HTML there
                # No tag runs past the next "<": a thousand unclosed ones cost no more.
                value = re.sub(r"<(p|br|div|h\d|li)\b[^<>]*>", "\n", value)
                value = re.sub(r"<[^<>]+>", "", value)
            return clean_text(html.unescape(value)) or None
    return None


def page_lead(doc: Document) -> str | None:
    """The page's lead paragraph: the element showing the page's description."""
    description = _description(doc)
    if not description:
        return None
    needle = description[:40].rstrip(" .…")
    if len(needle) < 20:
        return None
    # A word of the needle is in every text that holds the needle: that cheap test first,
    # so that only a few texts are normalised (a word has no white space to normalise).
    word = max(needle.split(" "), key=len)
    for node in _HOLDING(doc.root, needle=needle, word=word):
        el = node.getparent()
        if el is not None and node.is_tail:  # text after a child: the child's parent's
            el = el.getparent()
        if el is None or any(a.tag in HIDDEN_TAGS or a.tag in NOT_LEAD
                             for a in (el, *el.iterancestors())):
            continue
        text = inline_text(el)
        if len(text) <= 2 * len(description) + 40:
            return text
    return None


# `descendant::text()`, not `//text()`: with predicates on it, libxml2 does not fold the
# `//` step into one walk and builds the set of all of body's nodes first (10-15% slower).
_HOLDING = etree.XPath("//body/descendant::text()[contains(., $word)]"
                       "[contains(normalize-space(.), $needle)]")


def _description(doc: Document) -> str | None:
    for key in ("og:description", "description", "twitter:description"):
        if doc.meta.get(key):
            return clean_text(doc.meta[key])
    value = (doc.article_ld or {}).get("description")
    return clean_text(value) if isinstance(value, str) else None


def _share_in(blocks: list[Block], vocabulary: set[str]) -> float:
    words = [w for b in blocks for w in casefold_words(b.text)]
    return sum(w in vocabulary for w in words) / len(words) if words else 0.0


def _holds(text: str, part: str) -> bool:
    """Whether `text` holds `part`: it opens with the first words of `part` and has nearly
    all its words, or has all of them in their order. A paragraph that merely shares its
    words with the lead, or retells it with the lead's words in mid-sentence, is another."""
    words = casefold_words(part)
    if not words or len(set(words) & set(casefold_words(text))) < 0.8 * len(set(words)):
        return False
    shown = " ".join(casefold_words(text))
    return shown.startswith(" ".join(words[:4])) or " ".join(words) in shown


def _visible_share(doc: Document, words: set[str]) -> float:
    """The share of `words` the page shows as text."""
    if not words:
        return 0.0
    texts = doc.root.xpath("//body//text()[not(ancestor::script or ancestor::style)]")
    shown = set(casefold_words(" ".join(texts)))
    return len(words & shown) / len(words)
