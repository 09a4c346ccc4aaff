"""The article's tags: a site's labelled tag links, tag meta, JSON-LD keywords, a visible
tag list; and how a tag value is split into names."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from lxml import etree

from scraper.extraction.document import Document, compiled_xpath
from scraper.extraction.fields.common import Found, _box_with, _in_parts, tagged
from scraper.extraction.text import BLOCK_TAGS, SKIP_TAGS, inline_text
from scraper.extraction.titles import clean_value, same_words
from scraper.sites.base import Site


def tags(doc: Document, site: Site, span: tuple[int, int] = (0, 0)) -> Found | None:
    """Labelled tag links ("Region: Europe") with their kind; else the page's own tag list:
    article:tag, parsely/sailthru tags, rel=tag links (the list the article shows, before
    the keywords meta, which often adds search terms), keywords meta, JSON-LD keywords,
    news_keywords, Dublin Core subjects, a visible tag list. Each split and trimmed."""
    labelled = _labelled_links(doc, site.rules.tag_labels)
    if labelled:
        return Found(labelled, "text:labels")
    ld = doc.article_ld or {}
    sources: list[tuple[str, Callable[[], Any]]] = [
        ("meta:article:tag", lambda: doc.meta_lists.get("article:tag")),
        ("meta:dc.subject", lambda: doc.meta_lists.get("dc.subject")),
        ("meta:parsely-tags", lambda: doc.meta_lists.get("parsely-tags")),
        ("meta:sailthru.tags", lambda: doc.meta_lists.get("sailthru.tags")),
        ("css:a[rel=tag]", lambda: _rel_links(doc, _is_tag_link, in_nav=False)),
        ("meta:keywords", lambda: doc.meta_lists.get("keywords")),
        ("json-ld:keywords", lambda: ld.get("keywords") or _page_keywords(doc)),
        ("meta:news_keywords", lambda: doc.meta_lists.get("news_keywords")),
        ("css:tag-list", lambda: _tag_list(doc, span)),
        # A blog's footer bar may hold the post's rel=tag links in a <nav>; a site menu
        # comes before the headline.
        ("css:nav a[rel=tag]", lambda: _rel_links(doc, _is_tag_link, in_nav=True,
                                                  after=span[0])),
    ]
    for source, get in sources:
        names = split_tags(get(), doc.site_names)
        if names:
            return Found([{"name": n, "kind": "tag"} for n in names], source)
    # No tag at all: the post's categories (rel="category tag") say what it is about.
    names = split_tags(_rel_links(doc, _is_category_link, in_nav=False), doc.site_names)
    if names:
        return Found([{"name": n, "kind": "category"} for n in names], "css:a[rel=category]")
    return None


def _is_tag_link(a: etree._Element) -> bool:
    """rel="tag", not rel="category tag" (XPath's contains(concat(' ', @rel, ' '), ' tag ')
    and not(contains(@rel, 'category')))."""
    rel = a.get("rel") or ""
    return " tag " in f" {rel} " and "category" not in rel


def _is_category_link(a: etree._Element) -> bool:
    """rel="category" outside a page header that is no article's."""
    return " category " in f" {a.get('rel') or ''} " and not any(
        next(header.iterancestors("article"), None) is None
        for header in a.iterancestors("header"))


def _rel_links(doc: Document, kind: Callable[[etree._Element], bool], in_nav: bool,
               after: int = 0) -> list[str]:
    """The texts of the links of a `kind`, inside a `<nav>` or outside any, from the
    `after`th element of the page on."""
    return [inline_text(a) for a in tagged(doc, "a")
            if kind(a) and _in_nav(a) is in_nav and doc.order.get(a, 0) >= after]


def _in_nav(el: etree._Element) -> bool:
    return next(el.iterancestors("nav"), None) is not None


# Types of JSON-LD objects that describe the site or a part of the page, not the article.
_NOT_THE_ARTICLE = frozenset("WebSite Organization Person BreadcrumbList ImageObject "
                             "SiteNavigationElement SearchAction".split())


def _page_keywords(doc: Document) -> Any:
    """The keywords of the JSON-LD object that describes the page's piece when it is no
    Article (a Recipe, a HowTo, a Product): the first object that is neither the site nor a
    part of the page."""
    for obj in doc.json_ld:
        types = obj.get("@type")
        types = set(types) if isinstance(types, list) else {types}
        if obj.get("keywords") and not types & _NOT_THE_ARTICLE:
            return obj["keywords"]
    return None


# Class words and link paths of a page's list of tags or topics.
_TAG_PARTS = frozenset("tag tags taglist topic topics keyword keywords subject subjects "
                       "schlagworte schlagwort themen stichworte argomenti etiquetas temas "
                       "tagi motcle motscles".split())
