"""Browsing speed, run by hand: `.venv/bin/python bench/serve_speed.py [--articles N]`.

Builds a synthetic archive of N articles (default 100,000; each with 2 authors of 2,000,
3 tags of 300, and for a third of them one original source of 200) in a migrated archive,
then times the pages of `scraper serve` through Datasette's own in-process client (the
same app as the server, without the network):

- the article list, a full-text search, a tag + year filter, and an article page;
- each against a baseline in the same run: the same URL with `_nofacet=1`, i.e. Datasette's
  table page without the facets and the chart the project ships (the article page against
  the plain JSON of its row);
- the home (counts, top tags, authors and sources, newest articles, chart) against the
  database's JSON, and the search page in relevance order against the list's search
  without facets.

Prints the median of several runs and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from datasette.utils import tilde_encode

from scraper.archive import open_archive
from scraper.serve import build_datasette

SITES = ("globalresearch", "site_b", "site_c", "site_d")
TOPICS = ("grain corridor harvest sanctions ministry pipeline election court ruling protest "
          "refinery export tariff drought vaccine trial border ceasefire parliament").split()


def build(path: Path, n: int) -> None:
    """N articles written with plain SQL (the archive's own writes are bench/archive_speed.py's
    subject): the tables and triggers of the real schema, FTS included."""
    r = random.Random(3)
    words = TOPICS + [f"w{i}" for i in range(20_000)]
    db = open_archive(path)
    with db.atomic():
        db.conn.executemany("insert into authors (id, name) values (?, ?)",
                            [(i, f"Author {i}") for i in range(1, 2001)])
        db.conn.executemany("insert into tags (id, name, kind) values (?, ?, 'theme')",
                            [(i, f"Tag {i}") for i in range(1, 301)])
        db.conn.executemany("insert into sources (id, name, domain) values (?, ?, ?)",
                            [(i, f"Source {i}", f"s{i}.org") for i in range(1, 201)])
        for i in range(n):
            url = f"https://news.example/{i}"
            authors = r.sample(range(1, 2001), 2)
            body = "\n\n".join(" ".join(r.choices(words, k=60)) for _ in range(5))
            db.execute(
                "insert into articles (url, site, title, byline, authors, published, tags, "
                "body, content_hash, fetched_at, first_seen, last_seen, last_changed) "
                "values (?, ?, ?, ?, ?, ?, '[]', ?, '', '', '', '', '')",
                [url, r.choice(SITES), " ".join(r.choices(words, k=8)),
                 f"By Author {authors[0]}", json.dumps([f"Author {a}" for a in authors]),
                 f"{r.randint(2005, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", body])
            db.conn.executemany("insert into article_authors values (?, ?, ?)",
                                [(url, a, p) for p, a in enumerate(authors)])
            db.conn.executemany("insert into article_tags values (?, ?, ?)",
                                [(url, t, p) for p, t in enumerate(r.sample(range(1, 301), 3))])
            if i % 3 == 0:
                db.execute("insert into article_sources values (?, ?, null, null)",
                           [url, r.randint(1, 200)])
    db.close()


async def median_ms(client, path: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


async def measure(path: Path, runs: int) -> None:
    ds = build_datasette(path)
    await ds.invoke_startup()
    row = f"/archive/articles/{tilde_encode('https://news.example/5')}"
    link = json.dumps({"table": "article_tags", "column": "tag_id", "value": 7})
    pages = [
        ("article list", "/archive/articles", "/archive/articles?_nofacet=1"),
        ("search 'grain'", "/archive/articles?_search=grain",
         "/archive/articles?_search=grain&_nofacet=1"),
        ("tag + year", f"/archive/articles?_link={link}&published__startswith=2019",
         f"/archive/articles?_link={link}&published__startswith=2019&_nofacet=1"),
        ("article page", row, f"{row}.json"),
        ("home", "/archive", "/archive.json"),
        ("search relevance", "/archive/-/search?_search=grain",
         "/archive/articles?_search=grain&_nofacet=1"),
    ]
    await ds.client.get("/archive/articles")  # warm the page cache
    print(f"{'page':16} {'ms':>8} {'baseline ms':>12} {'ratio':>7}")
    for name, url, baseline in pages:
        ms, base = await median_ms(ds.client, url, runs), await median_ms(ds.client, baseline, runs)
        print(f"{name:16} {ms:8.1f} {base:12.1f} {ms / base:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        started = time.perf_counter()
        build(path, args.articles)
        print(f"{args.articles:,} articles built in {time.perf_counter() - started:.0f} s")
        asyncio.run(measure(path, args.runs))


if __name__ == "__main__":
    main()
