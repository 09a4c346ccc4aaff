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
    names = {word_key(n) for n in site_names if word_key(n)}
    shown = {word_key(h) for h in headlines if h}
    # The last part of a <title> that differs from `title` is the site's name when short.
    last = _SEPARATOR.split(page_title)[-1] if page_title and page_title != title else ""
    page_tail = word_key(last) if len(last) <= 30 else ""
    if word_key(title) in shown:
        return title
    # One pass each way, so that a title of hundreds of parts costs no more than their
    # length: site_tail[i] says whether every part after separator i names the site.
    separators = list(_SEPARATOR.finditer(title))
    if not separators:
        return title
    bounds = [m.start() for m in separators[1:]] + [len(title)]
    parts = [title[m.end():end] for m, end in zip(separators, bounds, strict=True)]
    site_tail = [True] * (len(parts) + 1)
    for i in range(len(parts) - 1, -1, -1):
        site_tail[i] = site_tail[i + 1] and (not parts[i].strip()
                                             or _is_site_part(parts[i], names, page_tail))
    shown_sizes = {len(k) for k in shown}
    head_size = 0  # the length of the key of the title up to separator i
    for i, match in enumerate(separators):
        head_size += len(word_key(title[:match.start()] if i == 0 else parts[i - 1]))
        if not head_size:
            continue
        if site_tail[i] or (head_size in shown_sizes
                            and word_key(title[:match.start()]) in shown
                            and not _shown_site_name(title[:match.start()], names, shown)):
            return title[:match.start()].strip()
    # The site's name in front: "Example News - Port strike ends", also as the logo's <h1>
    # shows it ("Harbour-News.de » Port strike ends" under <h1>Harbour-News.de</h1>).
    first = separators[0]
    head = title[:first.start()]
    if title[first.end():].strip() and (word_key(head) in names
                                        or _shown_site_name(head, names, shown)):
        return title[first.end():].strip()
    return title


def _shown_site_name(text: str, names: set[str], shown: set[str]) -> bool:
    """Whether `text` is an `<h1>` of the page that names the site: its logo, not the
    headline."""
    return word_key(text) in shown and _is_site_part(text, names, "")


def _is_site_part(part: str, names: set[str], page_tail: str) -> bool:
    key = word_key(part)
    if not key or _DATE_LIKE.match(part.strip()) or key == page_tail:
        return True
    return any(key == n or (len(n) >= 4 and (n in key or key in n)) for n in names)


def same_words(a: str, b: str) -> bool:
    """Equal but for case, spaces, punctuation and quote marks."""
    return word_key(a) == word_key(b)


def word_key(text: str | None) -> str:
    """Text reduced to its casefolded word characters, for comparing headlines."""
    return re.sub(r"\W+", "", (text or "").casefold())
