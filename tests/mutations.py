"""Hostile variants of the project's own fixture pages, for the extractor's fuzz test and
bench/fuzz_extraction.py: byte flips, truncation, control characters, deep nesting, huge
tags, attributes and scripts, broken JSON-LD, and the pathological pages a crawl met.

Every mutation is a function of (html, rng): the same seed gives the same page, so a page
that fails in the bench can be rebuilt, and Hypothesis can drive the same functions through
the `random.Random` it controls. `scale` (0 to 1) shrinks the sizes for the test suite.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITES_DIR = REPO / "tests" / "sites"
HELDOUT_DIR = REPO / "tests" / "heldout"

Mutation = Callable[[str, random.Random, float], str]

_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]
_ODD = ["\ud800", "\udfff", "\ufffe", "\uffff", "\u202e", "\u200b", "\ufeff", "\x85", "\u2028"]


def fixture_pages() -> list[tuple[str, str, str]]:
    """(name, url, html) of every HTML page the tests own: the replica sites (which the
    golden cases point at) and the held-out pages."""
    pages = []
    for path in sorted(SITES_DIR.rglob("*.html")):
        rel = path.relative_to(SITES_DIR)
        site, rest = rel.parts[0], "/".join(rel.parts[1:-1])
        host = "www.globalresearch.ca" if site == "globalresearch" else f"{site}.example"
        pages.append((str(rel), f"https://{host}/{rest}/" if rest else f"https://{host}/",
                      path.read_text(encoding="utf-8")))
    for path in sorted(HELDOUT_DIR.glob("*.html")):
        gold = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        pages.append((f"heldout/{path.name}", gold["url"], path.read_text(encoding="utf-8")))
    return pages


def _at(html: str, rng: random.Random) -> int:
    return rng.randrange(len(html) + 1)


def _insert(html: str, rng: random.Random, piece: str) -> str:
    pos = _at(html, rng)
    return html[:pos] + piece + html[pos:]


def _size(rng: random.Random, scale: float, low: int, high: int) -> int:
    return max(1, int(rng.randint(low, high) * scale))


def byte_flips(html: str, rng: random.Random, scale: float) -> str:
    """Random bytes of the UTF-8 page changed, then decoded as a lenient decoder would (or
    would not: surrogate escapes leave lone surrogates in the text)."""
    raw = bytearray(html.encode("utf-8", "surrogatepass"))
    for _ in range(rng.randint(1, 200)):
        if raw:
            raw[rng.randrange(len(raw))] = rng.randrange(256)
    return raw.decode("utf-8", rng.choice(["replace", "surrogateescape", "ignore"]))


def truncate(html: str, rng: random.Random, scale: float) -> str:
    """The page cut anywhere (a connection lost mid-body)."""
    return html[:_at(html, rng)]


def control_chars(html: str, rng: random.Random, scale: float) -> str:
    """NUL, C0 controls, lone surrogates and non-characters inserted in text, attributes,
    tag names and JSON-LD alike."""
    pieces = list(html)
    for _ in range(rng.randint(1, 300)):
        pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(_CONTROL + _ODD))
    return "".join(pieces)


def control_in_markup(html: str, rng: random.Random, scale: float) -> str:
    """Control characters right where lxml writes them into elements: in every attribute
    value, the title and the paragraphs."""
    char = rng.choice(_CONTROL + _ODD)
    html = re.sub(r'="([^"]*)"', lambda m: f'="{char}{m[1]}{char}"', html)
    return re.sub(r"(<(?:title|p|h1|div|span|a)\b[^>]*>)", rf"\1{char}", html)


def deep_nesting(html: str, rng: random.Random, scale: float) -> str:
    """Thousands of unclosed (or closed) elements of one kind at one place."""
    depth = _size(rng, scale, 1_000, 100_000)
    tag = rng.choice(["div", "span", "table><tr><td", "ul><li", "b", "a href='/x'", "p",
                      "blockquote", "article", "section"])
    opened = f"<{tag}>" * depth
    if rng.random() < 0.5:
        closing = "".join(f"</{t.split()[0]}>" for t in reversed(tag.split("><")))
        opened += "text " + closing * depth
    return _insert(html, rng, opened)


def duplicate_tags(html: str, rng: random.Random, scale: float) -> str:
    """One element of the page repeated thousands of times (a runaway template loop)."""
    whole = [m.group(0) for m in re.finditer(
        r"<(p|h1|h2|title|a|li|script|time)\b[^>]*>.*?</\1>|<meta[^>]*>", html, flags=re.DOTALL)]
    if not whole:
        return html
    element = rng.choice(whole)[:20_000]
    copies = _size(rng, scale, 100, 5_000)
    return html.replace(element, element * copies, 1)


def huge_attribute(html: str, rng: random.Random, scale: float) -> str:
    """A tag given an attribute of megabytes, or thousands of attributes, or a class of
    thousands of words."""
    tags = list(_TAG.finditer(html))
    if not tags:
        return html
    match = rng.choice(tags)
    size = _size(rng, scale, 10_000, 3_000_000)
    kind = rng.randrange(3)
    if kind == 0:
        extra = f' data-x="{rng.choice("ax |&;")* size}"'
    elif kind == 1:
        extra = "".join(f" a{i}='{i}'" for i in range(size // 20))
    else:
        extra = ' class="' + " ".join(f"share-{i} byline author" for i in range(size // 30)) + '"'
    end = match.end() - 1 - (html[match.end() - 2] == "/")
    return html[:end] + extra + html[end:]


def huge_title(html: str, rng: random.Random, scale: float) -> str:
    """A `<title>` (or og:title, or h1) of hundreds of separator-joined parts."""
    parts = _size(rng, scale, 50, 600)
    sep = rng.choice([" | ", " - ", " :: ", "|", " » ", " / "])
    part = rng.choice(["Harbour Daily", "Port strike ends", "x" * 500, "2024-01-01", "News"])
    text = sep.join(part for _ in range(parts))
    where = rng.randrange(3)
    if where == 0:
        return re.sub(r"<title>.*?</title>", lambda _: f"<title>{text}</title>", html,
                      count=1, flags=re.DOTALL)
    if where == 1:
        return _insert(html, rng, f'<meta property="og:title" content="{text}">')
    return re.sub(r"<h1\b([^>]*)>", lambda m: f"<h1{m[1]}>{text}", html, count=1)


def unclosed_title(html: str, rng: random.Random, scale: float) -> str:
    """`</title>` (or another raw-text element's end tag) missing: the parser reads the rest
    of the page as the title's text."""
    tag = rng.choice(["title", "title", "script", "style", "textarea"])
    if tag == "title":
        return html.replace("</title>", "", 1)
    return _insert(html, rng, f"<{tag}>")


def huge_script(html: str, rng: random.Random, scale: float) -> str:
    """Megabytes of inline script, style or SVG."""
    size = _size(rng, scale, 100_000, 5_000_000)
    kind = rng.choice(["script", "style", "svg"])
    if kind == "script":
        block = "<script>" + "var a=[1,2,3];" * (size // 14) + "</script>"
    elif kind == "style":
        block = "<style>" + ".c{color:red}" * (size // 13) + "</style>"
    else:
        block = "<svg>" + '<path d="M0 0L1 1"/>' * (size // 20) + "</svg>"
    return _insert(html, rng, block)


def long_word(html: str, rng: random.Random, scale: float) -> str:
    """A word (or line, or run of one punctuation mark) of up to megabytes, in the text."""
    size = _size(rng, scale, 10_000, 2_000_000)
    unit = rng.choice(["a", "ab ", "|", "-", ".", "<br>", "&amp;", "1", "By ", " "])
    return _insert(html, rng, unit * (size // len(unit)))


def _deep_json(rng: random.Random, scale: float) -> str:
    depth = _size(rng, scale, 1_000, 200_000)
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ('{"@graph":[', "]}"),
                                 ('{"@type":"NewsArticle","mainEntity":', "}")])
    return opener * depth + "1" + closer * depth * rng.randint(0, 1)


def broken_json_ld(html: str, rng: random.Random, scale: float) -> str:
    """JSON-LD that is deep, truncated, of the wrong types, or huge."""
    kind = rng.randrange(6)
    if kind == 0:
        data = _deep_json(rng, scale)
    elif kind == 1:
        data = '{"@type":"NewsArticle","headline":"Cut off'
    elif kind == 2:
        value = rng.choice([None, 1, 1.5e308, [], {}, [[["x"]]], {"@id": 3}, True, "\x00"])
        data = json.dumps({"@type": ["NewsArticle", 3], "headline": value, "author": value,
                           "datePublished": value, "keywords": value, "publisher": value,
                           "articleBody": value, "inLanguage": value, "@id": value,
                           "mainEntityOfPage": value, "url": value})
    elif kind == 3:
        n = _size(rng, scale, 100, 20_000)
        data = json.dumps({"@graph": [{"@type": "NewsArticle", "@id": f"#{i}",
                                       "author": {"@id": f"#{i + 1}"}} for i in range(n)]})
    elif kind == 4:
        data = "[" + ",".join(["1e999999", "NaN", "-Infinity", '"\\ud800"', "1" * 5000]) + "]"
    else:  # the page's own JSON-LD, cut short or nested one level in
        found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html,
                          flags=re.DOTALL)
        if found is None:
            data = "{" * 50
        else:
            body = found[1]
            data = body[:rng.randrange(len(body) + 1)] if rng.random() < 0.5 else (
                '{"@graph": [' * 10 + body + "]}" * 10)
    return _insert(html, rng, f'<script type="application/ld+json">{data}</script>')


def entity_soup(html: str, rng: random.Random, scale: float) -> str:
    """Character references that decode to nothing valid, or a great many of them."""
    refs = ["&#0;", "&#x0;", "&#xD800;", "&#1114112;", "&#99999999999;", "&#x1F;", "&amp;",
            "&amp;amp;amp;", "&nbsp;", "&#;", "&#x;", "&#8;"]
    return _insert(html, rng, "".join(rng.choice(refs) for _ in range(_size(rng, scale, 10,
                                                                           50_000))))


def drop_end_tags(html: str, rng: random.Random, scale: float) -> str:
    """Every end tag of one kind removed (a broken template), or every end tag."""
    tag = rng.choice(["p", "div", "a", "li", "td", "head", "body", "html", "article", ""])
    if not tag:
        return re.sub(r"</[a-zA-Z0-9]+>", "", html)
    return html.replace(f"</{tag}>", "")


def rename_tags(html: str, rng: random.Random, scale: float) -> str:
    """One tag name replaced everywhere by another (div -> table, p -> script …)."""
    old = rng.choice(["div", "p", "span", "article", "a", "h1", "li"])
    new = rng.choice(["table", "script", "select", "title", "template", "svg", "math",
                      "frameset", "noscript", "plaintext", "xmp", "iframe"])
    return re.sub(rf"(</?){old}\b", rf"\1{new}", html)


def shuffle_chunks(html: str, rng: random.Random, scale: float) -> str:
    """The page cut in pieces and put back in another order."""
    cuts = sorted(rng.randrange(len(html) + 1) for _ in range(rng.randint(2, 20)))
    pieces = [html[a:b] for a, b in zip([0, *cuts], [*cuts, len(html)], strict=True)]
    rng.shuffle(pieces)
    return "".join(pieces)


def foreign_document(html: str, rng: random.Random, scale: float) -> str:
    """Not HTML at all under an HTML name: XML with a doctype and entities, a PDF, binary."""
    kind = rng.randrange(4)
    if kind == 0:
        return ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;&b;&b;</r>')
    if kind == 1:
        return "%PDF-1.4\n" + "".join(chr(rng.randrange(256)) for _ in range(5_000))
    if kind == 2:
        return bytes(rng.randrange(256) for _ in range(20_000)).decode("latin-1")
    return html.encode("utf-16", "surrogatepass").decode("latin-1")


MUTATIONS: dict[str, Mutation] = {fn.__name__: fn for fn in (
    byte_flips, truncate, control_chars, control_in_markup, deep_nesting, duplicate_tags,
    huge_attribute, huge_title, unclosed_title, huge_script, long_word, broken_json_ld,
    entity_soup, drop_end_tags, rename_tags, shuffle_chunks, foreign_document,
)}


def mutate(html: str, rng: random.Random, names: list[str], scale: float = 1.0) -> str:
    """`html` after each named mutation in turn."""
    for name in names:
        html = MUTATIONS[name](html, rng, scale)
    return html


# The pages a hostile crawl met, built around an article of the fixtures.
def _title_of_pipes(html: str) -> str:
    """A 336 KB `<title>` of 600 `|` parts (each part a long word run)."""
    title = " | ".join(f"Part {i} " + "word " * 110 for i in range(600))
    return re.sub(r"<title>.*?</title>", lambda _: f"<title>{title}</title>", html, count=1,
                  flags=re.DOTALL)


def _no_title_end(html: str) -> str:
    """`</title>` missing: the rest of the page (made long) becomes the title."""
    body = "<p>" + "Another paragraph of the story, with words. " * 40 + "</p>"
    return html.replace("</title>", "", 1).replace("</body>", body * 200 + "</body>", 1)


def _after_body_tag(html: str, piece: str) -> str:
    return re.sub(r"<body\b[^>]*>", lambda m: m[0] + piece, html, count=1)


def _nested_tables(html: str) -> str:
    return _after_body_tag(html, "<table><tr><td>" * 10_000 + "cell")


def _nested_divs(html: str) -> str:
    return _after_body_tag(html, "<div>" * 100_000 + "deep")


def _huge_attributes(html: str) -> str:
    return re.sub(r"<(p|div|a)\b", lambda m: f'<{m[1]} data-x="{"x" * 200_000}"', html,
                  count=20)


def _inline_script(html: str) -> str:
    return html.replace("</head>", "<script>" + "var a=[1,2,3];" * 360_000 + "</script></head>",
                        1)


def _long_line(html: str) -> str:
    return html.replace("</p>", " " + "w" * 1_000_000 + " " + "word " * 200_000 + "</p>", 1)


def _deep_json_ld(html: str) -> str:
    return html.replace("</head>", '<script type="application/ld+json">' + "[" * 100_000
                        + "]" * 100_000 + "</script></head>", 1)


def _nul_everywhere(html: str) -> str:
    return html.replace(">", ">\x00\x0b").replace('="', '="\x00')


def _big_page(html: str) -> str:
    """50 MB of article text (the page a crawl made one 8.5-million-word article of)."""
    paragraph = "<p>" + "Long story text goes on. " * 80 + "</p>"
    return html.replace("</p>", "</p>" + paragraph * 25_000, 1)


PATHOLOGICAL: dict[str, Callable[[str], str]] = {
    "title_600_pipes": _title_of_pipes, "missing_title_end": _no_title_end,
    "nested_tables_10k": _nested_tables, "nested_divs_100k": _nested_divs,
    "huge_attributes": _huge_attributes, "inline_script_5mb": _inline_script,
    "megabyte_line": _long_line, "deep_json_ld": _deep_json_ld,
    "nul_everywhere": _nul_everywhere, "page_50mb": _big_page,
}
