"""Bounds on what the parser is given and on the tree it builds, so that no page, however
broken or hostile, makes extraction raise or run for long.

Every guard is linear in the page's size and leaves an ordinary page as it is: it acts only
on what no real news page has (a tree deeper than the parser's own default limit, a tag with
thousands of attributes, characters XML forbids, a `<title>` that never ends, megabytes of
scripts). Each one answers a case a hostile crawl met; see tests/test_hardening.py.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree
from lxml import html as lxml_html

# How much HTML extraction reads. The largest article pages of big publishers run 1-1.5 MB,
# most of it inline scripts (state for their front-end); without those, 3 MB is twenty
# times the longest article page, while a page of text that size still extracts in about a
# second. A longer page is first stripped of what is never text (scripts, styles, SVG,
# comments), then cut.
MAX_HTML_CHARS = 3_000_000
# Tree depth: libxml2's own default limit (xmlParserMaxDepth) before parsel lifts it with
# huge_tree, ten times the depth of any news page. Deeper elements are laid flat as
# children of their ancestor at this depth, as Blink does past its own limit (512): the
# text and its order stay, nothing recursive (trafilatura, the tree copy) sees the depth.
MAX_DEPTH = 256
# trafilatura walks the whole subtree of every table nested in a table, for each table
# holding it: quadratic in the nesting. Old table layouts nest tables three to five deep; a
# table nested deeper is read as the blocks it holds (its rows and cells become divs).
MAX_TABLE_NESTING = 8
# Elements extraction reads: news pages have 1,000 to 5,000 (the development corpus at
# most 4,300); at this many, a page whose links and lists trafilatura weighs one by one
# still extracts in about a second.
MAX_ELEMENTS = 20_000
# libxml2 stops reading a page nested deeper than 2048 elements, even with huge_tree, and
# the rest of the page is lost; such a page is read again with elements past this depth
# (counted as start tags not yet closed) made siblings instead of children.
PARSER_DEPTH = 1024
# More than MAX_ATTRIBUTES attributes in one tag make libxml2 quadratic (it checks each new
# one against those before: 80,000 take 15 s); such a tag keeps its first MAX_ATTRIBUTES.
# An attribute value over MAX_ATTRIBUTE_CHARS (a class of thousands of words, which every
# class test would read) is dropped.
MAX_ATTRIBUTES = 200
MAX_ATTRIBUTE_CHARS = 10_000

# Characters lxml refuses to write into a tree (XML 1.0 forbids them) though libxml2's HTML
# parser keeps them from the input: C0 controls but tab, line feed and carriage return;
# lone surrogates; the non-characters U+FFFE and U+FFFF. Vertical tab and form feed are
# spaces to HTML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE_LIKE = {"\x0b": " ", "\x0c": " "}
# Character references to those (libxml2 decodes &#1; into U+0001; it makes a reference
# to a surrogate or past U+10FFFF U+FFFD itself).
_CHAR_REF = re.compile(r"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])(?!\d)"
                       r"|[xX]0*(?:[0-8bcefBCEF]|1[0-9a-fA-F]|[fF]{3}[efEF])(?![0-9a-fA-F]));?")
# Start tags read as an HTML5 tokenizer does: only ">" ends one, and a value quoted after
# "=" may hold "<" and ">". _SHORT_MARKUP reads, in one pass that never goes back
# (possessive), text, comments, end tags, raw-text elements (a "<" in a script starts no
# tag) and start tags of fewer parts than more than MAX_ATTRIBUTES attributes need (a part
# is a run of spaces, of other characters, or "=" and a quoted value; an attribute has two
# at least): it stops where such a start tag begins, or at the end.
_TAG_PART = r"""[^\s>="']++|\s++|=\s*+"[^"]*+"|=\s*+'[^']*+'|[="']"""
# Raw-text elements and comments to their end (or the page's), unrolled: runs of "[^<]".
# Only their names are matched ignoring case: with the whole pattern so, [a-zA-Z] took
# "<ſ", "<K", "<ı" and "<İ" for start tags, which _START_TAG (and HTML) does not.
_RAW_TEXT_BLOCKS = "".join(rf"|<(?i:{raw})\b[^<>]*+>[^<]*+(?:<(?!/(?i:{raw})\b)[^<]*+)*+"
                           for raw in ("script", "style", "textarea", "xmp"))
_SHORT_MARKUP = re.compile(  # no capturing group: one in a possessive loop breaks re
    rf"(?:[^<]++|<!--[^-]*+(?:-(?!->)[^-]*+)*+(?:-->)?{_RAW_TEXT_BLOCKS}|<(?![a-zA-Z])"
    rf"|<[a-zA-Z](?:{_TAG_PART}){{0,{2 * MAX_ATTRIBUTES}}}+(?:>|\Z))*+")
_START_TAG = re.compile(rf"<[a-zA-Z](?:{_TAG_PART})*+>?")
# A quoted attribute value too long to keep, for a page to be cut at a length.
_LONG_VALUE = re.compile(rf"=\s*+(?:\"[^\"]{{{MAX_ATTRIBUTE_CHARS},}}+\""
                         rf"|'[^']{{{MAX_ATTRIBUTE_CHARS},}}+')")
_TAG_NAME = re.compile(r"<[a-zA-Z][^\s/>]*+")
_ATTRIBUTE = re.compile(r"""[^\s/>=][^\s/>=]*+(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]*+))?+""")
_GAP = re.compile(r"[\s/=]*+")
_TITLE_START = re.compile(r"<title\b[^<>]*+>", re.IGNORECASE)
_TITLE_END = re.compile(r"</title", re.IGNORECASE)
# What a page too long to read whole loses first: the start of a block that is never text
# (JSON-LD scripts are kept), and the end of each. No match runs past the next "<".
_BLOCK_START = re.compile(r"<(script|style|svg)\b[^<>]*+>|<!--", re.IGNORECASE)
_BLOCK_END = {"script": re.compile(r"</script\s*>", re.IGNORECASE),
              "style": re.compile(r"</style\s*>", re.IGNORECASE),
              "svg": re.compile(r"</svg\s*>", re.IGNORECASE), "": re.compile("-->")}


def cap_html(html: str, max_chars: int = MAX_HTML_CHARS) -> tuple[str, str | None]:
    """`html` within `max_chars`, and a note saying what was left out (None when nothing).

    Scripts, styles, SVG and comments go first, so a page long because of them keeps its
    article whole; the page is read from its start only until `max_chars` of the rest are
    kept, so a page of any size costs no more than that. Start tags of too many attributes
    and over-long attribute values are tamed before counting."""
    if len(html) <= max_chars:
        return html, None
    pieces: list[str] = []
    size = pos = 0
    while size < max_chars:
        budget = max_chars - size
        start = _BLOCK_START.search(html, pos, pos + budget)
        if start is None:
            pieces.append(_tame_tags(_LONG_VALUE.sub('=""', html[pos:pos + budget])))
            pos += budget
            size += len(pieces[-1])
            if pos >= len(html):
                break
            continue
        name = (start[1] or "").lower()
        end = _BLOCK_END[name].search(html, start.end())
        stop = end.end() if end else len(html)
        kept = html[pos:stop if "ld+json" in start[0].lower() else start.start()]
        pieces.append(_tame_tags(_LONG_VALUE.sub('=""', kept))[:budget])
        size += len(pieces[-1])
        pos = stop
        if pos >= len(html):
            break
    note = (f"{len(html):,} characters, over {max_chars:,}: scripts, styles, svg and comments "
            "left out" + (f", cut after {size:,}" if pos < len(html) else ""))
    return "".join(pieces), note


def parsable(html: str) -> str:
    """`html` as the parser may safely be given it: characters no tree may hold removed,
    start tags of too many attributes tamed, an unclosed `<title>` closed."""
    if _holds_not_xml(html):
        html = _NOT_XML.sub(lambda m: _SPACE_LIKE.get(m[0], ""), html)
    if "&#" in html:
        html = _CHAR_REF.sub("", html)
    return _tame_tags(_close_title(html))


_NOT_XML_CHARS = [chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\ufffe", "\uffff"]


def _holds_not_xml(html: str) -> bool:
    """Whether `html` holds a character of _NOT_XML, found three times faster than by the
    pattern: a lone surrogate is the one character UTF-8 cannot encode (the bytes are kept
    for the parser), the others are looked for one by one (each scan runs at memory
    speed)."""
    if not html.isascii() and _utf8(html) is None:
        return True
    return any(char in html for char in _NOT_XML_CHARS)


def _utf8(html: str) -> bytes | None:
    """`html` in UTF-8, None when it holds a lone surrogate. The check for characters XML
    forbids and the parse read the same page: it is encoded once. The last page is
    remembered by identity (a cache keyed by the text would hash all of it each time)."""
    last, data = _LAST_ENCODED
    if html is not last:
        try:
            data = html.encode("utf-8")
        except UnicodeEncodeError:
            data = None
        _LAST_ENCODED[:] = [html, data]
    return data


_LAST_ENCODED: list = ["", b""]


def _tame_tags(html: str) -> str:
    """`html` with every start tag of more than MAX_ATTRIBUTES attributes cut to its first
    MAX_ATTRIBUTES. Nearly every page is one match of _SHORT_MARKUP."""
    pieces, pos = [], 0
    while (stop := _SHORT_MARKUP.match(html, pos).end()) < len(html):
        tag = _START_TAG.match(html, stop)
        assert tag is not None  # _SHORT_MARKUP stops at a start tag only
        pieces += [html[pos:stop], _tamed_tag(tag[0])]
        pos = tag.end()
    return "".join([*pieces, html[pos:]]) if pieces else html


def _tamed_tag(tag: str) -> str:
    """A long start tag as it is when it has at most MAX_ATTRIBUTES attributes, else with
    its first MAX_ATTRIBUTES (over-long values dropped)."""
    name = _TAG_NAME.match(tag)
    assert name is not None  # _START_TAG starts with one
    pos, attributes = name.end(), []
    while len(attributes) <= MAX_ATTRIBUTES:
        pos = _GAP.match(tag, pos).end()
        found = _ATTRIBUTE.match(tag, pos)
        if found is None:  # the tag's end
            return tag
        attributes.append(found[0])
        pos = found.end()
    kept = [a for a in attributes[:MAX_ATTRIBUTES] if len(a) <= MAX_ATTRIBUTE_CHARS]
    return name[0] + "".join(f" {a}" for a in kept) + (">" if tag.endswith(">") else "")


def _close_title(html: str) -> str:
    """A `<title>` that is never closed ends where the next tag starts. Without its end
    tag the parser makes the rest of the page the title's text (a title holds no markup):
    a template's typo would turn an article into one enormous headline."""
    start = _TITLE_START.search(html)
    if start is None or _TITLE_END.search(html, start.end()):
        return html
    end = html.find("<", start.end())
    return html if end < 0 else f"{html[:end]}</title>{html[end:]}"


