"""Turn an HTML subtree into paragraphs of plain text.

Inline markup is flattened by plain concatenation, so a word split across two `<span>`s
stays one word; block elements and `<br>` start new lines; comments and scripts vanish.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

# Elements that start a new paragraph.
BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details div dl dt figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td "
    "tfoot th thead tr ul".split()
)
# Elements whose content is never text of the page.
SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed svg canvas button select option "
    "textarea input head title video audio source map".split()
)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")


@dataclass
class Block:
    """One paragraph of a page: its text and the tag of the element that held it."""

    text: str
    tag: str
    # Share of the text that is link text: a paragraph of links is navigation.
    link_share: float = 0.0

    @property
    def is_heading(self) -> bool:
        return self.tag in HEADING_TAGS


def clean_text(text: str) -> str:
    """NFC, invisible characters dropped, whitespace collapsed, lines trimmed."""
    lines = (" ".join(line.split()) for line in _visible(text).split("\n"))
    return "\n".join(line for line in lines if line)


def _visible(text: str) -> str:
    """`text` in NFC without invisible characters. ASCII text is so already, and a text
    without any of them needs no pass of the pattern: both are the common case, and the
    texts of every walk go through here."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    if any(char in text for char in INVISIBLE_CHARS):
        text = INVISIBLE.sub("", text)
    return text


def inline_text(el: etree._Element) -> str:
    """The text of `el` on one line: markup flattened, whitespace collapsed.

    The same text as the `_walk` of `el` gives (text and line breaks), read by lxml's own
    walker, which is several times faster than a walk in Python: every field asks for the
    inline text of many elements."""
    if not len(el):  # no child: most elements asked about, and no walk to set up
        return " ".join(_visible(el.text or "").split())
    parts = [el.text] if el.text else []
    add = parts.append
    walker = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    next(walker)  # the start of `el` itself
    for event, node in walker:
        if event == "start":
            name = node.tag.lower() if isinstance(node.tag, str) else ""
            if name == "br":
                add("\n")
                walker.skip_subtree()
            elif not name or name in SKIP_TAGS:
                walker.skip_subtree()
            elif node.text:
                add(node.text)
        elif node is not el and node.tail:  # the end of an element, a comment, a PI
            add(node.tail)
    # str.split() splits at the white space the patterns' \s matches, "\n" among them.
    return " ".join(_visible("".join(parts)).split())


_TEXT, _BR, _START, _END = range(4)


def _walk(root: etree._Element):
    """(kind, value) events of `root`'s subtree in document order: text, a line break, the
    start and end of an element (its lower-cased tag). A loop, not a recursion, so that a
    page nested thousands of levels deep cannot exhaust Python's stack."""
    if root.text:
        yield _TEXT, _spaces(root.text)
    stack = [(root, iter(root))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:
                yield _END, node.tag.lower()
                if node.tail:
                    yield _TEXT, _spaces(node.tail)
            continue
        name = child.tag.lower() if isinstance(child.tag, str) else ""
        if name == "br":
            yield _BR, "\n"
        elif name and name not in SKIP_TAGS:
            yield _START, name
            if child.text:
                yield _TEXT, _spaces(child.text)
            stack.append((child, iter(child)))
            continue
        if child.tail:
            yield _TEXT, _spaces(child.tail)


def _spaces(text: str) -> str:
    # Source line breaks are layout, not content: only <br> makes a line break.
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def blocks_of(root: etree._Element) -> list[Block]:
    """Split `root` into paragraphs, one per block element run of inline content, each with
    the share of its text inside links (a paragraph of links is navigation, whatever its
    classes say)."""
    out: list[Block] = []
    buf: list[str] = []
    linked = 0  # characters of `buf` inside an <a>
    in_link = 0

    def flush(tag: str) -> None:
        nonlocal linked
        text = clean_text("".join(buf))
        if text:
            share = min(1.0, linked / len(text))
            out.append(Block(text, tag, share))
        buf.clear()
        linked = 0

    tags = [root.tag.lower() if isinstance(root.tag, str) else "div"]
    for kind, value in _walk(root):
        if kind in (_TEXT, _BR):
            buf.append(value)
            if in_link and kind == _TEXT:
                linked += len(value.strip())
        elif value == "a":
            in_link += 1 if kind == _START else -1 if in_link else 0
        elif value in BLOCK_TAGS:
            if kind == _START:
                flush(tags[-1])
                tags.append(value)
            else:
                flush(tags.pop())
    flush(tags[0])
    return out


# Scripts written without spaces between words: each character counts as a word.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


@lru_cache(maxsize=4096)
def word_count(text: str) -> int:
    """Words of `text`; a Chinese or Japanese character is one word (Korean syllables too).
    Cached: the body's rules count the words of each paragraph several times over."""
    return len(_WORD.findall(text))
