"""Archive speed, run by hand: `.venv/bin/python bench/archive_speed.py [--articles N]`.

Measures, on an archive of N articles (default 100,000) written the way a crawl writes them
(batches of ARCHIVE_BATCH_SIZE through `write_batch`: article, links, sources, FTS triggers,
raw page compressed and stored once per hash):

- articles/s written, against the target (2,000/s) and against a baseline in the same run:
  a plain `executemany` insert of the same article rows into a table without indexes,
  full-text index or pages;
- articles/s of 10% more written in the larger batches of bulk writers (reextract);
- articles/s of a re-crawl of 10% of them (half unchanged, half edited: revisions + diffs);
- full-text queries on the full archive, in the shapes the project's users run (SHAPES: by
  rank, Datasette's search box and its count, the first rows of an export), median of
  several, target < 50 ms; the hard case is a word in two thirds of the articles;
- peak Python memory of `scraper export` as JSON lines on all N articles and on N/10
  (streamed: the two should be about equal).

Synthetic articles: ~400-word bodies drawn with Zipf frequencies from a 30,000-word vocabulary
(each queried word is in roughly a fifth to a third of the articles), pages of ~12 kB of HTML.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from itertools import islice
from pathlib import Path

from scraper import reextract, settings
from scraper.archive import open_archive, write_batch
from scraper.archive.selection import Chosen
from scraper.archive.write import article_columns, article_row
from scraper.export import articles, write_jsonl
from scraper.extraction.record import Article, content_hash
from scraper.items import ArticleItem, Page

TARGET_WRITE = 2_000  # articles/s
TARGET_FTS_MS = 50.0
BULK_BATCH = reextract.BATCH
FUNCTION_WORDS = ("the a of to and in on for with that by from at as was were is are has "
                  "have said it its this not but they".split())
TOPIC_WORDS = ("grain corridor harvest sanctions ministry pipeline election court ruling protest "
               "refinery export tariff drought vaccine trial border ceasefire parliament budget "
               "inflation wheat port insurer convoy strike union minister treaty summit embassy "
               "satellite drone reactor currency bank debt oil gas coal climate flood famine "
               "hospital school teacher farmer soldier journalist editor").split()


def vocabulary(size: int = 30_000) -> tuple[list[str], list[float]]:
    """Words with Zipf frequencies, as in real text: function words first, made-up words for
    the rest, and the topic words (those queried) at ranks 300-350, which puts each in about a
    tenth of the articles (more than a real news archive, where a topic word is in a few per
    cent). COMMON is at rank 40: in about two thirds of the articles, the worst case of a
    search."""
    r = random.Random(7)
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    tail = {"".join(r.choice(syllables) for _ in range(r.randint(2, 4))) for _ in range(size)}
    tail_words = sorted(tail - set(FUNCTION_WORDS) - set(TOPIC_WORDS))
    r.shuffle(tail_words)
    head = 300 - len(FUNCTION_WORDS)
    words = FUNCTION_WORDS + tail_words[:head] + TOPIC_WORDS + tail_words[head:]
    total, cumulative = 0.0, []
    for rank in range(len(words)):
        total += 1 / (rank + 1)
        cumulative.append(total)
    return words, cumulative


WORDS, CUMULATIVE = vocabulary()
COMMON = WORDS[40]


def text(r: random.Random, k: int) -> str:
    return " ".join(r.choices(WORDS, cum_weights=CUMULATIVE, k=k))
AUTHORS = [f"{first} {last}" for first in ("Ann", "Bo", "Cy", "Dana", "Eli", "Fay", "Gus")
           for last in ("Lee", "Ek", "Ross", "Novak", "Silva", "Okafor")]
TAGS = [{"name": n, "kind": k} for n, k in (
    ("Europe", "region"), ("Asia", "region"), ("Africa", "region"), ("Food", "theme"),
    ("Energy", "theme"), ("Law", "theme"), ("Health", "theme"), ("War", "theme"))]
FURNITURE = "<nav>" + "".join(f'<a href="/section/{n}">Section {n}</a>' for n in range(80)) + \
    "</nav>" + "<script>var x = 1;</script>" * 40


def make_item(rng: random.Random, n: int, *, edited: bool = False) -> ArticleItem:
    r = random.Random(n)  # the same n always gives the same article...
    paragraphs = [text(r, r.randint(30, 70)).capitalize() + "." for _ in range(8)]
    if edited:  # ...unless edited: a changed paragraph and title
        paragraphs[3] = text(rng, 40) + "."
    title = text(r, 8).title() + (" (updated)" if edited else "")
    body = "\n\n".join(paragraphs)
    url = f"https://www.example{n % 5}.org/story/{n}"
    authors = r.sample(AUTHORS, r.randint(1, 2))
    published = f"{2010 + n % 15}-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z"
    article = Article(
        url=url, site=f"example{n % 5}", title=title, subtitle=None,
        byline="By " + " and ".join(authors), authors=authors, published=published,
        published_text=published, modified=None, tags=r.sample(TAGS, 2), body=body,
        original_source={"name": "Wire", "url": "https://wire.example/x", "date": None}
        if n % 7 == 0 else None,
        language="en", word_count=len(body.split()), content_hash=content_hash(title, body),
        fetched_at="2026-11-25T10:00:00+00:00")
    html = (f"<html><head><title>{title}</title></head><body>{FURNITURE}<h1>{title}</h1>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + FURNITURE + "</body></html>").encode()
    page = Page(url=url, fetched_url=url, status=200, headers={"Content-Type": "text/html"},
                body=html, encoding="utf-8", fetched_at=article.fetched_at, site=article.site)
    return ArticleItem(article=article, page=page)


class Clock:
    """Wall-clock and CPU seconds of the timed parts: on a shared machine the CPU figure
    shows what the code costs when other processes take the cores."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu

    def rates(self, n: int) -> str:
        return f"{n / self.wall:,.0f}/s (CPU: {n / self.cpu:,.0f}/s)"


