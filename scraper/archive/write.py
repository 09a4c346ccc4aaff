"""Writing to the archive: articles with their history, and every fetched page.

A re-crawled article whose fields changed keeps its old version as a revision (with the
fields that changed and a diff of the body); an unchanged one only moves `last_seen`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from scraper.archive import bodies, retention
from scraper.archive.clusters import cluster_written
from scraper.archive.diffs import paragraph_diff
from scraper.archive.republications import record_republications
from scraper.archive.schema import link_source
from scraper.archive.transaction import write_transaction
from scraper.extraction.record import Article
from scraper.items import ArticleItem, Page

# Fields whose change makes a new version of an article (and a revision of the old one).
COMPARED = ("title", "subtitle", "byline", "authors", "published", "modified", "tags", "body",
            "original_source", "original_source_url", "original_source_date")
# Labels the extraction gives a version (its kind of post): a new label is written on the
# current version, and makes no revision (the publisher's text did not change; an archive
# made before the label gets it from the next re-extraction or refresh).
LABELS = ("kind",)
# Columns of the old version copied into its revision.
REVISION_COPY = ("title", "subtitle", "byline", "authors", "published", "modified", "tags",
                 "body", "content_hash", "fetched_at")
NOT_STORED = ("provenance", "removed")  # debugging aids of `scraper extract --debug`
# An article seen again: live, whatever a 404 said before (the answer stays in `pages`).
LIVE = "status = 'live', gone_at = null"
Ids = dict[tuple[str, ...], int]  # (table, *values) -> id, within one transaction


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_batch(db: Database, items: list[ArticleItem], run_id: int | None = None,
                gone: Sequence[Page] = (), pages: Sequence[Page] = (),
                outcomes: list[str] | None = None, not_modified: Sequence[str] = (),
                keep_listings: str = "all") -> Counter[str]:
    """Write fetched articles and their pages in one transaction; count new/updated/unchanged.

    `gone`: the 404 or 410 answers of article URLs; an archived article gets status "gone"
    and the date it was first found so (`gone_at`), keeps its text (the archive is where a
    deleted story is still found), and the answer is kept in `pages` as evidence of the
    deletion (kind "gone"; a URL never archived is a dead link, not kept). `pages`: fetched
    pages that gave no article (a bot wall, a soft 404, a dropped one, a listing), kept as
    fetches as `keep_listings` says (retention.py). `not_modified`: archived articles whose
    page answered 304, seen again unchanged. `outcomes`, if given, gets each item's outcome
    in order (valid once this returns)."""
    counts: Counter[str] = Counter()
    columns = article_columns(db)
    seen = now()
    ids: Ids = {}
    written: list[str] = []  # new or changed bodies, to sign for their clusters
    with write_transaction(db):
        # (A 304 answered with the stored page: no new fetch.)
        record_pages(db, [(item.page, item.article.url) for item in items
                          if not item.page.replayed], run_id, kind="article")
        for item in items:
            outcome = save_article(db, item.article, columns, seen, reason="recrawl", ids=ids)
            counts[outcome] += 1
            if outcomes is not None:
                outcomes.append(outcome)
            if outcome != "unchanged":
                written.append(item.article.url)
        stale = cluster_written(db, written, seen)  # (until `scraper clusters --rebuild`)
        if stale:
            counts["clusters_stale"] += stale
        paired = record_republications(db, [item.article for item in items], seen, {
            item.article.url: item.republished_by for item in items if item.republished_by})
        if paired:
            counts["republications"] += paired
        for page in pages:
            pruned = record_kept(db, page, run_id, keep_listings) if not page.replayed else 0
            if pruned:
                counts["listings_pruned"] += pruned
        for url in not_modified:  # (seen again: "unchanged", whatever the 304 saved)
            if db.execute(f"update articles set last_seen = ?, {LIVE} where url = ?",
                          [seen, url]).rowcount:
                counts["unchanged"] += 1
        for page in gone:
            if record_gone(db, page, run_id):
                counts["gone"] += 1
    return counts


def record_gone(db: Database, page: Page, run_id: int | None) -> int:
    """Keep the 404/410 answer `page` of an archived article and mark the article gone,
    dated by the first such answer; return 1 if it was live until now, else 0."""
    if db.execute("select 1 from articles where url = ?", [page.url]).fetchone() is None:
        return 0
    record_page(db, page, run_id, kind=retention.GONE)
    return db.execute("update articles set status = 'gone', gone_at = ? where url = ? "
                      "and status != 'gone'", [page.fetched_at, page.url]).rowcount


def article_columns(db: Database) -> set[str]:
    return set(db.table("articles").columns_dict)


def article_row(article: Article, columns: set[str]) -> dict[str, Any]:
    """The record as an `articles` row: lists as JSON, the original source in three columns.

    Whatever fields the record has are written when the table has a column for them."""
    row: dict[str, Any] = {f.name: getattr(article, f.name) for f in fields(article)
                           if f.name not in NOT_STORED}
    source = row.pop("original_source") or {}
    row["original_source"] = source.get("name")
    row["original_source_url"] = source.get("url")
    row["original_source_date"] = source.get("date")
    row["authors"] = json.dumps(row["authors"], ensure_ascii=False)
    row["tags"] = json.dumps(row["tags"], ensure_ascii=False)
    return {k: v for k, v in row.items() if k in columns}


def save_article(db: Database, article: Article, columns: set[str], when: str, *,
                 reason: str, ids: Ids | None = None) -> str:
    """Insert or update one article; return "new", "updated" or "unchanged".

    `reason` "recrawl" means the page was fetched again at `when` (so `last_seen` moves);
    "reextract" means the stored page was extracted again (it was not seen again).
    `ids` remembers author and tag ids within one transaction.
    """
    row = article_row(article, columns)
    cursor = db.execute("select * from articles where url = ?", [article.url])
    found = cursor.fetchone()
    if found is None:
        row |= {"first_seen": when, "last_seen": when, "last_changed": when,
                "revision_count": 0, "status": "live"}
        _insert(db, "articles", row)
        _link_all(db, article, ids, fresh=True)
        return "new"
    old = dict(zip([d[0] for d in cursor.description], found, strict=True))
    changed = [k for k in COMPARED if k in row and old.get(k) != row[k]]
    relabelled = {k: row[k] for k in LABELS if k in row and old.get(k) != row[k]}
    if relabelled:  # our label of the version, not a new version
        assignments = ", ".join(f"[{k}] = ?" for k in relabelled)
        db.execute(f"update articles set {assignments} where url = ?",
                   [*relabelled.values(), article.url])
    if not changed:
        if reason == "recrawl":
            db.execute(f"update articles set last_seen = ?, {LIVE} where url = ?",
                       [when, article.url])
        return "unchanged"
    revision = (old["revision_count"] or 0) + 1
    _insert(db, "revisions", {
        "article_url": article.url, "revision": revision, "recorded_at": when,
        "reason": reason, "changed_fields": json.dumps(changed),
        **{k: old.get(k) for k in REVISION_COPY},
        "original_source": _source_json(old),
        "body_diff": body_diff(old["body"], row.get("body", ""), revision)
        if "body" in changed else None,
    })
    row |= {"last_changed": when, "revision_count": revision, "status": "live", "gone_at": None}
    if reason == "recrawl":
        row["last_seen"] = when
    assignments = ", ".join(f"[{k}] = ?" for k in row)
    db.execute(f"update articles set {assignments} where url = ?", [*row.values(), article.url])
    _link_all(db, article, ids)
    return "updated"


def body_diff(old: str, new: str, revision: int) -> str:
    """Unified diff, a paragraph a line, from the revision's body to the version after it."""
    return paragraph_diff(old, new, f"revision {revision}", f"revision {revision + 1}")


