"""The field cascade: each field from the strongest evidence on the page, with its source.

Order for every field: the site's own selectors, structured data (JSON-LD, microdata,
meta), visible-text anchors ("By …", a date line), then generic selectors. Each function
returns the value and a provenance string such as "css:[itemprop=headline]" or "json-ld".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from scraper.extraction.authors import is_same_name, split_authors
from scraper.extraction.boilerplate import name_parts
from scraper.extraction.dates import find_date, parse_date, precision, same_moment
from scraper.extraction.document import Document, is_article_type, subtree_end
from scraper.extraction.text import BLOCK_TAGS, SKIP_TAGS, inline_text
from scraper.extraction.titles import clean_value, same_words, strip_site_name
from scraper.sites.base import Site

GENERIC_BODY = ("[itemprop=articleBody]", "div.entry-content", "div.post-content",
                "div.article-body", "article", "main")
# A byline line: "By …" (other languages' "Von …", "Por …" also open ordinary sentences;
# their bylines are found by their markup).
BYLINE_TEXT = re.compile(r"^by\s+\S", re.IGNORECASE)
_NOT_CONTENT = "ancestor-or-self::*[self::nav or self::footer or self::aside or self::header]"
# An article's own <header> holds its byline and date; navigation, footers and asides don't.
_OUTSIDE_ARTICLE = "ancestor-or-self::*[self::nav or self::footer or self::aside or self::figure]"


@dataclass
class Found:
    """A field's value and where it came from."""

    value: Any
    source: str
    element: etree._Element | None = None


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
        if not isinstance(value, str) or not value.strip():
            return ""
        text = strip_site_name(clean_value(value), names, shown, page_title)
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


def _microdata(doc: Document, prop: str) -> str | None:
    for el in doc.itemprops.get(prop, ()):
        value = el.get("content") or el.get("datetime") or inline_text(el)
        if value:
            return value
    return None


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
    shown = _byline_elements(doc, doc.site_names)
    if shown and shown.element is not None and span[0] < doc.order[shown.element] < span[1]:
        box = _byline_box(shown.element)
        return Found(inline_text(box), "css:byline-box", box)
    return None


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
        lambda: _more_shown(Found(_credited(ld_people, ld_orgs, not_names), "json-ld"), doc,
                            not_names) if ld_people else None,
        lambda: _microdata_people(doc, not_names),
        lambda: _meta_people(doc, not_names),
        lambda: Found(split_authors(found_byline.value, not_names), found_byline.source)
        if found_byline else None,
        lambda: _author_footer(doc, site),
        lambda: _byline_elements(doc, not_names),
        lambda: _meta_people(doc, not_names, keys=("author",)),
        lambda: _credit_line(doc, not_names),
        lambda: Found(ld_orgs, "json-ld:organization") if ld_orgs else None,
        lambda: _meta_people(doc, (), keys=("author", *PERSON_META)),
    ]
    for step in steps:
        found = step()
        if found and found.value:
            return found
    return None


def _more_shown(found: Found, doc: Document, not_names: list[str]) -> Found:
    """The visible byline instead of structured data that names only some of its authors."""
    shown = _byline_elements(doc, not_names)
    if shown and len(shown.value) > len(found.value) and {
            n.casefold() for n in found.value} <= {n.casefold() for n in shown.value}:
        return shown
    return found


# Meta that name persons. Plain "author" names the site as often as a person: it is asked
# after the visible bylines.
PERSON_META = ("article:author", "parsely-author", "sailthru.author",
               "cxenseparse:author", "dc.creator", "dcterms.creator", "byl", "article:byline",
               "og:article:author", "twitter:misc:written by")
_AUTHOR_HREF = re.compile(r"/(author|autor|authors|autoren|auteur|autores)/", re.IGNORECASE)
# Class words of places where names are not the article's authors.
_NOT_BYLINE = frozenset("comment comments related teaser recommended more bio biography "
                        "description avatar image img photo follow newsletter footer".split())


