"""The repeated-paragraph store's window: eviction, counts that go back to zero, the "as if
added" verdicts, copies fed the master's log, and the saved file (its order, format 1)."""

from __future__ import annotations

import json
import logging
import pickle
import random

import pytest

from scraper.extraction.repeats import Addition, RepeatStore, _key

BOILER = "Support independent journalism: become a member today."


def keys(*paragraphs: str) -> frozenset[int]:
    return frozenset(_key(p) for p in paragraphs)


def state(store: RepeatStore) -> tuple:
    """Everything a store's verdicts depend on: its pages in order, and each site's counts."""
    return ([(page, sorted(k)) for page, k in store._pages.items()],
            {name: (list(site.order), site.counts) for name, site in store._sites.items()})


def add_then_seen(store: RepeatStore, addition: Addition):
    """The verdicts of a copy of `store` that counts `addition`, then is asked."""
    copy = pickle.loads(pickle.dumps(store))
    copy.add_keys(addition)
    return copy.seen(addition)


def random_additions(n: int, seed: int = 7) -> list[Addition]:
    """Pages of three sites, some seen twice, their paragraphs drawn from a small pool so
    that counts cross the thresholds often."""
    rng = random.Random(seed)
    pool = [f"Paragraph {k}." for k in range(8)]
    return [Addition(rng.choice("abc"), _key(f"https://s/{rng.randrange(n // 2)}"),
                     keys(*rng.sample(pool, rng.randint(0, 5))))
            for _ in range(n)]


def test_a_site_keeps_its_last_pages_and_forgets_the_counts_of_the_evicted():
    store = RepeatStore(min_pages=2, window=3)
    store.add("site", "https://s/0", ["Only on the first page.", BOILER])
    for n in range(1, 3):
        store.add("site", f"https://s/{n}", [f"Story {n}", BOILER])
    assert store.pages("site") == 3 and store.paragraphs("site") == 4
    assert store.is_repeated("site", BOILER)
    store.add("site", "https://s/3", ["Story 3"])
    assert store.pages("site") == 3  # the first page went
    assert store.paragraphs("site") == 4  # "Only on the first page." is forgotten: 0
    assert store.is_repeated("site", BOILER)  # still on two of the three
    store.add("site", "https://s/4", ["Story 4"])
    assert not store.is_repeated("site", BOILER)  # aged out: on one page of the last three
    for n in range(5, 8):
        store.add("site", f"https://s/{n}", [f"Story {n}"])
    assert store.paragraphs("site") == 3  # one count per paragraph still in the window


def test_a_page_evicted_and_seen_again_counts_again():
    store = RepeatStore(min_pages=2, window=2)
    store.add("site", "https://s/0", [BOILER])
    store.add("site", "https://s/0", [BOILER])  # in the window: counted once
    assert not store.is_repeated("site", BOILER)
    store.add("site", "https://s/1", ["Story 1"])
    store.add("site", "https://s/2", ["Story 2"])  # https://s/0 is evicted
    store.add("site", "https://s/0", [BOILER])
    store.add("site", "https://s/3", [BOILER])
    assert store.pages("site") == 2 and store.is_repeated("site", BOILER)


def test_the_total_bound_evicts_the_oldest_page_of_all_sites():
    store = RepeatStore(min_pages=2, window=10, total=4)
    for n in range(3):
        store.add("old", f"https://old/{n}", [BOILER])
    assert store.is_repeated("old", BOILER)
    for n in range(3):
        store.add("new", f"https://new/{n}", [f"Story {n}"])
    assert (store.pages("old"), store.pages("new")) == (1, 3)
    assert not store.is_repeated("old", BOILER)
    store.add("new", "https://new/3", ["Story 3"])
    assert store.pages("old") == 0 and "old" not in store._sites  # no empty site is kept


def test_seen_is_what_adding_then_asking_answers_whatever_it_evicts():
    store = RepeatStore(min_pages=2, min_share=0.35, window=5, total=9)
    evictions = 0
    for addition in random_additions(400):
        before = len(store._pages)
        assert store.seen(addition) == add_then_seen(store, addition)
        counted = store.add_keys(addition)
        evictions += counted and len(store._pages) == before
        assert store.seen(addition) == add_then_seen(store, addition)  # counted already
    assert evictions > 100
    assert len(store._pages) == 9 and all(len(s.order) <= 5 for s in store._sites.values())


def test_a_journaling_copy_answers_as_if_it_had_counted_and_stays_equal_to_the_master():
    """The pool's protocol: the copy journals its page and answers as if it had counted it;
    the master checks that answer, counts the page, and the copy counts it from the log."""
    master = RepeatStore(min_pages=2, min_share=0.35, window=5, total=9)
    copy = pickle.loads(pickle.dumps(master))
    pool = [f"Paragraph {k}." for k in range(8)]
    rng = random.Random(3)
    for n in range(300):
        site, url = rng.choice("ab"), f"https://s/{rng.randrange(150)}"
        paragraphs = rng.sample(pool, rng.randint(0, 5))
        copy.begin_journal()
        copy.add(site, url, paragraphs)
        [addition] = copy.journal
        answered = [p for p in paragraphs if copy.is_repeated(site, p)]
        assert copy.seen(addition) == master.seen(addition), n
        assert answered == [p for p in paragraphs if _key(p) in master.seen(addition).repeated]
        if master.add_keys(addition):
            copy.add_keys(addition)
        assert state(copy) == state(master), n


def test_the_saved_file_keeps_the_order_and_a_smaller_window_keeps_the_newest(tmp_path):
    store = RepeatStore(min_pages=2, min_share=0.35, window=5, total=9)
    additions = random_additions(200)
    for addition in additions[:150]:
        store.add_keys(addition)
    path = tmp_path / "archive.repeats.json"
    store.save(path)
    saved = list(store._pages)
    assert json.loads(path.read_text())["format"] == 2
    loaded = RepeatStore.load(path, window=5, total=9)
    assert state(loaded) == state(store)
    for addition in additions[150:]:  # evicts, from now on, exactly what the original does
        assert loaded.seen(addition) == store.seen(addition)
        assert loaded.add_keys(addition) == store.add_keys(addition)
    assert state(loaded) == state(store)
    smaller = RepeatStore.load(path, window=2, total=4)
    kept = list(smaller._pages)
    assert kept == [page for page in saved if page in kept] and kept[-1] == saved[-1]
    assert len(kept) <= 4 and all(len(s.order) <= 2 for s in smaller._sites.values())


def test_a_file_of_format_1_starts_afresh_in_one_line(tmp_path, caplog):
    path = tmp_path / "archive.repeats.json"
    old = {"min_pages": 3, "min_share": 0.1,
           "sites": {"site": {"pages": ["0a1b"], "counts": {"9f2c": 4, "77aa": 1}}}}
    path.write_text(json.dumps(old))
    with caplog.at_level(logging.INFO, logger="scraper.extraction.repeats"):
        store = RepeatStore.load(path, window=7)
    assert store.pages("site") == 0 and store.window == 7 and path.exists()
    [record] = caplog.records
    assert record.levelname == "INFO" and "format 1" in record.getMessage()
    store.add("site", "https://s/0", [BOILER])
    store.save(path)
    assert RepeatStore.load(path).pages("site") == 1


@pytest.mark.parametrize("window", [0, -1])
def test_a_window_of_no_pages_is_refused(window):
    with pytest.raises(ValueError):
        RepeatStore(window=window)
