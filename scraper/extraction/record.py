"""The article record: every field a researcher gets, in the order `extract` prints them."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Article:
    url: str
    site: str
    title: str | None
    subtitle: str | None
    byline: str | None
    authors: list[str]
    published: str | None
    published_text: str | None
    modified: str | None
    tags: list[dict[str, str]]
    body: str = field(repr=False)
    original_source: dict[str, str | None] | None
    language: str | None
    word_count: int
    content_hash: str
    fetched_at: str | None
    # article, video or digest (post_kind.py)
    kind: str = "article"
    # Which rule or source gave each field, and what the boilerplate rules removed.
    provenance: dict[str, str] = field(default_factory=dict)
    removed: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self, *, debug: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not debug:
            data.pop("provenance")
            data.pop("removed")
        return data


def content_hash(title: str | None, body: str) -> str:
    """SHA-256 of title and body: equal hashes mean the same text, whatever the markup."""
    return hashlib.sha256(f"{title or ''}\n\n{body}".encode()).hexdigest()


@dataclass
class Extraction:
    """What extraction made of a page: an article, or why there is none."""

    status: str  # "article", "blocked" or "not_article"
    article: Article | None = None
    reason: str | None = None
    # For a page that is no article, its kind (listing, tag, author, video, error...).
    kind: str | None = None
