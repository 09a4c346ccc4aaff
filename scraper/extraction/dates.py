"""Publication dates: ISO 8601 with the UTC offset where the page gives one, else the day."""

from __future__ import annotations

import importlib
import re
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import dateparser
from dateparser.data.languages_info import language_order

# The languages dateparser has a locale for (it raises on a date in any other).
_LOCALES = frozenset(language_order)

# dateparser without languages loads the patterns of all its 200-odd locales (3-4 s for the
# first page); a date of unknown language is read as English, the form most pages fall back to.
DEFAULT_LANGUAGES = ("en",)
# Dates before this are no publication dates of a web page (a year "19" read as 1912...).
EARLIEST_YEAR = 1990

# ISO 8601 as pages write it: "2024-04-26 20:44", "2023-04-28 18:11:01.0", "…+0100", "…Z",
# "2024-10-23T15:48:15 UTC".
_ISO = re.compile(
    r"^(?P<day>\d{4}-\d\d-\d\d)"
    r"(?:[T ](?P<time>\d\d:\d\d(?::\d\d)?)(?:[.,]\d+)?)?"
    r"\s*(?P<zone>Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)?$",
    re.IGNORECASE,
)
_HAS_TIME = re.compile(r"\d{1,2}[:h.]\d\d(?!\d)|\b\d{1,2}\s*(am|pm)\b", re.IGNORECASE)


def parse_date(
    text: str,
    *,
    languages: list[str] | None = None,
    timezone: str | None = None,
    words: bool = True,
) -> str | None:
    """Return `text` as an ISO 8601 string, or None when it holds no date.

    A time with an offset keeps it; a time without one gets the site's `timezone` when one is
    known, else stays a local time without offset ("2023-04-28T18:11:01"), which is what the
    page said. `words=False` reads ISO values only (dateparser is slow).
    """
    text = (text or "").strip()
    if not text or len(text) > 200:
        return None
    found = read_iso(text)
    if found is None and words and not _ISO.match(text):
        found = _from_words(text, languages)
    if found is None:
        return None
    if isinstance(found, date) and not isinstance(found, datetime):
        return found.isoformat()
    if found.tzinfo is None and timezone:
        found = found.replace(tzinfo=ZoneInfo(timezone))
    return found.isoformat(timespec="seconds")


def read_iso(text: str) -> date | datetime | None:
    """An ISO 8601 value as a day, or a time with or without offset; None if not ISO."""
    match = _ISO.match(text.strip())
    if match is None:
        return None
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return None
    if not match["time"]:
        return day
    zone = (match["zone"] or "").upper()
    if zone in ("Z", "UTC", "GMT"):
        zone = "+00:00"
    elif zone and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:] or '00'}"
    clock = match["time"] if match["time"].count(":") == 2 else match["time"] + ":00"
    try:
        return datetime.fromisoformat(f"{day.isoformat()}T{clock}{zone}")
    except ValueError:
        return None


@lru_cache(maxsize=64)
def _parser(languages: tuple[str, ...]) -> dateparser.date.DateDataParser | None:
    """One dateparser per set of languages, built once: building one reads its locales."""
    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"}
    known = [code for code in languages if code in _LOCALES]
    if not known:
        return None
    return dateparser.date.DateDataParser(languages=known, settings=settings)


# Texts dateparser found no date in, per set of languages, the oldest dropped past the
# bound: a site's footer ("© 2020 Example GmbH") or its line of a section's name and year
# is read on every page of a crawl, at 0.2-5 ms a call. No date stays no date (a date found
# may be relative to the day, "vor 2 Stunden", and is not kept).
_NO_DATE: dict[tuple[str, tuple[str, ...]], None] = {}
MAX_NO_DATE = 4096


def _from_words(text: str, languages: list[str] | None) -> date | datetime | None:
    wanted = tuple(dict.fromkeys(languages or DEFAULT_LANGUAGES))
    if (text, wanted) in _NO_DATE:
        return None
    parser = _parser(wanted) or _parser(DEFAULT_LANGUAGES)
    try:
        parsed = parser.get_date_data(text).date_obj if parser else None
    except (ValueError, OverflowError, LookupError, TypeError):
        parsed = None
    if parsed is None or parsed.year < EARLIEST_YEAR:
        if len(_NO_DATE) >= MAX_NO_DATE:
            del _NO_DATE[next(iter(_NO_DATE))]
        _NO_DATE[text, wanted] = None
        return None
    return parsed if _HAS_TIME.search(text) else parsed.date()


def precision(iso: str) -> int:
    """0 for a day, 1 for a local time without offset, 2 for a time with its offset."""
    if len(iso) <= 10:
        return 0
    return 2 if re.search(r"(Z|[+-]\d\d:\d\d)$", iso) else 1


def same_moment(coarse: str, fine: str) -> bool:
    """Whether `fine` says more of the moment `coarse` names: the same day for a day, the
    same wall-clock minute for a local time."""
    if precision(coarse) == 0:
        return fine[:10] == coarse
    return fine[:16] == coarse[:16]


def in_zone(iso: str, timezone: str | None) -> str:
    """`iso` as wall-clock time in `timezone`, where it is a time with an offset and a zone is
    known: the day a reader of the site saw ("2025-03-04T02:30:00+00:00" in America/Toronto ->
    "2025-03-03T21:30:00-05:00"). Days and local times are returned as they are."""
    if not timezone or precision(iso) < 2:
        return iso
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")


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


# Numeric day-first dates with an optional time: "25.04.24 | 14:07 Uhr", "2.11.2023, 08:15".
_DOTTED = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d\d)\b"
                     r"(?:\D{1,6}?(\d{1,2})[:.h](\d\d)\b)?")
