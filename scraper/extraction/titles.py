"""Headlines without the site's name: "Port strike ends | Harbour Daily" -> "Port strike ends"."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

# Separators between a headline and what a site appends to it.
_SEPARATOR = re.compile(r"\s+[|–—\-:·•»/]\s+|\s*[|｜：]\s*|\s+-{2}\s*|\s*::\s*")
_DATE_LIKE = re.compile(r"^[\d\s./-]+$")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)
# UTF-8 read as Latin-1 / Windows-1252: "sanciÃ³n", "â€™".
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                       "\u02c6\u02dc\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]")


def clean_value(text: str) -> str:
    """A structured-data string as text: entities decoded (pages often escape twice), mojibake
    repaired, whitespace collapsed."""
    if _ENTITY.search(text):
        text = html.unescape(text)
    if _MOJIBAKE.search(text):
        for codec in ("cp1252", "latin-1"):
            try:
                text = text.encode(codec).decode("utf-8")
                break
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
    return " ".join(text.split())


def strip_site_name(title: str, site_names: Iterable[str], headlines: Iterable[str] = (),
                    page_title: str | None = None) -> str:
    """`title` without the site name (or date, or section) a page appends to its headlines.

    A tail is cut when it names the site, when it is a date, when the page's `<title>` ends the
    same way, or when what stays is one of the page's visible `headlines` (compared by words);
    a head is cut when it is exactly the site's name.
    """
    names = {_key(n) for n in site_names if _key(n)}
    shown = {_key(h) for h in headlines if h}
    # The last part of a <title> that differs from `title` is the site's name when short.
    last = _SEPARATOR.split(page_title)[-1] if page_title and page_title != title else ""
    page_tail = _key(last) if len(last) <= 30 else ""
    if _key(title) in shown:
        return title
    for match in _SEPARATOR.finditer(title):
        head = title[:match.start()].strip()
        tail = [p for p in _SEPARATOR.split(title[match.start():]) if p.strip()]
        if head and (_key(head) in shown or all(_is_site_part(p, names, page_tail) for p in tail)):
            return head
    # The site's name in front: "Example News - Port strike ends".
    first = _SEPARATOR.search(title)
    if first and title[first.end():].strip() and _key(title[:first.start()]) in names:
        return title[first.end():].strip()
    return title


def _is_site_part(part: str, names: set[str], page_tail: str) -> bool:
    key = _key(part)
    if not key or _DATE_LIKE.match(part.strip()) or key == page_tail:
        return True
    return any(key == n or (len(n) >= 4 and (n in key or key in n)) for n in names)


def same_words(a: str, b: str) -> bool:
    """Equal but for case, spaces, punctuation and quote marks."""
    return _key(a) == _key(b)


def _key(text: str | None) -> str:
    return re.sub(r"\W+", "", (text or "").casefold())
