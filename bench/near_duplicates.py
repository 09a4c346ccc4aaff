"""Near-duplicate clusters, run by hand: `.venv/bin/python bench/near_duplicates.py
[--articles N] [--measure CORPUS]`.

Builds an archive of N synthetic articles (default 100,000) on 5 sites, of which about 10%
are near-copies of an earlier article on another site (a few words changed, a paragraph
left out, a line added before or after), then clusters it both ways, each in a process of
its own (its peak memory is read from /proc while it runs):

- incremental: the articles signed in batches of ARCHIVE_BATCH_SIZE, in the order written,
  each batch in its transaction, as a crawl does (`cluster_articles` of write_batch);
- the command: `scraper clusters --rebuild` on the whole archive.

It prints articles/s and peak memory of each, then checks the clusters against what was
made: copies found (in their original's cluster), and clusters that joined different
stories; and that both paths give the same clusters. With `--articles` at a tenth the rate
shows the cost is linear (no slower per article on the larger archive).

`--measure CORPUS` (a folder of JSON records with a `body`, e.g. news-dev) prints instead
the measurement the parameters of scraper/archive/minhash.py come from: the Jaccard
similarity of word shingles of 3, 4, 5 and 7 words, between different stories and between
a story and edited copies of it, and how often the signatures find those copies.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from archive_speed import Clock, text

from scraper import settings
from scraper.archive import minhash, open_archive, write_transaction
from scraper.archive.clusters import cluster_articles
from scraper.archive.write import now
from scraper.extraction.record import content_hash

SITES = 5
COPY_SHARE = 0.10
EDITS = ("words", "paragraph", "frame", "all")


def synthetic(n: int, rng: random.Random) -> tuple[list[tuple], dict[int, int]]:
    """N article rows; and which row is a copy of which (index -> its original's index)."""
    rows, copies, bodies = [], {}, []
    for i in range(n):
        if i > 10 and rng.random() < COPY_SHARE:
            original = rng.randrange(i)
            while original in copies:  # a copy of the first version, not of a copy
                original = copies[original]
            body = edited(bodies[original], rng, rng.choice(EDITS))
            copies[i] = original
        else:
            r = random.Random(i)
            body = "\n\n".join(text(r, r.randint(30, 70)).capitalize() + "."
                               for _ in range(8))
        bodies.append(body)
        title = f"Story {i}"
        rows.append((f"https://site{i % SITES}.example/story/{i}", f"site{i % SITES}", title,
                     body, content_hash(title, body), "2026-11-25T10:00:00+00:00",
                     f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", len(body.split())))
    return rows, copies


def edited(body: str, rng: random.Random, kind: str) -> str:
    """An edited copy of `body`, as republishers make them."""
    paragraphs = [p.split(" ") for p in body.split("\n\n")]
    if kind in ("words", "all"):  # five words replaced
        places = [(i, j) for i, words in enumerate(paragraphs) for j in range(len(words))]
        for i, j in rng.sample(places, min(5, len(places))):
            paragraphs[i][j] = "changed"
    paragraphs = [" ".join(words) for words in paragraphs]
    if kind in ("paragraph", "all") and len(paragraphs) > 3:
        del paragraphs[rng.randrange(len(paragraphs))]
    if kind in ("frame", "all"):
        paragraphs = ["This article was first published elsewhere.", *paragraphs,
                      "Support independent media: donate today."]
    return "\n\n".join(paragraphs)


def build(path: Path, rows: list[tuple]) -> None:
    """The archive, its articles inserted directly (the full-text index is left out: it is
    not what is measured, and would take longer than the clusters)."""
    db = open_archive(path)
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"drop trigger if exists {trigger}")
    with write_transaction(db):
        db.conn.executemany(
            "insert into articles (url, site, title, body, content_hash, fetched_at, published, "
            "word_count, first_seen, last_seen, last_changed) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?6, ?6, ?6)", rows)
    db.close()


def incremental(path: Path) -> None:
    """Child process: sign the archive's articles a crawl batch at a time."""
    db = open_archive(path)
    urls = [u for (u,) in db.execute("select url from articles order by rowid")]
    clock, batch = Clock(), settings.ARCHIVE_BATCH_SIZE
    for start in range(0, len(urls), batch):
        with clock, write_transaction(db):
            cluster_articles(db, urls[start:start + batch], now())
    print(json.dumps({"seconds": clock.wall, "cpu": clock.cpu}))


def run_child(args: list[str]) -> tuple[float, dict[str, int], str]:
    """Wall seconds, peak memory and stdout of a child process. The peaks (bytes) are read
    from /proc while it runs: `rss` all resident pages, `anon` its own memory (heap,
    arrays), without the pages of the archive it reads memory-mapped (MMAP_BYTES), which
    the kernel may drop at any time."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    peaks = {"rss": 0, "anon": 0}
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stdout.read()))
    reader.start()
    status_file = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            fields = dict(line.split(":", 1) for line in status_file.read_text().splitlines())
        except (OSError, ValueError):
            break
        for key, name in (("rss", "VmRSS"), ("anon", "RssAnon")):
            if name in fields:
                peaks[key] = max(peaks[key], int(fields[name].split()[0]) * 1024)
        time.sleep(0.2)
    reader.join()
    if process.wait():
        raise SystemExit(f"{args} failed: {process.returncode}")
    return time.perf_counter() - started, peaks, "".join(chunks)


def memory(peaks: dict[str, int]) -> str:
    return (f"peak memory {peaks['anon'] / 2**20:,.0f} MiB of its own "
            f"({peaks['rss'] / 2**20:,.0f} MiB resident in all, with libraries and the "
            "mapped archive)")


def partition(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("select article_url, cluster_id from article_clusters"))
    finally:
        con.close()


def groups(clusters: dict[str, int]) -> set[frozenset[str]]:
    """The clusters as sets of URLs (their ids depend on the order of signing)."""
    members: dict[int, set[str]] = {}
    for url, cluster in clusters.items():
        members.setdefault(cluster, set()).add(url)
    return {frozenset(m) for m in members.values()}


def check(clusters: dict[str, int], rows: list[tuple], copies: dict[int, int]) -> str:
    urls = [row[0] for row in rows]
    found = sum(clusters[urls[c]] == clusters[urls[o]] for c, o in copies.items())
    story = {i: copies.get(i, i) for i in range(len(urls))}  # each row's first version
    stories_of: dict[int, set[int]] = {}
    for i, url in enumerate(urls):
        stories_of.setdefault(clusters[url], set()).add(story[i])
    mixed = sum(len(s) > 1 for s in stories_of.values())
    return (f"copies in their original's cluster: {found:,} of {len(copies):,} "
            f"({found / len(copies):.2%}); clusters joining different stories: {mixed}")


def bench(n: int) -> None:
    rows, copies = synthetic(n, random.Random(11))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.db"
        build(path, rows)
        print(f"{n:,} articles on {SITES} sites, {len(copies):,} near-copies "
              f"({len(copies) / n:.1%}); archive {path.stat().st_size / 2**20:,.0f} MiB")
        wall, peak, out = run_child([sys.executable, __file__, "--incremental", str(path)])
        spent = json.loads(out)
        print(f"incremental (batches of {settings.ARCHIVE_BATCH_SIZE}): "
              f"{n / spent['seconds']:,.0f} articles/s (CPU: {n / spent['cpu']:,.0f}/s), "
              + memory(peak))
        first = partition(path)
        print("  " + check(first, rows, copies))
        size = path.stat().st_size
        wall, peak, _ = run_child([sys.executable, "-m", "scraper", "clusters", "--rebuild",
                                   "--db", str(path)])
        print(f"scraper clusters --rebuild: {n / wall:,.0f} articles/s (the whole command), "
              + memory(peak))
        second = partition(path)
        print("  " + check(second, rows, copies))
        print(f"  the same clusters as the incremental path: {groups(first) == groups(second)}")
        con = sqlite3.connect(path)
        bands = con.execute("select count(*) from signature_bands").fetchone()[0]
        for view in ("stories_across_sites", "sites_sharing_stories"):
            started = time.perf_counter()
            found = len(con.execute(f"select * from {view}").fetchall())
            print(f"  view {view}: {found:,} rows in "
                  f"{(time.perf_counter() - started) * 1000:,.0f} ms")
        con.close()
        print(f"  {bands:,} band rows; the archive grew by "
              f"{(path.stat().st_size - size) / 2**20:,.0f} MiB over the incremental run's "
              "(the rebuild's freed pages are reused)")


def measure(corpus: Path) -> None:
    """The parameters' measurement (see the module's docstring)."""
    bodies = [b for b in (json.loads(p.read_text()).get("body") or ""
                          for p in sorted(corpus.glob("*.json"))) if len(b.split()) >= 50]
    print(f"{len(bodies)} bodies of 50 words or more in {corpus}")
    rng = random.Random(1)
    kinds = {"5 words changed": "words", "a paragraph left out": "paragraph",
             "a line before and after": "frame", "all three": "all"}
    copies = {label: [edited(b.replace("\n", "\n\n"), rng, kind) for b in bodies]
              for label, kind in kinds.items()}
    copies["the last fifth cut"] = [" ".join(b.split()[:len(b.split()) * 4 // 5])
                                    for b in bodies]
    for size in (3, 4, 5, 7):
        sets = [minhash.shingles(b, size) for b in bodies]
        different = max(jaccard(a, b) for a, b in itertools.combinations(sets, 2))
        line = [f"{size}-word shingles: different stories, at most {different:.3f}"]
        for label, edits in copies.items():
            found = sorted(jaccard(s, minhash.shingles(e, size))
                           for s, e in zip(sets, edits, strict=True))
            line.append(f"{label} {found[0]:.2f}-{found[-1]:.2f}")
        print("; ".join(line))
    params = minhash.parameters()
    print(f"signatures ({params}):")
    signatures = [minhash.signature(b) for b in bodies]
    for label, edits in copies.items():
        hits = sum(_found(s, minhash.signature(e)) for s, e in zip(signatures, edits, strict=True))
        print(f"  {label}: {hits} of {len(bodies)} copies found")
    false = sum(_found(a, b) for a, b in itertools.combinations(signatures, 2))
    print(f"  different stories found alike: {false} of "
          f"{len(bodies) * (len(bodies) - 1) // 2} pairs")


def _found(a, b) -> bool:
    """Whether the LSH index finds b from a (a band in common) and the check keeps it."""
    return (bool(set(minhash.band_keys(a)) & set(minhash.band_keys(b)))
            and minhash.similarity(a, b) >= minhash.THRESHOLD)


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--measure", type=Path, help="measure the parameters on CORPUS")
    parser.add_argument("--incremental", type=Path, help=argparse.SUPPRESS)  # the child
    args = parser.parse_args()
    if args.incremental:
        incremental(args.incremental)
    elif args.measure:
        measure(args.measure)
    else:
        bench(args.articles)


if __name__ == "__main__":
    main()
