"""A parsed page with its structured data read once: the input of every extraction step."""

from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Any, NamedTuple

from lxml import etree
from parsel import Selector

from scraper.extraction.text import inline_text

ARTICLE_TYPES = re.compile(
    r"(News|Reportage|Analysis|Opinion|Report|Blog|Scholarly)?Article$|Posting$"
)


class Hit(NamedTuple):
    """An element a selector found, with its text."""

    text: str
    query: str
    element: etree._Element


class Document:
    """HTML, its URL, and lazily built views of it (meta tags, JSON-LD, element order)."""

    def __init__(self, html: str, url: str):
        self.url = url
        # parsel wants some markup; an empty page still becomes an (empty) tree.
        self.sel = Selector(text=html if html.strip() else "<html></html>")
        self.root: etree._Element = self.sel.root

    def css(self, query: str) -> list[etree._Element]:
        return [s.root for s in self.sel.css(query) if isinstance(s.root, etree._Element)]

    def xpath(self, query: str) -> list[Any]:
        return [s.root for s in self.sel.xpath(query)]

    def first_text(self, queries: tuple[str, ...] | list[str]) -> Hit | None:
        """The first element with text for a chain of CSS selectors."""
        for query in queries:
            for el in self.css(query):
                text = inline_text(el)
                if text:
                    return Hit(text, query, el)
        return None

    @cached_property
    def meta(self) -> dict[str, str]:
        """`<meta>` values keyed by lower-cased property/name/itemprop; the first one wins."""
        found: dict[str, str] = {}
        for el in self.root.iter("meta"):
            key = el.get("property") or el.get("name") or el.get("itemprop")
            value = el.get("content")
            if key and value and value.strip():
                found.setdefault(key.strip().lower(), value.strip())
        return found

    @cached_property
    def json_ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page, with `@graph` lists flattened."""
        objects: list[dict[str, Any]] = []
        for script in self.root.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            try:
                data = json.loads(script.text or "")
            except ValueError:
                continue
            _flatten(data, objects)
        return objects

    @cached_property
    def article_ld(self) -> dict[str, Any] | None:
        """The JSON-LD object describing the article itself, if the page has one."""
        for obj in self.json_ld:
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and ARTICLE_TYPES.search(t) for t in types):
                return obj
        return None

    @cached_property
    def order(self) -> dict[etree._Element, int]:
        """Document position of every element, to compare "before" and "after"."""
        return {el: i for i, el in enumerate(self.root.iter())}

    @cached_property
    def lang(self) -> str | None:
        value = self.root.get("lang") or self.meta.get("og:locale") or self.meta.get("language")
        if not value:
            return None
        primary = re.split(r"[-_]", value.strip())[0].lower()
        return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _flatten(data: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten(item, out)
    elif isinstance(data, dict):
        if "@graph" in data:
            _flatten(data["@graph"], out)
        else:
            out.append(data)


def subtree_end(doc: Document, el: etree._Element) -> int:
    """Position of the last element inside `el` (or of `el` itself when it has no children)."""
    *_, last = el.iter()
    return doc.order[last]
