"""Speed of the project's extract() against trafilatura's bare_extraction, same pages, same run.

Run by hand (never from the tests: a timing depends on the machine and its load):

    .venv/bin/python bench/extraction_speed.py                # ../shared/corpus/news-dev
    .venv/bin/python bench/extraction_speed.py PAGES_DIR --repeat 3

PAGES_DIR holds `<id>.html` or `<id>.html.gz` pages, each with an optional `<id>.json`
whose "url" is the page's URL (the corpus format). Both extractors see the same decoded
text; their calls are interleaved page by page, in alternating order, so a change in the
machine's load hits both alike. Prints the median ms/page of each and their ratio (target:
extract() at most 1.1 x trafilatura's bare_extraction with metadata).
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


def timed(fn, html: str, url: str) -> float:
    started = time.perf_counter()
    fn(html, url)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--repeat", type=int, default=1, help="runs over the pages (default 1)")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"no such folder: {args.folder}")
    pages = load_pages(args.folder)
    if not pages:
        sys.exit(f"no .html or .html.gz pages in {args.folder}")
    # Warm up both: imports, compiled patterns, trafilatura's caches.
    for fn in (ours, theirs):
        fn(pages[0][2], pages[0][1])
    times: dict[str, list[list[float]]] = {"ours": [], "theirs": []}
    for _ in range(args.repeat):
        for i, (_, url, html) in enumerate(pages):
            order = (("ours", ours), ("theirs", theirs))
            for name, fn in order if i % 2 == 0 else order[::-1]:
                if len(times[name]) <= i:
                    times[name].append([])
                times[name][i].append(timed(fn, html, url))
    medians = {name: statistics.median(min(t) for t in per_page)
               for name, per_page in times.items()}
    print(f"{len(pages)} pages from {args.folder}, {args.repeat} run(s), fastest run per page")
    print(f"  extract() (project)                      median {medians['ours']:7.1f} ms/page")
    print(f"  trafilatura bare_extraction(metadata)    median {medians['theirs']:7.1f} ms/page")
    print(f"  ratio project / trafilatura              {medians['ours'] / medians['theirs']:.2f}"
          "  (target <= 1.10)")


if __name__ == "__main__":
    main()
