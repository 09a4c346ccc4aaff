"""MinHash signatures of article bodies and their LSH band keys (datasketch), for finding
the articles of other sites whose bodies are the same text or nearly so.

The parameters come from a measurement (bench/near_duplicates.py --measure on news-dev's
114 bodies of 50 words or more, other outlets' stories against each other and against
edited copies of themselves), by the Jaccard similarity of their sets of 5-word shingles:
- two different stories: at most 0.002 (3-word shingles: 0.007, topical phrases shared);
- an edited copy: 5 words replaced, 0.71-0.98; one paragraph of several dropped,
  0.65-0.98; the last fifth cut, 0.78; an intro and an appeal added, 0.87-0.98; all of
  these at once, 0.59-0.97.
So a threshold of 0.5 keeps every edited copy and is still 250 times the highest score of
two different stories. 5-word shingles (rather than 3) keep stories that share a topic's
phrases far apart at little cost to the edited copies. 128 permutations estimate a
similarity of 0.5 within ±0.09 (two standard errors); each costs 4 bytes a signature.
The bands are datasketch's optimum for that threshold with false negatives weighted 9 to 1
(32 bands of 4 rows): a pair at 0.5 is a candidate with a chance of 0.87, at 0.6 of 0.99;
every candidate is then checked against the threshold on its whole signature.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

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


@cache
def _template() -> tuple[MinHash, list[tuple[int, int]]]:
    """The permutations (drawn once: drawing them costs as much as hashing a body) and the
    band ranges of the signatures."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME), lsh.hashranges


def parameters() -> dict[str, int | float | str]:
    """What makes two signatures comparable: an archive keeps them with its signatures."""
    ranges = _template()[1]
    return {"shingle_words": SHINGLE_WORDS, "num_perm": NUM_PERM, "threshold": THRESHOLD,
            "bands": len(ranges), "rows": ranges[0][1] - ranges[0][0], "seed": SEED,
            "scheme": SCHEME, "min_words": MIN_WORDS}


def shingles(body: str) -> set[bytes]:
    """The body's runs of SHINGLE_WORDS words, lower-cased, punctuation dropped: a copy
    whose quotes or case were retouched still shares them."""
    words = WORD.findall(body.lower())
    return {" ".join(words[i:i + SHINGLE_WORDS]).encode()
            for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(body: str | None) -> np.ndarray | None:
    """The MinHash signature of `body` (NUM_PERM uint32), or None when it is too short."""
    if not body or len(WORD.findall(body)) < MIN_WORDS:
        return None
    template, _ = _template()
    # CRC-32 as the input hash: 4 times faster than datasketch's SHA-1 on a body's
    # shingles, and as wide (32 bits); the affine scheme mixes it before permuting.
    minhash = MinHash(num_perm=NUM_PERM, permutations=template.permutations, scheme=SCHEME,
                      hashfunc=zlib.crc32)
    minhash.update_batch(shingles(body))
    return minhash.hashvalues


def to_blob(values: np.ndarray) -> bytes:
    return values.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def band_keys(values: np.ndarray) -> list[int]:
    """One key per band: two signatures that agree on a whole band share its key. A signed
    64-bit integer, as SQLite stores it, with the band's number in the digest."""
    keys = []
    for band, (start, end) in enumerate(_template()[1]):
        digest = hashlib.blake2b(values[start:end].astype("<u4").tobytes(), digest_size=8,
                                 salt=band.to_bytes(2, "little"))
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of the two bodies' shingles: the share of equal
    values (what datasketch's MinHash.jaccard computes)."""
    return float(np.count_nonzero(a == b)) / len(a)
