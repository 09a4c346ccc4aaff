"""Clusters of near-duplicate articles: the stories that several sites carry.

Each article gets a MinHash signature of its body (minhash.py) once, kept in
`body_signatures` with its LSH band keys in `signature_bands` (keyed by band key, so a
new article's candidates are a few index lookups, whatever the archive's size). Its
candidates whose signatures agree on THRESHOLD of their values are its near-duplicates,
and it joins their cluster (merging two clusters it bridges). An article alone is a cluster
of one. A cluster is the connected group of articles linked that way, so it comes out the
same in whatever order the articles were written.

A cluster's id is the signature id of one of its members. An article whose body changed
is signed again; its old cluster is taken apart and its other members join again, so an
article that bridged two groups no longer holds them together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sqlite_utils import Database

from scraper.archive import minhash
from scraper.archive.transaction import write_transaction

BATCH = 1000  # articles a command signs per transaction


class StaleSignatures(Exception):
    """The archive's signatures were made with other parameters: they cannot be compared
    with new ones until `scraper clusters --rebuild` makes them again."""

    def __init__(self, stored: dict):
        super().__init__("the archive's near-duplicate signatures were made with other "
                         f"parameters ({json.dumps(stored, sort_keys=True)}); run "
                         "`scraper clusters --rebuild`")


def check_parameters(db: Database) -> None:
    """Store the parameters with the first signature; StaleSignatures if they changed."""
    stored = {name: json.loads(value) for name, value in db.execute(
        "select name, value from signature_parameters")}
    current = minhash.parameters()
    if not stored:
        db.conn.executemany("insert into signature_parameters (name, value) values (?, ?)",
                            [(k, json.dumps(v)) for k, v in current.items()])
    elif stored != current:
        raise StaleSignatures(stored)


def cluster_articles(db: Database, urls: Iterable[str], when: str) -> int:
    """Sign the articles at `urls` whose body is new or changed since signed, and put each
    in its cluster; return how many were signed. Runs inside the caller's transaction."""
    urls = list(urls)
    if not urls:
        return 0
    check_parameters(db)
    signed = 0
    for url in urls:
        signed += _sign(db, url, when)
    return signed


def cluster_written(db: Database, urls: list[str], when: str) -> int:
    """`cluster_articles` for the writers of the archive (a crawl's batch, a
    re-extraction): return how many articles were left unsigned because the archive's
    signatures are stale, rather than failing the write."""
    try:
        cluster_articles(db, urls, when)
    except StaleSignatures:
        return len(urls)
    return 0


def pending(db: Database) -> Iterator[str]:
    """Archived articles with no signature, or a signature of an older version."""
    for (url,) in db.execute(
            "select a.url from articles a left join body_signatures s on s.article_url = a.url "
            "where s.id is null or s.content_hash != a.content_hash order by a.rowid"
            ).fetchall():
        yield url


def cluster_archive(db: Database, when: str, rebuild: bool = False) -> int:
    """Sign every article that has no signature of its current version (`rebuild`: every
    article, from scratch), in transactions of BATCH articles; return how many were signed.
    Each costs the same few lookups whatever the archive's size: linear in all.
    StaleSignatures if the signatures were made with other parameters (not `rebuild`)."""
    if rebuild:
        with write_transaction(db):
            forget_all(db)
    else:
        check_parameters(db)
    urls = list(pending(db))
    for start in range(0, len(urls), BATCH):
        with write_transaction(db):
            cluster_articles(db, urls[start:start + BATCH], when)
    return len(urls)


def summary(db: Database) -> dict[str, int]:
    """Signed articles, clusters of several articles, and those carried by several sites."""
    signed = db.execute("select count(*) from body_signatures").fetchone()[0]
    shared, sites = db.execute(
        "select count(*), coalesce(sum(sites > 1), 0) from (select count(distinct a.site) "
        "as sites from article_clusters c join articles a on a.url = c.article_url "
        "group by c.cluster_id having count(*) > 1)").fetchone()
    return {"signed": signed, "clusters": shared, "across_sites": sites}


