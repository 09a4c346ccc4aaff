"""Who wrote the article: the byline as shown and the authors' names, from the site's
selectors, structured data, meta, byline elements and credit lines."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from lxml import etree

from scraper.extraction.authors import is_same_name, split_authors
from scraper.extraction.document import Document, is_article_type
from scraper.extraction.fields.common import _OUTSIDE_ARTICLE, Found, _box_with, _in_parts
from scraper.extraction.fields.layout import lines_between
from scraper.extraction.text import BLOCK_TAGS, inline_text
from scraper.extraction.titles import clean_value
from scraper.sites.base import Site

# A byline line: "By …" (other languages' "Von …", "Por …" also open ordinary sentences;
# their bylines are found by their markup).
BYLINE_TEXT = re.compile(r"^(?:written |posted )?by\s+\S", re.IGNORECASE)
# A Korean byline: the name, then the word for reporter ("김민지 기자").
REPORTER_TEXT = re.compile(r"^[가-힣]{2,4}\s?(?:기자|특파원|선임기자|객원기자)(?:\s|$)")


def byline(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """The byline as shown, from the site's selectors or a "By …" line after the headline."""
    for query in site.rules.byline:
        for el in doc.css(query):
            text = inline_text(el)
            if text and doc.order[el] > span[0] and split_authors(text):
                # A name link inside its "Written by …" line: the line is the byline.
                box = _byline_box(el) if el.tag not in BLOCK_TAGS else el
                if box is not el and BYLINE_TEXT.match(inline_text(box)):
                    el, text = box, inline_text(box)
                return Found(text, f"css:{query}", el)
    for el, text in lines_between(doc, *span):
        if (BYLINE_TEXT.match(text) or REPORTER_TEXT.match(text)) and split_authors(text):
            el, text = _narrowest_byline(el, text)
            return Found(text, "text:by-line", el)
    shown = _byline_elements(doc)
    if shown and shown.element is not None and span[0] < doc.order[shown.element] < span[1]:
        box = _byline_box(shown.element)
        return Found(byline_text(box), "css:byline-box", box)
    return None


def byline_text(el: etree._Element) -> str:
    """A byline element's text; where it is made of parts that touch without a space
    ("<span>Por Ana Gil</span><span>Orihuela</span>": name, then place or role), the first
    part that names someone."""
    parts = [c for c in el if isinstance(c.tag, str)]
    touching = len(parts) >= 2 and not (el.text or "").strip() and all(
        not (c.tail or "").strip() and not (c.tail or "x").isspace() for c in parts[:-1])
    if touching and all(inline_text(c) for c in parts):
        for part in parts:
            if split_authors(inline_text(part)):
                return inline_text(part)
    return inline_text(el)


def _narrowest_byline(el: etree._Element, text: str) -> tuple[etree._Element, str]:
    """The innermost element of a "By …" line that still opens with it: the byline `<span>`
    of a meta line that goes on with a date and a view count."""
    for child in el.iterdescendants(etree.Element):
        inner = inline_text(child)
        if inner and len(inner) < len(text) and text.startswith(inner) \
                and BYLINE_TEXT.match(inner) and split_authors(inner):
            return child, inner
    return el, text


def _byline_box(el: etree._Element) -> etree._Element:
    """The line a byline element sits in ("Von <a>Anna</a> und <a>Jens</a>"), up to where a
    date or more text joins it."""
    line = el
    while line.tag not in BLOCK_TAGS and line.getparent() is not None:
        text = inline_text(line.getparent())
        if len(text) > 200 or re.search(r"\d", text) and not re.search(r"\d", inline_text(line)):
            break
        line = line.getparent()
    return line


def authors(doc: Document, site: Site, found_byline: Found | None) -> Found | None:
    """Person names: the site's byline, JSON-LD and microdata persons, author meta, a
    "By …" line or byline element, a site's author footer ("Articles by: …"), a rel=author
    link; an organisation only when no person is named anywhere."""
    not_names = doc.site_names
    site_byline = found_byline and found_byline.source in {f"css:{q}" for q in site.rules.byline}
    ld_people, ld_orgs = _ld_people(doc.resolve((doc.article_ld or {}).get("author")),
                                    not_names)
    steps = [
        lambda: Found(split_authors(found_byline.value), found_byline.source)
        if site_byline else None,
        lambda: _more_shown(Found(_credited(ld_people, ld_orgs, not_names), "json-ld"), doc)
        if ld_people else None,
        lambda: _microdata_people(doc, not_names),
        lambda: _meta_people(doc, not_names),
        lambda: _labelled_meta_people(doc, not_names),
        lambda: Found(split_authors(found_byline.value, not_names), found_byline.source)
        if found_byline else None,
        lambda: _author_footer(doc, site),
        lambda: _byline_elements(doc),
        lambda: _meta_people(doc, not_names, keys=("author",)),
        lambda: _credit_line(doc, not_names),
        lambda: Found(ld_orgs, "json-ld:organization") if ld_orgs else None,
        lambda: _meta_people(doc, (), keys=("author", *PERSON_META)),
    ]
    for step in steps:
        found = step()
        if found and found.value:
            return _cased(found, doc)
    return None


