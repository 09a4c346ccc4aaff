"""Recognise pages that are not articles: section fronts, tag and author pages, video hubs,
search results, error pages.

A generic crawl fetches whatever a site links to, so most pages it sees are not stories.
Each signal alone misleads (a story can sit under /video/, a front page can claim
og:type "article"), so a page is called a non-article only when it lacks article evidence
(an Article in JSON-LD, og:type "article", article:published_time) and its structured data,
its structure (many linked headlines, no paragraph run of story length) or its URL shape
with no story-length text says what else it is.

A form for comments on the page says it is one post (a listing has none), so a short
story above its related posts and its comment form is a story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from scraper.extraction.document import Document, compiled_xpath
from scraper.extraction.fields.common import tagged

# Titles of soft error pages, which answer 200 with the site's template.
ERROR_TITLE = re.compile(r"^(page )?not found\b|^404\b|\bcan[’']t be found\b|^error\b",
                         re.IGNORECASE)

# What a URL path says a page is; the first match wins.
URL_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in (
        ("search", r"^/(search|suche|recherche|buscar)(/|$)|[?&](s|q|query|search)="),
        ("tag", r"^/(tags?|topics?|themen|schlagworte?|subjects?|keywords?)/[^/]+/?$"),
        ("author", r"^/(authors?|autor(en)?|auteurs?|people|contributors?|journalists?|"
                   r"profiles?|staff)/[^/]+/?$"),
        ("section", r"^/(category|categories|section|sections|rubrik|rubrique|archives?)"
                    r"(/[^/]+)*/?$"),
        ("video", r"^/(videos?|watch|tv|media)/?$"),
        ("listing", r"/page/\d+/?$|[?&]page=\d+"),
        ("front", r"^/?$"),
    ))

# JSON-LD types of pages about many things, and what kind of page each is.
COLLECTION_TYPES = {"CollectionPage": "listing", "ItemList": "listing",
                    "SearchResultsPage": "search", "ProfilePage": "author",
                    "VideoGallery": "video", "ImageGallery": "gallery",
                    "MediaGallery": "gallery"}
# A story has at least this many characters (not words: CJK text has no spaces) in one run
# of paragraphs.
STORY_CHARS = 600
# A page with a comment form is one post; a story that short (a club's notice, a local
# report of three paragraphs) is kept there.
SHORT_STORY_CHARS = 200
# Linked headlines (h2-h4 holding a link) that make a page a list of teasers.
MANY_TEASERS = 4
# What names a form (or its text field) for readers' comments, in the languages seen most.
_COMMENT_FORM = re.compile(r"comment|kommentar|commentaire|comentario|commento|komentarz|"
                           r"reply|respond|antwort|réponse|respuesta", re.IGNORECASE)
# Structured data of a shop's product page (JSON-LD, microdata, og:type).
_PRODUCT = re.compile(r"^(https?://schema\.org/)?(Product|ProductGroup|IndividualProduct)$|"
                      r"^product(\.item|\.group)?$", re.IGNORECASE)


_LINKED_HEADLINE = "//*[self::h2 or self::h3 or self::h4][.//a[@href] or ancestor::a[@href]]"


@dataclass(frozen=True)
class PageKind:
    """A page that is no article: its kind (a short name for stats) and why."""

    kind: str
    reason: str


def page_kind(doc: Document, url: str) -> PageKind | None:
    """What kind of non-article page `doc` is, or None when it may be an article."""
    url_kind = kind_of_url(url)
    article_evidence = bool(doc.article_ld) or doc.meta.get("og:type") == "article" or (
        "article:published_time" in doc.meta)
    heading = _first_text(tagged(doc, "h1")) or _first_text(tagged(doc, "title"))
    if not article_evidence and heading and error_heading(doc, heading):
        return PageKind("error", f"error page: {heading[:80]}")

    ld_types = {t for obj in doc.json_ld for t in _types(obj)}
    # A list in the page's JSON-LD (its teasers, or a live blog's entries) makes it a
    # collection unless it says it is an article and shows a story's run of text.
    if not doc.article_ld and not (article_evidence
                                   and longest_paragraph_run(doc) >= STORY_CHARS):
        for ld_type, kind in COLLECTION_TYPES.items():
            if ld_type in ld_types:
                return PageKind(_refine(kind, url_kind), f"JSON-LD {ld_type}")
        if "VideoObject" in ld_types and not article_evidence:
            return PageKind("video", "JSON-LD VideoObject without an article")
    og_type = doc.meta.get("og:type", "")
    if not article_evidence and og_type == "profile":
        return PageKind("author", "og:type profile")
    if not article_evidence and og_type.startswith("video"):
        return PageKind("video", f"og:type {og_type}")

    if article_evidence:
        return None
    teasers = linked_headlines(doc)
    run = longest_paragraph_run(doc)
    if teasers >= MANY_TEASERS and run < story_chars(doc):
        return PageKind(_refine("listing", url_kind),
                        f"{teasers} linked headlines, longest text run {run} characters")
    if url_kind and run < STORY_CHARS:
        return PageKind(url_kind, f"{url_kind} URL, longest text run {run} characters")
    return None


def unmarked_kind(doc: Document, url: str) -> PageKind | None:
    """Why a page that carries no article marker (no date, byline or article metadata) is
    no article, or None when it may be a story all the same (press releases, club news and
    blog posts often carry none). Without a marker nothing vouches for the page, so what its
    URL calls a front, tag, author, section or search page is one whatever text it holds,
    and so is a shop's product page; any other page needs a run of story-length prose
    (STORY_CHARS: a short press release or club news has some 120 words; less on a post
    with a comment form, see story_chars)."""
    url_kind = kind_of_url(url)
    if url_kind:
        return PageKind(url_kind, f"{url_kind} URL and no article markers")
    product = next((t for t in _structured_types(doc) if _PRODUCT.search(t)), None)
    if product:
        return PageKind("shop", f"product page ({product}) and no article markers")
    run = longest_paragraph_run(doc)
    if run < story_chars(doc):
        return PageKind("other", "no article markers (date, byline, metadata), longest text "
                        f"run {run} characters")
    return None


def story_chars(doc: Document) -> int:
    """The run of prose that makes a story of a page: shorter on a post readers comment on.
    Asked by the structure check and again by the check of an unmarked page: looked up once."""
    if "story_chars" not in doc.memo:
        doc.memo["story_chars"] = SHORT_STORY_CHARS if has_comment_form(doc) else STORY_CHARS
    return doc.memo["story_chars"]


def has_comment_form(doc: Document) -> bool:
    """Whether the page holds a form for readers' comments on it: a form with a text area
    that its own name, id, class or action (or the text area's) calls one for comments
    or replies. A contact form is not one."""
    for form in (f for f in tagged(doc, "form") if next(f.iter("textarea"), None) is not None):
        names = [form.get(attr, "") for attr in ("id", "class", "name", "action")]
        names += [area.get(attr, "") for area in form.iter("textarea")
                  for attr in ("id", "name", "class")]
        if _COMMENT_FORM.search(" ".join(names)):
            return True
    return False


def _structured_types(doc: Document) -> list[str]:
    """The types a page's structured data gives: JSON-LD, microdata, og:type."""
    itemtypes = [t for el in doc.xpath("//*[@itemtype]") for t in el.get("itemtype").split()]
    return [*(t for obj in doc.json_ld for t in _types(obj)), *itemtypes,
            doc.meta.get("og:type", "")]


def kind_of_url(url: str) -> str | None:
    """The kind of page a URL's shape suggests (tag, author, section, ...), or None."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return next((kind for kind, pattern in URL_KINDS if pattern.search(target)), None)


def linked_headlines(doc: Document) -> int:
    """How many h2-h4 headings hold a link (or sit in one): the teasers of a listing."""
    return len(doc.xpath(_LINKED_HEADLINE))


def error_heading(doc: Document, heading: str) -> bool:
    """Whether `heading` (the page's h1, title or headline) makes it a soft error page: the
    words of one, and no story's run of text beside them. A soft 404 shows a line or two; a
    headline may start "Error in the count..." or "404 days..." above a whole story."""
    return bool(ERROR_TITLE.search(heading)) and longest_paragraph_run(doc) < STORY_CHARS


def longest_paragraph_run(doc: Document) -> int:
    """Characters outside links in the `<p>`s of the one element that holds the most: a
    story has one long run, a listing many short teasers each in its own box. Paragraphs
    wrapped one by one (`<div class="text-block"><p>`) count for the wrapper's parent too,
    unless the wrapper is a teaser (it holds a linked headline). Lines broken by `<br>`
    (a story typed without `<p>`) are paragraphs of the element holding them."""
    if "paragraph_run" not in doc.memo:  # asked again of a page with no article marker
        doc.memo["paragraph_run"] = _longest_run(doc)
    return doc.memo["paragraph_run"]


def _longest_run(doc: Document) -> int:
    chars: dict[etree._Element, int] = {}
    for p in doc.root.iter("p"):
        parent = p.getparent()
        if parent is None:
            continue
        text = "".join(compiled_xpath(".//text()[not(ancestor::a)]")(p))
        chars[parent] = chars.get(parent, 0) + len("".join(text.split()))
    for holder in {br.getparent() for br in doc.root.iter("br")} - {None}:
        if holder.tag != "p":  # a paragraph's own lines are counted with it
            text = "".join(compiled_xpath(_LINES_TEXT)(holder))
            chars[holder] = chars.get(holder, 0) + len("".join(text.split()))
    # Each parent's own paragraphs, then passed on to its parent (one teaser test a parent).
    for parent, n in list(chars.items()):
        grandparent = parent.getparent()
        if grandparent is not None and not _has_linked_headline(parent):
            chars[grandparent] = chars.get(grandparent, 0) + n
    return max(chars.values(), default=0)


# The text of lines broken by `<br>`: an element's own text and that of its inline children,
# links left out.
_LINES_TEXT = ("text() | *[self::b or self::strong or self::i or self::em or self::span "
               "or self::font or self::u or self::small or self::q or self::cite]"
               "//text()[not(ancestor::a)]")


_LINKED_HEADLINE_INSIDE = etree.XPath(_LINKED_HEADLINE.replace("//", ".//", 1))


def _has_linked_headline(el: etree._Element) -> bool:
    return bool(_LINKED_HEADLINE_INSIDE(el))


def _refine(kind: str, url_kind: str | None) -> str:
    """A generic "listing" takes the more telling kind of its URL (tag, author, ...)."""
    return url_kind if kind == "listing" and url_kind not in (None, "listing") else kind


def _types(obj: dict) -> list[str]:
    types = obj.get("@type")
    return [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


def _first_text(elements: list[etree._Element]) -> str | None:
    for el in elements:
        text = " ".join("".join(el.itertext()).split())
        if text:
            return text
    return None