def parse(html: str) -> etree._Element:
    """The page's tree (lxml.html elements, as parsel builds them), read whole however deep
    its markup nests: a page the parser stops reading for its depth is read again with
    its nesting bounded first."""
    root, halted = _parse(html)
    if halted:
        root, _ = _parse(_shallow(html))
    return root


# lxml.html's elements, looked up by lxml itself: lxml.html's own lookup is Python code
# called for every node a walk, a query or a copy meets (several million calls over a
# corpus), to give forms and inputs classes of their own that extraction never uses.
HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
    pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity)


def html_parser() -> etree.HTMLParser:
    """The parser of every page: lenient, for trees of any size, lxml.html's elements.
    No table of ids (`collect_ids=False`, as trafilatura's own parser): libxml2 would hash
    every `id` (and `<a name>`) of the page, and again for every copy of the tree, for
    XPath's `id()` alone, which no query of ours or trafilatura's uses (15% of the parse)."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True, collect_ids=False)
    parser.set_element_class_lookup(HTML_CLASSES)
    return parser


def _stripped_utf8(html: str) -> bytes:
    """`html.strip()` in UTF-8, cut from the bytes already encoded where only ASCII white
    space (a page's final line break) goes: then the bytes stripped are the characters."""
    text, whole = html.strip(), _utf8(html)
    if whole is None:
        return text.encode("utf-8")
    data = whole.strip() if len(text) != len(html) else whole
    if len(whole) - len(data) != len(html) - len(text):
        return text.encode("utf-8")  # other white space around it, which str.strip() takes
    return data


def _parse(html: str) -> tuple[etree._Element, bool]:
    parser = html_parser()
    root = etree.fromstring(_stripped_utf8(html) or b"<html/>", parser=parser)
    last = parser.error_log.last_error
    halted = last is not None and last.type_name == "ERR_RESOURCE_LIMIT"
    if root is None:  # nothing but a comment, a doctype or white space
        root = etree.fromstring(b"<html/>", parser=parser)
    return root, halted


# A start or end tag (its name), or a comment, as a tokenizer that only counts depth sees
# them; no match runs past the next "<" and none backtracks (possessive), so a scan is
# linear however broken the markup ("<blockquo" and a megabyte of "|").
_MARKUP = re.compile(r"<(?P<end>/?)(?P<name>[a-zA-Z][^\s/<>]*+)[^<>]*+>|<!--.*?(?:-->|\Z)",
                     re.DOTALL)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr"
                  .split())