def timed_writes(db, numbers, batch: int, rng: random.Random, edited=lambda n: False) -> Clock:
    """Time spent in write_batch only (making the items is not counted)."""
    clock = Clock()
    for start in range(0, len(numbers), batch):
        items = [make_item(rng, n, edited=edited(n)) for n in numbers[start:start + batch]]
        with clock:
            write_batch(db, items)
    return clock


def baseline(path: Path, n: int, batch: int, rng: random.Random, columns: set[str]) -> Clock:
    """Time of a plain executemany of the same article rows, nothing else."""
    con = sqlite3.connect(path)
    con.execute("pragma journal_mode=wal")
    sample = article_row(make_item(rng, 0).article, columns)
    names = list(sample)
    con.execute(f"create table articles ({', '.join(names)})")
    sql = f"insert into articles values ({', '.join('?' for _ in names)})"
    clock = Clock()
    for start in range(0, n, batch):
        rows = [list(article_row(make_item(rng, k).article, columns).values())
                for k in range(start, min(start + batch, n))]
        with clock, con:
            con.executemany(sql, rows)
    con.close()
    return clock


# The full-text query shapes the project's users run, each timed on every query:
SHAPES = {
    # the README's SQL and `sqlite-utils search`: the best matches first
    "rank": "select a.url, a.title, a.published from articles a join articles_fts f "
            "on f.rowid = a.rowid where articles_fts match ? order by rank limit 20",
    # the search box of `scraper serve`: Datasette's own SQL for a page of the table sorted
    # by our metadata's `sort_desc: published`, and the count it shows above the rows
    "search": "select * from articles where rowid in (select rowid from articles_fts "
              "where articles_fts match ?) order by published desc, url limit 51",
    "count": "select count(*) from articles where rowid in (select rowid from articles_fts "
             "where articles_fts match ?)",
}


def fts_times(db) -> list[tuple[str, str, int, float]]:
    """(query, shape, matching articles, median ms of 5) for topical and common queries in
    each shape of SHAPES, and `export`: the first 20 rows of `scraper export --query`, as in
    `scraper export --query ... | head -20` (an export streams; its whole time is the
    number of rows it writes)."""
    queries = ["grain", "corridor harvest", '"grain corridor"', "NEAR(drone reactor, 5)",
               "sanction*", "byline: novak", "famine NOT wheat", "title: treaty", COMMON]
    runs_of = {label: (lambda q, sql=sql: db.execute(sql, [q]).fetchall())
               for label, sql in SHAPES.items()}
    runs_of["export"] = lambda q: list(islice(articles(db, Chosen(query=q)), 20))
    results = []
    for q in queries:
        matches = db.execute("select count(*) from articles_fts where articles_fts match ?",
                             [q]).fetchone()[0]
        for label, run in runs_of.items():
            runs = []
            for _ in range(5):
                began = time.perf_counter()
                run(q)
                runs.append((time.perf_counter() - began) * 1000)
            results.append((q, label, matches, statistics.median(runs)))
    return results


