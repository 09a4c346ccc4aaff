"""Author names out of a byline: no "By", no e-mail, no role, no date, lists split."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"https?://\S+|www\.\S+")
# "By", "Von", "Par", "Por", "Door", "Av", "Af", "Di" and "Author:"-style labels.
_LEAD = re.compile(
    r"^\s*(?:(?:written|reported|text|texto|story|articles|posts|stories)\s+)?(?:by|von|par|por|door|di|av|af|przez)\b"
    r"\s*:?\s*|^\s*(?:autor(?:in|en|es|a)?|authors?|auteurs?|text|texto|redaktion)\s*:\s*",
    re.IGNORECASE,
)
# Separators of a list of names: ",", ";", "&", "|", "•", and "and" in several languages.
_SPLIT = re.compile(r"\s*(?:[,;|•·、，；]|\s&\s|\s(?:and|AND|und|et|y|e|og|och|en|i|és|ve)\s)\s*")
# A lower-case label before the lead word: "capital von Lena Marquardt", "story by Ana Ruiz".
_INNER_LEAD = re.compile(r"^\s*[a-zà-ÿ]\S*(?:\s+\S+)?\s+(?:by|von|par|por)\s+(?=[^\W\d_a-zà-ÿ])")
# A picture credit, not a byline: "(Image: Getty Images)", "Foto: dpa".
_CREDIT = re.compile(r"^\W*(image|photo|foto|bild|picture|pictures|credit|source|quelle)s?\s*:",
                     re.IGNORECASE)
# Where the reporter was: "Harbour Wire in Valencia", "By Harbour Wire, in News, …".
_PLACE = re.compile(r",?\s+in\s+(?=[A-ZÀ-Ý])")
# A label in any language before the names: "Penulis: …", "Tekst: …" (after the picture
# credits, whose labels say the names are not the authors).
_LABEL = re.compile(r"^\s*[^\W\d_]{3,15}\s*:\s*(?=\S)")
# One word after a list closed by "and": "A B and C D, Hafenpost" names the agency (or the
# place) after the people, not a third author.
_AFTER_LIST = re.compile(r"^(.+\s(?:and|und|et|y|e|&)\s[^,;]+?)\s*[,;]\s*[^\W\d_][\w.-]*\s*$")
# The Korean word for reporter after a name: "김민지 기자".
_REPORTER = re.compile(r"(?<=[가-힣])\s?(?:선임|객원)?(?:기자|특파원)\s*$")
_HONORIFIC = re.compile(r"^(prof|professor|dr|mr|mrs|ms|rev)\.?\s+", re.IGNORECASE)
# A part naming a job, not a person: "Staff Writer", "Senior Correspondent", "Redakteurin".
_ROLE = re.compile(
    r"\b(staff|reporter|correspondent|editor|editors|writer|journalist|contributor|columnist"
    r"|photographer|producer|analyst|presenter|anchor|news desk|newsroom|updated|published"
    r"|redakteur\w*|korrespondent\w*|journalistin|reporterin|autorin|rédact\w*|redactor\w*"
    r"|corresponsal|periodista|giornalista|inviat[oa])\b",
    re.IGNORECASE,
)
# Month names next to a day in a byline ("Rosa Lindqvist 30 August 2023").
_MONTH = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni"
    r"|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre"
    r"|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre"
    r"|noviembre|diciembre|january|february|march|april|june|july|august|september|october"
    r"|november|december)\b\.?",
    re.IGNORECASE,
)
_MAX_WORDS = 5
# A byline names a few people in a line; a longer text is no byline (and the patterns above,
# with their alternatives and optional parts, are not linear in the length of a long one).
MAX_BYLINE_CHARS = 500


def split_authors(byline: str, not_names: Iterable[str] = ()) -> list[str]:
    """Names in a byline, in order: "By Prof. A and B (b@x.org), Staff Writer" -> ["A", "B"].

    `not_names` are names that are not authors here (the site's own name).
    """
    if len(byline) > MAX_BYLINE_CHARS:
        return []
    skip = {_key(n) for n in not_names}
    text = _URL.sub(" ", _EMAIL.sub(" ", byline))
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = _LEAD.sub("", text)
    if _CREDIT.match(text):
        return []
    text = _LABEL.sub("", text)
    text = _PLACE.split(text, maxsplit=1)[0]
    text = _AFTER_LIST.sub(r"\1", text)
    names: list[str] = []
    for part in _SPLIT.split(text):
        if _key(part) in skip:  # "KRVN 7 News", which cleaning would cut to "KRVN"
            continue
        name = _clean(part)
        if name and _key(name) not in skip and name not in names:
            names.append(name)
    return names
def _clean(part: str) -> str | None:
    before_digit = re.split(r"(?:^|(?<=\s))\d", part, maxsplit=1)[0]
    if before_digit != part:  # a date or time ends the name, with its month
        part = re.sub(rf"(\s*{_MONTH.pattern})+\s*$", "", before_digit, flags=re.IGNORECASE)
    part = _REPORTER.sub("", _LEAD.sub("", _INNER_LEAD.sub("", part)))
    name = _HONORIFIC.sub("", _trim_edges(part))
    name = re.sub(r"\s+", " ", name).strip()
    if not name or not any(c.isalpha() for c in name) or _ROLE.search(name):
        return None
    if len(name.split()) > _MAX_WORDS or len(name) > 60:
        return None
    return name


def _trim_edges(text: str) -> str:
    """`text` without punctuation and spaces at its ends; the vowel signs that end a name
    in Indic scripts ("शर्मा") are marks, not punctuation, and stay."""
    def keep(char: str) -> bool:
        return char.isalnum() or unicodedata.category(char).startswith("M")
    start, end = 0, len(text)
    while start < end and not keep(text[start]):
        start += 1
    while end > start and not keep(text[end - 1]):
        end -= 1
    return text[start:end]


def _key(name: str) -> str:
    return re.sub(r"\W+", "", name).casefold()


def is_same_name(a: str, b: str) -> bool:
    """Whether two names are the same up to case, spaces and punctuation."""
    return _key(a) == _key(b)