_RAW_TEXT = {name: re.compile(rf"</{name}\b", re.IGNORECASE)
             for name in ("script", "style", "textarea", "title", "xmp", "noembed", "noframes")}
# A start tag of these closes an open element of the same name just before it.
_SIBLINGS = frozenset("p li dt dd tr td th option".split())


def _shallow(html: str, limit: int = PARSER_DEPTH) -> str:
    """`html` with no element nested deeper than `limit` start tags: at the limit, the open
    element is closed before a new one starts (its own end tag, later, is dropped). Text
    and the order of everything stay; only how deep it nests changes."""
    pieces: list[str] = []
    stack: list[str] = []
    closed: dict[str, int] = {}  # elements closed early, by name: their end tags to drop
    last = pos = 0
    while (match := _MARKUP.search(html, pos)) is not None:
        pos = match.end()
        name = (match["name"] or "").lower()
        if not name:
            continue  # a comment
        if match["end"]:
            if stack and stack[-1] == name:
                stack.pop()
            elif closed.get(name):
                closed[name] -= 1
                pieces.append(html[last:match.start()])
                last = pos
            else:  # an end tag closes the nearest open element of its name, if near
                for i in range(len(stack) - 1, max(-1, len(stack) - 65), -1):
                    if stack[i] == name:
                        del stack[i:]
                        break
            continue
        if name in _VOID:
            continue
        if name in _SIBLINGS and stack and stack[-1] == name:
            stack.pop()
        elif len(stack) >= limit:
            top = stack.pop()
            closed[top] = closed.get(top, 0) + 1
            pieces.append(f"{html[last:match.start()]}</{top}>")
            last = match.start()
        stack.append(name)
        if name in _RAW_TEXT and not match[0].endswith("/>"):
            end = _RAW_TEXT[name].search(html, pos)
            pos = end.start() if end else len(html)
    pieces.append(html[last:])
    return "".join(pieces)