def _credited(people: list[str], orgs: list[str], not_names: list[str]) -> list[str]:
    """Persons, with the agencies credited beside them ("Paula Steiger" and "SDA"); never the
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
        if (scope is None or not is_article_type(re.sub(r".*/", "", scope.get("itemtype") or ""))
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


def _is_url(value: str) -> bool:
    return bool(re.match(r"\s*(https?:|www\.|/)", value))


def _byline_elements(doc: Document, not_names: list[str]) -> Found | None:
    if "byline_elements" not in doc.memo:
        doc.memo["byline_elements"] = _find_byline_elements(doc, not_names)
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
        text = inline_text(el)
        if not text or len(text) > 200 or not split_authors(text, not_names):
            continue
        group = [el, *_byline_siblings(el, innermost)]
        names: list[str] = []
        for member in group:
            names += [n for n in split_authors(inline_text(member), not_names)
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


PUBLISHED_META = ("article:published_time", "og:article:published_time",
                  "article:published:time", "published_time", "og:published_time",
                  "parsely-pub-date", "sailthru.date", "cxenseparse:publishtime",
                  "datepublished", "pubdate", "publishdate", "publish-date", "date",
                  "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
                  "dcterms.created", "prism.publicationdate", "citation_publication_date")
MODIFIED_META = ("article:modified_time", "og:article:modified_time", "article:modified:time",
                 "og:updated_time", "modified_time", "datemodified", "last-modified",
                 "dc.date.modified", "dcterms.modified", "lastmod")
# Where a <time> does not date the article: teasers, related lists, comments.
_NOT_ARTICLE_DATE = frozenset("related teaser teasers recommended recirculation comment "
                              "comments more latest popular trending sidebar".split())


def published(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """The publication time, value (iso, text it came from): JSON-LD, meta, microdata,
    `<time datetime>` of the article; without any ISO value, the site's date line or another
    text date (dateparser); else a date line under the headline.

    The first value found wins, but a value that says more of the same moment replaces it: a
    time for a bare day, an offset for a local time.
    """
    ld = doc.article_ld or {}
    candidates: list[tuple[Any, str]] = [(ld.get("datePublished"), "json-ld"),
                                         (ld.get("dateCreated"), "json-ld:dateCreated")]
    candidates += [(doc.meta.get(key), f"meta:{key}") for key in PUBLISHED_META]
    candidates.append((_microdata(doc, "datePublished"), "microdata:datePublished"))
    shown: dict[str, str] = {}  # source -> the text a value was cut from
    if site.rules.date_line:
        pattern = re.compile(site.rules.date_line)
        for _, text in lines_between(doc, *span):
            match = pattern.match(text)
            if match:
                candidates.insert(0, (match.group("date"), "text:date-line"))
                shown["text:date-line"] = text
                break
    candidates += [(el.get("datetime"), "time[datetime]") for el in _article_times(doc, span)]
    return _best_date(doc, site, span, candidates, visible=True, shown=shown)


def modified(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """When the article was last changed, where the page says so (structured data only)."""
    ld = doc.article_ld or {}
    candidates = [(ld.get("dateModified"), "json-ld")]
    candidates += [(doc.meta.get(key), f"meta:{key}") for key in MODIFIED_META]
    candidates.append((_microdata(doc, "dateModified"), "microdata:dateModified"))
    return _best_date(doc, site, span, candidates, visible=False)


def _best_date(doc: Document, site: Site, span: tuple[int, int],
               candidates: list[tuple[Any, str]], visible: bool,
               shown: dict[str, str] | None = None) -> Found | None:
    parsed: list[tuple[str, str, str]] = []  # (iso, text, source)
    for value, source in candidates:
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str)), None)
        if not isinstance(value, str) or not value.strip():
            continue
        iso = parse_date(value, timezone=site.timezone, words=False)
        if iso:
            parsed.append((iso, value.strip(), source))
    if not parsed:
        # No ISO value: the first text that reads as a date (the site's date line first).
        languages = [site.language or doc.lang] if (site.language or doc.lang) else None
        for value, source in candidates:
            if isinstance(value, str) and value.strip():
                iso = parse_date(value, languages=languages, timezone=site.timezone)
                if iso:
                    parsed.append((iso, (shown or {}).get(source, value.strip()), source))
                    break
    if not parsed and visible:
        parsed = _visible_date(doc, site, span)
    if not parsed:
        return None
    best = parsed[0]
    for candidate in parsed[1:]:
        if precision(candidate[0]) > precision(best[0]) and same_moment(best[0], candidate[0]):
            best = (candidate[0], best[1], best[2])
    return Found((best[0], best[1]), best[2])


def _article_times(doc: Document, span: tuple[int, int]) -> list[etree._Element]:
    """`<time datetime>` elements of the article: not in navigation, teasers or comments,
    those after the headline first."""
    times = [el for el in doc.xpath("//time[@datetime]")
             if not el.xpath(_OUTSIDE_ARTICLE) and not _in_parts(el, _NOT_ARTICLE_DATE)]
    return sorted(times, key=lambda el: doc.order[el] < span[0])


# The credit line Chinese news pages end with: "(责编：牛镛、岳弘彬)", "作者：…", "记者 …".
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
    page, a class naming a byline or an author."""
    found = []
    for el in doc.order:
        cls = (el.get("class") or "").lower()
        if ("byline" in cls or "author" in cls or "author" in (el.get("itemprop") or "")
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
    node = el
    for _ in range(4):
        node = node.getparent()
        if node is None:
            break
        inside = [c for c in alike if any(a is node for a in c.iterancestors())]
        if inside:
            return inside if len(inline_text(node)) <= 300 else []
    return []


def _in_parts(el: etree._Element, parts: frozenset[str]) -> bool:
    return any(name_parts(node) & parts for node in (el, *el.iterancestors()))


_DATE_TEXT = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\b\d{4}\b")


def _visible_date(doc: Document, site: Site, span: tuple[int, int]) -> list[tuple[str, str, str]]:
    """A short line between headline and body that reads as a date (dateparser: any language).
    Only a few lines are tried: dateparser is slow."""
    languages = [site.language or doc.lang] if (site.language or doc.lang) else None
    tried = 0
    # Under the headline; else at the top of the body, where many pages put the date line.
    lines = itertools.chain(lines_between(doc, *span, max_chars=80),
                            lines_between(doc, span[1] - 1, span[1] + 300, max_chars=80))
    for _, text in lines:
        if not _DATE_TEXT.search(text):
            continue
        iso = find_date(text, languages) or parse_date(text, languages=languages,
                                                       timezone=site.timezone)
        if iso:
            return [(iso, text, "text:date")]
        tried += 1
        if tried >= 4:
            break
    return []


def tags(doc: Document, site: Site, span: tuple[int, int] = (0, 0)) -> Found | None:
    """Labelled tag links ("Region: Europe") with their kind; else the page's own tag list:
    article:tag, parsely/sailthru tags, keywords meta, rel=tag links, JSON-LD keywords,
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
        ("meta:keywords", lambda: doc.meta_lists.get("keywords")),
        ("css:a[rel=tag]", lambda: [inline_text(a) for a in doc.xpath(
            "//a[contains(concat(' ', @rel, ' '), ' tag ')][not(contains(@rel, 'category'))]"
            "[not(ancestor::nav)]")]),
        ("json-ld:keywords", lambda: ld.get("keywords")),
        ("meta:news_keywords", lambda: doc.meta_lists.get("news_keywords")),
        ("css:tag-list", lambda: _tag_list(doc, span)),
    ]
    for source, get in sources:
        names = split_tags(get(), doc.site_names)
        if names:
            return Found([{"name": n, "kind": "tag"} for n in names], source)
    return None


# Class words and link paths of a page's list of tags or topics.
_TAG_PARTS = frozenset("tag tags taglist topic topics keyword keywords subject subjects "
                       "schlagworte schlagwort themen stichworte".split())
_TAG_HREF = re.compile(r"/(tags?|topics?|thema|themen|schlagworte?|keywords?|subjects?|stichworte?)"
                       r"/", re.IGNORECASE)
_TAG_LINKS = "//a[@href][not(ancestor::nav)][not(ancestor::aside)]"
# A link to the index of all tags ("All topics"), not to one tag.
_TAG_INDEX = re.compile(r"/(tags?|topics?|thema|themen|schlagworte?|keywords?|subjects?)/?"
                        r"([?#].*)?$|^#", re.IGNORECASE)


def _tag_list(doc: Document, span: tuple[int, int]) -> list[str]:
    """Link texts of the page's visible tag list: links whose path or box says "tag",
    "topic", "keyword"…, grouped by the smallest box around each; the first group of several
    links after the headline wins, else the first lone link."""
    links = [a for a in doc.xpath(_TAG_LINKS)
             if (_TAG_HREF.search(a.get("href")) or _in_parts(a, _TAG_PARTS))
             and not _TAG_INDEX.search(a.get("href"))
             and 0 < len(inline_text(a)) <= 60 and not _site_header(a) and not _in_prose(a)]
    ordered = sorted(links, key=lambda a: doc.order[a] < span[0])
    single: list[etree._Element] | None = None
    for first in ordered[:20]:
        group = _link_group(first, links)
        if len(group) >= 2:
            return [inline_text(a) for a in group]
        single = single or group
    return [inline_text(a) for a in single or []]


def _link_group(first: etree._Element, links: list[etree._Element]) -> list[etree._Element]:
    box = first
    for _ in range(5):
        box = box.getparent()
        if box is None:
            break
        inside = [a for a in links if a is not first and any(p is box for p in a.iterancestors())]
        if inside:
            return [a for a in links if a is first or a in inside]
    return [first]


def _in_prose(link: etree._Element) -> bool:
    """Whether a link sits inside a sentence (a link in the body's text, not a tag)."""
    block = next((p for p in link.iterancestors() if p.tag in BLOCK_TAGS), None)
    return block is not None and len(inline_text(block)) > 2 * len(inline_text(link)) + 20


def _site_header(el: etree._Element) -> bool:
    return bool(el.xpath("ancestor::header[not(ancestor::article)] | ancestor::footer"
                         "[not(ancestor::article)]"))


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
        if name and key and key not in seen and not _NOT_A_TAG.match(name):
            seen.add(key)
            names.append(name)
    names = _unlabel(names)
    codes = [n for n in names if re.fullmatch(r"[A-Z0-9:_\-]{2,}", n)]
    if len(names) >= 5 and len(codes) > 0.8 * len(names):
        return []
    if names and any(same_words(names[0], n) for n in site_names):
        return []
    return names


_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# Identifiers and host names that tag metadata carries besides tags.
_NOT_A_TAG = re.compile(r"^[0-9a-f]{8}-[0-9a-f-]{27,}$|^[\w-]+(\.[\w-]+)+$", re.IGNORECASE)


def _tag_key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


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
