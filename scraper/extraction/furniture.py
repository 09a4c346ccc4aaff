"""Page furniture inside a body, found by where it sits and what it shows, not by its classes.

A redesign renames every class, but the furniture keeps its shape: between the headline and
the first paragraph of the story sit short lines that are no sentences (a section link, a
date line, the source's date line, a reading time, label rows, a share bar); inside the story
a box of links under a short heading ("More on the topic") cuts a paragraph in two; after the
story come more short lines and the author's bio. Each piece dropped here is named by what it
is, so `extract --debug` shows it with its rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

from scraper.extraction.authors import BYLINE_TEXT
from scraper.extraction.text import Block, word_count

# A paragraph of the story: this many words, or fewer ending as a sentence ends.
PROSE_WORDS = 25
SENTENCE_WORDS = 8
# A line with fewer words than this and no sentence ending is furniture where it sits
# outside the story (before its first paragraph, after its last).
LINE_WORDS = 15
# A line of at most this many words, or of more with fewer than this share of them in lower
# case, is no running text: names, labels, buttons.
SHORT_LINE_WORDS = 2
RUNNING_SHARE = 0.2
# A date line is a date with at most this many other words ("Global Research, November 03,
# 2025"); a line that goes on about the occasion ("Bern, 17.08.2007 - Rede von … beim …") is
# the story's own.
DATE_LINE_WORDS = 4
# A paragraph with at least this share of link text, and shorter than LINK_LIST_CHARS, is
# a list of links (related stories, "more on this", a tag row), wherever it sits.
LINK_SHARE = 0.6
LINK_LIST_CHARS = 300
# A line of at most this many words over a list of links is the list's heading.
BOX_HEADING_WORDS = 6
# A bio opens with the author's name and says who they are, in at most this many words.
BIO_WORDS = 90
# Bios are looked for among this many paragraphs at the end of the story.
BIO_TAIL = 4

_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_MONTHS = ("jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|"
           "april|june|july|august|september|october|november|december")
_DATE = re.compile(rf"\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
                   rf"|\b(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b"
                   rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\.? (?:{_MONTHS})\.?,? \d{{4}}\b",
                   re.IGNORECASE)
_READING_TIME = re.compile(r"^(?:est\.?\s*)?(?:reading time:?\s*)?\d+\s*(?:-\s*\d+\s*)?"
                           r"(?:min(?:ute)?s?\.?)(?:\s+(?:read|reading|de lecture|lesezeit))?$"
                           r"|^(?:reading time|lesezeit|temps de lecture)\s*:?\s*\d+",
                           re.IGNORECASE)
# "Region:", "Tags: Black Sea, Drones": a label, then at most a list of names.
_LABEL = re.compile(r"^[^\W\d][\w&' -]{0,28}:(?:\s+[^.!?]{0,200})?$")


def is_link_list(block: Block) -> bool:
    return block.link_share >= LINK_SHARE and len(block.text) < LINK_LIST_CHARS


def is_prose(block: Block) -> bool:
    """A paragraph of the story: long, or a sentence, and not a row of links."""
    if is_link_list(block) or block.is_heading:
        return False
    words = word_count(block.text)
    return words >= PROSE_WORDS or (words >= SENTENCE_WORDS
                                    and _ENDS_SENTENCE.search(block.text) is not None)


def furniture_kind(block: Block, before: bool = True) -> str | None:
    """What a line outside the story is, or None when it may be article text (a heading,
    a sentence): `date_line`, `reading_time`, `byline_line`, `label_row`, `short_line`.
    `before`: the line comes before the story. After it, a label with its value ("Ort:
    Kasberg", "Zubereitungszeit: 25 Minuten") is the story's own fact box; a bare label
    ("Region:") is still furniture."""
    text = block.text
    words = word_count(text)
    if _READING_TIME.match(text):
        return "reading_time"
    if words > LINE_WORDS or _ENDS_SENTENCE.search(text):
        return None
    if BYLINE_TEXT.match(text):
        return "byline_line"
    date = _DATE.search(text)
    if date and word_count(text[:date.start()] + text[date.end():]) <= DATE_LINE_WORDS:
        return "date_line"
    if _LABEL.match(text) and (before or text.endswith(":")):
        return "label_row"
    if block.is_heading or _reads_as_text(text):
        return None
    return "short_line"


def _reads_as_text(text: str) -> bool:
    """A line of running words ("…will keep its present hours, and the Sat", a page cut
    short), not of names and labels ("Print Email", "Facebook X Telegram")."""
    words = text.split()
    if len(words) <= SHORT_LINE_WORDS:
        return False
    return sum(w[:1].islower() for w in words) >= RUNNING_SHARE * len(words)


def drop_furniture(blocks: list[Block], authors: list[str] | tuple[str, ...] = ()
                   ) -> tuple[list[Block], list[tuple[str, str]]]:
    """Split `blocks` into the story and (rule, text) of the furniture around and inside it:
    lists of links anywhere (`link_list`) with the short line heading them
    (`furniture:link_box`); lines that are no sentences before the story's first paragraph
    and after its last (`furniture:<kind>`); the author's bio at its end.
    """
    dropped: dict[int, str] = {}
    for i, block in enumerate(blocks):
        if is_link_list(block):
            dropped[i] = "link_list"
            head = i - 1
            if head >= 0 and head not in dropped and _box_heading(blocks[head]):
                kind = furniture_kind(blocks[head])  # "7 min read" over a tag row is that
                named = kind not in (None, "short_line")
                dropped[head] = f"furniture:{kind if named else 'link_box'}"
    prose = [i for i, b in enumerate(blocks) if i not in dropped and is_prose(b)]
    if prose:
        first, last = prose[0], prose[-1]
        for i, block in enumerate(blocks):
            if (i < first or i > last) and i not in dropped:
                kind = furniture_kind(block, before=i < first)
                if kind:
                    dropped[i] = f"furniture:{kind}"
        dropped |= _bios(blocks, authors, last)
    kept = [b for i, b in enumerate(blocks) if i not in dropped]
    return kept, [(rule, blocks[i].text) for i, rule in sorted(dropped.items())]


def _box_heading(block: Block) -> bool:
    """A short line, no sentence and no link, such as "Related Articles" over a list."""
    return (word_count(block.text) <= BOX_HEADING_WORDS and not _ENDS_SENTENCE.search(block.text)
            and block.link_share < LINK_SHARE)


def _bios(blocks: list[Block], authors: list[str] | tuple[str, ...], last: int
          ) -> dict[int, str]:
    """The author's bio at the end of the story: it opens with the author's name (an
    honorific before it allowed) and says what they are or do."""
    names = tuple(re.escape(a) for a in authors if a and len(a) > 3)
    if not names:
        return {}
    # What follows the name must be somewhere in the paragraph: most tails have no such
    # words, and they need no pattern of the page's names compiled.
    tail = [i for i in range(max(0, last - BIO_TAIL + 1), last + 1)
            if word_count(blocks[i].text) <= BIO_WORDS and _BIO_VERB.search(blocks[i].text)]
    if not tail:
        return {}
    opening = _bio_opening(names)
    return {i: "furniture:author_bio" for i in tail if opening.match(blocks[i].text)}


# What a bio says after the author's name.
_BIO_VERB_PATTERN = (r",?\s+(?:(?:is|was|has been)\s+(?:also\s+|currently\s+|now\s+)?"
                     r"(?:a|an|the)\s|(?:writes|teaches|works|lives|reports|covers|"
                     r"holds|served)\b|(?:a|an)\s)")
_BIO_VERB = re.compile(_BIO_VERB_PATTERN, re.IGNORECASE)


@lru_cache(maxsize=256)
def _bio_opening(names: tuple[str, ...]) -> re.Pattern[str]:
    """The opening of a bio of one of `names` (escaped); the pages of a site share their
    authors, so each set of names is compiled once."""
    return re.compile(rf"^(?:(?:dr|prof|professor|mr|mrs|ms)\.?\s+)?(?:{'|'.join(names)})"
                      + _BIO_VERB_PATTERN, re.IGNORECASE)