_LONG_ATTRIBUTES = etree.XPath(f"//@*[string-length() > {MAX_ATTRIBUTE_CHARS}]")
# No word of prose is this long (the longest German compounds are under 100 letters); a run
# of visible text without a space past it is an attack or a data dump, and every text walk
# (trafilatura's jusText among them, which normalises a paragraph's text on each look at it)
# pays for its length again and again.
MAX_WORD_CHARS = 1_000
# `/descendant::text()`, not `//text()`: with predicates on the step, libxml2 does not fold
# `//` into one walk and first builds the set of every node of the page (same nodes).
_LONG_TEXTS = etree.XPath(f"/descendant::text()[string-length() > {MAX_WORD_CHARS}]"
                         "[not(parent::script or parent::style)]")
_LONG_WORD = re.compile(rf"(\S{{{MAX_WORD_CHARS}}})\S+")
# Elements at MAX_DEPTH (the root element is at depth 1) that have element children.
_AT_MAX_DEPTH = etree.XPath("/*" * MAX_DEPTH + "[*]")


def bounded_tree(root: etree._Element) -> str | None:
    """Make the parsed tree one root deep at most MAX_DEPTH, in place, and say what had
    to go to keep it within MAX_ELEMENTS (None when nothing did).

    Elements the parser left beside the root element (broken markup after `</html>`) move
    into it, where every query and walk finds them; elements deeper than MAX_DEPTH are laid
    flat under their ancestor at that depth, and tables nested more than
    MAX_TABLE_NESTING deep become plain blocks."""
    # SVG drawings are never text (every walk skips them), but can be thousands of elements.
    etree.strip_elements(root, "svg", with_tail=False)
    for value in _LONG_ATTRIBUTES(root):  # those the tag guard did not see, e.g. unclosed
        del value.getparent().attrib[value.attrname]
    _shorten_words(root)
    for sibling in list(root.itersiblings()):
        if isinstance(sibling.tag, str):
            root.append(sibling)
    for sibling in list(root.itersiblings(preceding=True)):
        if isinstance(sibling.tag, str):
            root.insert(0, sibling)
    for anchor in _AT_MAX_DEPTH(root):
        _lay_flat(anchor)
    nesting: dict[etree._Element, int] = {}
    for table in root.iter("table"):
        outer = next(table.iterancestors("table"), None)
        nesting[table] = 0 if outer is None else nesting[outer] + 1
        if nesting[table] >= MAX_TABLE_NESTING:
            _untable(table)
    return _within_budget(root)


