"""Extraction as a plain function of (html, url, site): no Scrapy, so a crawl, a stored
page and `scraper extract` all get the same record."""

from __future__ import annotations

from datetime import UTC, datetime

from scraper.extraction import fields
from scraper.extraction.blocking import challenge_reason
from scraper.extraction.body import find_body
from scraper.extraction.canonical import article_url
from scraper.extraction.document import Document
from scraper.extraction.guards import MAX_HTML_CHARS, cap_html
from scraper.extraction.language import detect_language
from scraper.extraction.page_kind import error_heading, page_kind, unmarked_kind
from scraper.extraction.post_kind import post_kind
from scraper.extraction.record import Article, Extraction, content_hash
from scraper.extraction.repeats import RepeatStore
from scraper.extraction.text import inline_text, word_count
from scraper.sites import Site, site_for_url

# Fewer words than this and the page is a stub, an error page or a listing, not an article.
MIN_BODY_WORDS = 20


def extract(html: str, url: str, site: Site | None = None,
            fetched_at: str | None = None, repeats: RepeatStore | None = None,
            max_chars: int = MAX_HTML_CHARS) -> Extraction:
    """Extract the article on a page, or say why the page holds none.

    `repeats` is the site's repeated-segment store shared by a crawl or a re-extraction: the
    page's paragraphs are counted in it, and those seen on many pages of the site are dropped
    as boilerplate. Without one (`scraper eval`, `scraper extract`) nothing is dropped as
    repeated. At most `max_chars` of the page are read (see guards.MAX_HTML_CHARS); an
    article read from a page cut so says so in its provenance ("html")."""
    html, cut = cap_html(html, max_chars)
    reason = challenge_reason(html)
    if reason:
        return Extraction("blocked", reason=reason)
    site = site or site_for_url(url)
    doc = Document(html, url)
    kind = page_kind(doc, url)
    if kind:
        return Extraction("not_article", reason=kind.reason, kind=kind.kind)
    cuts = [note for note in (cut, doc.cut) if note]
    provenance: dict[str, str] = {"html": "; ".join(cuts)} if cuts else {}

    def take(name: str, found: fields.Found | None):
        if found is None:
            return None
        provenance[name] = found.source
        return found.value

    found_title = fields.title(doc, site)
    title = take("title", found_title)
    container = fields.body_container(doc, site)
    span = fields.header_span(doc, found_title.element if found_title else None,
                              container.element if container else None)
    found_byline = fields.byline(doc, site, span)
    byline = take("byline", found_byline)
    authors = take("authors", fields.authors(doc, site, found_byline, span)) or []
    published, published_text = take("published", fields.published(doc, site, span)) or (None, None)
    modified, _ = take("modified", fields.modified(doc, site, span)) or (None, None)
    tags = take("tags", fields.tags(doc, site, span)) or []
    source = take("original_source", fields.original_source(doc, site, span))
    subtitle = take("subtitle", fields.subtitle(
        doc, site, found_title.element if found_title else None))

    if not title:
        return Extraction("not_article", reason="no headline")
    if error_heading(doc, title):
        return Extraction("not_article", reason=f"error page: {title}", kind="error")
    # The markers of an article; a page without any is kept for its prose alone (below).
    markers = {"date": bool(published), "byline": bool(byline or authors),
               "metadata": bool(doc.article_ld or doc.meta.get("og:type") == "article" or (
                   container and container.source.removeprefix("css:") in site.rules.body))}
    if not all(markers.values()):
        provenance["missing"] = ", ".join(name for name, found in markers.items() if not found)
    unmarked = None if any(markers.values()) else unmarked_kind(doc, url)
    if unmarked:
        return Extraction("not_article", reason=unmarked.reason, kind=unmarked.kind)
    # Before the body is cleaned: the clean stage drops players and link lists.
    kind = take("kind", post_kind(doc, title, container.element if container else None,
                                  found_title.element if found_title else None))
    shown_title = (inline_text(found_title.element)
                   if found_title and found_title.element is not None else None)
    # A subtitle is kept out of the body where the site declares it a field of its own; a
    # standfirst found by its place alone stays in the body too, as publishers print it.
    shown_subtitle = subtitle if site.rules.subtitle else None
    echoes = {t for t in (title, shown_title, shown_subtitle, byline, published_text) if t}
    found_body = find_body(doc, site, title, echoes, repeats, authors)
    if found_body is None:
        return Extraction("not_article", reason="no article body")
    provenance["body"] = found_body.source
    body, removed = found_body.text, found_body.removed
    words = word_count(body)
    if words < MIN_BODY_WORDS:
        return Extraction("not_article", reason=f"body too short ({words} words)")

    article = Article(
        url=article_url(doc, url, site, provenance),
        site=site.name,
        title=title,
        subtitle=subtitle,
        byline=byline,
        authors=authors,
        published=published,
        published_text=published_text,
        modified=modified,
        tags=tags,
        body=body,
        original_source=source,
        language=_language(doc, site, body, provenance),
        word_count=words,
        content_hash=content_hash(title, body),
        fetched_at=fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
        kind=kind,
        provenance=provenance,
        removed=removed,
    )
    return Extraction("article", article=article)


def _language(doc: Document, site: Site, body: str, provenance: dict[str, str]) -> str | None:
    """The declared language (page, then site), else the one the body is written in."""
    for value, source in ((doc.lang, "declared"), (site.language, "site")):
        if value:
            provenance["language"] = source
            return value
    detected = detect_language(body)
    if detected:
        provenance["language"] = "detected"
    return detected
