"""The extractor against hostile pages: mutated fixture pages and the pathological pages a
hostile crawl met. Target: no exception, no page over 2 s.

Run by hand (never from the tests: a timing depends on the machine and its load):

    .venv/bin/python bench/fuzz_extraction.py                 # 2,500 mutated pages, seed 8
    .venv/bin/python bench/fuzz_extraction.py --cases 500 --seed 3
    .venv/bin/python bench/fuzz_extraction.py --case 1234     # rebuild and run one case

The mutations are those of tests/mutations.py (the property-based test drives the same
functions at a smaller scale). Case N is built from its own seed, so any case can be rebuilt
alone. Prints the cases, the exceptions by class, the pages over 2 s, the slowest page and
the median time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from mutations import MUTATIONS, PATHOLOGICAL, fixture_pages  # noqa: E402

from scraper.extraction.dates import parse_date  # noqa: E402
from scraper.extraction.extract import extract  # noqa: E402
from scraper.extraction.record import Extraction  # noqa: E402

SLOW_SECONDS = 2.0
# Pathological pages are built on these fixtures: a declared site's article, a generic one.
PATHOLOGICAL_BASES = ("globalresearch/the-grain-corridor-and-the-politics-of-hunger/5837083/"
                      "index.html", "heldout/uk.TideLine.V1.html")


def build_case(index: int, seed: int, pages: list[tuple[str, str, str]]
               ) -> tuple[str, str, str]:
    """(label, url, html) of mutated case `index`: a fixture page and one to three
    mutations, all chosen by the case's own seed."""
    rng = random.Random(f"{seed}:{index}")
    name, url, html = rng.choice(pages)
    names = rng.sample(sorted(MUTATIONS), k=rng.choice((1, 1, 1, 2, 3)))
    for mutation in names:
        html = MUTATIONS[mutation](html, rng, 1.0)
    return f"#{index} {'+'.join(names)} on {name}", url, html


def pathological_cases(pages: list[tuple[str, str, str]]):
    by_name = {name: (url, html) for name, url, html in pages}
    for base in PATHOLOGICAL_BASES:
        url, html = by_name[base]
        for label, build in PATHOLOGICAL.items():
            yield f"{label} on {base}", url, build(html)


def run_one(label: str, url: str, html: str, stats: dict) -> None:
    started = time.perf_counter()
    try:
        result = extract(html, url)
        if not isinstance(result, Extraction):
            raise TypeError(f"extract() returned {type(result).__name__}")
    except Exception as exc:  # the bench counts what the extractor must never raise
        stats["exceptions"][type(exc).__name__] += 1
        stats["failed"].append((label, "".join(traceback.format_exception_only(exc)).strip()))
    elapsed = time.perf_counter() - started
    stats["times"].append((elapsed, label, len(html)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2500, help="mutated pages (default 2500)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--case", type=int, help="run only this mutated case, verbosely")
    parser.add_argument("--no-pathological", action="store_true")
    args = parser.parse_args()
    pages = fixture_pages()
    stats: dict = {"exceptions": Counter(), "failed": [], "times": []}
    if args.case is not None:
        label, url, html = build_case(args.case, args.seed, pages)
        print(f"{label}: {len(html):,} characters")
        started = time.perf_counter()
        result = extract(html, url)
        print(f"{result.status} ({result.reason}) in {time.perf_counter() - started:.2f} s")
        return
    # Warm up what a process loads once: imports, compiled patterns, the language model,
    # and dateparser's patterns for every language (about a second, the first time it reads
    # a date in a page of no known language).
    extract(pages[0][2], pages[0][1])
    parse_date("Tuesday 12 of the month, 2019")
    cases = [] if args.no_pathological else list(pathological_cases(pages))
    for label, url, html in cases:
        run_one(label, url, html, stats)
    for index in range(args.cases):
        run_one(*build_case(index, args.seed, pages), stats)
        if (index + 1) % 250 == 0:
            print(f"  {index + 1} mutated pages done", file=sys.stderr)
    times = sorted(stats["times"], reverse=True)
    slow = [t for t in times if t[0] > SLOW_SECONDS]
    print(f"cases: {len(times)} ({len(cases)} pathological, {args.cases} mutated, "
          f"seed {args.seed})")
    print(f"exceptions: {sum(stats['exceptions'].values())}"
          + "".join(f"\n  {name}: {n}" for name, n in stats["exceptions"].most_common()))
    for label, error in stats["failed"][:20]:
        print(f"    {label}: {error[:200]}")
    print(f"pages over {SLOW_SECONDS:.0f} s: {len(slow)}")
    for elapsed, label, size in slow[:20]:
        print(f"    {elapsed:6.2f} s  {size:>11,} chars  {label}")
    elapsed, label, size = times[0]
    print(f"slowest: {elapsed:.2f} s ({size:,} chars) {label}")
    print(f"median: {statistics.median(t[0] for t in times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
