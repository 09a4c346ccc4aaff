"""Repeated segments: a paragraph seen on many pages of one site is that site's boilerplate
("Sign up for our newsletter", a standing disclaimer, the appeal under every article).

A `RepeatStore` counts, per site, on how many of the site's recent pages each paragraph
appeared. One store serves a crawl (the pipeline passes it to every `extract()`) and a
re-extraction of stored pages (each worker reads a copy); it is saved as a small JSON file
between runs. `scraper eval` extracts without one. Paragraphs are kept as 60-bit hashes of
their normalised text, pages as hashes of their URL, so the store holds no article text.

A window, so that memory stays flat: the store counts only the last `window` pages of each
site (REPEATS_WINDOW, 1,000) and the last `total` pages of all sites together
(REPEATS_WINDOW_TOTAL, 10,000: a crawl of hundreds of sites keeps fewer pages of each, never
more in all). Counting a page past either bound evicts the oldest page counted (of its site,
or of all): its paragraphs' counts go down, and a count that reaches 0 is forgotten. A
paragraph is boilerplate when it is on MIN_PAGES of the window's pages of the site and on
MIN_SHARE of them. Boilerplate is what a site's recent pages share, so an appeal the site
stopped printing ages out too, instead of being dropped forever on the strength of old
pages. Each page holds its hashes in one array (8 bytes a paragraph), each count one dict
entry: 1.8 KB a page of 25 paragraphs (measured with tracemalloc; the unbounded store of
hex strings was 1.8-2.2 KB, for ever), so one site's full window is 1.8 MB and the total
bound 18 MB, in the crawl's process and in each worker's copy.

A page is counted once while it is in the window, however often it is extracted, so a
second pass over the same pages (fill the store, then extract again) gives the same figures
as one long crawl; a page evicted and seen again counts again, as a new page.

Eviction depends only on the order of the additions, so a copy that is given the same
additions in the same order stays equal to the master. Extraction runs in worker processes
(`workers.py`): each keeps its own copy of the store and is sent, with each page, the
`Addition`s the master counted since; the copy journals its own page's addition instead of
counting it (`begin_journal`), and answers as if it had counted it (`seen`, which accounts
for the eviction counting it would cause). The master counts it when it returns the result,
and the copies when it comes back in the log. How that stays equal to extracting the pages
one by one is told there.

The file (format 2) lists the counted pages in order, so a load is a replay of them into
the window; a file of format 1 (counts without order) is started afresh, in one log line
(the crawls rebuild it in a site's first pages). The file is written atomically (a
temporary file, then a rename), and one that cannot be read (a crash of an older version
mid-write, a disk full) is set aside, reported in one line and started afresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import unicodedata
from array import array
from collections import OrderedDict, deque
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

logger = logging.getLogger(__name__)

# A paragraph is boilerplate when it is on at least this many pages of the site...
MIN_PAGES = 3
# ... and on at least this share of the site's pages in the window.
MIN_SHARE = 0.1
# The window: the last pages of each site counted, and of all sites together.
WINDOW = 1000
TOTAL = 10_000
FORMAT = 2


def _key(text: str) -> int:
    norm = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    # 60 bits: an int of two 30-bit digits (32 bytes), not three (36 bytes).
    digest = hashlib.blake2b(norm.encode(), digest_size=8).digest()
    return int.from_bytes(digest) >> 4


class Addition(NamedTuple):
    """One page counted in a store: its site, the hash of its URL, those of its paragraphs.
    What a store copy in another process needs to count the same page (a few hashes)."""

    site: str
    page: int
    keys: frozenset[int]


class Seen(NamedTuple):
    """What one extraction saw of a store: the page it added (or found already counted) and
    which of its paragraph keys the store held for repeated, so for dropped."""

    addition: Addition
    repeated: frozenset[int]


class _Site:
    """One site's part of the window: its pages, oldest first, and its paragraphs' counts."""

    __slots__ = ("counts", "order")

    def __init__(self) -> None:
        self.order: deque[int] = deque()
        self.counts: dict[int, int] = {}


class RepeatStore:
    """Per site: the pages in the window, and on how many of them each paragraph appeared.

    `journal`, after `begin_journal()`, receives every `add` instead of its being counted
    (a worker's copy: the master counts the page, and the copy when it comes in the log)."""

    def __init__(self, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE,
                 window: int = WINDOW, total: int = TOTAL):
        if window < 1 or total < 1:
            raise ValueError(f"a repeat window of {window} pages a site, {total} in all")
        self.min_pages = min_pages
        self.min_share = min_share
        self.window = window
        self.total = total
        # Every counted page, oldest first: (site, page hash) -> its paragraphs' hashes.
        self._pages: OrderedDict[tuple[str, int], array] = OrderedDict()
        self._sites: dict[str, _Site] = {}
        self.journal: list[Addition] | None = None
        self._pending: dict[str, Addition] = {}  # the journaled addition of each site

    def begin_journal(self) -> None:
        """From now on `add` journals its page without counting it, and the verdicts are
        those the store would give had it counted it (the last page journaled of each site:
        a task extracts one page); starts an empty journal."""
        self.journal = []
        self._pending = {}

    def add(self, site: str, page: str, paragraphs: Iterable[str]) -> None:
        """Count the paragraphs of `page`; a page already counted is ignored."""
        addition = Addition(site, _key(page), frozenset(_key(p) for p in paragraphs if p.strip()))
        if self.journal is None:
            self.add_keys(addition)
        else:
            self.journal.append(addition)
            self._pending[site] = addition

    def add_keys(self, addition: Addition) -> bool:
        """Count a page given by its hashes, evicting the oldest page past the window; False
        when it was counted already."""
        name, page = addition.site, addition.page
        if (name, page) in self._pages:
            return False
        victim = self._victim(name)
        site = self._sites.get(name)
        if site is None:
            site = self._sites[name] = _Site()
        self._pages[name, page] = array("Q", addition.keys)
        site.order.append(page)
        counts = site.counts
        for key in addition.keys:
            counts[key] = counts.get(key, 0) + 1
        if victim is not None:
            self._evict(*victim)
        return True

    def _victim(self, name: str) -> tuple[str, int] | None:
        """The page that counting one more page of site `name` evicts, if any."""
        site = self._sites.get(name)
        if site is not None and len(site.order) >= self.window:
            return name, site.order[0]
        if len(self._pages) >= self.total:
            return next(iter(self._pages))
        return None

    def _evict(self, name: str, page: int) -> None:
        keys = self._pages.pop((name, page))
        site = self._sites[name]
        site.order.popleft()  # the site's oldest page: the window is in order of additions
        counts = site.counts
        for key in keys:
            if counts[key] == 1:
                del counts[key]
            else:
                counts[key] -= 1
        if not site.order:
            del self._sites[name]

    def pages(self, site: str) -> int:
        found = self._sites.get(site)
        return len(found.order) if found else 0

    def paragraphs(self, site: str) -> int:
        """Distinct paragraphs counted on the site's pages in the window."""
        found = self._sites.get(site)
        return len(found.counts) if found else 0

    def is_repeated(self, site: str, paragraph: str) -> bool:
        """Whether `paragraph` is boilerplate of `site` (as `repeated` says)."""
        return bool(self.repeated(site, [paragraph]))

    def repeated(self, site: str, paragraphs: Iterable[str]) -> list[str]:
        """Those of `paragraphs` that are boilerplate of `site`, in their order (as if the
        page journaled for the site were counted, in a worker's copy): the window's figures
        and the eviction are worked out once for the page, not once a paragraph."""
        keyed = [(p, _key(p)) for p in paragraphs]
        verdicts = self._verdicts(site, {k for _, k in keyed}, self._pending.get(site))
        return [p for p, k in keyed if k in verdicts]

    def seen(self, addition: Addition) -> Seen:
        """What an extraction of the page of `addition` sees once it has added it: which of
        its paragraphs are repeated. A page this store has not counted yet is counted in
        the figures as if it had been (with the eviction counting it causes), and the store
        is left unchanged."""
        return Seen(addition, self._verdicts(addition.site, addition.keys, addition))

    def _verdicts(self, name: str, keys: Iterable[int],
                  adding: Addition | None) -> frozenset[int]:
        """Which of `keys` are repeated in site `name`, once `adding` is counted (if it is
        not yet): exactly what `add_keys(adding)`, then asking, would answer."""
        site = self._sites.get(name)
        counts = site.counts if site else {}
        pages = len(site.order) if site else 0
        new, gone = frozenset(), frozenset()
        if adding is not None and (name, adding.page) not in self._pages:
            new, victim = adding.keys, self._victim(name)
            pages += 1
            if victim is not None and victim[0] == name:
                pages -= 1
                gone = frozenset(self._pages[victim])
        found = []
        for key in keys:
            count = counts.get(key, 0) + (key in new) - (key in gone)
            if count >= self.min_pages and count >= self.min_share * pages:
                found.append(key)
        return frozenset(found)

    def save(self, path: str | Path) -> None:
        names = {name: n for n, name in enumerate(self._sites)}
        data = {
            "format": FORMAT,
            "min_pages": self.min_pages,
            "min_share": self.min_share,
            "sites": list(names),
            "pages": [[names[name], page, keys.tolist()]
                      for (name, page), keys in self._pages.items()],
        }
        write_atomically(Path(path), json.dumps(data, separators=(",", ":")))

    @classmethod
    def load(cls, path: str | Path, window: int = WINDOW, total: int = TOTAL) -> RepeatStore:
        """The store saved at `path`, its pages replayed into a window of `window` and
        `total` pages; an empty store when there is no file yet, when it is of format 1 (no
        order to age its counts by: said in one line), or when the file cannot be read (it
        is renamed `<name>.corrupt` and reported in one line)."""
        path = Path(path)
        if not path.exists():
            return cls(window=window, total=total)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            store = cls(int(data.get("min_pages", MIN_PAGES)),
                        float(data.get("min_share", MIN_SHARE)), window, total)
            if data.get("format", 1) == 1:
                _check_format_1(data)
                logger.info("repeated-paragraph store %s is of format 1 (counts without "
                            "order): starting an empty one, which the crawls fill", path)
                return store
            names = [str(name) for name in data["sites"]]
            for site, page, keys in data["pages"]:
                store.add_keys(Addition(names[site], int(page), frozenset(map(int, keys))))
        except (OSError, ValueError, TypeError, AttributeError, KeyError, IndexError,
                OverflowError) as exc:
            aside = path.with_name(path.name + ".corrupt")
            try:
                os.replace(path, aside)
                kept = f"moved to {aside}"
            except OSError as move:
                kept = f"left in place ({move.strerror})"
            logger.warning("repeated-paragraph store %s could not be read (%s: %s); %s, "
                           "starting an empty one", path, type(exc).__name__, exc, kept)
            return cls(window=window, total=total)
        return store


def _check_format_1(data: dict) -> None:
    """Raise as reading a file of format 1 (per site: page hashes, paragraph counts) did."""
    for entry in data.get("sites", {}).values():
        list(entry.get("pages", []))
        for count in entry.get("counts", {}).values():
            int(count)


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
    repeated = store.repeated(site, paragraphs)
    if not repeated:
        return paragraphs, []
    words = sum(len(re.findall(r"\w+", p)) for p in paragraphs) or 1
    cut = sum(len(re.findall(r"\w+", p)) for p in repeated)
    if words - cut < KEEP_SHARE * words:
        return paragraphs, []
    return [p for p in paragraphs if p not in repeated], repeated
