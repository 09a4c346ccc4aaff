"""Boilerplate rules as data, and the two passes that apply them.

Element rules drop whole subtrees (share bars, related boxes, captions) before the body is
split into paragraphs; text rules then drop paragraphs by what they say. Every rule has a
name, so a record can say what was removed and why, and each rule is tested on its own.
A text rule only fires on a paragraph no longer than its `max_chars`: a long paragraph that
happens to contain a phrase is article text, not boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from scraper.extraction.screens import fold, screen
from scraper.extraction.text import Block, inline_text


@dataclass(frozen=True)
class TextRule:
    """Drop a paragraph when `pattern` matches it (case-insensitive search)."""

    name: str
    pattern: str
    max_chars: int = 400

    def matches(self, text: str) -> bool:
        return len(text) <= self.max_chars and _compiled(self.pattern).search(text) is not None


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _CACHE:
        _CACHE[pattern] = re.compile(pattern, re.IGNORECASE)
    return _CACHE[pattern]


# Paragraph rules that hold on any news site.
GENERIC_TEXT_RULES: tuple[TextRule, ...] = (
    TextRule("separator", r"^[\s*•·~=_–—|-]+$", max_chars=20),
    TextRule(
        "caption",
        r"^(featured image|image|photo|photograph|picture|illustration|video|"
        r"image source|photo credit)s?\s*(credit|source)?\s*[:(]",
        max_chars=300,
    ),
    TextRule("copyright_line", r"^(copyright\s*)?(©|\(c\))", max_chars=200),
    TextRule("all_rights_reserved", r"all rights reserved\.?$", max_chars=200),
    # A label standing alone where an ad was.
    TextRule("ad_label", r"^(advertisement|advertising|anzeige|werbung|publicidad|publicité|"
             r"pubblicità|annonse|annons|reklame|sponsored|ad)$", max_chars=20),
    # "Read more: …", "Lesen Sie auch: …": a link to another article.
    TextRule("read_more",
             r"^(read more|read also|see also|more|related|lesen sie auch|lesen sie mehr|"
             r"mehr zum thema|auch interessant|zum artikel|lire aussi|à lire aussi|lire plus|"
             r"leer más|lee también|ver también|leia também|leggi anche|les også|läs också|"
             r"læs også|lees ook|(también )?te puede interesar|potrebbe interessarti|"
             r"czytaj (także|też|również)|читайте также|you (may|might) also like)"
             r"\b\s*(:|»|>|\||-|–|$)", max_chars=250),
    TextRule("newsletter_prompt",
             r"(sign(ing)? up|subscribe|abonnieren|abonnez|anmelden|inscr[ií]bete|suscr[ií]bete|"
             r"click here).*newsletter|newsletter.*(sign(ing)? up|subscribe|abonnieren|anmelden|"
             r"in your inbox|informiert sie|click here)", max_chars=250),
    TextRule("share_request",
             r"(click|use|hit|tap) the share buttons? (above|below|to)\b"
             r"|(forward|share) this (article|story|post)\b", max_chars=300),
    TextRule("contact_prompt",
             r"(story|tip|touch|contact|e-?mail)\b.*\b[\w.+-]+@[\w-]+\.[\w.]+", max_chars=250),
    TextRule("follow_prompt",
             r"^(visit and )?follow (us\b|.{1,60}\b(on|at) (twitter|x|facebook|instagram|tiktok|"
             r"whatsapp|telegram|threads|bluesky|linkedin|youtube)\b)"
             r"|^(folg(e|st) (du|uns)|folgen sie uns|suivez-nous|síguenos|seguici|abonniere|"
             r"click here to (get|download)|download (our|the) app)", max_chars=250),
    TextRule("paywall_prompt",
             r"(réservée? aux abonnés|il vous reste [\d,.]+ ?%|s[oó]lo para suscriptores|"
             r"(only|exclusively) (for|to) subscribers|nur für abonnenten|already a subscriber|"
             r"(subscribe|sign in|log in|register) to continue reading|"
             r"log in or create an account|会員限定|tu suscripción se está usando)", max_chars=300),
    TextRule("donation_request",
             r"^(please )?(consider (making )?a donation|donate (now|today)|"
             r"support (us|our (work|journalism|reporting))\b)"
             # An outlet's appeal reprinted under its article: "…, please consider a monthly
             # contribution."
             r"|\bplease consider (making )?(a |an )?(small |monthly |regular |recurring |"
             r"one-time |tax-deductible )?(contribution|donation|gift)\b", max_chars=300),
    TextRule("reader_funding",
             r"\b(is|are) (funded|supported|paid for) by (its|our) (readers|subscribers)\b"
             r"|\brel(y|ies) (entirely |solely )?on the (financial |generous )?support of "
             r"(its|our) readers\b",
             max_chars=250),
    # "No reproduction without permission" as Korean, Japanese, Chinese and Italian pages
    # close the article.
    TextRule("reproduction_notice",
             r"무단\s?전재|재배포\s?금지|転載を禁じ|未经许可不得转载|riproduzione riservata",
             max_chars=150),
    # A Korean reporter's sign-off: name, the word for reporter, e-mail.
    TextRule("reporter_signoff", r"^[가-힣]{2,4}\s?기자\s+[\w.+-]+@[\w-]+\.[\w.]+$",
             max_chars=80),
    TextRule("reader_appeal",
             r"^(did you (like|enjoy) this|enjoying our|hat ihnen dieser artikel gefallen|"
             r"vous avez aimé cet article)", max_chars=300),
    TextRule("browser_notice",
             r"(browser version with limited support|please enable javascript|"
             r"you are using an? (outdated|unsupported) browser)", max_chars=400),
    TextRule("embed_consent",
             r"(ein klick für den datenschutz|externe[nr]? inhalt|external content|"
             r"ich bin damit einverstanden|contenu externe|contenido externo)", max_chars=400),
    TextRule("credit_line",
             r"^(quelle|foto|fotos|bild|photo|image|credit|source|kilde|källa|fuente|crédit|"
             r"crédito|kuva|фото|φωτ\.?|φωτογραφία)s?\s*:\s*\S.{0,60}$", max_chars=80),
    TextRule("time_line",
             r"^(stand|updated|published|last updated|aktualisiert|veröffentlicht|uppdaterad|"
             r"publicerad|oppdatert|publisert|opdateret|mis à jour|publié|actualizado|publicado)"
             r"\s*:?\s*(on |am |le |el )?([^\W\d]+,? )?\d", max_chars=100),
    TextRule("byline_line",
             r"^(by|von|par|por|av|af|door)\s+(?-i:[A-ZÀ-ÖØ-Þ])[^.!?]*$", max_chars=60),
)

# Parts of class/id names that mark page furniture inside an article body.
FURNITURE_PARTS = frozenset(
    "share sharing sharedaddy social addthis related newsletter subscribe subscription "
    "advert advertisement ads ad sponsored sponsor promo donate donation caption comments "
    "comment outbrain taboola popup cookie print breadcrumbs breadcrumb pullquote "
    "comentarios commenti kommentare commentaires komentarze relacionadas correlati "
    "polecane boletin".split()
)
# Tags never part of an article's text.
FURNITURE_TAGS = ("figure", "figcaption", "form", "nav", "aside", "iframe", "noscript")

_NAME_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def name_parts(el: etree._Element) -> frozenset[str]:
    """Lower-cased words of an element's class and id: "shareBlock gr-related" -> share, block…"""
    return _parts_of(el.get("class") or "", el.get("id") or "")


