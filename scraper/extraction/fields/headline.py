"""The headline and the subtitle."""

from __future__ import annotations

import os
import re
from typing import Any

from lxml import etree

from scraper.extraction.boilerplate import name_parts
from scraper.extraction.document import Document, compiled_xpath
from scraper.extraction.fields.common import _OUTSIDE_ARTICLE, Found, item_scope, tagged
from scraper.extraction.text import inline_text
from scraper.extraction.titles import clean_value, same_words, strip_site_name, word_key
from scraper.sites.base import Site

# A headline is a line: a candidate longer than this is a paragraph, a page swallowed by an
# unclosed tag or a list of keywords, and is skipped.
MAX_TITLE_CHARS = 400


def title(doc: Document, site: Site) -> Found | None:
    """The headline: the site's selectors, then og:title (the headline as the publisher words
    it for sharing, what the page is known by), JSON-LD, other meta, the `<h1>`, `<title>`;
    each without the site name appended. A JSON-LD headline of its own (copying neither
    og:title nor `<title>`) comes before og:title."""
    hit = doc.first_text(site.rules.title)
    if hit:
        return Found(hit.text, f"css:{hit.query}", hit.element)
    h1s = [(shown_headline(el), el) for el in tagged(doc, "h1")
           if not compiled_xpath(_OUTSIDE_ARTICLE)(el)]
    # A page header's <h1> is usually the site's logo: last, unless in the article.
    h1s = sorted(((text, el) for text, el in h1s if text),
                 key=lambda hit: bool(compiled_xpath(_IN_SITE_HEADER)(hit[1])))
    titles = tagged(doc, "title")
    page_title = inline_text(titles[0]) if titles else ""
    names = [*doc.site_names, site.title]
    ld = doc.article_ld or {}
    shown = [t for t, _ in h1s]

    seen: dict[str, str] = {}  # each candidate is cleaned once, however often it is asked

    def cleaned(value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 4 * MAX_TITLE_CHARS:
            return ""
        if value not in seen:
            seen[value] = _cleaned(value)
        return seen[value]

    def _cleaned(value: str) -> str:
        value = clean_value(value)
        if len(value) > MAX_TITLE_CHARS:
            return ""
        text = strip_site_name(value, names, shown, page_title)
        if site.rules.title_suffix:
            text = re.sub(site.rules.title_suffix, "", text).strip()
        return "" if any(same_words(text, n) for n in names) else text  # the site's name

    # The <h1> the page's <title> names is the headline: before a logo's or a section's <h1>.
    in_title = cleaned(page_title)
    h1s.sort(key=lambda hit: not same_words(hit[0], in_title))
    candidates = [
        ("meta:og:title", doc.meta.get("og:title")),
        ("json-ld", ld.get("headline")),
        ("meta:twitter:title", doc.meta.get("twitter:title")),
        ("microdata:headline", _microdata_headline(doc)),
        ("meta:dc.title", doc.meta.get("dc.title")),
        ("css:h1", h1s[0][0] if h1s else None),
        ("title", page_title),
    ]
    og_title, ld_headline = cleaned(candidates[0][1]), cleaned(candidates[1][1])
    if (og_title and ld_headline and not same_words(og_title, ld_headline)
            and not same_words(ld_headline, cleaned(page_title))
            and not _cut_short(ld_headline, [og_title, *shown])):
        # A JSON-LD headline that copies neither og:title nor <title> was written for the
        # article itself (one that repeats <title> was generated from it): it wins.
        candidates = [candidates[1], candidates[0], *candidates[2:]]
    # A page whose JSON-LD gives the article's headline has metadata written with care: its
    # og:title is the headline as published. Without it a lone og:title may be a line
    # rewritten for sharing or a section's name: the headline shown, when the <title>
    # confirms it, wins; and the page's typography ("„Zitat“", "’") over the meta's.
    careful = bool(cleaned(ld.get("headline")))
    meta_title = next((text for text in map(cleaned, (v for _, v in candidates[:5])) if text), "")
    if not careful and meta_title and h1s and _shown_headline(h1s[0], in_title, meta_title,
                                                               shown):
        candidates = [candidates[5], *candidates[:5], candidates[6]]
    for source, value in candidates:
        text = cleaned(value)
        if text:
            text, element = _headline_element(text, h1s, typography=not careful)
            return Found(text, source, element)
    return None


# Schema.org types of a page's parts, not of its article: a theme marks the site's name as
# the "headline" of its header ("<p class=main-title itemprop=headline>" in a WPHeader).
_PAGE_PART_TYPE = re.compile(r"/WP[A-Z]\w*$|/(WebSite|Organization|SiteNavigationElement)$")


def _microdata_headline(doc: Document) -> str | None:
    """The first microdata headline that belongs to no page part (header, sidebar, footer)."""
    for el in doc.itemprops.get("headline", ()):
        scope = item_scope(el)
        if scope is not None and _PAGE_PART_TYPE.search(scope.get("itemtype") or ""):
            continue
        value = el.get("content") or inline_text(el)
        if value:
            return value
    return None


# Class words of what a headline's markup marks as no part of it: the kicker above it and
# text for screen readers only ("Headline:").
_KICKER_PARTS = frozenset("kicker dachzeile roofline overline supertitle topline eyebrow "
                          "pretitle surtitre spitzmarke visuallyhidden label".split())
_HIDDEN_PARTS = ({"sr", "only"}, {"screen", "reader"}, {"visually", "hidden"})
_LEADING_MARKS = re.compile(r"^[\s:|–—\-]+")


def shown_headline(h1: etree._Element) -> str:
    """The headline an `<h1>` shows, without the kicker its markup marks as one: an element
    named for it ("<span class=dachzeile>"), one for screen readers only, or a first line
    of its own ("<small>Region</small><br>Headline")."""
    text = inline_text(h1)
    if len(text) > MAX_TITLE_CHARS:
        return text
    rest = _LEADING_MARKS.sub("", " ".join(_text_without_kicker(h1, 0).split()))
    # A kicker is shorter than the headline: a class that calls the headline a "topline"
    # (a site's own naming) leaves the h1 whole.
    return rest if len(rest.split()) >= 2 and 2 * len(rest) > len(text) else text


def _text_without_kicker(el: etree._Element, depth: int) -> str:
    out = [el.text or ""]
    elements = [c for c in el if isinstance(c.tag, str)]
    for child in el:
        if isinstance(child.tag, str) and not _is_kicker(child, el, elements):
            if child.tag == "br":
                out.append(" ")
            elif depth < 4:
                out.append(_text_without_kicker(child, depth + 1))
            else:
                out.append(inline_text(child))
        out.append(child.tail or "")
    return " ".join(out) if el.tag in ("div", "p") else "".join(out)


def _is_kicker(child: etree._Element, parent: etree._Element,
               elements: list[etree._Element]) -> bool:
    parts = name_parts(child)
    if parts & _KICKER_PARTS or any(hidden <= parts for hidden in _HIDDEN_PARTS):
        return True
    following = child.getnext()
    return (child is elements[0] and not (parent.text or "").strip() and following is not None
            and following.tag == "br" and len(inline_text(child).split()) <= 5)


def _shown_headline(h1: tuple[str, etree._Element], in_title: str, meta_title: str,
                    shown: list[str]) -> bool:
    """Whether the `<h1>` beats a meta title that no `<h1>` shows: when it is a headline (a
    line of three words or more in the article, not the logo of the page's header nor a
    label such as "You are here:"), or when the `<title>` agrees with it and not with the
    meta title. Not when the `<h1>` is the meta title with a kicker or a tail (which the
    markup marks, and which are dropped later)."""
    text, el = h1
    if any(same_words(meta_title, s) for s in shown) or _same_headline(text, meta_title):
        return False
    headline = (len(text.split()) >= 3 and not text.endswith((":", ","))
                and not compiled_xpath(_IN_SITE_HEADER)(el))
    return headline or (same_words(text, in_title) and not same_words(meta_title, in_title))


def _same_headline(a: str, b: str) -> bool:
    """Whether two lines are one headline with a kicker or a tail: one begins the other,
    or they end alike over half the shorter."""
    a_key, b_key = word_key(a), word_key(b)
    if a_key.startswith(b_key) or b_key.startswith(a_key):
        return True
    common = len(os.path.commonprefix([a_key[::-1], b_key[::-1]]))
    return common >= max(12, min(len(a_key), len(b_key)) // 2)


_IN_SITE_HEADER = "ancestor::header[not(ancestor::article or ancestor::main)]"


def _cut_short(text: str, fuller: list[str]) -> bool:
    """Whether `text` is one of `fuller` cut at a length limit ("A long headl…")."""
    stem = re.sub(r"\s*(…|\.\.\.)$", "", text)
    return any(f != text and f.startswith(stem) for f in fuller)


def _headline_element(text: str, h1s: list[tuple[str, etree._Element]],
                      typography: bool = True) -> tuple[str, etree._Element | None]:
    """The `<h1>` showing `text`, for "what follows the headline"; a kicker the meta title
    puts before the shown headline ("Kicker: Headline") is dropped, and so is a line it adds
    after it; with `typography`, the `<h1>`'s marks replace the meta's."""
    for shown, el in h1s:
        if shown == text:
            return text, el
    for shown, el in h1s:
        if same_words(shown, text):  # the meta title's quotes, spacing or case differ
            # The page's typography ("„Zitat“", "’") where only marks differ, not its case.
            return (shown if typography and _letters(shown) == _letters(text) else text), el
    for _, el in h1s:
        if same_words(inline_text(el), text):  # the meta title keeps the kicker shown
            return text, el
    for shown, el in h1s:
        for part in el.iter():
            part_text = shown if part is el else inline_text(part)
            if len(part_text) < 12 or same_words(part_text, text):
                continue
            if (text.endswith(part_text)
                    and re.search(r"[:\-–—|]\s*$", text[: -len(part_text)])):
                return part_text, el  # "Kicker: Headline" over the headline alone
            if part is el and text.startswith(part_text) and _SUFFIX.match(
                    text[len(part_text):]):
                return part_text, el  # "Headline - a line of its own" or "(Site)"
    return text, (h1s[0][1] if h1s else None)


# What a meta title adds after the headline the page shows: a separator and a line, or a
# parenthesis.
_SUFFIX = re.compile(r"\s*([|–—:]|\s-)\s+\S|\s+\([^()]+\)$")


def _letters(text: str) -> str:
    """The text without its marks, its words still apart: "Editor’s Letter" ~ "Editor's
    Letter", not "Titel:Zeile" ~ "Titel: Zeile"."""
    return " ".join(re.sub(r"[^\w\s]+", "", text).split())


# A subtitle is a line of at most this many words.
MAX_SUBTITLE_WORDS = 40
_NOT_SUBTITLE = re.compile(r"^(by|von|par|por|written by|posted by)\s|:$|\b\d{4}\b",
                           re.IGNORECASE)


def subtitle(doc: Document, site: Site, title_el: etree._Element | None = None
             ) -> Found | None:
    """The site's subtitle selectors; else the heading set right under the headline, as its
    next sibling ("Who profits when shipments stall?" in an `<h3>` after the `<h1>`): a
    standfirst whatever its class, where no byline, date or section heading stands."""
    hit = doc.first_text(site.rules.subtitle)
    if hit:
        return Found(hit.text, f"css:{hit.query}", hit.element)
    if title_el is None or title_el.tag != "h1":
        return None
    following = title_el.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()  # a comment
    if following is None or following.tag not in ("h2", "h3", "h4"):
        return None
    text = inline_text(following)
    if not text or len(text.split()) > MAX_SUBTITLE_WORDS or _NOT_SUBTITLE.search(text):
        return None
    return Found(text, "html:heading-after-headline", following)
