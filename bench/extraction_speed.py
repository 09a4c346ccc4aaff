"""Speed of the project's extract() against trafilatura's bare_extraction, same pages, same run.

Run by hand (never from the tests: a timing depends on the machine and its load):

    .venv/bin/python bench/extraction_speed.py                # ../shared/corpus/news-dev
    .venv/bin/python bench/extraction_speed.py PAGES_DIR [PAGES_DIR ...] --repeat 3 [--cpu]

Each PAGES_DIR holds `<id>.html` or `<id>.html.gz` pages, each with an optional `<id>.json`
whose "url" is the page's URL (the corpus format); several folders are measured one after
the other in one run, each with its own figures. Both extractors see the same decoded
text; their calls are interleaved page by page, in alternating order, so a change in the
machine's load hits both alike. Prints the median ms/page of each and their ratio.
Targets: extract() no slower than trafilatura's bare_extraction with metadata (issue 11:
ratio <= 1.0), and at most 0.7 of it (issue 13).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

from trafilatura import bare_extraction
from w3lib.encoding import html_to_unicode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.extraction.extract import extract  # noqa: E402

DEFAULT_PAGES = ROOT.parent / "shared" / "corpus" / "news-dev"


def load_pages(folder: Path) -> list[tuple[str, str, str]]:
    """(id, url, html) of every page in `folder`, sorted by id."""
    pages = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".html.gz"):
            page_id, raw = path.name[:-8], gzip.decompress(path.read_bytes())
        elif path.name.endswith(".html"):
            page_id, raw = path.name[:-5], path.read_bytes()
        else:
            continue
        gold = path.with_name(page_id + ".json")
        url = json.loads(gold.read_text())["url"] if gold.exists() else f"https://example.com/{page_id}"
        _, html = html_to_unicode(None, raw)
        pages.append((page_id, url, html))
    return pages


def ours(html: str, url: str) -> None:
    extract(html, url)


def theirs(html: str, url: str) -> None:
    bare_extraction(html, url=url, with_metadata=True)


def timed(fn, html: str, url: str, clock=time.perf_counter) -> float:
    started = clock()
    fn(html, url)
    return (clock() - started) * 1000


# The ratios the issues ask for: no slower than trafilatura (11), 0.7 of it (13).
TARGET = 1.0
GOAL = 0.7


def measure(pages: list[tuple[str, str, str]], repeat: int,
            clock=time.perf_counter) -> dict[str, float]:
    """Median over the pages of each extractor's fastest run per page, in ms of `clock`."""
    times: dict[str, list[list[float]]] = {"ours": [], "theirs": []}
    for _ in range(repeat):
        for i, (_, url, html) in enumerate(pages):
            order = (("ours", ours), ("theirs", theirs))
            for name, fn in order if i % 2 == 0 else order[::-1]:
                if len(times[name]) <= i:
                    times[name].append([])
                times[name][i].append(timed(fn, html, url, clock))
    return {name: statistics.median(min(t) for t in per_page)
            for name, per_page in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT_PAGES],
                        metavar="folder")
    parser.add_argument("--repeat", type=int, default=1, help="runs over the pages (default 1)")
    parser.add_argument("--cpu", action="store_true",
                        help="time the process's CPU, not the wall clock: on a loaded machine "
                        "the time the process waits for a core is left out")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    corpora = []
    for folder in args.folders:
        if not folder.is_dir():
            sys.exit(f"no such folder: {folder}")
        pages = load_pages(folder)
        if not pages:
            sys.exit(f"no .html or .html.gz pages in {folder}")
        corpora.append((folder, pages))
    # Warm up both: imports, compiled patterns, trafilatura's caches.
    for fn in (ours, theirs):
        fn(corpora[0][1][0][2], corpora[0][1][0][1])
    for folder, pages in corpora:
        medians = measure(pages, args.repeat, clock)
        ratio = medians["ours"] / medians["theirs"]
        print(f"{len(pages)} pages from {folder}, {args.repeat} run(s), fastest run per page"
              + (", CPU time" if args.cpu else ""))
        print(f"  extract() (project)                      median {medians['ours']:7.1f} ms/page")
        print(f"  trafilatura bare_extraction(metadata)    median {medians['theirs']:7.1f} ms/page")
        print(f"  ratio project / trafilatura              {ratio:.2f}"
              f"  (target <= {TARGET:.1f}: {'met' if ratio <= TARGET else 'NOT met'};"
              f" goal <= {GOAL:.1f}: {'met' if ratio <= GOAL else 'not yet'})")


if __name__ == "__main__":
    main()