@lru_cache(maxsize=8192)
def _parts_of(classes: str, ident: str) -> frozenset[str]:
    # A site's pages repeat the same few hundred class strings: each is split once.
    return frozenset(part.lower() for part in _NAME_PARTS.findall(f"{classes} {ident}"))


# Elements below the container that have a name (class or id), in document order.
_NAMED = etree.XPath("descendant::*[@class or @id]")


# Class and id pairs judged per set of furniture parts, at most this many each.
_NAMES_KEPT = 8192


@lru_cache(maxsize=16)
def _furniture_names(parts: frozenset[str]) -> dict[tuple[str | None, str | None], str]:
    """The reason each (class, id) pair is furniture for `parts` ("" when it is not),
    filled as pages meet them: a page has hundreds of named elements, a site's pages a few
    hundred names between them, and the test of a name met before is one look-up."""
    return {}


def drop_elements(container: etree._Element, selectors: Iterable[str] = (),
                  tags: Iterable[str] = FURNITURE_TAGS,
                  parts: frozenset[str] = FURNITURE_PARTS,
                  names: list[str] | None = None) -> list[str]:
    """Remove furniture from `container` in place: elements matching `selectors`, `tags`
    and those whose class or id has a word of `parts`; return what was removed, for
    provenance.

    An element holding more than half of the container's text is kept whatever its name:
    a wrapper called "post-share-area" around the whole article must not empty the body.
    `names`, where given, receives the class and id values of the elements below the
    container (those removed for their names left out): every one left is among them.
    """
    doomed: list[tuple[str, etree._Element]] = []
    for query in selectors:
        doomed += [(query, el) for el in container.cssselect(query) if el is not container]
    tags = tuple(tags)
    for el in container.iter(*tags) if tags else ():
        if el is not container:
            doomed.append((el.tag, el))
    reasons = _furniture_names(parts)
    for el in _NAMED(container):
        key = (el.get("class"), el.get("id"))
        reason = reasons.get(key)
        if reason is None:
            if len(reasons) >= _NAMES_KEPT:
                reasons.clear()
            found = _parts_of(key[0] or "", key[1] or "") & parts
            reason = reasons[key] = "." + "-".join(sorted(found)) if found else ""
        if reason:
            doomed.append((reason, el))
        elif names is not None:
            names += [value for value in key if value]
    if not doomed:
        return []
    total = len(inline_text(container)) or 1
    removed: list[str] = []
    for reason, el in doomed:
        if el.getparent() is None or not _inside(el, container):
            continue  # already gone with an ancestor
        if _shows_more_than(el, total / 2):
            if names is not None:
                names += [value for value in (el.get("class"), el.get("id")) if value]
            continue
        removed.append(reason)
        remove_keeping_tail(el)
    return removed