def _shorten_words(root: etree._Element) -> None:
    """Cut every run of visible text without a space to MAX_WORD_CHARS, in place."""
    for text in _LONG_TEXTS(root):
        if not _LONG_WORD.search(text):
            continue
        owner = text.getparent()
        short = _LONG_WORD.sub(r"\1", text)
        if text.is_tail:
            owner.tail = short
        else:
            owner.text = short


_TABLE_PARTS = frozenset({"tbody", "thead", "tfoot", "tr", "td", "th", "caption", "colgroup"})


def _untable(table: etree._Element) -> None:
    """`table` and its rows and cells (not the tables inside them) renamed to divs."""
    table.tag = "div"
    stack = [table]
    while stack:
        for child in stack.pop():
            if child.tag in _TABLE_PARTS:
                child.tag = "div"
                stack.append(child)


def _lay_flat(anchor: etree._Element) -> None:
    """Every node under `anchor` made its direct child, in document order; the text after
    an element that held others (its tail) now follows the last of them."""
    nodes = list(anchor.iterdescendants())
    # Backwards, so a node's last child is met before the node: the last node of each
    # subtree, and the tails that end up after it (the innermost element's first).
    last: dict[etree._Element, etree._Element] = {}
    tails: dict[etree._Element, list[str]] = {}
    for node in reversed(nodes):
        if len(node):
            end = last[node] = last[node[-1]]
            if node.tail:
                tails.setdefault(end, []).append(node.tail)
                node.tail = None
        else:
            last[node] = node
    for end, parts in tails.items():
        end.tail = (end.tail or "") + "".join(parts)
    # Last first: each node moves with no descendants left, so no move walks a subtree.
    for node in reversed(nodes):
        anchor.insert(0, node)
    _drop(anchor, _EMPTY_CHILDREN(anchor))  # the wrappers of the nest, which hold nothing


# Elements that hold nothing: no child, no text, no attribute (a line break or a rule says
# something by being there).
_HOLDS_NOTHING = ("[not(node())][not(@*)]"
                  "[not(self::br or self::hr or self::img or self::wbr or self::td or self::th)]")
_EMPTY = etree.XPath("//*" + _HOLDS_NOTHING)
_EMPTY_CHILDREN = etree.XPath("*" + _HOLDS_NOTHING)


def _drop(root: etree._Element, elements: list[etree._Element]) -> None:
    """Remove `elements` from under `root`, keeping the text after each."""
    for el in elements:
        el.tag = "scraper-dropped"
    etree.strip_elements(root, "scraper-dropped", with_tail=False)


_COUNT = etree.XPath("count(//*)")


def _within_budget(root: etree._Element) -> str | None:
    """At most MAX_ELEMENTS elements in the tree, and a note of what went to keep to it:
    empty elements first, then everything after the last one kept.
    Every step of extraction walks the tree; a page of 100,000 empty paragraphs or SVG
    paths would cost seconds for nothing."""
    count = int(_COUNT(root))
    if count <= MAX_ELEMENTS:
        return None
    _drop(root, _EMPTY(root))
    left = int(_COUNT(root))
    note = f"{count:,} elements, over {MAX_ELEMENTS:,}: empty elements left out"
    if left > MAX_ELEMENTS:
        _cut_from(next(islice(root.iter(etree.Element), MAX_ELEMENTS, None)))
        note += f", cut after {MAX_ELEMENTS:,}"
    return note


def _cut_from(el: etree._Element) -> None:
    """Remove `el` and everything after it in document order."""
    for node in (el, *el.iterancestors()):
        parent = node.getparent()
        if parent is None:
            break
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
    el.getparent().remove(el)
