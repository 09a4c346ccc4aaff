"""The field cascade: each field from the strongest evidence on the page, with its source.

Order for every field: the site's own selectors, structured data (JSON-LD, microdata,
meta), visible-text anchors ("By …", a date line), then generic selectors. Each function
returns the value and a provenance string such as "css:[itemprop=headline]" or "json-ld".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from scraper.extraction.authors import split_authors
from scraper.extraction.dates import parse_date
from scraper.extraction.document import Document, subtree_end
from scraper.extraction.text import BLOCK_TAGS, SKIP_TAGS, clean_text, inline_text
from scraper.sites.base import Site

GENERIC_TITLE = ("h1[itemprop=headline]", "article h1", "h1.entry-title", "h1")
GENERIC_BODY = ("[itemprop=articleBody]", "div.entry-content", "div.post-content",
                "div.article-body", "article", "main")
BYLINE_TEXT = re.compile(r"^by\s+\S", re.IGNORECASE)
TIME_META = ("article:published_time", "og:article:published_time", "datepublished",
             "pubdate", "publishdate", "date", "dc.date.issued", "dc.date", "sailthru.date")
_NOT_CONTENT = "ancestor-or-self::*[self::nav or self::footer or self::aside or self::header]"


@dataclass
class Found:
    """A field's value and where it came from."""

    value: Any
    source: str
    element: etree._Element | None = None


def title(doc: Document, site: Site) -> Found | None:
    hit = doc.first_text(site.rules.title)
    if hit:
        return Found(hit.text, f"css:{hit.query}", hit.element)
    ld = doc.article_ld
    if ld and isinstance(ld.get("headline"), str) and ld["headline"].strip():
        return Found(clean_text(ld["headline"]), "json-ld")
    for key in ("og:title", "twitter:title"):
        if key in doc.meta:
            return Found(strip_site_suffix(doc.meta[key], site), f"meta:{key}")
    titles = doc.xpath("//title")
    if titles and inline_text(titles[0]):
        return Found(strip_site_suffix(inline_text(titles[0]), site), "title")
    hit = doc.first_text(GENERIC_TITLE)
    return Found(hit.text, f"css:{hit.query}", hit.element) if hit else None


def strip_site_suffix(text: str, site: Site) -> str:
    text = clean_text(text)
    if site.rules.title_suffix:
        text = re.sub(site.rules.title_suffix, "", text).strip()
    return text


def subtitle(doc: Document, site: Site) -> Found | None:
    hit = doc.first_text(site.rules.subtitle)
    return Found(hit.text, f"css:{hit.query}", hit.element) if hit else None


def body_container(doc: Document, site: Site) -> Found | None:
    """The element holding the article text: the site's chain, then generic selectors.
    Among several matches of one selector the one with the most text wins."""
    for query in (*site.rules.body, *GENERIC_BODY):
        sizes = {el: len(inline_text(el)) for el in doc.css(query)}
        if any(sizes.values()):
            best = max(sizes, key=sizes.__getitem__)
            return Found(best, f"css:{query}", best)
    return None


def lines_between(doc: Document, start: int, stop: int, max_chars: int = 250) -> Iterator[
        tuple[etree._Element, str]]:
    """Short innermost text blocks between two document positions, in order.

    "Innermost" means the element has no block children: the byline `div`, not the
    `div.postMeta` around byline, date and source lines together.
    """
    for el, pos in doc.order.items():
        if pos <= start or not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        if pos >= stop:
            break
        if any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
            continue
        text = inline_text(el)
        if text and len(text) <= max_chars:
            yield el, text


def header_span(doc: Document, title_el: etree._Element | None,
                body_el: etree._Element | None) -> tuple[int, int]:
    """Positions between the headline and the body: where bylines and date lines sit."""
    start = subtree_end(doc, title_el) if title_el is not None else 0
    stop = doc.order[body_el] if body_el is not None else len(doc.order)
    if stop <= start:
        stop = len(doc.order)
    return start, stop


def byline(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """The byline as shown, from the site's selectors or a "By …" line after the headline."""
    for query in site.rules.byline:
        for el in doc.css(query):
            text = inline_text(el)
            if text and doc.order[el] > span[0] and split_authors(text):
                return Found(text, f"css:{query}", el)
    for el, text in lines_between(doc, *span):
        if BYLINE_TEXT.match(text) and split_authors(text):
            return Found(text, "text:by-line", el)
    return None


def authors(doc: Document, site: Site, found_byline: Found | None) -> Found | None:
    """Names from the byline, else structured data, else a site's author footer
    ("Articles by: …"), else a rel=author link."""
    if found_byline:
        names = split_authors(found_byline.value)
        if names:
            return Found(names, found_byline.source)
    ld = doc.article_ld
    if ld:
        names = _ld_names(ld.get("author"))
        if names:
            return Found(names, "json-ld")
    if "author" in doc.meta:
        return Found(split_authors(doc.meta["author"]), "meta:author")
    if site.rules.author_footer:
        footer = re.compile(site.rules.author_footer, re.IGNORECASE)
        for _, text in lines_between(doc, 0, len(doc.order)):
            match = footer.match(text)
            names = split_authors(text[match.end():]) if match else []
            if names:
                return Found(names, "text:author-footer")
    for el in doc.xpath("//a[@rel='author']"):
        if not el.xpath(_NOT_CONTENT) and inline_text(el):
            return Found(split_authors(inline_text(el)), "css:a[rel=author]")
    return None


def _ld_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str):
            names += [n for n in split_authors(name) if n not in names]
    return names


