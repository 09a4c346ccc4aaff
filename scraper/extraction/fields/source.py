"""The publisher an article was republished from, named by the site's source line.

A republication is another outlet's article. "The original source of this article is Global
Research" on Global Research says the article is the site's own: its `original_source` is
null, as for an article that names no source at all. Null rather than a record marked "the
site itself" because every question asked of the field is "who did this site take the
article from": with null, `original_source is not null` means "republished" in SQL, in the
`sources`/`article_sources` links, the `republished_by_source` view, the original-source
facet, the article page and the following of sources, and no reader of the field has to know
of a marker to leave out. The source line is still named in the provenance
("text:source-line:self"), so `extract --debug` shows that it was seen and why it was set
aside; the archive's m006 migration clears the rows stored before.
"""

from __future__ import annotations

import re

from lxml import etree

from scraper.extraction.dates import parse_date
from scraper.extraction.document import Document, domain_label
from scraper.extraction.fields.common import Found
from scraper.extraction.fields.layout import lines_between
from scraper.extraction.furniture import PROSE_WORDS
from scraper.extraction.text import SKIP_TAGS, inline_text, word_count
from scraper.extraction.titles import same_words
from scraper.sites.base import Site


def original_source(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """Name, URL and date of the publisher an article was republished from; a Found of None
    when the source line names the site itself (see the module's docstring)."""
    if not site.rules.source_line:
        return None
    phrase = re.compile(site.rules.source_line + r"\s*:?\s*", re.IGNORECASE)
    itself: Found | None = None  # a line naming the site: kept unless another names an outlet
    for el in doc.root.iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        own = [el.text or ""] + [c.tail or "" for c in el]
        if not any(phrase.search(t) for t in own):
            continue
        name, url = _source_name_url(el, phrase)
        if not name:
            continue
        if names_the_site(name, url, site, doc.site_names):
            itself = itself or Found(None, "text:source-line:self", el)
            continue
        date = _source_date(doc, site, span, name)
        return Found({"name": name, "url": url, "date": date}, "text:source-line", el)
    return itself


def names_the_site(name: str | None, url: str | None, site: Site,
                   page_names: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether a source named `name` (at `url`) is `site` itself: its URL is on the site's
    domains, or its name is one the site goes by (its declared title or name, a domain or
    the name in one, or one the page gives: og:site_name, the JSON-LD publisher...), equal
    but for case, spaces and punctuation."""
    if url and site.owns(url):
        return True
    if not name:
        return False
    names = [site.title, site.name, *site.domains,
             *(domain_label(f"https://{d}") or d for d in site.domains), *page_names]
    return any(same_words(name, n) for n in names)


def _source_name_url(el: etree._Element, phrase: re.Pattern[str]) -> tuple[str | None, str | None]:
    # The first link after the phrase, else the words after it up to the line's end.
    seen = phrase.search(el.text or "") is not None
    for child in el:
        if seen and isinstance(child.tag, str) and child.tag == "a" and inline_text(child):
            return inline_text(child), child.get("href")
        if isinstance(child.tag, str) and child.tag == "br" and seen:
            break
        if phrase.search(child.tail or ""):
            seen = True
    text = inline_text(el)
    match = phrase.search(text)
    if match:
        # The name ends at a copyright or at a date: "… published on X on May 2, 2025."
        rest = re.split(r"\s*(?:copyright|©)|\s+on\s+(?=\d|[A-Z][a-z]{2,8}\.? \d)",
                        text[match.end():], flags=re.IGNORECASE)[0]
        rest = rest.strip(" .,")
        if rest and not _A_DATE.match(rest):
            return rest, None
    return None, None


# "This article was originally published on May 2, 2025": a date, not an outlet.
_A_DATE = re.compile(r"^(\d|[A-Z][a-z]{2,8}\.? \d{1,2}\b)")


def _source_date(doc: Document, site: Site, span: tuple[int, int], name: str) -> str | None:
    line = re.compile(re.escape(name) + r",?\s+(?P<date>\S.{4,30})$")
    date_line = re.compile(site.rules.date_line) if site.rules.date_line else None
    languages = [site.language] if site.language else None
    # The header, and the lines a body opens with before its story starts, where a redesign
    # may move the source's date line ("Andean Monitor 1 November 2025").
    for _, text in lines_between(doc, span[0], len(doc.order), max_chars=100_000):
        if word_count(text) >= PROSE_WORDS:
            break
        if date_line and date_line.match(text):
            continue  # the republisher's own date line, "Global Research, May 12, 2025"
        match = line.match(text)
        if match:
            return parse_date(match.group("date"), languages=languages)
    return None