def record_kept(db: Database, page: Page, run_id: int | None, keep_listings: str) -> int:
    """Store a fetch that gave no article if `keep_listings` keeps it (retention.py); return
    the older fetches of its URL this let go."""
    digest = bodies.sha256(page.body)
    if not retention.keeps(db, page.url, page.kind, digest, keep_listings):
        return 0
    page_id = record_page(db, page, run_id, kind=page.kind, digest=digest)
    if keep_listings == "latest" and retention.is_listing(page.kind):
        return retention.prune(db, page.url, page_id)
    return 0


def record_page(db: Database, page: Page, run_id: int | None, url: str | None = None,
                kind: str | None = None, digest: str | None = None) -> int:
    """One `pages` row per fetch; the body goes to `page_bodies` unless already there.

    `url`: the URL of the article extracted from the page (its canonical link may differ
    from the link that led to it), so that pages join articles on `url`. `kind`: what the
    fetch was (retention.py); `digest`: the body's SHA-256, when already known."""
    digest = digest or bodies.sha256(page.body)
    if db.execute("select 1 from page_bodies where sha256 = ?", [digest]).fetchone() is None:
        db.execute(INSERT_BODY, _body_row(digest, page.body))
    return db.execute(INSERT_PAGE, _page_row(page, url, digest, run_id, kind)).lastrowid


