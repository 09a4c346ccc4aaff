"""MinHash signatures of article bodies and their LSH band keys (datasketch), for finding
the articles of other sites whose bodies are the same text or nearly so.

The parameters come from a measurement (`bench/near_duplicates.py --measure` on news-dev's
114 bodies of 50 words or more: other outlets' stories, against each other and against
edited copies of themselves), by the Jaccard similarity of their sets of 5-word shingles:
- two different stories: at most 0.002 (with 3-word shingles 0.007: topics share phrases);
- an edited copy: 5 words changed, 0.71-0.99; a paragraph left out, 0.65-1.00; a line
  added before and after, 0.92-1.00; all three at once, 0.66-0.99; the last fifth cut,
  0.78-0.84.
A threshold of 0.5 keeps every edited copy and is still 250 times the highest score of two
different stories. 5-word shingles (rather than 3) keep stories that share a topic's
phrases far apart, at little cost to the copies (7 words: 0.61 for 5 changed words). 128
permutations estimate a similarity of 0.5 within ±0.09 (two standard errors), at 4 bytes
each a signature. The bands are datasketch's optimum for that threshold with false
negatives weighted 9 to 1 (32 bands of 4 rows): a pair at 0.5 is a candidate with a chance
of 0.87, at 0.6 of 0.99; each candidate is then checked on its whole signature. On the
same bodies the signatures found all 5 x 114 edited copies and 0 of the 6,441 pairs of
different stories.
"""

from __future__ import annotations

import re
import zlib
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

SHINGLE_WORDS = 5
NUM_PERM = 128
THRESHOLD = 0.5
# Weights of false positives and false negatives in datasketch's choice of bands: a missed
# copy is worse than a candidate the signature check throws out.
LSH_WEIGHTS = (0.1, 0.9)
SEED = 1
SCHEME = "affine32"  # datasketch 2's default: hash values as uint32
# Bodies shorter than this have no signature (they stay alone in their cluster): a few
# dozen words shared by two sites are a standard line, a caption or an appeal more often
# than one story.
MIN_WORDS = 40
WORD = re.compile(r"\w+")
NON_ASCII = re.compile(r"[^\x00-\x7f]")
# ASCII bytes that are no word character (`WORD`'s \w: letters, digits, "_") become spaces.
_SEPARATORS = bytes(c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(128))
_SEPARATORS += b" " * 128  # (only for text that holds no non-ASCII word character)