_SLASHED = re.compile(r"\b(\d{1,2})([./])\s?(\d{1,2})\2\s?(\d{4}|\d\d)\b"
                      r"(?:\D{1,6}?(\d{1,2})[:.h](\d\d)\b)?")

# A two-digit year with the time glued to it, as markup joined without a space gives it:
# "28.09.19" + "12:44" is "28.09.1912:44", which is no year 1912.
_GLUED_TIME = re.compile(r"\b(\d{1,2}\.\d{1,2}\.\d\d)(\d{1,2}:\d\d)\b")


def find_date(text: str, languages: list[str] | None = None) -> str | None:
    """The first date written inside a longer text ("By A. Author, March 31, 2019").

    Day-first numeric dates with dots, and with slashes where the page's language is not
    English ("12/03/2025 às 14h35"; in English the month may come first)."""
    text = _GLUED_TIME.sub(r"\1 \2", text or "")
    numeric = _SLASHED if languages and "en" not in languages else _DOTTED
    dotted = numeric.search(text)
    if dotted:
        day, month, year, hour, minute = (g for i, g in enumerate(dotted.groups())
                                          if numeric is _DOTTED or i != 1)
        year = int(year) + (2000 if len(year) == 2 else 0)
        try:
            found = datetime(year, int(month), int(day), int(hour or 0), int(minute or 0))
        except ValueError:
            found = None
        if found and found.year >= EARLIEST_YEAR:
            return found.isoformat(timespec="seconds") if hour else found.date().isoformat()
    match = _DATE_IN_TEXT.search(text)
    written = None if match and _TIMED.match(match.group(0)) else written_date(text, languages)
    if written:
        found, end = written
    elif match is None:
        return None
    else:
        found, end = parse_date(re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", match.group(0)),
                                languages=languages), match.end()
    clock = _CLOCK_AFTER.match(text, end)
    if found and len(found) == 10 and clock:
        hour, minute, half = int(clock["hour"]), int(clock["minute"]), (clock["half"] or "")
        hour = hour % 12 + (12 if half[:1].lower() == "p" else 0) if half else hour
        if hour < 24 and minute < 60:
            return f"{found}T{hour:02d}:{minute:02d}:00"
    return found


# The time a date line gives after its date: "March 3, 2025 at 4:12 p.m.", "27 Feb 2025, 07:30".
_CLOCK_AFTER = re.compile(r"\s*(?:,|\||-|–|·|at|um|à|alle|ore|a las)?\s*"
                          r"(?P<hour>\d{1,2})[:.](?P<minute>\d\d)(?!\d)"
                          r"(?:\s*(?P<half>[ap]\.?\s?m\b\.?))?", re.IGNORECASE)


# A date of `_DATE_IN_TEXT` that carries its own time (ISO, RFC 822): dateparser keeps the zone.
_TIMED = re.compile(r"\d{4}-\d\d-\d\d[T ]\d|.*\d\d:\d\d")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")


@lru_cache(maxsize=64)
def _written_pattern(languages: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, int]]:
    """A pattern of a day, a month in words and a year in `languages` (and English, which
    many pages of other languages print), and the month number of each word.

    The month words are dateparser's own (its locale data): the dates it reads, without its
    2-5 ms a call, which made a look at the page's date lines too dear to do on every page."""
    months: dict[str, int] = {}
    for code in dict.fromkeys((*languages, "en")):
        if code not in _LOCALES:
            continue
        try:
            info = importlib.import_module(f"dateparser.data.date_translation_data.{code}").info
        except ImportError:
            continue
        for number, month in enumerate(_MONTHS, 1):
            for word in info.get(month, ()):
                word = word.lower().rstrip(".")
                if len(word) >= 3 and not word.isdigit():
                    months.setdefault(word, number)
    words = "|".join(re.escape(w) for w in sorted(months, key=len, reverse=True)) or "(?!)"
    pattern = re.compile(
        rf"\b(?P<d1>\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:de\s+)?(?P<m1>{words})\b\.?,?\s*"
        rf"(?:de\s+)?(?P<y1>\d{{4}})\b"
        rf"|\b(?P<m2>{words})\b\.?\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})\b",
        re.IGNORECASE)
    return pattern, months


# Words a date line may put before its date: a label, a weekday, a byline ("By A. Author,").
# More are a sentence, unless a separator sets the date apart as a field of a meta line
# ("Accueil | Par Loïc Le Clerc | 30 septembre 2018").
MAX_WORDS_BEFORE = 5
_WORDS = re.compile(r"[^\W\d_]+")
_FIELD_END = re.compile(r"[|·•/–—-]\s*$")


def written_date(text: str, languages: list[str] | None = None) -> tuple[str, int] | None:
    """The first day written with its month in words ("29. Juni 2017", "4 de mayo de 2022",
    "March 31st, 2019") as an ISO day, and where it ends in `text`; None without one, or
    when more words than a label's come before it."""
    pattern, months = _written_pattern(tuple(dict.fromkeys(languages or DEFAULT_LANGUAGES)))
    for match in pattern.finditer(text):
        before = text[:match.start()]
        if len(_WORDS.findall(before)) > MAX_WORDS_BEFORE and not _FIELD_END.search(before):
            return None  # a date in a sentence (a caption's "…, 24. April 2023")
        day, month, year = ((match["d1"], match["m1"], match["y1"]) if match["d1"]
                            else (match["d2"], match["m2"], match["y2"]))
        try:
            found = date(int(year), months[month.lower()], int(day))
        except (ValueError, KeyError):
            continue
        if found.year >= EARLIEST_YEAR:
            return found.isoformat(), match.end()
    return None