def record_pages(db: Database, fetches: Sequence[tuple[Page, str | None]],
                 run_id: int | None, kind: str) -> None:
    """`record_page` for each (page, url) of `fetches`, in order (the same rows and ids), in
    a few statements a batch rather than three a page: the crawl's process writes every
    page it fetches, and a statement's own cost was a fifth of a batch's."""
    digests = [bodies.sha256(page.body) for page, _ in fetches]
    stored: set[str] = set()
    for start in range(0, len(digests), LOOKUP_CHUNK):
        chunk = digests[start:start + LOOKUP_CHUNK]
        stored.update(d for (d,) in db.execute(
            f"select sha256 from page_bodies where sha256 in ({', '.join('?' for _ in chunk)})",
            chunk))
    new: dict[str, bytes] = {}
    for digest, (page, _) in zip(digests, fetches, strict=True):
        if digest not in stored:
            new.setdefault(digest, page.body)
    db.conn.executemany(INSERT_BODY, [_body_row(d, body) for d, body in new.items()])
    db.conn.executemany(INSERT_PAGE, [_page_row(page, url, digest, run_id, kind) for
                                      digest, (page, url) in zip(digests, fetches, strict=True)])


INSERT_BODY = "insert into page_bodies (sha256, compression, content, size) values (?, ?, ?, ?)"
INSERT_PAGE = ("insert into pages (url, final_url, status, headers, encoding, fetched_at, "
               "sha256, run_id, kind) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
LOOKUP_CHUNK = 500  # values of one `in (...)` (SQLite allows 32,766 since 3.32; 999 before)


def _body_row(digest: str, body: bytes) -> tuple[str, str, bytes, int]:
    return (digest, *bodies.compress(body), len(body))


def _page_row(page: Page, url: str | None, digest: str, run_id: int | None,
              kind: str | None) -> tuple[Any, ...]:
    return (url or page.url, page.fetched_url, page.status,
            json.dumps(page.headers, ensure_ascii=False), page.encoding, page.fetched_at,
            digest, run_id, kind)


def _insert(db: Database, table: str, row: dict[str, Any]) -> int:
    """Insert `row`; return its rowid."""
    names = ", ".join(f"[{k}]" for k in row)
    marks = ", ".join("?" for _ in row)
    return db.execute(f"insert into [{table}] ({names}) values ({marks})",
                      list(row.values())).lastrowid


def _source_json(row: dict[str, Any]) -> str | None:
    if not (row.get("original_source") or row.get("original_source_url")):
        return None
    return json.dumps({"name": row.get("original_source"), "url": row.get("original_source_url"),
                       "date": row.get("original_source_date")}, ensure_ascii=False)


def _link_all(db: Database, article: Article, ids: Ids | None, fresh: bool = False) -> None:
    """Link the article to its authors, tags and original source; `fresh`: it has no links
    yet (a new article), so there are none to remove."""
    _link(db, article.url, "authors", "article_authors", "author_id",
          [{"name": n} for n in article.authors], ids, fresh)
    _link(db, article.url, "tags", "article_tags", "tag_id", article.tags, ids, fresh)
    link_source(db, article.url, article.original_source, fresh)


def _link(db: Database, url: str, table: str, link_table: str, key: str,
          records: list[dict[str, str]], ids: Ids | None, fresh: bool) -> None:
    """Replace the article's links to `table` rows (authors or tags), keeping their order."""
    if not fresh:
        db.execute(f"delete from {link_table} where article_url = ?", [url])
    for position, record in enumerate(records):
        db.execute(f"insert or replace into {link_table} (article_url, {key}, position) "
                   "values (?, ?, ?)", [url, lookup_id(db, table, record, ids), position])


def lookup_id(db: Database, table: str, record: dict[str, str], ids: Ids | None = None) -> int:
    """The id of the row equal to `record` (on a unique index), inserted if new.

    (sqlite-utils' Table.lookup does the same but inspects the schema on every call,
    which was half the time of a batch.) `ids` caches answers: it must not outlive the
    transaction, whose rollback would undo the rows it names."""
    key = (table, *record.values())
    if ids is not None and key in ids:
        return ids[key]
    ident = _lookup_id(db, table, record)
    if ids is not None:
        ids[key] = ident
    return ident


def _lookup_id(db: Database, table: str, record: dict[str, str]) -> int:
    where = " and ".join(f"[{k}] = ?" for k in record)
    found = db.execute(f"select id from [{table}] where {where}", list(record.values()))
    row = found.fetchone()
    if row:
        return row[0]
    return _insert(db, table, record)
