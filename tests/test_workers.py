"""The extraction pool: the same records as extracting in-process, a time limit per page, and
workers that are replaced when they die or run over, and never outlive the pool."""

from __future__ import annotations

import gc
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, SITES_DIR, golden_cases, load_case
from test_body import ARTICLE, page
from test_repeats import state

from scraper.collector import THRESHOLDS
from scraper.extraction.repeats import RepeatStore
from scraper.extraction.workers import SYNC_AFTER, ExtractionPool
from scraper.items import Page

WAIT = 120  # seconds: only a bound that proves nothing hangs


def replica_pages() -> list[Page]:
    return [Page(url=c["url"], fetched_url=c["url"], status=200, headers={},
                 body=(SITES_DIR / "globalresearch" / c["page"]).read_bytes(), encoding="utf-8",
                 fetched_at="2026-11-25T10:00:00+00:00", site="globalresearch")
            for c in map(load_case, golden_cases("globalresearch"))]


def task(item: tuple, repeats: RepeatStore | None) -> object:
    """A test task, run in the workers: ("pid",) answers the worker's pid; ("sleep", s,
    path) writes the pid to `path` then sleeps; ("raise",) raises; ("gc",) answers the
    collector's thresholds."""
    if item[0] == "sleep":
        Path(item[2]).write_text(str(os.getpid()))
        time.sleep(item[1])
    if item[0] == "raise":
        raise ValueError("a rule's bug")
    if item[0] == "gc":
        return gc.get_threshold()
    return os.getpid()


def count_task(item: tuple, repeats: RepeatStore) -> object:
    """A test task over the store alone: (site, url, paragraphs) counts the page and answers
    which of its paragraphs are repeated; ("state",) answers the worker's copy's pages in
    order, and each site's counts."""
    if item == ("state",):
        return state(repeats)
    site, url, paragraphs = item
    repeats.add(site, url, paragraphs)
    return [p for p in paragraphs if repeats.is_repeated(site, p)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(path: Path) -> int:
    deadline = time.monotonic() + WAIT
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, "the task never started"
        time.sleep(0.05)
    return int(path.read_text())


def test_workers_give_the_records_of_extract_in_process():
    pages = replica_pages()
    with ExtractionPool(workers=2, timeout=60) as pool:
        outcomes = [f.result(WAIT) for f in [pool.submit(p) for p in pages]]
    assert [o.status for o in outcomes] == ["ok"] * len(pages)
    assert [o.value for o in outcomes] == [p.extract() for p in pages]
    assert {o.value.status for o in outcomes} == {"article", "blocked", "not_article"}


def test_a_page_over_the_time_limit_is_given_up_and_its_worker_replaced(tmp_path):
    with ExtractionPool(task, workers=1, timeout=1) as pool:
        first = pool.submit(("pid",)).result(WAIT).value
        slow = pool.submit(("sleep", 600, tmp_path / "pid")).result(WAIT)
        assert (slow.status, slow.error) == ("timeout", "extraction took over 1 s")
        assert wait_for(tmp_path / "pid") == first
        assert not alive(first)  # killed, not left to finish its sleep
        after = pool.submit(("pid",)).result(WAIT)
        assert after.status == "ok" and after.value != first
        assert pool.pids() == [after.value]


def test_a_page_that_outruns_the_limit_in_its_worker_is_a_timeout_whenever_it_answers():
    """The limit is the page's own time: with a limit no extraction can meet, every page is
    a timeout, whether its worker answered before being stopped or not."""
    pages = replica_pages()
    with ExtractionPool(workers=2, timeout=1e-6) as pool:
        outcomes = [f.result(WAIT) for f in [pool.submit(p) for p in pages]]
    assert {o.status for o in outcomes} == {"timeout"}


def test_a_worker_killed_mid_page_is_replaced(tmp_path):
    with ExtractionPool(task, workers=2, timeout=600) as pool:
        busy = pool.submit(("sleep", 600, tmp_path / "pid"))
        victim = wait_for(tmp_path / "pid")
        os.kill(victim, signal.SIGKILL)
        outcome = busy.result(WAIT)
        assert outcome.status == "crashed"
        assert outcome.error == "extraction worker died (killed by SIGKILL)"
        pids = {pool.submit(("pid",)).result(WAIT).value for _ in range(6)}
        assert victim not in pids
        deadline = time.monotonic() + WAIT
        while len(pool.pids()) < 2:  # the replacement is started at once
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert victim not in pool.pids()


def test_a_task_that_raises_is_an_error_and_the_worker_goes_on():
    with ExtractionPool(task, workers=1, timeout=60) as pool:
        pid = pool.submit(("pid",)).result(WAIT).value
        failed = pool.submit(("raise",)).result(WAIT)
        assert (failed.status, failed.error) == ("error", "ValueError(\"a rule's bug\")")
        assert pool.submit(("pid",)).result(WAIT).value == pid


def test_workers_collect_garbage_at_the_tuned_thresholds():
    """(A worker is a spawned interpreter: Python's defaults unless it tunes them.)"""
    with ExtractionPool(task, workers=1, timeout=60) as pool:
        assert pool.submit(("gc",)).result(WAIT).value == THRESHOLDS


def test_close_ends_every_worker_and_cancels_what_is_left(tmp_path):
    pool = ExtractionPool(task, workers=2, timeout=600)
    pool.submit(("pid",)).result(WAIT)
    busy = pool.submit(("sleep", 600, tmp_path / "pid"))
    wait_for(tmp_path / "pid")
    pids = pool.pids()
    assert len(pids) == 2
    pool.close()
    assert busy.result(WAIT).status == "cancelled"
    assert not [pid for pid in pids if alive(pid)]
    assert pool.submit(("pid",)).result(WAIT).status == "cancelled"
    pool.close()  # twice is fine


def test_workers_that_cannot_start_fail_the_pages_instead_of_hanging():
    pool = ExtractionPool(lambda item, repeats: item, workers=2)  # a lambda cannot be pickled
    outcome = pool.submit(("pid",)).result(WAIT)
    assert outcome.status == "error" and "extraction workers cannot start" in outcome.error
    pool.close()


def test_workers_die_with_a_crawl_killed_by_sigkill(tmp_path):
    """A process running a pool is killed -9 while a worker is busy: the worker goes too."""
    script = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(REPO / 'tests')!r})\n"
        "from test_workers import task\n"
        "from scraper.extraction.workers import ExtractionPool\n"
        "if __name__ == '__main__':\n"
        "    pool = ExtractionPool(task, workers=1, timeout=600)\n"
        f"    pool.submit(('sleep', 600, {str(tmp_path / 'pid')!r}))\n"
        "    time.sleep(600)\n")
    runner = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    try:
        worker = wait_for(tmp_path / "pid")
        runner.kill()
        runner.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while alive(worker):
            assert time.monotonic() < deadline, "the worker outlived its pool"
            time.sleep(0.05)
    finally:
        runner.kill()