def forget_all(db: Database) -> None:
    """Drop every signature, band and cluster (and the parameters they were made with)."""
    for table in ("article_clusters", "signature_bands", "body_signatures",
                  "signature_parameters"):
        db.execute(f"delete from {table}")


def _sign(db: Database, url: str, when: str) -> int:
    found = db.execute("select content_hash, body from articles where url = ?", [url]
                       ).fetchone()
    if found is None:
        return 0
    content_hash, body = found
    old = db.execute("select id, content_hash, signature from body_signatures "
                     "where article_url = ?", [url]).fetchone()
    if old is not None and old[1] == content_hash:
        return 0  # signed already (a batch may hold an article twice)
    values = minhash.signature(body)
    blob = minhash.to_blob(values) if values is not None else None
    rejoin: list[tuple[int, str]] = []
    if old is None:
        ident = db.execute("insert into body_signatures (article_url, content_hash, signature, "
                           "recorded_at) values (?, ?, ?, ?)",
                           [url, content_hash, blob, when]).lastrowid
    else:
        ident = old[0]
        if old[2] is not None:
            db.conn.executemany("delete from signature_bands where key = ? and signature_id = ?",
                                [(k, ident) for k in minhash.band_keys(minhash.from_blob(old[2]))])
        db.execute("update body_signatures set content_hash = ?, signature = ?, recorded_at = ? "
                   "where id = ?", [content_hash, blob, when, ident])
        rejoin = _take_apart(db, url)
    keys = minhash.band_keys(values) if values is not None else []
    db.conn.executemany("insert or ignore into signature_bands (key, signature_id) "
                        "values (?, ?)", [(k, ident) for k in keys])
    _join(db, ident, url, values, keys, when)
    for other_id, other_url in rejoin:
        other = db.execute("select signature from body_signatures where id = ?",
                           [other_id]).fetchone()[0]
        values = minhash.from_blob(other) if other else None
        _join(db, other_id, other_url, values,
              minhash.band_keys(values) if values is not None else [], when)
    return 1


def _take_apart(db: Database, url: str) -> list[tuple[int, str]]:
    """Remove the cluster `url` belongs to; return its other members, to join again."""
    row = db.execute("select cluster_id from article_clusters where article_url = ?",
                     [url]).fetchone()
    if row is None:
        return []
    members = db.execute("select s.id, s.article_url from article_clusters c "
                         "join body_signatures s on s.article_url = c.article_url "
                         "where c.cluster_id = ? and c.article_url != ? order by s.id",
                         [row[0], url]).fetchall()
    db.execute("delete from article_clusters where cluster_id = ?", [row[0]])
    return members


def near_duplicates(db: Database, ident: int, values, keys: list[int]) -> list[str]:
    """The signed articles (other than signature `ident`) whose signatures share a band
    key of `keys` with `values` and agree on THRESHOLD of their values."""
    candidates = db.execute(
        "select article_url, signature from body_signatures where id in (select signature_id "
        f"from signature_bands where key in ({', '.join('?' for _ in keys)})) and id != ?",
        [*keys, ident]).fetchall()
    return [url for url, blob in candidates
            if minhash.similarity(values, minhash.from_blob(blob)) >= minhash.THRESHOLD]


def _join(db: Database, ident: int, url: str, values, keys: list[int], when: str) -> None:
    """Put `url` in the cluster of its near-duplicates, merging their clusters into the one
    with the lowest id; alone, it is a cluster of its own (its signature's id)."""
    matches = near_duplicates(db, ident, values, keys) if values is not None else []
    clusters = {ident}
    if matches:
        clusters |= {c for (c,) in db.execute(
            "select distinct cluster_id from article_clusters where article_url in "
            f"({', '.join('?' for _ in matches)})", matches)}
    target = min(clusters)
    merged = sorted(clusters - {target, ident})
    if merged:
        db.execute(f"update article_clusters set cluster_id = ? where cluster_id in "
                   f"({', '.join('?' for _ in merged)})", [target, *merged])
    db.execute("insert into article_clusters (article_url, cluster_id, recorded_at) "
               "values (?, ?, ?) on conflict (article_url) do update set "
               "cluster_id = excluded.cluster_id, recorded_at = excluded.recorded_at",
               [url, target, when])
