"""The headline and the subtitle."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from scraper.extraction.document import Document
from scraper.extraction.fields.common import _OUTSIDE_ARTICLE, Found, _microdata
from scraper.extraction.text import inline_text
from scraper.extraction.titles import clean_value, same_words, strip_site_name
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
    h1s = [(inline_text(el), el) for el in doc.xpath("//h1") if not el.xpath(_OUTSIDE_ARTICLE)]
    # A page header's <h1> is usually the site's logo: last, unless in the article.
    h1s = sorted(((text, el) for text, el in h1s if text),
                 key=lambda hit: bool(hit[1].xpath("ancestor::header")
                                      and not hit[1].xpath("ancestor::article|ancestor::main")))
    titles = doc.xpath("//title")
    page_title = inline_text(titles[0]) if titles else ""
    names = [*doc.site_names, site.title]
    ld = doc.article_ld or {}
    candidates = [
        ("meta:og:title", doc.meta.get("og:title")),
        ("json-ld", ld.get("headline")),
        ("meta:twitter:title", doc.meta.get("twitter:title")),
        ("microdata:headline", _microdata(doc, "headline")),
        ("meta:dc.title", doc.meta.get("dc.title")),
        ("css:h1", h1s[0][0] if h1s else None),
        ("title", page_title),
    ]
    shown = [t for t, _ in h1s]

    def cleaned(value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 4 * MAX_TITLE_CHARS:
            return ""
        value = clean_value(value)
        if len(value) > MAX_TITLE_CHARS:
            return ""
        text = strip_site_name(value, names, shown, page_title)
        if site.rules.title_suffix:
            text = re.sub(site.rules.title_suffix, "", text).strip()
        return "" if any(same_words(text, n) for n in names) else text  # the site's name

    og_title, ld_headline = cleaned(candidates[0][1]), cleaned(candidates[1][1])
    if (og_title and ld_headline and not same_words(og_title, ld_headline)
            and not same_words(ld_headline, cleaned(page_title))
            and not _cut_short(ld_headline, [og_title, *shown])):
        # A JSON-LD headline that copies neither og:title nor <title> was written for the
        # article itself (one that repeats <title> was generated from it): it wins.
        candidates = [candidates[1], candidates[0], *candidates[2:]]
    for source, value in candidates:
        text = cleaned(value)
        if text:
            text, element = _headline_element(text, h1s)
            return Found(text, source, element)
    return None


def _cut_short(text: str, fuller: list[str]) -> bool:
    """Whether `text` is one of `fuller` cut at a length limit ("A long headl…")."""
    stem = re.sub(r"\s*(…|\.\.\.)$", "", text)
    return any(f != text and f.startswith(stem) for f in fuller)


def _headline_element(text: str, h1s: list[tuple[str, etree._Element]]
                      ) -> tuple[str, etree._Element | None]:
    """The `<h1>` showing `text`, for "what follows the headline"; a kicker the meta title
    puts before the shown headline ("Kicker: Headline") is dropped."""
    for shown, el in h1s:
        if shown == text:
            return text, el
    for shown, el in h1s:
        if same_words(shown, text):  # the meta title's quotes or spacing differ
            return text, el
    for _, el in h1s:
        for part in el.iter():
            part_text = inline_text(part) if part is not el else ""
            if (len(part_text) >= 12 and text.endswith(part_text)
                    and re.search(r"[:\-–—]\s*$", text[: -len(part_text)])):
                return part_text, el
    return text, (h1s[0][1] if h1s else None)


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