def _shows_more_than(el: etree._Element, limit: float) -> bool:
    """Whether the inline text of `el` is longer than `limit`. Its text content holds
    every character the inline text shows (NFC makes at most three of one, a line break
    one of none), and lxml reads it without a walk in Python: a box far shorter than the
    limit, as nearly all are, needs no walk."""
    raw = el.text_content()
    bound = (len(raw) if raw.isascii() else 3 * len(raw)) + sum(1 for _ in el.iter("br"))
    return bound > limit and len(inline_text(el)) > limit


def _inside(el: etree._Element, container: etree._Element) -> bool:
    return any(parent is container for parent in el.iterancestors())


def remove_keeping_tail(el: etree._Element) -> None:
    """Remove `el` and its subtree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def drop_paragraphs(
    blocks: list[Block], rules: Iterable[TextRule]
) -> tuple[list[Block], list[tuple[str, str]]]:
    """Split `blocks` into those kept and (rule name, text) of those dropped.

    A rule whose pattern has a screen (see screens.py) runs only on a text that holds one
    of its strings: most paragraphs hold none, and most rules then cost a look-up."""
    rules = tuple(rules)
    checks = [(rule, screen(rule.pattern)) for rule in rules]
    kept: list[Block] = []
    dropped: list[tuple[str, str]] = []
    for block in blocks:
        rule = _first_match(block.text, checks)
        if rule is None:
            kept.append(block)
        else:
            dropped.append((rule.name, block.text))
    return kept, dropped


def _first_match(text: str, checks: list[tuple[TextRule, tuple[str, ...] | None]]
                 ) -> TextRule | None:
    """The first rule that matches `text`, as `TextRule.matches` finds it."""
    folded = None
    for rule, needs in checks:
        if len(text) > rule.max_chars:
            continue
        if needs is not None:
            if folded is None:
                folded = fold(text)
            if not any(need in folded for need in needs):
                continue
        if _compiled(rule.pattern).search(text) is not None:
            return rule
    return None


_ENDS_SENTENCE = re.compile(r"[.!?:;\"'”’»)\]…]$")


def join_split_paragraphs(blocks: list[Block]) -> list[Block]:
    """Rejoin a paragraph that a removed box cut in two: "…no guarantee" + "that this…"."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.tag == block.tag == "p"
            and not _ENDS_SENTENCE.search(prev.text)
            and block.text[:1].islower()
        ):
            out[-1] = Block(f"{prev.text} {block.text}", "p")
        else:
            out.append(block)
    return out
