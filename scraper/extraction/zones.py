"""The time zone a site of unknown zone most likely writes in, from what the page says of its
country: the region of its language tag ("de-AT"; not of English, "en-US" being the default
of many a CMS), its country-code domain (".ch"), else the
home country of a language spoken mostly in one zone ("pl").

Why: a CMS gives its times in UTC ("2019-10-18T22:04:00Z"), the page shows its readers' day
(19 October in Berlin); the UTC day is a day early. The guess only moves a UTC value into a
zone: the moment stays the same, only the day shown changes.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A country's zone where it has one, else its most populous one (tz database names).
COUNTRY_ZONES = {
    "at": "Europe/Vienna", "ch": "Europe/Zurich", "de": "Europe/Berlin", "li": "Europe/Vaduz",
    "lu": "Europe/Luxembourg", "fr": "Europe/Paris", "be": "Europe/Brussels",
    "nl": "Europe/Amsterdam", "it": "Europe/Rome", "es": "Europe/Madrid", "pt": "Europe/Lisbon",
    "gb": "Europe/London", "uk": "Europe/London", "ie": "Europe/Dublin", "pl": "Europe/Warsaw",
    "cz": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest",
    "si": "Europe/Ljubljana", "hr": "Europe/Zagreb", "rs": "Europe/Belgrade",
    "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "gr": "Europe/Athens", "tr": "Europe/Istanbul",
    "dk": "Europe/Copenhagen", "se": "Europe/Stockholm", "no": "Europe/Oslo",
    "fi": "Europe/Helsinki", "ee": "Europe/Tallinn", "lv": "Europe/Riga", "lt": "Europe/Vilnius",
    "ua": "Europe/Kyiv", "ru": "Europe/Moscow", "by": "Europe/Minsk", "md": "Europe/Chisinau",
    "il": "Asia/Jerusalem", "in": "Asia/Kolkata", "pk": "Asia/Karachi", "cn": "Asia/Shanghai",
    "hk": "Asia/Hong_Kong", "tw": "Asia/Taipei", "jp": "Asia/Tokyo", "kr": "Asia/Seoul",
    "sg": "Asia/Singapore", "my": "Asia/Kuala_Lumpur", "ph": "Asia/Manila",
    "id": "Asia/Jakarta", "th": "Asia/Bangkok", "vn": "Asia/Ho_Chi_Minh", "az": "Asia/Baku",
    "ae": "Asia/Dubai", "sa": "Asia/Riyadh", "eg": "Africa/Cairo", "za": "Africa/Johannesburg",
    "ng": "Africa/Lagos", "ke": "Africa/Nairobi", "us": "America/New_York",
    "ca": "America/Toronto", "mx": "America/Mexico_City", "br": "America/Sao_Paulo",
    "ar": "America/Argentina/Buenos_Aires", "cl": "America/Santiago", "pe": "America/Lima",
    "ve": "America/Caracas", "ec": "America/Guayaquil", "au": "Australia/Sydney",
    "nz": "Pacific/Auckland",
}
# Country-code domains most sites use as generic names, which say nothing of a country.
GENERIC_CCTLDS = frozenset("io tv me co ai fm ly to cc ws gg am app".split())
# Languages spoken mostly in one zone, and the country that zone is named by.
LANGUAGE_HOMES = {
    "de": "de", "fr": "fr", "it": "it", "nl": "nl", "pl": "pl", "cs": "cz", "sk": "sk",
    "hu": "hu", "sl": "si", "hr": "hr", "sr": "rs", "ro": "ro", "bg": "bg", "el": "gr",
    "tr": "tr", "da": "dk", "sv": "se", "nb": "no", "nn": "no", "no": "no", "fi": "fi",
    "et": "ee", "lv": "lv", "lt": "lt", "uk": "ua", "he": "il", "ja": "jp", "ko": "kr",
    "zh": "cn",
}
_REGION = re.compile(r"^[a-z]{2,3}[-_]([a-z]{2})\b", re.IGNORECASE)


def guess_timezone(language_tags: list[str | None], url: str) -> str | None:
    """The zone of the country the page names (see the module's docstring), or None."""
    for tag in language_tags:
        match = _REGION.match((tag or "").strip())
        # "en-US" / "en_US" is the default locale of many a CMS: it says nothing of the site.
        if match and match[1].lower() in COUNTRY_ZONES and not tag.lower().startswith("en"):
            return COUNTRY_ZONES[match[1].lower()]
    try:
        suffix = (urlsplit(url).hostname or "").rsplit(".", 1)[-1]
    except ValueError:
        suffix = ""
    if suffix not in GENERIC_CCTLDS and suffix in COUNTRY_ZONES:
        return COUNTRY_ZONES[suffix]
    for tag in language_tags:
        home = LANGUAGE_HOMES.get((tag or "").strip().lower()[:2])
        if home:
            return COUNTRY_ZONES[home]
    return None


def candidate_zones(language_tags: list[str | None], url: str) -> list[str]:
    """The zones a page may write in, the likeliest first: the guess above, then the zone of
    the region of any of its tags, English ones too ("en-US"): too weak a sign to move a
    time on its own, enough to tell which zone shows the day the page gives."""
    zones = [guess_timezone(language_tags, url)]
    for tag in language_tags:
        match = _REGION.match((tag or "").strip())
        if match:
            zones.append(COUNTRY_ZONES.get(match[1].lower()))
    return [zone for zone in dict.fromkeys(zones) if zone]
