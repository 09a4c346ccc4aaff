"""Recognise bot-protection interstitials: a 200 answer that is not the page asked for."""

from __future__ import annotations

import re
from functools import lru_cache

# Markers in markup (not in article prose) that challenge pages carry. Some also ride on
# ordinary pages (Incapsula's beacon, `<script async src="/_Incapsula_Resource?…">`, is
# loaded by every page of a site it guards): a marker alone never makes a page a challenge.
# Each alternative of the pattern with the words (lower-cased) every match of it holds.
_ALTERNATIVES = (
    (("just a moment...", "cloudflare", "ddos-guard", "please wait..."),
     r"<title>\s*(just a moment\.\.\.|attention required!?\s*\|\s*cloudflare|"
     r"access denied\s*\|[^<]*cloudflare|ddos-guard|please wait\.\.\.)\s*</title>"),
    # Cloudflare's challenge script (its bot-management script, /cdn-cgi/challenge-platform/
    # scripts/jsd/main.js, rides on ordinary pages and says nothing).
    (("/cdn-cgi/challenge-platform/h/",), r"/cdn-cgi/challenge-platform/h/\w+/orchestrate/"),
    (("cf-browser-verification",), r"\bcf-browser-verification\b"),
    (("cf_chl_opt",), r"\bcf_chl_opt\b"),
    (("_incapsula_resource",), r"_incapsula_resource"),
    (("px-captcha",), r"\bpx-captcha\b"),
    (("/distil_r_captcha",), r"/distil_r_captcha"),
    *(((words,), words) for words in ("enable javascript and cookies to continue",
                                      "checking your browser before accessing")),
)
_MARKERS = re.compile("|".join(source for _, source in _ALTERNATIVES), re.IGNORECASE)
# A shield's stub that computes a cookie in a script and then reloads the page with it
# (Project Shield, Sucuri and others): the cookie set, then the page asked for again. Apart
# from _MARKERS because many ordinary pages set a cookie in a script: only those are
# searched for it, and _MARKERS only where its own words are.
_COOKIE_RELOAD = re.compile(
    r"document\.cookie\s*=[^<]{0,3000}?location(?:\.href\s*=|\.replace\(|\.reload\()",
    re.IGNORECASE)
_COOKIE_WORD = b"document.cookie"
# Letters IGNORECASE takes for an ASCII one though lower-casing ASCII letters leaves them
# as they are ("İ", the dotless "ı", the long "ſ", the Kelvin sign "K"): a page with one of
# them goes to the whole pattern.
_ODD_CASES = ("\u0130", "\u0131", "\u017f", "\u212a")
# What a reader never sees: comments, scripts, styles (then the tags themselves). Each block
# runs to its end tag, or to the page's end when it has none, in one pass that never goes
# back (possessive, unrolled): linear however many blocks are left open.
_INVISIBLE = re.compile("|".join(
    [r"<!--[^-]*+(?:-(?!->)[^-]*+)*+(?:-->)?"]
    + [rf"<{name}\b[^<>]*+>[^<]*+(?:<(?!/{name}\b)[^<]*+)*+(?:</{name}\s*>)?"
       for name in ("script", "style", "noscript", "template")]), re.IGNORECASE)
_TAG_OR_SPACE = re.compile(r"<[^<>]*+>|\s+")
# Visible characters (spaces not counted) a challenge page shows at most: its stub says
# "checking your browser", a Ray ID and a footer, a few hundred characters; Cloudflare's
# longest block page ("Why have I been blocked? …") some 600. An article shows its headline
# and its story: 200 words are over 1,000 characters.
CHALLENGE_TEXT_CHARS = 1_000


def challenge_reason(html: str) -> str | None:
    """A short reason when `html` is a challenge page, else None.

    A challenge page carries a marker and shows next to nothing: an article that loads a
    bot-protection beacon, or quotes one of the phrases, shows its story. Only the page's
    start and end are searched for markers: challenge pages are small.
    """
    sample = html if len(html) < 60_000 else html[:30_000] + html[-10_000:]
    folded = _folded(sample)
    markers = _markers_for(folded)
    match = markers.search(sample) if markers else None
    if match:
        reason = "challenge page: " + _TAG_OR_SPACE.sub(" ", match.group(0)).strip()[:60]
    elif (folded is None or _COOKIE_WORD in folded) and _COOKIE_RELOAD.search(sample):
        reason = "challenge page: a script sets a cookie and reloads"
    else:
        return None
    return None if visible_chars(html) > CHALLENGE_TEXT_CHARS else reason


def may_carry_marker(text: str) -> bool:
    """False when `text` surely has no match of _MARKERS (it holds none of its words)."""
    return _markers_for(_folded(text)) is not None


def may_reload_with_cookie(text: str) -> bool:
    """False when `text` surely has no match of _COOKIE_RELOAD."""
    folded = _folded(text)
    return folded is None or _COOKIE_WORD in folded


def _folded(text: str) -> bytes | None:
    """`text` in UTF-8 with its ASCII letters lower-cased, in which a word of a marker is
    found where IGNORECASE would find it; None where a letter of _ODD_CASES is in it.
    Bytes: str.lower() of a page in a script beyond Latin-1 cost more than the scans."""
    if not text.isascii() and any(odd in text for odd in _ODD_CASES):
        return None
    return text.encode("utf-8", "surrogatepass").lower()


def _markers_for(folded: bytes | None) -> re.Pattern[str] | None:
    """The alternatives of _MARKERS that may match a text (None: none may): those whose
    words it holds, all of them where it could not be folded. An alternative without its
    words matches nowhere, so the first match is the one _MARKERS finds. Finding plain
    words is ten times faster than running the pattern over every position of the page, and
    a page loading a script from cdnjs.cloudflare.com needs the `<title>` alternative only."""
    if folded is None:
        return _MARKERS
    present = tuple(i for i, (words, _) in enumerate(_ALTERNATIVES)
                    if any(word.encode() in folded for word in words))
    return _subset(present) if present else None


@lru_cache(maxsize=64)
def _subset(indices: tuple[int, ...]) -> re.Pattern[str]:
    return re.compile("|".join(_ALTERNATIVES[i][1] for i in indices), re.IGNORECASE)


def visible_chars(html: str) -> int:
    """How many characters (spaces not counted) of `html` a reader sees, roughly: tags,
    scripts, styles and comments left out. Entities count as they are written."""
    return len(_TAG_OR_SPACE.sub("", _INVISIBLE.sub("", html)))
