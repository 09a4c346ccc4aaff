"""Repeated segments: a paragraph seen on many pages of one site is that site's boilerplate
("Sign up for our newsletter", a standing disclaimer, the appeal under every article).

A `RepeatStore` counts, per site, on how many distinct pages each paragraph appeared. One
store serves a crawl (the pipeline passes it to every `extract()`) and a re-extraction of
stored pages (each worker reads a copy); it is saved as a small JSON file between runs.
`scraper eval` extracts without one. Paragraphs are kept as short hashes of their normalised
text, pages as hashes of their URL, so the store stays small and holds no article text.

A page is counted once, however often it is extracted, so a second pass over the same
pages (fill the store, then extract again) gives the same figures as one long crawl.

Extraction runs in worker processes (`workers.py`): each keeps its own copy of the store and
is sent, with each page, the `Addition`s other pages made since; it answers with what its page
saw (`Seen`), from which the main process updates the master store. How that stays equal to
extracting the pages one by one is told there.

The file is written atomically (a temporary file, then a rename), and one that cannot be read
(a crash of an older version mid-write, a disk full) is set aside, reported in one line and
started afresh: the crawls rebuild it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

logger = logging.getLogger(__name__)

# A paragraph is boilerplate when it is on at least this many pages of the site...
MIN_PAGES = 3
# ... and on at least this share of the site's pages seen so far.
MIN_SHARE = 0.1


def _key(text: str) -> str:
    norm = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.blake2b(norm.encode(), digest_size=8).hexdigest()


class Addition(NamedTuple):
    """One page counted in a store: its site, the hash of its URL, those of its paragraphs.
    What a store copy in another process needs to count the same page (a few hashes)."""

    site: str
    page: str
    keys: frozenset[str]


class Seen(NamedTuple):
    """What one extraction saw of a store: the page it added (or found already counted) and
    which of its paragraph keys the store held for repeated, so for dropped."""

    addition: Addition
    repeated: frozenset[str]


class RepeatStore:
    """Per site: the pages seen, and on how many of them each paragraph appeared.

    `journal`, when a list, receives every `add` (a worker's copy sets it, to report what its
    page saw)."""

    def __init__(self, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE):
        self.min_pages = min_pages
        self.min_share = min_share
        self._pages: dict[str, set[str]] = {}
        self._counts: dict[str, dict[str, int]] = {}
        self.journal: list[Addition] | None = None

    def add(self, site: str, page: str, paragraphs: Iterable[str]) -> None:
        """Count the paragraphs of `page`; a page already counted is ignored."""
        addition = Addition(site, _key(page), frozenset(_key(p) for p in paragraphs if p.strip()))
        if self.journal is not None:
            self.journal.append(addition)
        self.add_keys(addition)

    def add_keys(self, addition: Addition) -> bool:
        """Count a page given by its hashes; False when it was counted already."""
        pages = self._pages.setdefault(addition.site, set())
        if addition.page in pages:
            return False
        pages.add(addition.page)
        counts = self._counts.setdefault(addition.site, {})
        for key in addition.keys:
            counts[key] = counts.get(key, 0) + 1
        return True

    def pages(self, site: str) -> int:
        return len(self._pages.get(site, ()))

    def is_repeated(self, site: str, paragraph: str) -> bool:
        return self._repeated(site, _key(paragraph))

    def _repeated(self, site: str, key: str, extra: int = 0) -> bool:
        count = self._counts.get(site, {}).get(key, 0) + extra
        return count >= self.min_pages and count >= self.min_share * (self.pages(site) + extra)

    def seen(self, addition: Addition) -> Seen:
        """What an extraction of the page of `addition` sees once it has added it: which of
        its paragraphs are repeated. A page this store has not counted yet is counted in
        the figures as if it had been, and the store is left unchanged."""
        extra = 0 if addition.page in self._pages.get(addition.site, ()) else 1
        return Seen(addition, frozenset(k for k in addition.keys
                                        if self._repeated(addition.site, k, extra)))

    def save(self, path: str | Path) -> None:
        data = {
            "min_pages": self.min_pages,
            "min_share": self.min_share,
            "sites": {site: {"pages": sorted(pages), "counts": self._counts.get(site, {})}
                      for site, pages in self._pages.items()},
        }
        write_atomically(Path(path), json.dumps(data))

    @classmethod
    def load(cls, path: str | Path) -> RepeatStore:
        """The store saved at `path`; an empty store when there is no file yet, or when the
        file cannot be read (it is renamed `<name>.corrupt` and reported in one line)."""
        path = Path(path)
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            store = cls(int(data.get("min_pages", MIN_PAGES)),
                        float(data.get("min_share", MIN_SHARE)))
            for site, entry in data.get("sites", {}).items():
                store._pages[site] = {str(p) for p in entry.get("pages", [])}
                store._counts[site] = {str(k): int(v)
                                       for k, v in entry.get("counts", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            aside = path.with_name(path.name + ".corrupt")
            try:
                os.replace(path, aside)
                kept = f"moved to {aside}"
            except OSError as move:
                kept = f"left in place ({move.strerror})"
            logger.warning("repeated-paragraph store %s could not be read (%s: %s); %s, "
                           "starting an empty one", path, type(exc).__name__, exc, kept)
            return cls()
        return store


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`: a reader,
    or a crash mid-write, sees the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