def published(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """The publication time: a meta time with its offset first, then JSON-LD, microdata,
    the site's visible date line, `<time datetime>`. Value is (iso, text it came from)."""
    languages = [site.language] if site.language else None
    # (text to parse, text shown, source), strongest first
    candidates: list[tuple[str, str, str]] = []
    for key in TIME_META[:2]:
        if key in doc.meta:
            candidates.append((doc.meta[key], doc.meta[key], f"meta:{key}"))
    ld = doc.article_ld
    if ld and isinstance(ld.get("datePublished"), str):
        candidates.append((ld["datePublished"], ld["datePublished"], "json-ld"))
    for el in doc.xpath("//*[@itemprop='datePublished']"):
        value = el.get("content") or el.get("datetime") or inline_text(el)
        candidates.append((value, value, "microdata:datePublished"))
    if site.rules.date_line:
        pattern = re.compile(site.rules.date_line)
        for _, text in lines_between(doc, *span):
            match = pattern.match(text)
            if match:
                candidates.append((match.group("date"), text, "text:date-line"))
                break
    for el in doc.xpath("//time[@datetime]"):
        if not el.xpath(_NOT_CONTENT):
            candidates.append((el.get("datetime"), el.get("datetime"), "time[datetime]"))
    for key in TIME_META[2:]:
        if key in doc.meta:
            candidates.append((doc.meta[key], doc.meta[key], f"meta:{key}"))
    for value, text, source in candidates:
        iso = parse_date(value, languages=languages, timezone=site.timezone)
        if iso:
            return Found((iso, text), source)
    return None


def tags(doc: Document, site: Site) -> Found | None:
    """Labelled tag links ("Region: Europe") with their kind; else rel=tag, meta keywords."""
    labelled = _labelled_links(doc, site.rules.tag_labels)
    if labelled:
        return Found(labelled, "text:labels")
    names = [inline_text(a) for a in doc.xpath("//a[contains(concat(' ', @rel, ' '), ' tag ')]")
             if not a.xpath(_NOT_CONTENT)]
    if not names:
        names = [v for k, v in _meta_all(doc, "article:tag")]
    if not names and "keywords" in doc.meta:
        names = doc.meta["keywords"].split(",")
    result: list[dict[str, str]] = []
    for name in names:
        name = clean_text(name)
        if name and {"name": name, "kind": "tag"} not in result:
            result.append({"name": name, "kind": "tag"})
    return Found(result, "generic") if result else None


def _meta_all(doc: Document, key: str) -> list[tuple[str, str]]:
    return [(key, el.get("content").strip()) for el in doc.root.iter("meta")
            if (el.get("property") or el.get("name") or "").lower() == key and el.get("content")]


@lru_cache(maxsize=64)
def label_group(labels: tuple[str, ...]) -> str:
    """A regex group matching any of a site's tag labels: "(Region|Theme|In\\-depth Report)"."""
    return "(" + "|".join(re.escape(k) for k in labels) + ")"


def _labelled_links(doc: Document, labels: dict[str, str]) -> list[dict[str, str]]:
    """Walk the page in order: a label's text opens a run, links join it, a block ends it."""
    if not labels:
        return []
    label_re = re.compile(rf"^\s*{label_group(tuple(labels))}s?\s*:\s*$", re.IGNORECASE)
    kinds = {k.lower(): v for k, v in labels.items()}
    found: list[dict[str, str]] = []
    kind: str | None = None

    def text_event(text: str | None) -> None:
        nonlocal kind
        if not text or not text.strip():
            return
        match = label_re.match(text)
        if match:
            kind = kinds[match.group(1).lower()]
        elif text.strip() not in {",", ";", "|", "/", "·", "•"}:
            kind = None

    def walk(el: etree._Element) -> None:
        nonlocal kind
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in SKIP_TAGS or not tag:
                pass
            elif tag == "a" and kind:
                name = inline_text(child)
                if name:
                    entry = {"name": name, "kind": kind}
                    if entry not in found:
                        found.append(entry)
            else:
                if tag in BLOCK_TAGS:
                    kind = None
                text_event(child.text)
                walk(child)
                if tag in BLOCK_TAGS:
                    kind = None
            text_event(child.tail)

    walk(doc.root)
    return found


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
