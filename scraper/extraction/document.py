"""A parsed page with its structured data read once: the input of every extraction step."""

from __future__ import annotations

import json
import re
from functools import cached_property, lru_cache
from itertools import count
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from lxml import etree
from parsel.csstranslator import HTMLTranslator

from scraper.extraction.guards import bounded_tree, parsable, parse
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
        # Always parsed as HTML: parsel, given text, would read a JSON page as JSON and a
        # page with an XML declaration as XML.
        self.root: etree._Element = parse(parsable(html))
        # What a hostile page lost to the bounds on the tree, for the record's provenance.
        self.cut = bounded_tree(self.root)
        # Results of extraction steps that several fields ask for.
        self.memo: dict[str, Any] = {}

    def css(self, query: str) -> list[etree._Element]:
        """The elements a CSS selector finds, as parsel finds them (its `::text` and
        `::attr()` too, whose strings are left out here)."""
        return [el for el in self.xpath(_CSS.css_to_xpath(query))
                if isinstance(el, etree._Element)]

    def xpath(self, query: str) -> list[Any]:
        """What an XPath query finds, as parsel's `Selector.xpath` finds it (the EXSLT
        `re:` and `set:` namespaces, plain strings), without wrapping every node found in
        a Selector of its own and with the query compiled once per process."""
        try:
            found = compiled_xpath(query)(self.root)
        except etree.XPathError as exc:
            raise ValueError(f"XPath error: {exc} in {query}") from exc
        return found if isinstance(found, list) else [found]

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
        return {key: values[0] for key, values in self.meta_lists.items()}

    @cached_property
    def meta_lists(self) -> dict[str, list[str]]:
        """Every `<meta>` value per lower-cased key, in page order (article:tag repeats)."""
        found: dict[str, list[str]] = {}
        for el in self.root.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop")
                   or el.get("http-equiv"))
            value = el.get("content")
            if key and value and value.strip():
                found.setdefault(key.strip().lower(), []).append(value.strip())
        return found

    @cached_property
    def json_ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page: `@graph` and lists flattened, and the objects a
        page nests as its `mainEntity` listed too. Sloppy JSON (comments, CDATA, raw control
        characters) is read; JSON that still fails is skipped."""
        objects: list[dict[str, Any]] = []
        for script in self.root.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            data = _load_json(script.text or "")
            if data is not None:
                _flatten(data, objects)
        return objects

    @cached_property
    def ld_ids(self) -> dict[str, dict[str, Any]]:
        """JSON-LD objects by their `@id`, to resolve references such as Yoast's
        `"author": {"@id": "…/#/schema/person/…"}`."""
        return {obj["@id"]: obj for obj in self.json_ld
                if isinstance(obj.get("@id"), str) and len(obj) > 1}

    def resolve(self, value: Any) -> Any:
        """`value` (or each item of a list `value`) with a bare `{"@id": …}` reference
        replaced by the object it names. One level only: nested lists are no references,
        and walking them could go as deep as the JSON does."""
        if isinstance(value, list):
            return [self._resolved(v) for v in value]
        return self._resolved(value)

    def _resolved(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.ld_ids.get(value["@id"], value) if isinstance(value["@id"], str) else value
        return value

    @cached_property
    def article_ld(self) -> dict[str, Any] | None:
        """The JSON-LD object describing the article itself, if the page has one.

        Among several article objects (a page may describe its related stories too), the one
        whose URL is the page's wins, then the first that has a headline.
        """
        articles = [obj for obj in self.json_ld if is_article_type(obj.get("@type"))]
        if not articles:
            return None
        own = _path_of(self.url)
        for obj in articles:
            if own and any(_path_of(u) == own for u in _ld_urls(obj)):
                return obj
        return next((obj for obj in articles if obj.get("headline")), articles[0])

    @cached_property
    def site_names(self) -> list[str]:
        """Names the site goes by: og:site_name, application-name (unless it repeats the
        page's `<title>`), the JSON-LD publisher and WebSite, the name in the domain
        ("city-news" of www.city-news.de)."""
        app_name = self.meta.get("application-name")
        titles = self.xpath("//title")
        if app_name and titles and " ".join(app_name.split()) == inline_text(titles[0]):
            app_name = None  # a template that fills it with each page's title
        names = [self.meta.get("og:site_name"), app_name,
                 self.meta.get("twitter:site", "").lstrip("@")]
        for obj in self.json_ld:
            if obj.get("@type") in ("WebSite", "Organization", "NewsMediaOrganization"):
                names.append(obj.get("name"))
        publisher = self.resolve((self.article_ld or {}).get("publisher"))
        if isinstance(publisher, dict):
            names.append(publisher.get("name"))
        names.append(domain_label(self.url))
        return [n.strip() for n in names if isinstance(n, str) and n.strip()]

    @cached_property
    def itemprops(self) -> dict[str, list[etree._Element]]:
        """Elements per microdata property, in page order (one query instead of one per
        property)."""
        found: dict[str, list[etree._Element]] = {}
        for el in _ITEMPROPS(self.root):
            for prop in (el.get("itemprop") or "").split():
                found.setdefault(prop, []).append(el)
        return found

    @cached_property
    def order(self) -> dict[etree._Element, int]:
        """Document position of every element, to compare "before" and "after".
        Comments and processing instructions take a position too, though they get none."""
        order = dict(zip(self.root.iter(), count()))
        for node in self.root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity):
            del order[node]
        return order

    @cached_property
    def elements(self) -> list[etree._Element]:
        """The elements of `order`, in order."""
        return list(self.order)

    @cached_property
    def positions(self) -> list[int]:
        """The positions of `order`, ascending: where a span of positions starts in it."""
        return list(self.order.values())

    @cached_property
    def lang(self) -> str | None:
        """The page's language as a two- or three-letter code: the `lang` attribute, og:locale,
        the JSON-LD inLanguage, a Content-Language or language meta."""
        ld_lang = (self.article_ld or {}).get("inLanguage")
        for value in (self.root.get("lang"), self.meta.get("og:locale"),
                      ld_lang if isinstance(ld_lang, str) else None,
                      self.meta.get("content-language"), self.meta.get("language"),
                      self.meta.get("dc.language")):
            match = _LANG_TAG.fullmatch((value or "").strip().lower())
            if match and match[1] not in ("utf", "iso", "win"):
                return match[1]
        return None


_CSS = HTMLTranslator()
_ITEMPROPS = etree.XPath("descendant-or-self::*[@itemprop]")
_XPATH_NAMESPACES = {"re": "http://exslt.org/regular-expressions",
                     "set": "http://exslt.org/sets"}


@lru_cache(maxsize=4096)
def compiled_xpath(query: str) -> etree.XPath:
    """`query` compiled as parsel compiles it: with the EXSLT regular expressions, and the
    EXSLT sets where the query uses them (parsel leaves those out otherwise: lxml would log
    their registration on every call)."""
    namespaces = {prefix: uri for prefix, uri in _XPATH_NAMESPACES.items()
                  if prefix == "re" or f"{prefix}:" in query}
    return etree.XPath(query, namespaces=namespaces, smart_strings=False)


# A language tag: "en", "de-AT", "pt_BR", "zh-Hans-CN" (not "utf-8").
_LANG_TAG = re.compile(r"([a-z]{2,3})(?:[-_][a-z]{2,4}|[-_]\d{3})*")


def domain_label(url: str) -> str | None:
    """The name part of a URL's registered domain: "bbc" of https://news.bbc.co.uk/x."""
    try:
        parts = (urlsplit(url).hostname or "").split(".")
    except ValueError:
        return None
    if len(parts) < 2:
        return parts[0] or None
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in {
            "co", "com", "org", "net", "gov", "ac", "or", "ne", "gob", "edu"}:
        return parts[-3]
    return parts[-2]


def is_article_type(types: Any) -> bool:
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and ARTICLE_TYPES.search(t) for t in types)