def export_peak(db, site: str | None) -> tuple[int, int, float]:
    """(articles, peak bytes, seconds) of a JSON-lines export to a discarding sink."""
    class Sink(io.TextIOBase):
        def write(self, s: str) -> int:
            return len(s)

    tracemalloc.start()
    began = time.perf_counter()
    n = write_jsonl(articles(db, Chosen(site=site)), Sink())
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return n, peak, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=settings.ARCHIVE_BATCH_SIZE,
                        help="articles per transaction (default: the crawl's ARCHIVE_BATCH_SIZE)")
    parser.add_argument("--keep", type=Path, help="keep the archive at this path")
    args = parser.parse_args()
    n, batch = args.articles, args.batch
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_archive(Path(tmp) / "archive.db")
        columns = article_columns(db)
        print(f"Writing {n:,} articles in batches of {batch} (load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores) ...", flush=True)
        numbers = list(range(n))
        tenth = max(n // 10, 1)
        first = timed_writes(db, numbers[:-tenth], batch, rng)
        last = timed_writes(db, numbers[-tenth:], batch, rng)
        base = baseline(Path(tmp) / "baseline.db", n, batch, rng, columns)
        last_rate, base_rate = tenth / last.wall, n / base.wall
        print(f"  archive write, first {n - tenth:,}: {first.rates(n - tenth)}; last {tenth:,} "
              f"(into {n - tenth:,}): {last.rates(tenth)}")
        print(f"  target {TARGET_WRITE:,}/s: x{last_rate / TARGET_WRITE:.2f} "
              f"(CPU: x{tenth / last.cpu / TARGET_WRITE:.2f})")
        print(f"  baseline, plain executemany of the article rows: {base.rates(n)}; "
              f"archive write / baseline = {last_rate / base_rate:.3f}")
        bulk = list(range(n, n + tenth))
        bulk_clock = timed_writes(db, bulk, BULK_BATCH, rng)
        print(f"  bulk write of {tenth:,} more in batches of {BULK_BATCH} (as reextract "
              f"writes): {bulk_clock.rates(tenth)}; x{tenth / bulk_clock.wall / TARGET_WRITE:.2f}"
              f" of target (CPU: x{tenth / bulk_clock.cpu / TARGET_WRITE:.2f})")
        recrawl = numbers[::10][:tenth]
        again = timed_writes(db, recrawl, batch, rng, edited=lambda k: k % 20 == 0)
        print(f"  re-crawl of {len(recrawl):,} (half unchanged, half edited, "
              f"{db['revisions'].count:,} revisions): {again.rates(len(recrawl))}; "
              f"x{len(recrawl) / again.wall / TARGET_WRITE:.2f} of target")
        print(f"  load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(wall-clock rates fall when others use the cores; CPU rates less so)")
        times = fts_times(db)
        print(f"Full-text queries on {n:,} articles (median of 5):")
        for query, shape, matches, ms in times:
            print(f"  {ms:7.1f} ms  {shape:<6}  {matches:>7,} matches  {query}")
        topical = [ms for q, _, _, ms in times if q != COMMON]
        worst = max(topical)
        print(f"  topical queries: median {statistics.median(topical):.1f} ms, worst "
              f"{worst:.1f} ms; target < {TARGET_FTS_MS:.0f} ms: x{TARGET_FTS_MS / worst:.1f}")
        common = {shape: ms for q, shape, _, ms in times if q == COMMON}
        print(f"  a word in two thirds of the articles ({COMMON!r}, the hard case): "
              + ", ".join(f"{shape} {ms:.1f} ms" for shape, ms in common.items()))
        whole = export_peak(db, None)
        fifth = export_peak(db, "example0")
        print(f"Export (JSON lines): {whole[0]:,} articles at {whole[0] / whole[2]:,.0f}/s, "
              f"peak Python memory {whole[1] / 1e6:.2f} MB; {fifth[0]:,} articles: "
              f"{fifth[1] / 1e6:.2f} MB (ratio {whole[1] / fifth[1]:.2f}: streamed)")
        size = (Path(tmp) / "archive.db").stat().st_size
        print(f"Archive file: {size / 1e6:,.0f} MB")
        db.close()
        if args.keep:
            shutil.move(Path(tmp) / "archive.db", args.keep)


if __name__ == "__main__":
    main()