def _cased(found: Found, doc: Document) -> Found:
    """Names a byline shows in capitals ("ELENI PAPADOPOULOU") as the page's meta writes
    them, with their lower case and accents, where it names the same person."""
    written = [v for key in ("author", *PERSON_META) for v in doc.meta_lists.get(key, [])]
    names = [next((w for w in written if not w.isupper() and _bare(w) == _bare(n)), n)
             if n.isupper() else n for n in found.value]
    return Found(names, found.source, found.element) if names != found.value else found


def _bare(name: str) -> str:
    """A name without case, accents or punctuation."""
    decomposed = unicodedata.normalize("NFD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _more_shown(found: Found, doc: Document) -> Found:
    """The visible byline instead of structured data that names only some of its authors."""
    shown = _byline_elements(doc)
    if shown and len(shown.value) > len(found.value) and {
            n.casefold() for n in found.value} <= {n.casefold() for n in shown.value}:
        return shown
    return found


# Meta that name persons. Plain "author" names the site as often as a person: it is asked
# after the visible bylines.
PERSON_META = ("article:author", "parsely-author", "sailthru.author",
               "cxenseparse:author", "dc.creator", "dcterms.creator", "byl", "article:byline",
               "og:article:author", "twitter:misc:written by")
# Author pages in several languages: "/autoren/", "/writer/512", "/muhabir/ayse-yilmaz".
_AUTHOR_HREF = re.compile(r"/(author|autor|authors|autoren|auteur|autores|writers?|reporters?"
                          r"|muhabir|yazar)/", re.IGNORECASE)
# Class words of places where names are not the article's authors.
_NOT_BYLINE = frozenset("comment comments related teaser recommended more bio biography "
                        "description avatar image img photo follow newsletter footer".split())


def _credited(people: list[str], orgs: list[str], not_names: list[str]) -> list[str]:
    """Persons, with the agencies credited beside them ("Lea Moser" and "Harbour Wire"); never the
    site itself."""
    agencies = [o for o in orgs if not any(is_same_name(o, n) for n in not_names)
                and not any(_key_in(n, o) for n in not_names)]
    return people + [a for a in agencies if a not in people]


def _key_in(name: str, org: str) -> bool:
    a, b = re.sub(r"\W+", "", name).casefold(), re.sub(r"\W+", "", org).casefold()
    return len(a) >= 3 and (a in b or b in a)


def _ld_people(value: Any, not_names: list[str]) -> tuple[list[str], list[str]]:
    """Names of persons and of organisations in a JSON-LD author value."""
    people: list[str] = []
    orgs: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        kind = item.get("@type") if isinstance(item, dict) else None
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = ", ".join(n for n in name if isinstance(n, str))
        if not isinstance(name, str) or _is_url(name):
            continue
        name = clean_value(name)
        if kind and "Organization" in str(kind) or any(is_same_name(name, n) for n in not_names):
            orgs += [name] if name not in orgs else []
        else:
            people += [n for n in split_authors(name, not_names) if n not in people]
    return people, orgs


def _microdata_people(doc: Document, not_names: list[str]) -> Found | None:
    names: list[str] = []
    tops = [el for el in doc.itemprops.get("author", ())
            if not any("author" in (a.get("itemprop") or "") for a in el.iterancestors())]
    for el in tops:
        scope = next((a for a in el.iterancestors() if a.get("itemscope") is not None), None)
        itemtype = (scope.get("itemtype") or "").rsplit("/", 1)[-1] if scope is not None else ""
        if (scope is None or not is_article_type(itemtype)
                or "Organization" in (el.get("itemtype") or "")):
            continue  # the author of an image, a review, a comment, or a publisher
        inner = el.xpath(".//*[@itemprop='name']")
        text = (inner[0].get("content") or inline_text(inner[0])) if inner else (
            el.get("content") or inline_text(el))
        names += [n for n in split_authors(text or "", not_names) if n not in names]
    return Found(names, "microdata:author") if names else None


def _meta_people(doc: Document, not_names: Any, keys: tuple[str, ...] = PERSON_META
                 ) -> Found | None:
    for key in keys:
        values = [v for v in doc.meta_lists.get(key, []) if not _is_url(v) and "@" not in v]
        names: list[str] = []
        for value in values:
            names += [n for n in split_authors(clean_value(value), not_names) if n not in names]
        if names:
            return Found(names, f"meta:{key}")
    return None


# The label of a twitter:labelN/dataN pair that names the writer (SEO plugins write it).
_WRITTEN_BY = re.compile(r"^(written by|author|autor|auteur|geschrieben von|escrito por|"
                         r"scritto da)$", re.IGNORECASE)


def _labelled_meta_people(doc: Document, not_names: list[str]) -> Found | None:
    """Names in the twitter:dataN meta whose twitter:labelN says "Written by"."""
    for n in range(1, 5):
        label, value = doc.meta.get(f"twitter:label{n}"), doc.meta.get(f"twitter:data{n}")
        if label and value and _WRITTEN_BY.match(label.strip()) and not _is_url(value):
            names = split_authors(clean_value(value), not_names)
            if names:
                return Found(names, f"meta:twitter:data{n}")
    return None


def _is_url(value: str) -> bool:
    return bool(re.match(r"\s*(https?:|www\.|/)", value))


def _byline_elements(doc: Document) -> Found | None:
    """Names in the page's byline elements, the site's own names left out; found once per
    page, as the byline and two steps of the authors' cascade ask for them."""
    if "byline_elements" not in doc.memo:
        doc.memo["byline_elements"] = _find_byline_elements(doc, doc.site_names)
    return doc.memo["byline_elements"]


def _find_byline_elements(doc: Document, not_names: list[str]) -> Found | None:
    """Names in the first byline-like element (class "byline"/"author", itemprop=author,
    rel=author) that is not in comments, teasers or an author bio; with the elements next
    to it that hold further names ("div.bylines > div.byline" twice)."""
    found = _byline_like(doc)
    inner = set(found)
    innermost = [el for el in found if not any(d in inner for d in el.iterdescendants())]
    for el in innermost:
        if el.xpath(_OUTSIDE_ARTICLE) or _in_parts(el, _NOT_BYLINE):
            continue
        text = byline_text(el)
        if not text or len(text) > 200 or not split_authors(text, not_names):
            continue
        group = [el, *_byline_siblings(el, innermost)]
        names: list[str] = []
        for member in group:
            names += [n for n in split_authors(byline_text(member), not_names)
                      if n not in names and not n[0].islower()]
        if names:
            return Found(names, "css:byline", el)
    return None


def _author_footer(doc: Document, site: Site) -> Found | None:
    if not site.rules.author_footer:
        return None
    footer = re.compile(site.rules.author_footer, re.IGNORECASE)
    for _, text in lines_between(doc, 0, len(doc.order)):
        match = footer.match(text)
        names = split_authors(text[match.end():]) if match else []
        if names:
            return Found(names, "text:author-footer")
    return None


# The credit line Chinese news pages end with: "(责编：王小明、李华)", "作者：…", "记者 …".
_CREDIT_LINE = re.compile(r"^[（(]?\s*(?:责任编辑|责编|编辑|作者|记者|撰文)\s*[:：]\s*"
                          r"(?P<names>[^()（）:：]{1,60}?)\s*[)）]?$")
_CREDIT_XPATH = ("//*[contains(text(), '责编') or contains(text(), '责任编辑')"
                 " or contains(text(), '作者') or contains(text(), '记者')]")


def _credit_line(doc: Document, not_names: list[str]) -> Found | None:
    for el in doc.xpath(_CREDIT_XPATH):
        match = _CREDIT_LINE.match(inline_text(el))
        names = split_authors(match["names"], not_names) if match else []
        if names:
            return Found(names, "text:credit-line", el)
    return None


def _byline_like(doc: Document) -> list[etree._Element]:
    """Elements that look like a byline: itemprop=author, rel=author, a link to an author
    page, a class naming a byline, an author or a writer ("autor", "autore" in other
    languages)."""
    found = []
    for el in doc.order:
        cls = (el.get("class") or "").lower()
        if ("byline" in cls or "author" in cls or "autor" in cls or "writer" in cls
                or "author" in (el.get("itemprop") or "")
                or (el.tag == "a" and ("author" in (el.get("rel") or "")
                                       or _AUTHOR_HREF.search(el.get("href") or "")))):
            found.append(el)
    return found


def _byline_siblings(el: etree._Element, candidates: list[etree._Element]
                     ) -> list[etree._Element]:
    """Elements like `el` (same tag and class) in the smallest box around it that has any,
    when that box is byline-sized."""
    alike = [c for c in candidates
             if c is not el and c.tag == el.tag and c.get("class") == el.get("class")]
    box, inside = _box_with(el, alike, 4)
    return inside if box is not None and len(inline_text(box)) <= 300 else []
