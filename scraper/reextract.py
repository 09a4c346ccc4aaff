"""`scraper reextract`: run today's extraction over the stored raw pages, without network.

Worker processes decompress and extract pages (the slow part, so both cores work), in the
crawl's own pool (scraper/extraction/workers.py), so a page gets the crawl's time limit
(EXTRACT_TIMEOUT) too; the main process alone writes, a batch per transaction. A field
that comes out differently is recorded like a publisher's edit, as a revision of the old
version, but with reason "reextract". A stored page that gave no article (a soft 404, a
wall, a page older rules missed) is tried too: if it now reads as an article, the article is
added as first seen when it was fetched.

Extraction drops the paragraphs a site repeats on many pages, as counted in the store the
crawls keep beside the archive; pages a crawl counted are not counted twice, and the pool
gives each page what extracting the pages one by one would, so the result does not depend on
the number of workers.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace

from sqlite_utils import Database

from scraper.archive.bodies import decompress
from scraper.archive.clusters import cluster_written
from scraper.archive.republications import record_republications
from scraper.archive.retention import GONE
from scraper.archive.selection import Chosen, selection
from scraper.archive.transaction import write_transaction
from scraper.archive.write import article_columns, now, save_article
from scraper.extraction.record import Article
from scraper.extraction.repeats import RepeatStore
from scraper.extraction.workers import ExtractionPool, Outcome
from scraper.items import Page
from scraper.settings import EXTRACT_TIMEOUT
from scraper.sites import site_for_url

BATCH = 200  # articles written per transaction
IN_FLIGHT = 16  # pages handed to each worker ahead of time (bounds memory)


@dataclass
class Report:
    # new / updated / unchanged articles; still_not_article: pages that give none yet
    counts: Counter[str] = field(default_factory=Counter)
    # Articles whose page the current extraction no longer reads as one, and pages whose
    # extraction failed: (url, status, reason).
    lost: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return sum(self.counts.values()) + len(self.lost)


def latest_pages(db: Database, site: str | None, since: str | None) -> list[int]:
    """Ids of the latest stored fetch of each chosen article that holds its page (small:
    ids only); a gone article's 404 holds none."""
    where, params = selection(Chosen(site=site, since=since))
    sql = (f"select (select max(p.id) from pages p where p.url = a.url "
           f"and p.kind is not '{GONE}') as page_id from articles a{where} order by a.rowid")
    return [row[0] for row in db.execute(sql, params) if row[0] is not None]


def pages_without_article(db: Database, site: str | None) -> dict[int, str]:
    """The latest fetch (id -> URL) of each URL that gave no article, on `site` if given."""
    rows = db.execute(
        "select max(p.id), p.url from pages p where p.status = 200 and p.kind is not "
        "'discovery' and not exists "
        "(select 1 from articles a where a.url = p.url) group by p.url order by 1")
    return {page_id: url for page_id, url in rows
            if site is None or site_for_url(url).name == site}


def load_page(db: Database, page_id: int) -> tuple:
    """What a worker needs to extract a page again: the row, body still compressed."""
    return db.execute(
        "select p.url, p.final_url, p.status, p.encoding, p.fetched_at, "
        "coalesce(a.site, ''), b.compression, b.content from pages p "
        "join page_bodies b on b.sha256 = p.sha256 left join articles a on a.url = p.url "
        "where p.id = ?", [page_id]).fetchone()


def extract_stored(row: tuple, repeats: RepeatStore | None
                   ) -> tuple[str, str, Article | None, str | None]:
    """Worker: (url, status, article, reason) for one stored page."""
    url, final_url, status, encoding, fetched_at, site, compression, content = row
    page = Page(url=url, fetched_url=final_url, status=status, headers={},
                body=decompress(compression, content), encoding=encoding,
                fetched_at=fetched_at, site=site)
    result = page.extract(repeats)
    article = result.article
    if article is not None and article.url != url:
        # The archive's identity of the article stays, whatever canonical link the page gives.
        article = replace(article, url=url)
    return url, result.status, article, result.reason


def reextract(db: Database, site: str | None = None, since: str | None = None,
              workers: int = 2, repeats: RepeatStore | None = None,
              timeout: float = EXTRACT_TIMEOUT) -> Report:
    """Extract every chosen article's latest stored page again and record what changed;
    try the pages that gave no article too. `repeats`: the crawls' repeated-segment store
    (pages it had not counted are added to it); `timeout`: seconds a page may take."""
    started = time.monotonic()
    report = Report()
    columns = article_columns(db)
    orphans = pages_without_article(db, site)
    orphan_urls = set(orphans.values())
    batch: list[tuple[Article, str]] = []  # (article, when first seen if it is new)

    def write() -> None:
        when, ids = now(), {}
        with write_transaction(db):
            for article, fetched_at in batch:
                # A page that gave no article before is an article first seen when fetched.
                seen = fetched_at if article.url in orphan_urls else when
                outcome = save_article(db, article, columns, seen, reason="reextract", ids=ids)
                report.counts[outcome] += 1
            # A body extracted anew is compared again with its republications.
            record_republications(db, [article for article, _ in batch], when)
            # And signed again for its cluster of near-duplicates.
            cluster_written(db, [article.url for article, _ in batch], when)
        batch.clear()

    page_ids = latest_pages(db, site, since) + list(orphans)
    for url, status, article, reason in _extracted(db, page_ids, workers, repeats, timeout):
        if article is None:
            if url in orphan_urls and status != "error":
                report.counts["still_not_article"] += 1
            else:
                report.lost.append((url, status, reason or ""))
            continue
        if url in orphan_urls and _before(article, since):
            report.counts["before_since"] += 1
            continue
        batch.append((article, article.fetched_at or now()))
        if len(batch) >= BATCH:
            write()
    if batch:
        write()
    report.seconds = time.monotonic() - started
    return report


def _before(article: Article, since: str | None) -> bool:
    """Published before --since (an undated article is kept, as a crawl keeps it)."""
    return bool(since and article.published and article.published[:10] < since)


def _extracted(db: Database, ids: list[int], workers: int, repeats: RepeatStore | None,
               timeout: float) -> Iterator[tuple]:
    """Results in completion order; at most IN_FLIGHT pages per worker read ahead."""
    pending: dict[Future[Outcome], str] = {}
    queue = iter(ids)
    with ExtractionPool(extract_stored, workers, timeout, repeats) as pool:
        while True:
            for page_id in queue:
                row = load_page(db, page_id)
                pending[pool.submit(row)] = row[0]
                if len(pending) >= pool.size * IN_FLIGHT:
                    break
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield _result(pending.pop(future), future.result())


def _result(url: str, outcome: Outcome) -> tuple[str, str, Article | None, str | None]:
    """A page whose extraction raised, timed out or killed its worker is reported, never the
    end of the whole run."""
    if outcome.status == "ok":
        return outcome.value
    return url, "timeout" if outcome.status == "timeout" else "error", None, outcome.error
