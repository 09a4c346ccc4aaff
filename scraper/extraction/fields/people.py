"""Who wrote the article: the byline as shown and the authors' names, from the site's
selectors, structured data, meta, byline elements and credit lines."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from lxml import etree

from scraper.extraction.authors import (
    BYLINE_TEXT,
    is_author_label,
    is_same_name,
    split_authors,
    with_degree,
)
from scraper.extraction.boilerplate import name_parts
from scraper.extraction.document import Document, compiled_xpath, is_article_type
from scraper.extraction.fields.common import Found, _box_with, item_scope
from scraper.extraction.fields.layout import lines_between
from scraper.extraction.text import BLOCK_TAGS, inline_text
from scraper.extraction.titles import clean_value
from scraper.sites.base import Site

# A Korean byline: the name, then the word for reporter ("김민지 기자").
REPORTER_TEXT = re.compile(r"^[가-힣]{2,4}\s?(?:기자|특파원|선임기자|객원기자)(?:\s|$)")
# The ASCII characters a line of BYLINE_TEXT starts with ("by", "written by", "posted
# by", "words by", any case); REPORTER_TEXT starts with a Hangul syllable.
_BYLINE_OPENS = frozenset("bBwWpP")


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
    for el, text in lines_between(doc, *span, opening=_BYLINE_OPENS.__contains__):
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


def authors(doc: Document, site: Site, found_byline: Found | None,
            span: tuple[int, int] = (0, 0)) -> Found | None:
    """Person names: the site's byline, JSON-LD and microdata persons, author meta, a
    "By …" line or byline element, a "Von …" line where the story starts (after `span`'s
    start, the headline), a site's author footer ("Articles by: …"), a rel=author link; an
    organisation only when no person is named anywhere."""
    not_names = doc.site_names
    site_byline = found_byline and found_byline.source in {f"css:{q}" for q in site.rules.byline}
    ld_people, ld_orgs = _ld_people(doc.resolve(_ld_author(doc)), not_names)
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
        lambda: _lead_line(doc, span[0], not_names),
        lambda: _meta_people(doc, not_names, keys=("author",)),
        lambda: _credit_line(doc, not_names),
        lambda: _own_author(doc),
        lambda: Found(ld_orgs, "json-ld:organization") if ld_orgs else None,
        lambda: _meta_people(doc, (), keys=("author", *PERSON_META)),
    ]
    for index, step in enumerate(steps):
        found = step()
        if found and found.value:
            if 0 < index < 5:  # structured data, which may give a handle for the name shown
                found = _as_shown(found, doc, found_byline)
            return _cased(found, doc)
    return None


def _as_shown(found: Found, doc: Document, found_byline: Found | None) -> Found:
    """Structured names as the byline shows them where they are a user's handle or a part
    of the name ("arianschlichenmayer", "christian.stadtfeld", "Nils" for "Nils Pickert")."""
    shown = _byline_elements(doc)
    candidates = [*(split_authors(found_byline.value, doc.site_names) if found_byline else []),
                  *(shown.value if shown else [])]
    names = [next((c for c in candidates if _fuller(n, c)), n) for n in found.value]
    return Found(names, found.source, found.element) if names != found.value else found


def _fuller(name: str, shown: str) -> bool:
    """Whether `shown` writes out `name`: the same letters, or its words in order with the
    same first one ("christian.stadtfeld" in "Christian P. Stadtfeld")."""
    if name == shown:
        return False
    if with_degree(name, shown):
        return True
    if re.sub(r"\W+", "", name).casefold() == re.sub(r"\W+", "", shown).casefold():
        return " " not in name and " " in shown
    have = [w for w in re.split(r"[\s._-]+", name.casefold()) if w]
    want = [w.strip(".") for w in shown.casefold().split()]
    # One word more, and a name's capitals: not "松岡大地 国際 速報" for "松岡大地".
    if not have or len(want) != len(have) + 1 or have[0] != want[0] or not all(
            w[0].isupper() for w in shown.split()):
        return False
    rest = iter(want[1:])
    return all(any(w == r for r in rest) for w in have[1:])


def _ld_author(doc: Document) -> Any:
    """The article's JSON-LD author; where a page has no article object, its WebPage's
    (SEO plugins describe a post as a WebPage with an author)."""
    if doc.article_ld:
        return doc.article_ld.get("author")
    return next((o["author"] for o in doc.json_ld
                 if o.get("@type") == "WebPage" and o.get("author")), None)


# A line that is only a byline: the lead word, perhaps a label before it ("Ein Artikel
# von", "Blog Beitrag von") or a colon after it, then a name in capitals, then at most a date
# or a separator. "Von …" also opens sentences; a line that is just a name after it does not.
_LEAD_LINE = re.compile(
    r"^(?:[\d./]+\s*)?[-–|]?\s*(?i:(?:(?!foto|bild|photo|image|video)[^\W\d_]+\s+){0,2}?"
    r"(?:(?:von|by|par|por|door|przez)\s*:?|(?:autor(?:in)?|author|auteur|redaktion|text)\s*:))"
    r"\s+"
    r"(?P<name>[^\W\d_a-zà-ÿ][\w.'-]+(?:\s+(?:(?:von|van|de|der|da|di|zu|del|la|le)\s+)?"
    r"[^\W\d_a-zà-ÿ][\w.'-]+){1,3})\s*(?:$|[|,–—-]|\(|\d)")
# A line that is only the label of the author's name, which follows it.
_LABEL_LINE = re.compile(r"^(?i:autor(?:in|en)?|author|auteur|verfasser(?:in)?|von|by)\s*:?$")
# How many lines (of three words or more) after the headline may hold it, and how many
# elements (the lines of a long menu are not read one by one).
_LEAD_LINES = 30
_LEAD_REACH = 400
# Class words of what is not the story near its headline (a teaser box may hold the story's
# headline and byline, as some templates call the article's top box).
_NOT_STORY = frozenset("comment comments related recommended".split())


def _lead_line(doc: Document, start: int, not_names: list[str]) -> Found | None:
    """The names of a byline line where the story starts ("Von Claudia Lind" as the first
    paragraph, "Ein Artikel von Pamela Sladek | 27.01.2022")."""
    seen = 0
    for el, text in lines_between(doc, start, min(start + _LEAD_REACH, len(doc.order))):
        seen += len(text.split()) >= 3  # a menu's one-word links are no lines of the story
        if seen > _LEAD_LINES:
            break
        if _LABEL_LINE.match(text):  # "<h5>Autor:</h5> Peter Maahs", "<h4>Autor</h4><p>…"
            names = split_authors(_after_label(el), not_names)
        else:
            match = _LEAD_LINE.match(text)
            names = split_authors(match["name"], not_names) if match else []
        if names and _in_story(el, _NOT_STORY):
            return Found(names, "text:lead-line", el)
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
            n.casefold() for n in found.value} <= {n.casefold() for n in shown.value} and all(
            _reads_as_person(n) for n in shown.value):
        return shown
    return found


# Lower-case words of persons' names: "Ursula von der Leyen", "Ahmad bin Ali".
_PARTICLES = frozenset("von van der den de da di du del della la le dos das zu bin al ibn y"
                       .split())


def _reads_as_person(name: str) -> bool:
    """A person's name has no lower-case word but its particles: "ACLU Foundations of
    California" or "Director of Education Equity" name no one."""
    return all(not w[0].islower() or w in _PARTICLES for w in name.split())


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
                        "description avatar image img photo follow newsletter".split())


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
        scope = item_scope(el)
        itemtype = (scope.get("itemtype") or "").rsplit("/", 1)[-1] if scope is not None else ""
        if (scope is None or not is_article_type(itemtype)
                or "Organization" in (el.get("itemtype") or "")):
            continue  # the author of an image, a review, a comment, or a publisher
        inner = compiled_xpath(".//*[@itemprop='name']")(el)
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


