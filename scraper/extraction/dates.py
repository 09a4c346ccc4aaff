"""Publication dates: ISO 8601 with the UTC offset where the page gives one, else the day."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dateparser

_ISO = re.compile(r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$")
_HAS_TIME = re.compile(r"\d{1,2}[:h.]\d\d(?!\d)|\b\d{1,2}\s*(am|pm)\b", re.IGNORECASE)


def parse_date(
    text: str,
    *,
    languages: list[str] | None = None,
    timezone: str | None = None,
) -> str | None:
    """Return `text` as an ISO 8601 string, or None when it holds no date.

    A time without an offset gets the site's `timezone` when one is known; with neither,
    the time is dropped and only the day is returned, since a bare time is ambiguous.
    """
    text = text.strip()
    if not text:
        return None
    found = _from_iso(text) if _ISO.match(text) else _from_words(text, languages)
    if found is None:
        return None
    if isinstance(found, date) and not isinstance(found, datetime):
        return found.isoformat()
    if found.tzinfo is None:
        if not timezone:
            return found.date().isoformat()
        found = found.replace(tzinfo=ZoneInfo(timezone))
    return found.isoformat()


def _from_iso(text: str) -> date | datetime | None:
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _from_words(text: str, languages: list[str] | None) -> date | datetime | None:
    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"}
    try:
        parsed = dateparser.parse(text, languages=languages, settings=settings)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        return None
    return parsed if _HAS_TIME.search(text) else parsed.date()


def day_of(iso: str | None) -> str | None:
    """The calendar day of an ISO value ("2019-05-30T10:00:00-04:00" -> "2019-05-30")."""
    return iso[:10] if iso else None


# Dates as listings and feeds print them: "March 31, 2019", "October 07 2018",
# "August 19th, 2023", "29 May 2019", "2019-05-29", RFC 822 "Thu, 23 Jul 2026 22:09:41 +0000".
_DATE_IN_TEXT = re.compile(
    r"\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?"
    r"|[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}"
    r"|\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}(?: \d\d:\d\d(?::\d\d)?(?: [+-]\d{4}| GMT| UTC)?)?"
)


def find_date(text: str, languages: list[str] | None = None) -> str | None:
    """The first date written inside a longer text ("By A. Author, March 31, 2019")."""
    match = _DATE_IN_TEXT.search(text or "")
    if match is None:
        return None
    return parse_date(re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", match.group(0)), languages=languages)