_JSON_JUNK = re.compile(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(-->|//\s*\]\]>|\]\]>)\s*$")
# What every match of _JSON_JUNK holds. The pattern, unanchored at its end, is tried at each
# character of the JSON (a page's JSON-LD runs to 12 KB, some to 100 KB); these look-ups are
# ten times faster, and nearly every script holds none of them.
_JSON_JUNK_NEEDS = ("<!--", "<![CDATA[", "-->", "]]>")


def _load_json(text: str) -> Any:
    text = text.strip()
    if any(need in text for need in _JSON_JUNK_NEEDS):
        text = _JSON_JUNK.sub("", text)
    if not text:
        return None
    try:
        return json.loads(text, strict=False)
    except RecursionError:  # nested deeper than the decoder's stack: no object of ours
        return None
    except ValueError:
        pass
    try:  # trailing commas, the commonest hand-written mistake
        return json.loads(re.sub(r",\s*([}\]])", r"\1", text), strict=False)
    except (ValueError, RecursionError):
        return None


def _flatten(data: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    if depth > 5:
        return
    if isinstance(data, list):
        for item in data:
            _flatten(item, out, depth + 1)
    elif isinstance(data, dict):
        if "@graph" in data:
            _flatten(data["@graph"], out, depth + 1)
            return
        out.append(data)
        for key in ("mainEntity", "mainEntityOfPage"):
            nested = data.get(key)
            if isinstance(nested, dict) and is_article_type(nested.get("@type")):
                _flatten(nested, out, depth + 1)


def _ld_urls(obj: dict[str, Any]) -> list[str]:
    urls = [obj.get("url"), obj.get("@id")]
    main = obj.get("mainEntityOfPage")
    urls.append(main.get("@id") or main.get("url") if isinstance(main, dict) else main)
    return [u for u in urls if isinstance(u, str)]


def _path_of(url: str) -> str:
    try:
        return urlsplit(url.strip()).path.rstrip("/")
    except ValueError:
        return ""


def subtree_end(doc: Document, el: etree._Element) -> int:
    """Position of the last element inside `el` (or of `el` itself when it has no children)."""
    *_, last = el.iter(etree.Element)  # elements only: comments have no position
    return doc.order[last]