@cache
def _template() -> tuple[MinHash, list[tuple[int, int]]]:
    """The permutations (drawn once: drawing them costs as much as hashing a body) and the
    band ranges of the signatures. datasketch is imported here, on the first signature: it
    imports scipy (0.7 s), which every `scraper` command paid at start-up, signing or not."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME), lsh.hashranges


def parameters() -> dict[str, int | float | str]:
    """What makes two signatures comparable: an archive keeps them with its signatures."""
    ranges = _template()[1]
    return {"shingle_words": SHINGLE_WORDS, "num_perm": NUM_PERM, "threshold": THRESHOLD,
            "bands": len(ranges), "rows": ranges[0][1] - ranges[0][0], "seed": SEED,
            "scheme": SCHEME, "min_words": MIN_WORDS}


def shingles(body: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The body's runs of `size` words, lower-cased, punctuation dropped: a copy whose
    quotes or case were retouched still shares them."""
    words = WORD.findall(body.lower())
    return {" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)}


def signature(body: str | None) -> np.ndarray | None:
    """The MinHash signature of `body` (NUM_PERM uint32), or None when it is too short."""
    words = words_of(body) if body else []
    if len(words) < MIN_WORDS:
        return None
    # The shingles are hashed, not joined: each word's CRC-32 once, and a shingle's hash a
    # polynomial of its words' (the same set as shingles() gives, but for 2^-32 collisions).
    # A third of the time of joining each shingle and hashing it with datasketch's SHA-1.
    return _minimum(_shingle_hashes(words).astype(np.uint32))


def words_of(body: str) -> list[bytes]:
    """`WORD.findall(body.lower())`, each word UTF-8 encoded, as the signature hashes them.
    A text whose non-ASCII characters are all punctuation or spaces (most English news:
    curly quotes, dashes) is split by one byte translation instead of the regex: a third of
    the time of a signature, which the crawl's archive writer computes per article."""
    lowered = body.lower()
    if lowered.isascii():
        data = lowered.encode()
    elif any(WORD.match(c) for c in set(NON_ASCII.findall(lowered))):
        return [w.encode() for w in WORD.findall(lowered)]
    else:  # each non-ASCII character one "?": a separator, as it is for the regex
        data = lowered.encode("ascii", "replace")
    return data.translate(_SEPARATORS).split()


def _minimum(hashes: np.ndarray) -> np.ndarray:
    """The signature of 32-bit input hashes: what datasketch's MinHash.update_batch gives
    (its affine32 scheme: each value mixed by MurmurHash3's finalizer, then permuted, the
    least of each permutation kept), without its per-value Python list and conversions
    (they were half the time of a signature, which the crawl's writer computes per page)."""
    template, _ = _template()
    from datasketch.minhash import _fmix  # (loaded by _template)

    a, b = template.permutations
    a, b = a.reshape(-1, 1), b.reshape(-1, 1)
    least = template.hashvalues
    mixed = _fmix(hashes, 32)
    # One row per permutation (the least of a row is the faster walk), wrapping round 2^32;
    # the addition in place (a second 128-row array cost a sixth of this). CHUNK shingles at
    # a time: the whole body at once is NUM_PERM x 8 bytes a shingle, 300 MB for a body of
    # 300,000 words (a crawl's process peaked at 800 MB on the hostile site's longest page).
    for start in range(0, len(mixed), CHUNK):
        permuted = mixed[start:start + CHUNK] * a
        permuted += b
        least = np.minimum(least, permuted.min(axis=1))
    return least


CHUNK = 4096  # shingles a step of _minimum: NUM_PERM x 8 bytes each, 4 MB


_MULTIPLIERS = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1],
                        dtype=np.uint64)[:SHINGLE_WORDS]


def _shingle_hashes(words: list[str] | list[bytes]) -> np.ndarray:
    """A 32-bit hash of each run of SHINGLE_WORDS words (str, or as words_of gives them)."""
    encoded = map(str.encode, words) if words and isinstance(words[0], str) else words
    hashes = np.fromiter(map(zlib.crc32, encoded), dtype=np.uint64, count=len(words))
    n = len(words) - SHINGLE_WORDS + 1
    total = np.zeros(n, dtype=np.uint64)
    for j in range(SHINGLE_WORDS):
        total += hashes[j:j + n] * _MULTIPLIERS[j]  # (wraps around 2^64)
    return total >> np.uint64(32)


def to_blob(values: np.ndarray) -> bytes:
    return values.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


# Odd 64-bit constants: a band's key is the polynomial of its values and its number.
_BAND_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                              0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53,
                              0x94D049BB133111EB, 0xBF58476D1CE4E5B9], dtype=np.uint64)


def band_keys(values: np.ndarray) -> list[int]:
    """One key per band: two signatures that agree on a whole band share its key. A signed
    64-bit integer, as SQLite stores it; the band's number is part of it."""
    ranges = _template()[1]
    rows = ranges[0][1] - ranges[0][0]
    bands = values[:len(ranges) * rows].astype(np.uint64).reshape(len(ranges), rows)
    keys = (bands * _BAND_MULTIPLIERS[:rows]).sum(axis=1, dtype=np.uint64)
    keys += np.arange(len(ranges), dtype=np.uint64) * _BAND_MULTIPLIERS[rows]
    keys ^= keys >> np.uint64(31)
    return keys.view(np.int64).tolist()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of the two bodies' shingles: the share of equal
    values (what datasketch's MinHash.jaccard computes)."""
    return float(np.count_nonzero(a == b)) / len(a)
