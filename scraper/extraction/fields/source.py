"""The publisher an article was republished from, named by the site's source line."""

from __future__ import annotations

import re

from lxml import etree

from scraper.extraction.dates import parse_date
from scraper.extraction.document import Document
from scraper.extraction.fields.common import Found
from scraper.extraction.fields.layout import lines_between
from scraper.extraction.text import SKIP_TAGS, inline_text
from scraper.sites.base import Site


def original_source(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """Name, URL and date of the publisher an article was republished from."""
    if not site.rules.source_line:
        return None
    phrase = re.compile(site.rules.source_line + r"\s*:?\s*", re.IGNORECASE)
    for el in doc.root.iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        own = [el.text or ""] + [c.tail or "" for c in el]
        if not any(phrase.search(t) for t in own):
            continue
        name, url = _source_name_url(el, phrase)
        if not name:
            continue
        date = _source_date(doc, site, span, name)
        return Found({"name": name, "url": url, "date": date}, "text:source-line", el)
    return None


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
        rest = re.split(r"\s*(?:copyright|©)", text[match.end():], flags=re.IGNORECASE)[0]
        rest = rest.strip(" .,")
        if rest:
            return rest, None
    return None, None


def _source_date(doc: Document, site: Site, span: tuple[int, int], name: str) -> str | None:
    line = re.compile(re.escape(name) + r",?\s+(?P<date>\S.{4,30})$")
    date_line = re.compile(site.rules.date_line) if site.rules.date_line else None
    languages = [site.language] if site.language else None
    for _, text in lines_between(doc, *span):
        if date_line and date_line.match(text):
            continue  # the republisher's own date line, "Global Research, May 12, 2025"
        match = line.match(text)
        if match:
            return parse_date(match.group("date"), languages=languages)
    return None
