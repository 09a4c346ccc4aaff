"""Recognise bot-protection interstitials: a 200 answer that is not the page asked for."""

from __future__ import annotations

import re

# Markers in markup (not in article prose) that only challenge pages carry.
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


def challenge_reason(html: str) -> str | None:
    """A short reason when `html` is a challenge page, else None.

    Only the page's start and end are searched: challenge pages are small, and an article
    that quotes one of these phrases has them deep inside a long body.
    """
    sample = html if len(html) < 60_000 else html[:30_000] + html[-10_000:]
    match = _MARKERS.search(sample)
    if match is None:
        return None
    if len(re.sub(r"<[^<>]+>|\s+", "", html)) > 40_000:
        return None  # a full article page that merely mentions a challenge
    return "challenge page: " + re.sub(r"<[^<>]+>|\s+", " ", match.group(0)).strip()[:60]
