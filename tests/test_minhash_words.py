"""The signature's fast word split says what the regex says, on every kind of text: the
stored signatures of an archive are compared with new ones, so a word split differently
would put a copy out of its cluster."""

from __future__ import annotations

import random

import pytest

from scraper.archive import minhash

TEXTS = [
    "Plain ASCII text, with punctuation: commas, dots... and_underscores 42 times!",
    "Curly \u2018quotes\u2019 and \u201cdouble\u201d ones \u2014 dashes\u2013and\u00a0spaces\u2026",
    "Caf\u00e9 na\u00efve stra\u00dfe \u00c9COLE x\u00b2 \u00bd",  # non-ASCII word characters
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u4e2d\u6587 \u0627\u0644\u0639",
    "\u0130stanbul \u212a\u0307 \u1e9e",  # lower-casing that changes a length
    "tab\there\x0bvertical\x0cfeed\r\nline\x00nul\x7fdel",
    "",
]


def random_texts(count: int) -> list[str]:
    rng = random.Random(7)
    alphabet = "ab Z9_-.,'\t\n\u00a0\u2019\u201c\u2014\u00e9\u00df\u0130\u212a\u00b2\u0663\u4e2d"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
            for _ in range(count)]


@pytest.mark.parametrize("text", TEXTS + random_texts(400))
def test_words_are_the_regex_words(text):
    assert minhash.words_of(text) == [w.encode() for w in minhash.WORD.findall(text.lower())]


def test_signature_is_of_the_regex_words():
    """The signature of a text with and without non-ASCII punctuation, from either split."""
    text = " ".join(f"word{i % 97} \u2019quoted{i % 13}\u2019 \u2014" for i in range(300))
    words = minhash.WORD.findall(text.lower())
    expected = minhash._minimum(minhash._shingle_hashes(words).astype("uint32"))
    assert (minhash.signature(text) == expected).all()


def test_a_long_body_is_signed_in_bounded_memory_with_the_same_values():
    """_minimum takes CHUNK shingles at a time: the same signature as the whole body at once
    (datasketch's MinHash, over all its shingles), in memory that does not grow with the
    body (the whole 120,000-word body at once would be 128 x 8 bytes x 120,000 = 123 MB)."""
    import tracemalloc

    from datasketch import MinHash

    text = " ".join(f"w{(i * 7919) % 50021}" for i in range(120_000))
    hashes = minhash._shingle_hashes(minhash.words_of(text))
    assert len(hashes) > 3 * minhash.CHUNK  # several chunks and a part of one
    template, _ = minhash._template()
    expected = MinHash(num_perm=minhash.NUM_PERM, permutations=template.permutations,
                       scheme=minhash.SCHEME, hashfunc=int)
    expected.update_batch(hashes.tolist())
    tracemalloc.start()
    try:
        got = minhash.signature(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.tolist() == expected.hashvalues.tolist()
    assert peak < 40 * 1024 * 1024, peak
