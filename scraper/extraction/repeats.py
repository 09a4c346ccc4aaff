"""Repeated segments: a paragraph seen on many pages of one site is that site's boilerplate
("Sign up for our newsletter", a standing disclaimer, the appeal under every article).

A `RepeatStore` counts, per site, on how many distinct pages each paragraph appeared. One
store serves a crawl (the pipeline passes it to every `extract()`) and a re-extraction of
stored pages (each worker reads a copy); it is saved as a small JSON file between runs.
`scraper eval` extracts without one. Paragraphs are kept as short hashes of their normalised
text, pages as hashes of their URL, so the store stays small and holds no article text.

A page is counted once, however often it is extracted, so a second pass over the same
pages (fill the store, then extract again) gives the same figures as one long crawl.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

# A paragraph is boilerplate when it is on at least this many pages of the site...
MIN_PAGES = 3
# ... and on at least this share of the site's pages seen so far.
MIN_SHARE = 0.1


def _key(text: str) -> str:
    norm = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.blake2b(norm.encode(), digest_size=8).hexdigest()


class RepeatStore:
    """Per site: the pages seen, and on how many of them each paragraph appeared."""

    def __init__(self, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE):
        self.min_pages = min_pages
        self.min_share = min_share
        self._pages: dict[str, set[str]] = {}
        self._counts: dict[str, dict[str, int]] = {}

    def add(self, site: str, page: str, paragraphs: Iterable[str]) -> None:
        """Count the paragraphs of `page`; a page already counted is ignored."""
        pages = self._pages.setdefault(site, set())
        page_key = _key(page)
        if page_key in pages:
            return
        pages.add(page_key)
        counts = self._counts.setdefault(site, {})
        for key in {_key(p) for p in paragraphs if p.strip()}:
            counts[key] = counts.get(key, 0) + 1

    def pages(self, site: str) -> int:
        return len(self._pages.get(site, ()))

    def is_repeated(self, site: str, paragraph: str) -> bool:
        count = self._counts.get(site, {}).get(_key(paragraph), 0)
        return count >= self.min_pages and count >= self.min_share * self.pages(site)

    def save(self, path: str | Path) -> None:
        data = {
            "min_pages": self.min_pages,
            "min_share": self.min_share,
            "sites": {site: {"pages": sorted(pages), "counts": self._counts.get(site, {})}
                      for site, pages in self._pages.items()},
        }
        Path(path).write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> RepeatStore:
        """The store saved at `path`; an empty store when there is no file yet."""
        path = Path(path)
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        store = cls(data.get("min_pages", MIN_PAGES), data.get("min_share", MIN_SHARE))
        for site, entry in data.get("sites", {}).items():
            store._pages[site] = set(entry.get("pages", []))
            store._counts[site] = {k: int(v) for k, v in entry.get("counts", {}).items()}
        return store


def store_path(archive: str | Path) -> Path:
    """Where the store of an archive's crawls is kept: `<archive>.repeats.json` beside it."""
    return Path(f"{Path(archive).with_suffix('')}.repeats.json")


# Repeated paragraphs are dropped only while the body keeps at least this share of its
# words: a page whose every paragraph is "repeated" is the same article seen under several
# URLs, not boilerplate.
KEEP_SHARE = 0.5


def drop_repeated(store: RepeatStore, site: str, paragraphs: list[str]
                  ) -> tuple[list[str], list[str]]:
    """Split `paragraphs` into those kept and the site's repeated ones."""
    repeated = [p for p in paragraphs if store.is_repeated(site, p)]
    if not repeated:
        return paragraphs, []
    words = sum(len(re.findall(r"\w+", p)) for p in paragraphs) or 1
    cut = sum(len(re.findall(r"\w+", p)) for p in repeated)
    if words - cut < KEEP_SHARE * words:
        return paragraphs, []
    return [p for p in paragraphs if p not in repeated], repeated