def _find_byline_elements(doc: Document, not_names: list[str],
                          away: frozenset[str] | None = None) -> Found | None:
    """Names in the first byline-like element (class "byline"/"author", itemprop=author,
    rel=author) that is not in comments, teasers or an author bio (`away`: the class words of
    such places); with the elements next to it that hold further names ("div.bylines >
    div.byline" twice)."""
    for el in _innermost_byline_like(doc):
        if not _in_story(el, _NOT_BYLINE if away is None else away):
            continue
        text = byline_text(el)
        if text.rstrip().endswith((":", "：")):
            # "<span>Autor:</span> Fritz Imhof" or "<span>Auteur:</span> <a>Anna Kubišta</a>":
            # the name after the label; a label of another field ("Datum:") names no one.
            text = _after_label(el) if is_author_label(text) else ""
        if not text or len(text) > 200 or not split_authors(text, not_names):
            continue
        group = [el, *_byline_siblings(el, _innermost_byline_like(doc))]
        names: list[str] = []
        for member in group:
            shown = text if member is el else byline_text(member)
            names += [n for n in split_authors(shown, not_names)
                      if n not in names and (not n[0].islower() or _is_handle(n, member))]
        if names:
            return Found(names, "css:byline", el)
    return None


def _after_label(label: etree._Element) -> str:
    """The text after a label element: its tail, else the next element's text."""
    text = (label.tail or "").strip()
    following = label.getnext()
    for _ in range(3):  # past a <br> or two: "<b>Von:</b><br><br>Götz Warnke"
        if text or following is None:
            break
        text = inline_text(following) or (following.tail or "").strip()
        following = following.getnext()
    return text


