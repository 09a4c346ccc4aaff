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
from scraper.extraction.text import blocks_of
from scraper.sites.base import Site


def clean_body(container: etree._Element, site: Site, echoes: set[str]
               ) -> tuple[str, list[dict[str, str]]]:
    """The article text of `container`, and what each boilerplate rule removed from it.

    `echoes` are texts already taken as other fields (title, byline, date line): a body
    container that also holds them must not repeat them.
    """
    removed = [{"rule": f"element:{r}", "text": ""}
               for r in drop_elements(container, site.rules.drop)]
    labels = label_row(tuple(site.rules.tag_labels))
    blocks = [b for b in blocks_of(container)
              if b.text not in echoes and not (labels and labels.match(b.text))]
    blocks, dropped = drop_paragraphs(blocks, (*GENERIC_TEXT_RULES, *site.rules.text_rules))
    removed += [{"rule": rule, "text": text} for rule, text in dropped]
    return "\n\n".join(b.text for b in join_split_paragraphs(blocks)), removed


@lru_cache(maxsize=64)
def label_row(labels: tuple[str, ...]) -> re.Pattern[str] | None:
    """A paragraph that is a row of tag labels ("Region: Europe"), not article text."""
    if not labels:
        return None
    return re.compile(rf"^{label_group(labels)}s?\s*:")
