"""What kind of post an article page is: an article, a video, or a digest of links.

Researchers count and compare articles; a "Video: …" post (a player and a few lines about
it) or a link digest ("Selected Articles", a daily newsletter: a list of links to other
articles with short blurbs) would skew word counts, topics and republication figures if
taken for one. The kind is read from what a reader sees, not from class names, which a
redesign renames:

- a headline that opens with "Video:" (or "Watch:"), or an embedded player (a `<video>`,
  an iframe of a video host, a VideoObject in JSON-LD) with little prose around it: video;
- a headline that names a digest ("Selected Articles", "Daily Newsletter", "… Digest"), or
  a body that is mostly link items (a paragraph, list item or heading that is mostly a
  link to another page, or a short one that opens with a linked title, with the short
  blurbs that follow it): digest;
- otherwise: article.
"""

from __future__ import annotations

import re

from lxml import etree

from scraper.extraction.document import Document
from scraper.extraction.fields.common import Found
from scraper.extraction.text import BLOCK_TAGS, SKIP_TAGS, inline_text, word_count

ARTICLE, VIDEO, DIGEST = "article", "video", "digest"
KINDS = (ARTICLE, VIDEO, DIGEST)

VIDEO_TITLE = re.compile(r"^\W{0,3}(video|watch)\s*[:|–—-]\s*\S", re.IGNORECASE)
DIGEST_TITLE = re.compile(
    r"^\W{0,3}(selected articles|(daily|weekly|news) digest|(news|weekly|daily) round-?up|"
    r"week in review|today'?s top stories)\b"
    r"|\b(daily|weekly) newsletter\b|\bdigest\s*[:|–—-]|:\s*selected articles\b",
    re.IGNORECASE)
# Where embedded players come from (an iframe's src).
VIDEO_HOSTS = re.compile(
    r"//([\w-]+\.)*(youtube(-nocookie)?\.com|youtu\.be|vimeo\.com|rumble\.com|bitchute\.com|"
    r"odysee\.com|dailymotion\.com|brighteon\.com|vk\.com/video|player\.[\w.-]+)/",
    re.IGNORECASE)
# A player "with little prose": fewer words than this outside the link items.
VIDEO_PROSE_WORDS = 250
# A link item is a block whose text is at least this share link text.
LINK_ITEM_SHARE = 0.6
# A link item's title has at least this many words.
ITEM_TITLE_WORDS = 3
# A link item's blurb: the short blocks after it (a date line, a summary), at most this
# many of them and words in all.
BLURB_BLOCKS = 2
BLURB_WORDS = 80
# Where the text holds no container, the text is looked for around the headline: its
# nearest ancestor with at least this many characters.
AROUND_HEADLINE_CHARS = 500
# Page furniture whose links are no items of the post.
NOT_POST = frozenset({"nav", "footer", "aside", "form"})
# A digest has at least this many link items, and they with their blurbs hold this share
# of the body's words.
DIGEST_ITEMS = 3
DIGEST_SHARE = 0.6


def post_kind(doc: Document, title: str | None, container: etree._Element | None,
              headline: etree._Element | None = None) -> Found:
    """The kind of the post (ARTICLE, VIDEO, DIGEST) and the evidence, as a Found.

    `container` is the element holding the article text, read before the clean stage
    drops players and link lists from it; without one, the text around the `headline`
    element is read."""
    if title and VIDEO_TITLE.search(title):
        return Found(VIDEO, "headline:video")
    if title and DIGEST_TITLE.search(title):
        return Found(DIGEST, "headline:digest")
    if container is None and headline is not None:
        container = _around(headline)
    if container is None:
        return Found(ARTICLE, "default")
    player = _player(doc, container)
    if player is None and not _may_be_digest(container, doc.url):
        return Found(ARTICLE, "default")  # the walk of every text block would say so too
    items, in_items, total = link_items(container, doc.url)
    if items >= DIGEST_ITEMS and in_items >= DIGEST_SHARE * total:
        return Found(DIGEST, f"structure:{items} link items, {in_items} of {total} words")
    prose = total - in_items
    if player and prose < VIDEO_PROSE_WORDS:
        return Found(VIDEO, f"structure:{player}, {prose} words of prose")
    return Found(ARTICLE, "default")


