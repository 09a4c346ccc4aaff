"""A stored page made inert, to be shown as it was captured: it may run nothing and load
nothing, since a live script, image or redirect would tell the publisher (or anyone whose
resources the page names) who reads the archive, and what.

Two layers. The HTML is rewritten here so that nothing in it would load: this alone keeps
a hostile page silent (tests/test_browser.py), where a CSP alone does not stop a
`<meta refresh>` or a prefetch. And the copy is served with a strict CSP (no script, no
request to any host, no form, no plugin; `sandbox`, should it be opened outside its
frame), inside an `<iframe sandbox>`, should the rewriting miss something. Text, layout
and inline styles stay; `data:` images stay.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from scraper.extraction.guards import parsable, parse

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
       "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox")
# Headers of every response that carries stored bytes.
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Cross-Origin-Resource-Policy": "same-origin"}

# Elements that only run, load or redirect: removed whole. (A <link> is a stylesheet, a
# font, a preload or a DNS prefetch: each a request; <meta http-equiv> a refresh, a cookie;
# <meta charset> would contradict the copy's own encoding, UTF-8.)
DROPPED = {"script", "base", "link"}
# Plugins: their tags go, what they hold stays (an <object>'s fallback content; and the
# parser, which knows no <embed>, may make the rest of the page its children).
UNWRAPPED = {"object", "embed", "applet", "portal"}
# Attributes that name something to fetch or go to. Their value is kept, harmless, in
# data-archived-NAME, so the copy still says what the page pointed at.
URL_ATTRIBUTES = {"src", "srcset", "href", "xlink:href", "action", "formaction", "poster",
                  "background", "data", "code", "codebase", "classid", "archive", "manifest",
                  "ping", "longdesc", "lowsrc", "dynsrc", "imagesrcset", "srcdoc", "profile"}
# A url(...) in CSS that is no data: URI, and an @import.
CSS_URL = re.compile(r"""url\(\s*+(?!['"]?\s*+data:)[^)]*+\)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\b[^;]*+;?", re.IGNORECASE)
# Links keep looking like links, though they lead nowhere (their address shows on hover).
LINK_STYLE = "[data-archived-href] { color: #1a0dab; text-decoration: underline; }"


def inert_html(html: str) -> str:
    """`html` with nothing left that runs, loads or navigates."""
    root = parse(parsable(html))
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # a comment or processing instruction
            continue
        tag = element.tag.lower()
        if tag in DROPPED or (tag == "meta" and (element.get("http-equiv") is not None
                                                  or element.get("charset") is not None)):
            element.drop_tree()  # (its tail, the text after it, stays)
            continue
        if tag in UNWRAPPED:
            element.drop_tag()
            continue
        for name in list(element.attrib):
            _neutralise(element, tag, name)
        if tag == "style" and element.text:
            element.text = inert_css(element.text)
    _add_style(root)
    return lxml_html.tostring(root, encoding="unicode", method="html", doctype="<!DOCTYPE html>")


def inert_css(css: str) -> str:
    return CSS_URL.sub("none", CSS_IMPORT.sub("", css))


def _neutralise(element: etree._Element, tag: str, name: str) -> None:
    key = name.lower()
    value = element.attrib[name]
    if key.startswith("on"):  # an event handler
        del element.attrib[name]
    elif key == "style":
        element.attrib[name] = inert_css(value)
    elif key in URL_ATTRIBUTES:
        if key == "src" and tag == "img" and value.lstrip().lower().startswith("data:"):
            return  # an image in the page itself
        if key == "href" and value.lstrip().startswith("#"):
            return  # a place in the page itself
        del element.attrib[name]
        if key != "srcdoc":  # (a whole page, run in a frame: nothing worth keeping)
            element.set(f"data-archived-{key.replace(':', '-')}", value)
        if key == "href" and tag == "a" and element.get("title") is None:
            element.set("title", value)


def _add_style(root: etree._Element) -> None:
    """The copy's own encoding, and the look of its dead links."""
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    head.insert(0, etree.Element("meta", charset="utf-8"))
    style = etree.SubElement(head, "style")
    style.text = LINK_STYLE