# A box is no wider than the article: WordPress names the <article> for each of its terms
# ("tag-iowa"), and every link of the post would sit in a "tag" box.
_NOT_A_BOX = frozenset({"article", "main", "body", "html"})
_TAG_HREF = re.compile(r"(^|/)(tags?|topics?|thema|themen|schlagworte?|keywords?|subjects?"
                       r"|stichworte?|argomenti|argomento|etiquetas?|temas?|tagi|mot|motcle"
                       r"|mots-cles|aiheet|aihe)/"
                       # SPIP's keyword pages: "+-universite-+.html"
                       r"|(^|/)\+-[^/]+-\+(\.html)?$", re.IGNORECASE)
# Links outside menus and asides (one query: lxml's test of their ancestors is faster than
# a look up from each link of the page's index).
_TAG_LINKS = "//a[@href][not(ancestor::nav)][not(ancestor::aside)]"
# A link to the index of all tags ("All topics"), not to one tag.
_TAG_INDEX = re.compile(r"/(tags?|topics?|thema|themen|schlagworte?|keywords?|subjects?"
                        r"|argomenti|etiquetas|temas|tagi)/?"
                        r"([?#].*)?$|^#", re.IGNORECASE)


def _tag_list(doc: Document, span: tuple[int, int]) -> list[str]:
    """Link texts of the page's visible tag list: links whose path or box says "tag",
    "topic", "keyword"…, grouped by the smallest box around each; the first group of several
    links after the headline wins, else the first lone link."""
    beside: dict[etree._Element, int] = {}
    boxes: dict[etree._Element, bool] = {}
    links = [a for a in doc.xpath(_TAG_LINKS)
             if (_TAG_HREF.search(a.get("href")) or _in_parts(a, _TAG_PARTS, boxes, _NOT_A_BOX))
             and not _TAG_INDEX.search(a.get("href"))
             and 0 < len(inline_text(a)) <= 60 and not _site_header(a)
             and not _in_prose(a, beside)]
    ordered = sorted(links, key=lambda a: doc.order[a] < span[0])
    single: list[etree._Element] | None = None
    for first in ordered[:20]:
        group = _link_group(first, links)
        if len(group) >= 2:
            return [_tag_name(a) for a in group]
        single = single or group
    return [_tag_name(a) for a in single or []]


# The count of posts a tag list shows after each tag: "Iowa (140)", "Iowa (140 posts)".
_COUNT = re.compile(r"\s*[(\[]\d[\d.,]*(\s+\w+)?[)\]]$")


def _tag_name(link: etree._Element) -> str:
    return _COUNT.sub("", inline_text(link))


def _link_group(first: etree._Element, links: list[etree._Element]) -> list[etree._Element]:
    _, inside = _box_with(first, links, 5)
    members = set(inside)
    return [a for a in links if a is first or a in members] if inside else [first]


def _in_prose(link: etree._Element, beside: dict[etree._Element, int]) -> bool:
    """Whether a link sits inside a sentence (a link in the body's text, not a tag): the
    block's text beside its links to tag pages (or in a box named for tags) is longer than
    the link's. `beside` keeps that length per block, measured once however many links
    the block has."""
    block = next((p for p in link.iterancestors() if p.tag in BLOCK_TAGS), None)
    if block is None:
        return False
    if block not in beside:
        beside[block] = len(inline_text(block)) - sum(
            len(inline_text(a)) for a in block.iter("a")
            if _TAG_HREF.search(a.get("href") or "") or _in_parts(a, _TAG_PARTS, stop=_NOT_A_BOX))
    return beside[block] > len(inline_text(link)) + 20


def _site_header(el: etree._Element) -> bool:
    return bool(compiled_xpath("ancestor::header[not(ancestor::article)] | ancestor::footer"
                               "[not(ancestor::article)]")(el))


_LABELLED = re.compile(r"^([^:]{1,25}):\s*(.+)$")


def _unlabel(names: list[str]) -> list[str]:
    """Tag values some sites label ("Subject: Justice", "Day: Friday", "WC: 1000-1999"):
    only subjects, topics, keywords and entities are tags; unlabelled values stay unless
    most values are labelled."""
    labelled = sum(1 for n in names if _LABELLED.match(n))
    if labelled < 2:
        return names
    out: list[str] = []
    for name in names:
        match = _LABELLED.match(name)
        if match is None:
            if labelled < len(names) / 2:
                out.append(name)
        elif re.search(r"subject|topic|tag|keyword|entit", match[1], re.IGNORECASE):
            out.append(match[2])
    return out