# The repeated-paragraph store


NOTICE = "City News: local news from the harbour district since 1921, every morning."


def notice_pages(n: int, notice: Callable[[int], bool] = lambda k: True) -> list[Page]:
    """Pages of one site, the `notice(k)`-th of them with NOTICE."""
    pages = []
    for k in range(n):
        html = page(ARTICLE.replace("council", f"council of district {k}")
                    + (f"<p>{NOTICE}</p>" if notice(k) else ""))
        url = f"https://news.example.org/city/story-{k}"
        pages.append(Page(url=url, fetched_url=url, status=200, headers={}, body=html.encode(),
                          encoding="utf-8", fetched_at="2026-11-25T10:00:00+00:00", site=""))
    return pages


def test_concurrent_pages_give_what_extracting_them_one_by_one_gives():
    """Two workers, pages submitted at once: each record is the one extracting the pages one
    by one in the pool's order gives, though no store went with any page."""
    pages = notice_pages(12)
    master = RepeatStore()
    with ExtractionPool(workers=2, timeout=60, repeats=master) as pool:
        outcomes = [f.result(WAIT) for f in [pool.submit(p) for p in pages]]
    assert sorted(o.order for o in outcomes) == list(range(len(pages)))
    alone = RepeatStore()
    for outcome, one in sorted(zip(outcomes, pages, strict=True), key=lambda x: x[0].order):
        assert outcome.value == one.extract(alone), one.url
    assert sum(NOTICE in o.value.article.body for o in outcomes) == 2  # the first two only
    assert master.pages("news.example.org") == alone.pages("news.example.org") == 12
    assert master.is_repeated("news.example.org", NOTICE)


