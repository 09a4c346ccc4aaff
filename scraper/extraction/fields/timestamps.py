"""When the article was published and last modified: structured data first, then the
visible date lines (dateparser)."""

from __future__ import annotations

import bisect
import itertools
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import htmldate
from lxml import etree

from scraper.extraction.dates import (
    EARLIEST_YEAR,
    find_date,
    in_zone,
    parse_date,
    precision,
    same_moment,
)
from scraper.extraction.document import Document, compiled_xpath
from scraper.extraction.fields.common import (
    _OUTSIDE_ARTICLE,
    Found,
    _in_parts,
    _microdata,
    tagged,
)
from scraper.extraction.fields.layout import lines_between
from scraper.extraction.zones import candidate_zones, guess_timezone
from scraper.sites.base import Site

PUBLISHED_META = ("article:published_time", "og:article:published_time",
                  "article:published:time", "published_time", "og:published_time",
                  "parsely-pub-date", "sailthru.date", "cxenseparse:publishtime",
                  "datepublished", "pubdate", "publishdate", "publish-date", "date",
                  "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
                  "dcterms.created", "prism.publicationdate", "citation_publication_date")
MODIFIED_META = ("article:modified_time", "og:article:modified_time", "article:modified:time",
                 "og:updated_time", "modified_time", "datemodified", "last-modified",
                 "dc.date.modified", "dcterms.modified", "lastmod")
# Where a <time> does not date the article: teasers, related lists, comments.
_NOT_ARTICLE_DATE = frozenset("related teaser teasers recommended recirculation comment "
                              "comments more latest popular trending sidebar".split())


def published(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """The publication time, value (iso, text it came from): JSON-LD, meta, microdata,
    `<time datetime>` of the article; without any ISO value, the site's date line or another
    text date (dateparser); else a date line under the headline.

    The first value found wins, but a value that says more of the same moment replaces it: a
    time for a bare day, an offset for a local time. The site's date line comes first: it is
    the day the page shows, in the site's time zone, into which the other values are turned
    before they are compared (an evening post in Toronto is not dated by its UTC next day);
    a value with a time on that day is then taken with its own source.
    """
    ld = doc.article_ld or {}
    candidates: list[tuple[Any, str]] = [(ld.get("datePublished"), "json-ld"),
                                         (ld.get("dateCreated"), "json-ld:dateCreated")]
    candidates += [(doc.meta.get(key), f"meta:{key}") for key in PUBLISHED_META]
    candidates.append((_microdata(doc, "datePublished"), "microdata:datePublished"))
    shown: dict[str, str] = {}  # source -> the text a value was cut from
    if site.rules.date_line:
        pattern = re.compile(site.rules.date_line)
        for _, text in lines_between(doc, *span):
            match = pattern.match(text)
            if match:
                candidates.insert(0, (match.group("date"), "text:date-line"))
                shown["text:date-line"] = text
                break
    candidates += [(el.get("datetime"), "time[datetime]") for el in _article_times(doc, span)]
    return _best_date(doc, site, span, candidates, visible=True, shown=shown)


def modified(doc: Document, site: Site, span: tuple[int, int]) -> Found | None:
    """When the article was last changed, where the page says so (structured data only)."""
    key = "modified"
    if key not in doc.memo:
        ld = doc.article_ld or {}
        candidates = [(ld.get("dateModified"), "json-ld")]
        candidates += [(doc.meta.get(name), f"meta:{name}") for name in MODIFIED_META]
        candidates.append((_microdata(doc, "dateModified"), "microdata:dateModified"))
        doc.memo[key] = _best_date(doc, site, span, candidates, visible=False)
    return doc.memo[key]


def _best_date(doc: Document, site: Site, span: tuple[int, int],
               candidates: list[tuple[Any, str]], visible: bool,
               shown: dict[str, str] | None = None) -> Found | None:
    parsed: list[tuple[str, str, str]] = []  # (iso, text, source)
    raw: dict[str, str] = {}  # source -> its value before it was moved into a zone
    shown = shown or {}
    for value, source in candidates:
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str)), None)
        if not isinstance(value, str) or not value.strip():
            continue
        # A visible date line is read in words (one dateparser call); the rest as ISO only.
        iso = parse_date(value, languages=_languages(doc, site), timezone=site.timezone,
                         words=source in shown)
        if iso:
            raw.setdefault(source, iso)
            parsed.append((_local(doc, site, iso), shown.get(source, value.strip()), source))
    if not parsed:
        # No ISO value: the first text that reads as a date (the site's date line first).
        languages = _languages(doc, site)
        for value, source in candidates:
            if isinstance(value, str) and value.strip():
                iso = parse_date(value, languages=languages, timezone=site.timezone)
                if iso:
                    raw[source] = iso
                    parsed.append((_local(doc, site, iso), shown.get(source, value.strip()),
                                   source))
                    break
    if not parsed and visible:
        parsed = _date_element(doc, site, span) or _visible_date(doc, site, span)
        url_day = _url_day(doc.url)
        if url_day and not parsed:
            # The day in the path is the day the page was filed under.
            parsed = [(url_day, url_day, "url")]
    if not parsed and visible:
        parsed = _htmldate(doc)
    if not parsed:
        return None
    if visible and parsed[0][2] not in shown:
        parsed = _by_agreement(parsed)
        if parsed[0][2] in raw:
            parsed = _as_shown(doc, site, span, parsed, raw)
    best = parsed[0]
    for candidate in parsed[1:]:
        if precision(candidate[0]) > precision(best[0]) and same_moment(best[0], candidate[0]):
            # The date line only names the day: a value on that day is taken whole.
            best = candidate if best[2] in shown else (candidate[0], best[1], best[2])
    return Found((best[0], best[1]), best[2])


