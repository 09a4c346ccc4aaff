"""The clean stage: from the body's element to the body's text, boilerplate removed."""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from scraper.extraction.boilerplate import (
    GENERIC_TEXT_RULES,
    drop_elements,
    drop_paragraphs,
    join_split_paragraphs,
)
from scraper.extraction.fields import label_group
from scraper.extraction.furniture import drop_furniture
from scraper.extraction.text import Block, blocks_of
from scraper.sites.base import Site

_WORD = re.compile(r"\w+")


def clean_body(container: etree._Element, site: Site, echoes: set[str],
               authors: list[str] | tuple[str, ...] = ()) -> tuple[str, list[dict[str, str]]]:
    """The article text of `container`, and what each boilerplate rule removed from it.

    `echoes` are texts already taken as other fields (title, byline, date line): a body
    container that also holds them must not repeat them.
    """
    removed = [{"rule": f"element:{r}", "text": ""}
               for r in drop_elements(container, site.rules.drop)]
    labels = label_row(tuple(site.rules.tag_labels))
    blocks = []
    for block in blocks_of(container):
        if labels and labels.match(block.text):
            removed.append({"rule": "tag_labels", "text": block.text})
        else:
            blocks.append(block)
    blocks, dropped = tidy(blocks, echoes, (*GENERIC_TEXT_RULES, *site.rules.text_rules),
                           authors=authors)
    return "\n\n".join(b.text for b in join_split_paragraphs(blocks)), removed + dropped


def tidy(blocks: list[Block], echoes: set[str] | frozenset[str], rules,
         check: set[str] | None = None, authors: list[str] | tuple[str, ...] = ()
         ) -> tuple[list[Block], list[dict[str, str]]]:
    """Drop the paragraphs that are not article text; name the rule that dropped each.

    `check` holds the words of a complete `articleBody`: a paragraph (not a heading) less
    than half of whose words are in it is not article text. The furniture rules (by place
    and shape) run last, on what the text rules left: a note is no paragraph of the story.
    """
    echo_words = [set(casefold_words(e)) for e in echoes]
    kept: list[Block] = []
    removed: list[dict[str, str]] = []
    for block in blocks:
        words = casefold_words(block.text)
        if block.text in echoes:
            rule = "echo"
        elif _near_echo(set(words), echo_words):
            rule = "near_echo"
        elif (check is not None and not block.is_heading and len(words) >= 4
              and sum(w in check for w in words) < 0.5 * len(words)):
            rule = "not_in_articlebody"
        else:
            kept.append(block)
            continue
        removed.append({"rule": rule, "text": block.text})
    kept, dropped = drop_paragraphs(kept, rules)
    kept, furniture = drop_furniture(kept, authors)
    return kept, removed + [{"rule": rule, "text": text} for rule, text in (*dropped, *furniture)]


def _near_echo(words: set[str], echo_words: list[set[str]]) -> bool:
    """A short paragraph that says (nearly) what the title says: a kicker + headline line."""
    if not words or len(words) > 40:
        return False
    for echo in echo_words:
        common = len(words & echo)
        if len(echo) >= 3 and common >= 0.8 * len(words) and common >= 0.6 * len(echo):
            return True
    return False


@lru_cache(maxsize=64)
def label_row(labels: tuple[str, ...]) -> re.Pattern[str] | None:
    """A paragraph that is a row of tag labels ("Region: Europe"), not article text."""
    if not labels:
        return None
    return re.compile(rf"^{label_group(labels)}s?\s*:")


def casefold_words(text: str) -> list[str]:
    """The words of `text`, case folded: for comparing texts word by word."""
    return _WORD.findall(text.casefold())