def link_items(container: etree._Element, own_url: str | None = None) -> tuple[int, int, int]:
    """(link items, words in them and their blurbs, words in all) of `container`'s text
    blocks, in order."""
    items = in_items = total = 0
    blurb_left = blurb_blocks = 0  # what the last link item's blurb may still hold
    for el in _leaf_blocks(container):
        text = inline_text(el)
        words = word_count(text)
        if not words:
            continue
        total += words
        links = [a for a in el.iter("a") if _points_elsewhere(a.get("href"), own_url)]
        if _is_link_item(text, words, links):
            items += 1
            in_items += words
            blurb_left, blurb_blocks = BLURB_WORDS, BLURB_BLOCKS
        elif words <= blurb_left and blurb_blocks:
            in_items += words
            blurb_left -= words
            blurb_blocks -= 1
        else:
            blurb_left = blurb_blocks = 0
    return items, in_items, total


def _may_be_digest(container: etree._Element, own_url: str | None) -> bool:
    """Whether `container` holds DIGEST_ITEMS links elsewhere with a title's words: each
    link item has one of its own (items are blocks apart), so with fewer the page is no
    digest. A look at the links alone, where link_items reads every text block: nearly
    half the articles have fewer."""
    titled = 0
    for a in container.iter("a"):
        if (_points_elsewhere(a.get("href"), own_url)
                and word_count(inline_text(a)) >= ITEM_TITLE_WORDS):
            titled += 1
            if titled >= DIGEST_ITEMS:
                return True
    return False


def _is_link_item(text: str, words: int, links: list[etree._Element]) -> bool:
    """A block that is a linked title (3 words or more: not a share button, an author or a
    tag) with little else, or a short block that opens with one, its blurb after it:
    "<li><a>Story title</a> – what it says</li>"."""
    titles = [inline_text(a) for a in links]
    titles = [t for t in titles if word_count(t) >= ITEM_TITLE_WORDS]
    if not titles:
        return False
    if sum(len(t) for t in titles) >= LINK_ITEM_SHARE * len(text):
        return True
    return words <= BLURB_WORDS and text.startswith(titles[0])


def _around(headline: etree._Element) -> etree._Element | None:
    """The headline's nearest ancestor holding AROUND_HEADLINE_CHARS of text: the post."""
    for el in headline.iterancestors():
        if el.tag in ("body", "html"):
            return el if el.tag == "body" else None
        if len(inline_text(el)) >= AROUND_HEADLINE_CHARS:
            return el
    return None


def _leaf_blocks(root: etree._Element) -> list[etree._Element]:
    """Block elements holding no other block element (a paragraph, a list item, a heading),
    in order, outside furniture. One walk and a climb that stops where a parent is already
    known to hold a block: linear, however deep a hostile page nests."""
    blocks: list[etree._Element] = []
    holds_block: set[etree._Element] = set()
    stack = [root]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or el.tag in NOT_POST:
            continue
        if el.tag in BLOCK_TAGS:
            blocks.append(el)
            parent = el.getparent()
            while parent is not None and parent not in holds_block:
                holds_block.add(parent)
                parent = parent.getparent()
        stack.extend(reversed(el))
    return [el for el in blocks if el not in holds_block]


def _points_elsewhere(href: str | None, own_url: str | None) -> bool:
    if not href or href.startswith(("#", "mailto:", "javascript:")):
        return False
    return not own_url or href.split("#")[0].rstrip("/") != own_url.split("#")[0].rstrip("/")


def _player(doc: Document, container: etree._Element) -> str | None:
    """What embedded player the post shows, if any: in its text's element or the
    `<article>` around it, or declared as a VideoObject."""
    scopes = [container, *(a for a in container.iterancestors("article"))][:2]
    for scope in scopes:
        if next(scope.iter("video"), None) is not None:
            return "video element"
        for frame in scope.iter("iframe", "embed", "object"):
            src = frame.get("src") or frame.get("data-src") or frame.get("data") or ""
            if VIDEO_HOSTS.search(src):
                return f"{frame.tag} of {VIDEO_HOSTS.search(src).group(2).lower()}"
    if any(_is_video_object(obj) for obj in doc.json_ld):
        return "JSON-LD VideoObject"
    return None


def _is_video_object(obj: dict) -> bool:
    kinds = obj.get("@type")
    return "VideoObject" in (kinds if isinstance(kinds, list) else [kinds])
