"""Bytes of a saved page to text: UTF-8 when the bytes are UTF-8, whatever the page declares."""

from __future__ import annotations

from w3lib.encoding import html_to_unicode


def decode_page(raw: bytes, content_type: str | None = None) -> str:
    """The page's text. A page whose bytes are valid UTF-8 with non-ASCII characters is UTF-8
    even when its `<meta charset>` says otherwise (saved copies are often re-encoded and keep
    the old declaration; Latin-1 text with accents is almost never valid UTF-8). Otherwise
    the header, BOM, `<meta charset>`, then a guess decide, as for a crawled response."""
    if not raw.isascii():
        try:
            return raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            pass
    return html_to_unicode(content_type, raw)[1]
