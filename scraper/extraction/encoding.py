"""Bytes of a page to text, one way for a crawl, a stored page and `scraper extract`.

The order, and why:
1. a byte-order mark: it cannot be there by accident;
2. UTF-8, when the bytes are UTF-8 (all of them, or all but a few stray bytes: more valid
   multi-byte sequences than invalid ones). Text in a single-byte encoding with accents is
   almost never valid UTF-8, while servers and saved copies often keep an old, wrong
   declaration (a UTF-8 page declared iso-8859-1 would read `les Ã©lus`);
3. the Content-Type header's charset, then 4. `<meta charset>`, each only when the bytes
   decode under it (a cp1252 page declared utf-8 is proven wrong by its first `é`);
5. cp1252: what undeclared Western pages are, and it decodes any byte.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

FALLBACK = "cp1252"
WINDOWS_1252 = {"iso8859-1": FALLBACK, "ascii": FALLBACK}


def decode_page(raw: bytes, content_type: str | None = None) -> str:
    """The page's text (see the module's docstring for the order of the clues)."""
    return decode(raw, content_type)[0]


def page_encoding(raw: bytes, content_type: str | None = None) -> str:
    """The name of the encoding decode_page reads `raw` in: what the archive stores."""
    return decode(raw, content_type)[1]


def decode(raw: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding name) of a page's bytes and its Content-Type header, if any."""
    bom_encoding, bom = read_bom(raw)
    if bom_encoding:
        return raw[len(bom):].decode(bom_encoding, errors="replace"), _name(bom_encoding)
    utf8 = _as_utf8(raw)
    if utf8 is not None:
        return utf8, "utf-8"
    for declared in (http_content_type_encoding(content_type) if content_type else None,
                     html_body_declared_encoding(raw)):
        if declared and _name(declared) != "utf-8":  # UTF-8 was ruled out above
            # As browsers do (WHATWG): a page declared Latin-1 or ASCII is windows-1252, so
            # its curly quotes (0x91-0x94) are not read as control characters.
            declared = WINDOWS_1252.get(_name(declared), declared)
            try:
                return raw.decode(declared), _name(declared)
            except (UnicodeDecodeError, LookupError):
                continue  # the declaration is wrong: the next clue decides
    return raw.decode(FALLBACK, errors="replace"), FALLBACK


def _as_utf8(raw: bytes) -> str | None:
    """`raw` as UTF-8 when it is UTF-8, stray invalid bytes replaced; else None."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid
    return text if valid > invalid else None


def _name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding
