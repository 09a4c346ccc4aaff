"""Author names out of a byline: no "By", no e-mail, no role, no date, lists split."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"https?://\S+|www\.\S+")
# A byline line: "By …", "Written by …", "Words by …" (other languages' "Von …", "Por …" also
# open ordinary sentences; their bylines are found by their markup). The furniture of a body
# asks the same question of its short lines.
BYLINE_TEXT = re.compile(r"^(?:written |posted |words )?by\s+\S", re.IGNORECASE)
# What a byline says before the lead word in several languages: "Posted by", "Erstellt von",
# "Mehr von", "Publicado por", "Pressemitteilung von".
_LEAD_VERBS = (r"written|reported|text|texto|story|articles|posts|stories|words|posted|published"
               r"|erstellt|eingestellt|verfasst|geschrieben|veröffentlicht|gepostet|mehr|alles"
               r"|artikel|beitrag|beiträge|pressemitteilung|publié|rédigé|publicado|escrito"
               r"|pubblicato|scritto|napisane|opublikowane")
# "By", "Von", "Par", "Por", "Door", "Av", "Af", "Di" and "Author:"-style labels; "Text &
# Fotos:" names the author too (a picture credit alone does not, see _CREDIT).
_LEAD = re.compile(
    rf"^\s*(?:(?:{_LEAD_VERBS})\s+)?(?:by|von|par|por|door|di|av|af|przez)\b"
    r"\s*:?\s*|^\s*(?:autor(?:in|en|es|a)?|authors?|auteurs?|text|texto|redaktion)\s*:\s*"
    r"|^\s*(?:text|texte|texto|words)\s*(?:&|/|,|\+|und|and|et|y)\s*"
    r"(?:fotos?|photos?|bilder?|images?|pictures)\s*:\s*",
    re.IGNORECASE,
)
# Separators of a list of names: ",", ";", "&", "|", "•", and "and" in several languages
# (", and" too). Not "/": "det/dpa", "AFP/The Local" name a desk and its agency as one.
_SPLIT = re.compile(r"\s*(?:,\s*(?:and|und|et|y)\s|[,;|•·、，；]|\s&\s"
                    r"|\s(?:and|AND|und|et|y|e|og|och|en|i|és|ve)\s)\s*")
_SPLIT_KEEP = re.compile(f"({_SPLIT.pattern})")
# A lower-case label before the lead word: "capital von Lena Marquardt", "story by Ana Ruiz".
_INNER_LEAD = re.compile(r"^\s*[a-zà-ÿ]\S*(?:\s+\S+)?\s+(?:by|von|par|por)\s+(?=[^\W\d_a-zà-ÿ])")
# A picture credit, not a byline: "(Image: Getty Images)", "Foto: dpa".
_CREDIT = re.compile(r"^\W*(image|photo|foto|bild|picture|pictures|credit|source|quelle)s?\s*:",
                     re.IGNORECASE)
# Where the reporter was: "Harbour Wire in Valencia", "By Harbour Wire, in News, …".
_PLACE = re.compile(r",?\s+in\s+(?=[A-ZÀ-Ý])")
# A label in any language before the names: "Penulis: …", "Tekst: …" (after the picture
# credits, whose labels say the names are not the authors).
# A Chinese label ("编辑：", editor) is two characters before a full-width colon.
_LABEL = re.compile(r"^\s*(?:[^\W\d_]{2,15}(?:\s+[^\W\d_]{2,15}){0,2}|[\u4e00-\u9fff]{2,6})"
                    r"\s*[:：]\s*(?=\S)")
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
    r"|director|attorney|\w*redakteur\w*|\w*korrespondent\w*|journalistin|reporterin|autorin"
    r"|rédact\w*|redactor\w*|corresponsal|periodista|giornalista|inviat[oa])\b",
    re.IGNORECASE,
)
# Where a byline goes on with when it was published or updated, a name has ended: "Ana Gil
# Publicado hace 3 horas", "Posted on", "Veröffentlicht am".
_PUBLISHED = re.compile(
    r"(?:^|\s)(?:posted|published|updated|publicado|actualizado|publié|mis à jour|veröffentlicht"
    r"|aktualisiert|erstellt am|pubblicato|aggiornato|opublikowano|zaktualizowano)\b.*$",
    re.IGNORECASE)
# What a byline's widgets say beside the name: "Kommentare geschlossen", "Gesponserte Inhalte".
_WIDGET = re.compile(
    r"\b(comments?|kommentar\w*|commentaires?|comentarios?|commenti|komentarz\w*|sponsored"
    r"|gesponsert\w*|anzeige|werbung|no author)\b", re.IGNORECASE)
# A link to the author's profile read with the name: "Nuño Domínguez Twitter".
_SOCIAL = re.compile(r"(?:\s+(?:twitter|facebook|instagram|linkedin|mastodon|bluesky|threads"
                     r"|youtube|tiktok|e-?mail|rss))+\s*$", re.IGNORECASE)
# Words of a relative time left when its number is cut ("hace", "vor", "il y a", "ago").
_AGO = re.compile(r"\s+(?:hace|vor|il y a|ago|temu|fa)\s*$", re.IGNORECASE)
# A weekday after the name, before its date: "Isabella.DiBiase am Samstag, 19. Oktober".
_WEEKDAY = re.compile(
    r"(?:\s+(?:am|on|le|el|il|den))?\s+(?:monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi"
    r"|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo)\s*$",
    re.IGNORECASE)
# A degree after a name ("Michael L. Anderson, PhD"): it belongs to the name before it.
_DEGREE = re.compile(r"^(?:ph\.?\s?d|m\.?d|dr\.?\s?med|mba|m\.?sc|b\.?sc|m\.?a|dphil|rn"
                     r"|mph|llm|dipl\.?-?\s?ing)\.?$", re.IGNORECASE)
# A name is a domain only where a site names itself: "ORF.at", "finanztreff.de".
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|de|at|ch|fr|es|it|pl"
                     r"|nl|be|uk|co|cl|io|eu|ru|us|ca|au|in|jp|br|mx|ar|cz|se|no|dk|fi|pt|gr|tv"
                     r"|news|online|media)$")
# A user handle after the name ("Williams Perdomo @wperdomod").
_HANDLE = re.compile(r"\s+@\w+")
# An abbreviation that ends a name with its full stop: an initial ("Joe S."), "Jr.", "Sr.".
_ABBREVIATION_END = re.compile(r"(?:(?:^|\s)[^\W\d_]|\b(?:jr|sr|jun|sen))\.$", re.IGNORECASE)
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
    # An affiliation in brackets is no name, and a name is never cut inside it.
    text = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", text)
    text = re.sub(r"\s[(\[][^()\[\]]*$", " ", text)
    text = _LEAD.sub("", text)
    if _CREDIT.match(text) or text.strip().endswith((":", "：")):
        return []  # a picture credit, or a label ("By the numbers:", "Datum:") without a name
    text = _LABEL.sub("", text)
    text = _PLACE.split(text, maxsplit=1)[0]
    if not _DEGREE.match(_trim_edges(re.split(r"[,;]", text)[-1])):
        text = _AFTER_LIST.sub(r"\1", text)
    names: list[str] = []
    pieces = _SPLIT_KEEP.split(text)
    for i in range(0, len(pieces), 2):
        part = pieces[i]
        if _key(part) in skip:  # "KRVN 7 News", which cleaning would cut to "KRVN"
            continue
        if names and _DEGREE.match(_trim_edges(part)):
            names[-1] = f"{names[-1]}, {_trim_edges(part)}"
            continue
        if i >= 2 and _ROLE.search(pieces[i - 2]) and pieces[i - 1].strip().isalpha() \
                and len(part.split()) == 1:
            continue  # "Journalist i Paris": where the person works, not a second person
        name = _clean(part, skip)
        if name and _key(name) not in skip and name not in names:
            names.append(name)
    return names


def is_author_label(text: str) -> bool:
    """Whether `text` is only the label before an author's name: "Autor:", "By", "Von"."""
    return bool(text.strip()) and not _LEAD.sub("", text).strip()


def with_degree(name: str, shown: str) -> bool:
    """Whether `shown` is `name` with a degree after it ("Devon Gorry, PhD")."""
    head, _, degree = shown.rpartition(",")
    return bool(_DEGREE.match(degree.strip())) and _key(head) == _key(name)


def _clean(part: str, skip: set[str] = frozenset()) -> str | None:
    """One name out of a part of a byline, or None where the part names no one."""
    before_digit = re.split(r"(?:^|(?<=\s))\d", part, maxsplit=1)[0]
    if before_digit != part:  # a date or time ends the name, with its month
        part = re.sub(rf"(\s*{_MONTH.pattern})+\s*$", "", before_digit, flags=re.IGNORECASE)
        part = _AGO.sub("", part)
    part = _REPORTER.sub("", _LEAD.sub("", _INNER_LEAD.sub("", part)))
    part = _SOCIAL.sub("", _WEEKDAY.sub("", _PUBLISHED.sub("", _HANDLE.sub("", part))))
    name = _HONORIFIC.sub("", _trim_edges(part))
    name = re.sub(r"\s+", " ", name).strip()
    words = name.split()
    if len(words) > 1 and words[-1].islower() and _key(words[-1]) in skip:
        # "Matthias herrpfleger": the blog's name, written as a handle
        name = " ".join(words[:-1])
    name = _without_trailing_role(name)
    if (not name or not any(c.isalpha() for c in name) or _ROLE.search(name)
            or _WIDGET.search(name) or _DOMAIN.match(name)):
        return None
    if len(name.split()) > _MAX_WORDS or len(name) > 60:
        return None
    return name


def _without_trailing_role(name: str) -> str:
    """A first and last name without the one-word job title after it ("Christoph Hein
    Chefredakteur"); other parts stay whole, to be refused as a title (in "Holger Z. Leitender
    Redakteur" the title has more words than the one known)."""
    match = _ROLE.search(name)
    if match and match.end() == len(name):
        before = name[:match.start()].rstrip(" ,-–|")
        if len(before.split()) == 2 and not _ROLE.search(before):
            return before
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
    if _ABBREVIATION_END.search(text[:end + 1]):
        end += 1  # "Perry Bacon Jr.", "Joe S."
    return text[start:end]


def _key(name: str) -> str:
    return re.sub(r"\W+", "", name).casefold()


def is_same_name(a: str, b: str) -> bool:
    """Whether two names are the same up to case, spaces and punctuation."""
    return _key(a) == _key(b)