def _by_agreement(parsed: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The candidates with those of the day most sources give first (in their order).

    Where sources disagree, the page's other values and the `<time>` it shows outvote one
    stale value (a JSON-LD `datePublished` of the first draft, a meta of a later edit)."""
    days = [iso[:10] for iso, _, _ in parsed]
    if len(set(days)) < 2:
        return parsed
    # One vote a source: the page's <time> elements are one (the first), whatever they date.
    first = {source: iso[:10] for iso, _, source in reversed(parsed)}
    ballots = list(first.values())
    votes = {day: ballots.count(day) for day in days}
    winner = max(days, key=lambda day: (votes[day], -days.index(day)))
    return sorted(parsed, key=lambda candidate: candidate[0][:10] != winner)


# Metadata of a generic date of the document (Dublin Core's "a point in the lifecycle of the
# resource"), which many a CMS fills with the day of the last change or of the export.
_GENERIC_DATES = frozenset(("meta:date", "meta:dc.date", "meta:dcterms.date"))


def _as_shown(doc: Document, site: Site, span: tuple[int, int],
              parsed: list[tuple[str, str, str]], raw: dict[str, str]
              ) -> list[tuple[str, str, str]]:
    """The candidates checked against the date the page shows under its headline, where the
    metadata leaves a doubt: its values disagree, the first is a generic date, a UTC time of
    a site of unknown zone, or the page was changed on another day than it was published.

    The page's own date line is what its readers see: a value on that day comes first; a
    UTC time is taken in the zone that shows it that day; an unlabelled date line on the
    day of the last change means the page was put out again that day (its original date
    is shown nowhere); a generic date, or metadata changed before it was published (an
    import's times), gives way to the date line. Without a doubt the page is not read:
    its date lines cost a look at the markup and at dateparser."""
    lead_iso, _, lead_source = parsed[0]
    lead_raw = raw[lead_source]
    changed = modified(doc, site, span)
    changed_iso = changed.value[0] if changed else None
    zones = (candidate_zones(_language_tags(doc), doc.url)
             if not site.timezone and _is_utc_time(lead_raw) else [])
    # A UTC time is in doubt where a zone the page may write in shows it on another day.
    utc = any(in_zone(lead_raw, zone)[:10] != lead_raw[:10] for zone in zones)
    doubt = (len({iso[:10] for iso, _, _ in parsed}) > 1 or lead_source in _GENERIC_DATES
             or utc or (changed_iso is not None and changed_iso[:10] != lead_iso[:10]))
    if not doubt:
        return parsed
    page = _shown(doc, site, span)
    if not page or page[2] == "text:date:updated":
        return parsed  # a line of the last change says nothing of the first publication
    day = page[0][:10]
    on_day = [candidate for candidate in parsed if candidate[0][:10] == day]
    if on_day:
        return on_day + [candidate for candidate in parsed if candidate not in on_day]
    if utc:
        for moved in (*(in_zone(lead_raw, zone) for zone in zones), lead_raw):
            if moved[:10] == day:
                return [(moved, parsed[0][1], lead_source)]
        return parsed
    if changed_iso and changed_iso[:10] == day:
        if _earlier(lead_iso, changed_iso):
            return [(changed_iso, changed.value[1], f"{changed.source}:dateModified")]
        return parsed
    return [page] if lead_source in _GENERIC_DATES else parsed


def _is_utc_time(iso: str) -> bool:
    """A time given in UTC, not midnight (a day written as a time)."""
    return iso.endswith("+00:00") and iso[11:19] != "00:00:00"


def _earlier(first: str, second: str) -> bool:
    """Whether moment `first` is before `second` (ISO values, compared as moments where both
    have an offset, else as written)."""
    try:
        a, b = datetime.fromisoformat(first), datetime.fromisoformat(second)
        return (a < b) if (a.tzinfo is None) == (b.tzinfo is None) else first < second
    except ValueError:
        return first < second


def _shown(doc: Document, site: Site, span: tuple[int, int]) -> tuple[str, str, str] | None:
    """The date the page shows near its headline (an element named for a date, else the
    first date line under the headline or atop the body), once a page; read by find_date
    alone: this look is a check of the metadata, and dateparser would cost more than it."""
    key = "shown_date"
    if key not in doc.memo:
        found = (_date_element(doc, site, span, words=False)
                 or _visible_date(doc, site, span, first=True, words=False))
        doc.memo[key] = found[0] if found else None
    return doc.memo[key]


def _languages(doc: Document, site: Site) -> list[str] | None:
    """The languages dateparser reads dates in: the site's and the page's, those known only
    (without any it would load every locale); None: dates.DEFAULT_LANGUAGES."""
    languages = [code for code in dict.fromkeys((site.language, doc.lang)) if code]
    return languages or None


def _local(doc: Document, site: Site, iso: str) -> str:
    """`iso` in the site's time zone. A UTC time of a site of unknown zone is moved into the
    zone its page names (zones.py), the day its readers saw; where the URL's path files the
    page under a day, that day decides between UTC and the guess, and is taken alone when
    it is neither but a zone of UTC-8 to UTC+10 shows that day. Midnight UTC is a day
    written as a time."""
    if site.timezone or not iso.endswith("+00:00") or iso[11:19] == "00:00:00":
        return in_zone(iso, site.timezone)
    guess = guess_timezone(_language_tags(doc), doc.url)
    moved = in_zone(iso, guess)
    url_day = _url_day(doc.url)
    if url_day is None or moved[:10] == url_day:
        return moved
    if iso[:10] == url_day:
        return iso
    return url_day if url_day in _days_around(iso) else moved


def _language_tags(doc: Document) -> list[str | None]:
    """The page's language tags, the most specific first: `<html lang>`, og:locale, the
    language read from the text."""
    return [doc.root.get("lang"), doc.meta.get("og:locale"), doc.lang]


# UTC offsets of the zones most sites write in: the day a UTC time is shown on elsewhere.
_OFFSETS = (timedelta(hours=-8), timedelta(hours=10))


def _days_around(iso: str) -> set[str]:
    """The days a UTC time falls on in the zones from UTC-8 to UTC+10."""
    moment = datetime.fromisoformat(iso)
    return {(moment + offset).date().isoformat() for offset in _OFFSETS}


# A day in a URL's path: "/2016/05/04/slug", "/2016-05-04-slug", "/20160504/".
_URL_DAY = re.compile(r"/((?:19|20)\d\d)([/-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)")


def _url_day(url: str) -> str | None:
    """The day a URL's path files the page under, or None."""
    match = _URL_DAY.search(urlsplit(url).path)
    if match is None or int(match[1]) < EARLIEST_YEAR:
        return None
    return f"{match[1]}-{match[3]}-{match[4]}"


def _htmldate(doc: Document) -> list[tuple[str, str, str]]:
    """htmldate's original date of the page, the last resort: it searches the whole page
    (abbr, classes named "date", the text's date patterns) where ours read only the header
    and the top of the body. A day only: it gives no offset."""
    try:
        day = htmldate.find_date(doc.root, url=doc.url, original_date=True,
                                 extensive_search=True)
    except (ValueError, TypeError, OverflowError):
        day = None
    # 1 January is the day it makes of a bare year ("© 2026"), which dates no page.
    if not day or day.endswith("-01-01"):
        return []
    return [(day, day, "htmldate")]


def _article_times(doc: Document, span: tuple[int, int]) -> list[etree._Element]:
    """`<time datetime>` elements of the article: not in navigation, teasers or comments,
    those after the headline first."""
    times = [el for el in tagged(doc, "time")
             if el.get("datetime") is not None and not compiled_xpath(_OUTSIDE_ARTICLE)(el)
             and not _in_parts(el, _NOT_ARTICLE_DATE) and not _in_teaser(el, doc.url)]
    return sorted(times, key=lambda el: doc.order[el] < span[0])


# A list item or small <article> around a <time> with a link to another page: a teaser.
TEASER_CHARS = 300


def _in_teaser(el: etree._Element, url: str) -> bool:
    """Whether `el` dates a teaser of another page (a list item or a small `<article>`
    holding a link elsewhere), whatever the list's class calls it."""
    path = urlsplit(url).path.rstrip("/")
    for box in el.iterancestors("li", "article"):
        if len(box.text_content()) > TEASER_CHARS:
            return False
        hrefs = [urlsplit(a.get("href") or "").path.rstrip("/") for a in box.iter("a")]
        return any(h and h != path for h in hrefs)
    return False


_DATE_TEXT = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\b\d{4}\b")


def _visible_date(doc: Document, site: Site, span: tuple[int, int],
                  first: bool = False, words: bool = True) -> list[tuple[str, str, str]]:
    """A short line under the headline or atop the body that reads as a date: a written or
    numeric date in it, else a value after one of its labels (dateparser, in the site's or
    page's language; any when neither is known). Only a few lines are tried: dateparser is
    slow. `first`: the first date line, even one of an update (what a reader sees first);
    `words=False`: no dateparser (see _read_line)."""
    languages = _languages(doc, site)
    tried = 0
    # The line right above the headline (a date line over it, as a kicker sits); then
    # under it, else at the top of the body, where many pages put the date line.
    under = lines_between(doc, *span, max_chars=80)
    top = lines_between(doc, span[1] - 1, span[1] + 300, max_chars=80)
    if first:
        under, top = itertools.islice(under, FIRST_LINES), itertools.islice(top, FIRST_LINES)
    lines = itertools.chain(_line_above(doc, span[0]), under, top)
    updated: list[tuple[str, str, str]] = []
    plain: list[tuple[str, str, str]] = []
    update_line: etree._Element | None = None
    for el, text in lines:
        if not _DATE_TEXT.search(text) or _DEADLINE.search(text) or _ARCHIVE_COUNT.search(text):
            continue
        if update_line is not None and any(a is update_line for a in el.iterancestors()):
            continue  # the time inside "Updated <span>20:49, 5 Aug 2024</span>"
        labelled = bool(_PUBLISHED.search(text))
        if plain and not labelled:
            continue  # after a date, only a line that says "published" may replace it
        iso = _read_line(text, languages, site, words)
        if iso and _UPDATED.search(text) and not labelled:
            updated = updated or [(iso, text, "text:date:updated")]
            update_line = el
            if first:
                break
        elif iso and (labelled or not plain):
            plain = [(iso, text, "text:date")]
            if labelled:
                break
        tried += 1
        if tried >= 4:
            break
    # A line that only says when the page was changed dates it when no other line does.
    return plain or updated


# Short lines looked at for the first date line, under the headline and atop the body: the
# check of the metadata stays cheap on a page of thousands of lines between the two.
FIRST_LINES = 40
ABOVE_HEADLINE = 3  # elements before the end of the headline a date line over it may be


def _line_above(doc: Document, start: int) -> list[tuple[etree._Element, str]]:
    """The last short line that ends right before the headline's end and reads as a date
    ("02.02.2022 10:16 Uhr - 1. Bundesliga" over the `<h1>`), if any."""
    lines = list(lines_between(doc, start - ABOVE_HEADLINE - 1, start, max_chars=80))
    return [line for line in lines[-2:] if _DATE_TEXT.search(line[1])][-1:]


# An archive link with its count of posts: "August 2015 (1)".
_ARCHIVE_COUNT = re.compile(r"\(\d+\)\s*$")


# Elements a page names for the date it shows: "headline-date", "post-date", "datum".
_DATE_CLASS = re.compile(r"date|datum|metadata|published|posted")
NEAR_HEADLINE = 60  # elements between the headline and a date element named so


def _near(doc: Document, position: int, distance: int) -> list[etree._Element]:
    """The elements within `distance` positions of `position`, in document order: a look
    at a few dozen elements, not a query over the whole tree."""
    if "positions" not in doc.memo:
        doc.memo["positions"] = list(doc.order.values())
        doc.memo["elements"] = list(doc.order)
    positions = doc.memo["positions"]
    start = bisect.bisect_left(positions, position - distance)
    stop = bisect.bisect_right(positions, position + distance)
    return doc.memo["elements"][start:stop]


def _date_element(doc: Document, site: Site, span: tuple[int, int],
                  words: bool = True) -> list[tuple[str, str, str]]:
    """The date of the element nearest the headline whose class names a date, as the page
    shows it: before any text line, which may be a date in the story (an event, a deadline);
    not in navigation, teasers or related lists, not an update. `words=False`: no
    dateparser (see _read_line)."""
    languages = _languages(doc, site)
    near: list[tuple[int, etree._Element]] = []
    for el in _near(doc, span[0], NEAR_HEADLINE):
        if not (_DATE_CLASS.search(el.get("class") or "") or "date" in (el.get("id") or "")):
            continue
        if compiled_xpath(_OUTSIDE_ARTICLE)(el):
            continue
        if _in_parts(el, _NOT_ARTICLE_DATE) or _in_teaser(el, doc.url):
            continue
        near.append((abs(doc.order[el] - span[0]), el))
    tried = 0
    for _, el in sorted(near, key=lambda pair: pair[0]):
        text = " ".join(el.text_content().split())
        if (not _DATE_TEXT.search(text) or len(text) > 80 or _DEADLINE.search(text)
                or (_UPDATED.search(text) and not _PUBLISHED.search(text))):
            continue
        iso = _read_line(text, languages, site, words)
        if iso:
            return [(iso, text, "text:date-element")]
        tried += 1
        if tried >= 3:  # dateparser is slow
            break
    return []


# A date that is a deadline, not the day of the page: "Einsendeschluss: 03.11.2019".
_DEADLINE = re.compile(r"\b(einsendeschluss|anmeldeschluss|bewerbungsschluss|teilnahmeschluss|"
                       r"frist|deadline|closing date|date limite|fecha l[ií]mite|termin)\b",
                       re.IGNORECASE)
# Labels of the time a page was changed, and of the time it was first published.
_UPDATED = re.compile(r"\b(?:updated|last edited|last modified|aktualisiert|geändert|mis à jour|"
                      r"modifié|actualizado|aggiornato|zaktualizowano|aktualizacja)(?![^\W\d_])",
                      re.IGNORECASE)
_PUBLISHED = re.compile(r"\b(?:published|posted|written|veröffentlicht|erstellt|erschienen|"
                        r"publié|publicado|pubblicato|opublikowano|publikacja)(?![^\W\d_])",
                        re.IGNORECASE)


def _read_line(text: str, languages: list[str] | None, site: Site,
               words: bool = True) -> str | None:
    """The date a short line gives: a written or numeric date in it, else a value after one
    of its labels read by dateparser, where it names a month in words: numbers alone are
    find_date's to read ("01 | 05 | 2020" is no date dateparser should guess at).
    `words=False`: find_date's alone (dateparser takes 2-5 ms a line)."""
    found = find_date(text, languages)
    if found or not words or not _WORD.search(text):
        return found
    return next((iso for part in _after_labels(text)
                 if (iso := parse_date(part, languages=languages, timezone=site.timezone))),
                None)


_WORD = re.compile(r"[^\W\d_]{3,}")


# A word and a colon before a value: "Opublikowano: 7 lutego 2025", "Aktualizacja: …".
_LABEL = re.compile(r"(?:^|\s)[^\W\d_]{3,}\s*:\s*")


def _after_labels(text: str) -> list[str]:
    """The line, then the values its labels introduce, in order: dateparser reads no label
    ("Opublikowano: 7 lutego 2025, 14:05 Aktualizacja: 7 lutego 2025, 16:40")."""
    parts = [p.strip() for p in _LABEL.split(text)]
    return [text] + [p for p in parts if p and p != text] if len(parts) > 1 else [text]