def split_tags(value: Any, site_names: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Tag names from a meta value, a JSON-LD string or list: split at commas (at spaces in
    Chinese and Japanese, which put none inside words), trimmed, de-duplicated. None for a
    list of codes ("AER,AERO,AIR,…") or one that starts with the site's own name (the
    keywords of the whole site, not of the article)."""
    pieces: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str):
            item = clean_value(item)
            separator = r"\s*[,;、，]\s*" if re.search(r"[,;、，]", item) or not _CJK.search(
                item) else r"\s+"
            pieces += re.split(separator, item)
    names: list[str] = []
    seen: set[str] = set()
    for piece in pieces:
        name = piece.strip()
        key = _tag_key(name)
        if (name and key and key not in seen and len(name) <= MAX_TAG_CHARS
                and not _NOT_A_TAG.match(name)):
            seen.add(key)
            names.append(name)
            if len(names) >= MAX_TAGS:
                break
    names = _unlabel(names)
    codes = [n for n in names if re.fullmatch(r"[A-Z0-9:_\-]{2,}", n)]
    if len(names) >= 5 and len(codes) > 0.8 * len(names):
        return []
    if names and any(same_words(names[0], n) for n in site_names):
        return []
    return names


# A tag names a subject in a few words; a longer "tag" is a sentence or junk. More tags
# than MAX_TAGS are search terms, not the article's subjects.
MAX_TAG_CHARS = 100
MAX_TAGS = 100
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# Identifiers and host names that tag metadata carries besides tags.
# A host name is written in lower case ("example.org"); "Ham.Lit" is a festival's name.
_NOT_A_TAG = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F-]{27,}$|^[a-z0-9-]+(\.[a-z0-9-]+)+$")


def _tag_key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


@lru_cache(maxsize=64)
def label_group(labels: tuple[str, ...]) -> str:
    """A regex group matching any of a site's tag labels: "(Region|Theme|In\\-depth Report)"."""
    return "(" + "|".join(re.escape(k) for k in labels) + ")"


# Elements that show a label as such, with or without its colon.
LABEL_TAGS = frozenset({"dt", "th"})


def _labelled_links(doc: Document, labels: dict[str, str]) -> list[dict[str, str]]:
    """Walk the page in order: a label's text opens a run, links join it, a block ends it.

    Whatever element shows the label (a table cell, a <dt>, a list item, a span, plain text
    before the links), its kind is read from the label text; a `<dt>` or `<th>` needs no
    colon. A label standing alone in its
    block stays open until its links come, and its run goes on over the following blocks of
    the same kind at the same depth as the first one holding them ("<td>Region:</td><td><a>
    Europe</a></td>", "<dt>Theme:</dt><dd><a>…</a></dd><dd><a>…</a></dd>"); other text ends it.
    """
    if not labels:
        return []
    label_re = re.compile(rf"^[\s,;|/·•]*{label_group(tuple(labels))}s?\s*(?P<colon>:)?\s*$",
                          re.IGNORECASE)
    kinds = {k.lower(): v for k, v in labels.items()}
    found: list[dict[str, str]] = []
    state: dict[str, Any] = {"kind": None, "waiting": False, "detached": False, "value": None}

    def close() -> None:
        state.update(kind=None, waiting=False, detached=False, value=None)

    def text_event(text: str | None, holder: str | None = None) -> None:
        if not text or not text.strip():
            return
        match = label_re.match(text)
        # Without its colon a label is a label only as a term or a header cell ("<dt>Region
        # </dt>"): a menu's "Regions" heading over its links is no label.
        if match and (match.group("colon") or holder in LABEL_TAGS):
            close()
            state.update(kind=kinds[match.group(1).lower()], waiting=True)
        elif text.strip() not in {",", ";", "|", "/", "·", "•"}:
            close()

    def start_block(tag: str, depth: int) -> None:
        if not state["detached"]:
            close()
        elif state["value"] is None:
            state["value"] = (tag, depth)  # the first block after a lone label holds values
        elif depth <= state["value"][1] and (tag, depth) != state["value"]:
            close()

    def end_block() -> None:
        if state["waiting"]:
            state["detached"] = True  # a label alone in its block: its values come next
        elif not state["detached"]:
            close()

    def walk(el: etree._Element, depth: int) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in SKIP_TAGS or not tag:
                pass
            elif tag == "a" and state["kind"]:
                name = inline_text(child)
                if name:
                    state["waiting"] = False
                    entry = {"name": name, "kind": state["kind"]}
                    if entry not in found:
                        found.append(entry)
            else:
                if tag in BLOCK_TAGS:
                    start_block(tag, depth)
                text_event(child.text, tag)
                walk(child, depth + 1)
                if tag in BLOCK_TAGS:
                    end_block()
            text_event(child.tail)

    walk(doc.root, 0)
    return found
