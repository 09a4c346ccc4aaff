"""Recognise bot-protection interstitials: a 200 answer that is not the page asked for."""

from __future__ import annotations

import re

# Markers in markup (not in article prose) that challenge pages carry. Some also ride on
# ordinary pages (Incapsula's beacon, `<script async src="/_Incapsula_Resource?…">`, is
# loaded by every page of a site it guards): a marker alone never makes a page a challenge.
_MARKERS = re.compile(
    r"<title>\s*(just a moment\.\.\.|attention required!?\s*\|\s*cloudflare|"
    r"access denied\s*\|[^<]*cloudflare|ddos-guard|please wait\.\.\.)\s*</title>"
    # Cloudflare's challenge script (its bot-management script, /cdn-cgi/challenge-platform/
    # scripts/jsd/main.js, rides on ordinary pages and says nothing).
    r"|/cdn-cgi/challenge-platform/h/\w+/orchestrate/|\bcf-browser-verification\b|\bcf_chl_opt\b|"
    r"_incapsula_resource|\bpx-captcha\b|/distil_r_captcha|"
    r"enable javascript and cookies to continue|checking your browser before accessing",
    re.IGNORECASE,
)
# A shield's stub that computes a cookie in a script and then reloads the page with it
# (Project Shield, Sucuri and others): the cookie set, then the page asked for again. Apart
# from _MARKERS because many ordinary pages set a cookie in a script: only those are
# searched for it, and _MARKERS only where its own words are.
_COOKIE_RELOAD = re.compile(
    r"document\.cookie\s*=[^<]{0,3000}?location(?:\.href\s*=|\.replace\(|\.reload\()",
    re.IGNORECASE)
_COOKIE_WORD = "document.cookie"
# Every match of _MARKERS holds one of these (lower-cased): a page holding none of them is
# no challenge page. Finding plain words is ten times faster than running the pattern over
# every position of the page.
_MARKER_WORDS = ("just a moment...", "cloudflare", "ddos-guard", "please wait...",
                 "/cdn-cgi/challenge-platform/h/", "cf-browser-verification", "cf_chl_opt",
                 "_incapsula_resource", "px-captcha", "/distil_r_captcha",
                 "enable javascript and cookies to continue",
                 "checking your browser before accessing")
# Letters IGNORECASE takes for an ASCII one though str.lower() makes them another ("İ", the
# dotless "ı", the long "ſ"): a page with one of them goes to the pattern.
_ODD_CASES = ("\u0130", "\u0131", "\u017f")
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
    match = _MARKERS.search(sample) if may_carry_marker(sample) else None
    if match:
        reason = "challenge page: " + _TAG_OR_SPACE.sub(" ", match.group(0)).strip()[:60]
    elif may_reload_with_cookie(sample) and _COOKIE_RELOAD.search(sample):
        reason = "challenge page: a script sets a cookie and reloads"
    else:
        return None
    return None if visible_chars(html) > CHALLENGE_TEXT_CHARS else reason


def may_carry_marker(text: str) -> bool:
    """False when `text` surely has no match of _MARKERS (it holds none of its words)."""
    if any(odd in text for odd in _ODD_CASES):
        return True
    lowered = text.lower()
    return any(word in lowered for word in _MARKER_WORDS)


def may_reload_with_cookie(text: str) -> bool:
    """False when `text` surely has no match of _COOKIE_RELOAD."""
    return _COOKIE_WORD in text.lower() or any(odd in text for odd in _ODD_CASES)


def visible_chars(html: str) -> int:
    """How many characters (spaces not counted) of `html` a reader sees, roughly: tags,
    scripts, styles and comments left out. Entities count as they are written."""
    return len(_TAG_OR_SPACE.sub("", _INVISIBLE.sub("", html)))