def test_with_a_small_window_concurrent_pages_still_give_the_one_by_one_records():
    """The notice on pages 0-3 and 8-13 only: with a window of 4 pages, it has aged out by
    page 8 and is boilerplate again from page 10 (unbounded, it would be from page 2 on).
    Two workers give what extracting the pages one by one, in the pool's order, gives."""
    pages = notice_pages(14, lambda k: k < 4 or k >= 8)
    master = RepeatStore(window=4)
    with ExtractionPool(workers=2, timeout=60, repeats=master) as pool:
        outcomes = [f.result(WAIT) for f in [pool.submit(p) for p in pages]]
    alone = RepeatStore(window=4)
    for outcome, one in sorted(zip(outcomes, pages, strict=True), key=lambda x: x[0].order):
        assert outcome.value == one.extract(alone), one.url
    assert state(master) == state(alone) and master.pages("news.example.org") == 4
    kept = [p.url for o, p in zip(outcomes, pages, strict=True) if NOTICE in o.value.article.body]
    assert len(kept) > 2  # the window let it age out, and come back


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_copies_stay_equal_to_the_master_over_a_long_sequence(workers):
    """Hundreds of pages with a window of 5 pages a site and 9 in all: thresholds crossed and
    pages evicted all the time. Every answer is the one-by-one answer, and a copy asked at
    the end holds exactly the master's pages, in order, and counts."""
    rng = random.Random(11)
    pool_of = [f"Paragraph {k}." for k in range(8)]
    items = [(rng.choice("ab"), f"https://s/{rng.randrange(100)}",
              rng.sample(pool_of, rng.randint(0, 5))) for _ in range(300)]
    master = RepeatStore(min_pages=2, min_share=0.35, window=5, total=9)
    with ExtractionPool(count_task, workers=workers, timeout=60, repeats=master) as pool:
        futures = [pool.submit(item) for item in items]
        outcomes = [f.result(WAIT) for f in futures]
        copy = pool.submit(("state",)).result(WAIT).value
    alone = RepeatStore(min_pages=2, min_share=0.35, window=5, total=9)
    for outcome, item in sorted(zip(outcomes, items, strict=True), key=lambda x: x[0].order):
        assert outcome.value == count_task(item, alone), item
    assert copy == state(master) == state(alone)


def test_an_idle_worker_is_sent_the_log_so_that_it_stays_short():
    """Pages one at a time to two workers: one of them does them all, the other is idle, and
    the log of additions does not wait for it."""
    master = RepeatStore(window=50)
    with ExtractionPool(count_task, workers=2, timeout=60, repeats=master) as pool:
        deadline = time.monotonic() + WAIT
        while not (len(pool._workers) == 2 and all(w.ready for w in pool._workers)):
            assert time.monotonic() < deadline  # a worker not ready yet holds the log back
            time.sleep(0.05)
        for n in range(3 * SYNC_AFTER):
            pool.submit(("site", f"https://s/{n}", [f"Story {n}"])).result(WAIT)
            assert len(pool._log) <= SYNC_AFTER + 1
        assert pool.submit(("state",)).result(WAIT).value == state(master)


def test_a_worker_started_later_gets_the_store_as_it_is(tmp_path):
    """The worker that replaces a killed one starts from the master store, with the pages
    the pool counted before it."""
    pages = notice_pages(4)
    master = RepeatStore()
    with ExtractionPool(workers=1, timeout=60, repeats=master) as pool:
        for one in pages[:3]:
            assert pool.submit(one).result(WAIT).status == "ok"
        pid = pool.pids()[0]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + WAIT
        while pool.pids() in ([], [pid]):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        last = pool.submit(pages[3]).result(WAIT)
    assert last.status == "ok" and NOTICE not in last.value.article.body


def test_the_store_is_saved_atomically(tmp_path):
    path = tmp_path / "archive.repeats.json"
    store = RepeatStore(min_pages=2)
    for n in range(2):
        store.add("site", f"https://s/{n}", ["Boilerplate line."])
    path.write_text("the old file")
    store.save(path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    assert RepeatStore.load(path).is_repeated("site", "Boilerplate line.")


@pytest.mark.parametrize("content", ['{"min_pages": 3, "sites": {"a": {"pages": ["1', "",
                                     "[1, 2]", '{"sites": {"a": {"counts": {"k": "x"}}}}'])
def test_a_corrupt_store_is_set_aside_in_one_line_and_started_afresh(tmp_path, caplog, content):
    path = tmp_path / "archive.repeats.json"
    path.write_text(content)
    store = RepeatStore.load(path)
    assert store.pages("a") == 0
    assert not path.exists()
    assert (tmp_path / "archive.repeats.json.corrupt").read_text() == content
    [record] = caplog.records
    assert record.levelname == "WARNING" and str(path) in record.getMessage()
    assert "\n" not in record.getMessage()