def _is_handle(name: str, el: etree._Element) -> bool:
    """A user's handle ("reineckefuchs") in a link to the author's page, where a blog names
    its author; lower-case words elsewhere are a label's ("der", "von")."""
    return " " not in name and el.tag == "a" and (
        "author" in (el.get("rel") or "") or bool(_AUTHOR_HREF.search(el.get("href") or ""))
        or "author" in (el.get("class") or "").lower())


def _own_author(doc: Document) -> Found | None:
    """The author a blog names in its byline or its author box where the blog bears the
    author's name ("surfguard" of surfguard.wordpress.com): asked when no other name is
    found, as the site's name is more often the publisher's."""
    return _find_byline_elements(doc, [], _NOT_BYLINE - _AUTHOR_BOX)


# Class words of an author box ("author-bio", "author-avatar"): the author, in a blog.
_AUTHOR_BOX = frozenset("bio biography avatar description".split())


def _in_story(el: etree._Element, away: frozenset[str]) -> bool:
    """Whether a byline-like element belongs to the story: not in a nav, aside or figure, nor
    in comments, teasers or a bio; a footer counts only where it is not the article's own
    (HTML's <footer> of an <article>, a theme's "entry-footer", which hold the byline). The
    words inside a byline box ("teaser__author" of a component) and those of <body> (a page
    with "sticky-footer") say nothing of where the element is."""
    chain = [n for n in (el, *el.iterancestors()) if n.tag not in ("body", "html")]
    start = next((i for i, n in enumerate(chain) if "byline" in (n.get("class") or "").lower()), 0)
    for i, node in enumerate(chain):
        parts = name_parts(node)
        if node.tag in ("nav", "aside", "figure"):
            return False
        if (node.tag == "footer" or "footer" in parts) and not any(
                n.tag == "article" or name_parts(n) & _STORY for n in chain[i + 1:]):
            return False
        if i >= start and parts & away:
            return False
    return True


# Class words of the box of one post or story, whose own footer holds its byline.
_STORY = frozenset("post hentry entry article".split())


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
# Elements whose first text holds one of the words (XPath's contains(text(), …), asked of
# that text once rather than once a word).
_CREDIT_XPATH = ("//*[text()[1][contains(., '责编') or contains(., '责任编辑')"
                 " or contains(., '作者') or contains(., '记者')]]")


def _credit_line(doc: Document, not_names: list[str]) -> Found | None:
    for el in doc.xpath(_CREDIT_XPATH):
        match = _CREDIT_LINE.match(inline_text(el))
        names = split_authors(match["names"], not_names) if match else []
        if names:
            return Found(names, "text:credit-line", el)
    return None


def _innermost_byline_like(doc: Document) -> list[etree._Element]:
    """The byline-like elements without one inside them, found once per page (both passes
    of the byline elements ask)."""
    if "byline_like" not in doc.memo:
        found = _byline_like(doc)
        inner = set(found)
        doc.memo["byline_like"] = [el for el in found
                                   if not any(d in inner for d in el.iterdescendants())]
    return doc.memo["byline_like"]


def _byline_like(doc: Document) -> list[etree._Element]:
    """Elements that look like a byline: itemprop=author, rel=author, a link to an author
    page, a class naming a byline, an author or a writer ("autor", "autore" in other
    languages). A loop over every element of the page: most have no class, and each test
    is asked only of those it may hold for."""
    found = []
    for el in doc.order:
        cls = el.get("class")
        if cls:
            cls = cls.lower()
            if ("byline" in cls or "author" in cls or "autor" in cls or "auteur" in cls
                    or "writer" in cls):
                found.append(el)
                continue
        if "author" in (el.get("itemprop") or "") or (
                el.tag == "a" and ("author" in (el.get("rel") or "")
                                   or _AUTHOR_HREF.search(el.get("href") or ""))):
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
