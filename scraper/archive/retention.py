"""What the archive keeps of pages that are no article.

Fronts, sections, tag pages, feeds and sitemaps change on every fetch: kept whole each time,
they would make most of an archive run from cron for months. Evidence is always kept: the
articles' pages, the 404s of articles gone, bot walls, soft 404s, pages the extraction could
not read or dropped. Of listings, ARCHIVE_KEEP_LISTINGS decides:

- "all": every fetch (a row each time; a body once per distinct version);
- "changed": a fetch only when its body differs from the last one kept (every version);
- "latest": only the last version of each listing (bounded: one per URL), which is what the
  next run's conditional request needs;
- "none": none (listings are then fetched in full on every run).
"""

from __future__ import annotations

from sqlite_utils import Database

KEEP_LISTINGS = ("all", "changed", "latest", "none")
# Kinds of fetch (pages.kind) that are evidence, whatever the setting; None: stored before
# kinds were (m007), or an unclassified page. Every other kind is a listing.
GONE = "gone"  # the 404 or 410 answer of an archived article: evidence of its deletion
EVIDENCE = frozenset({"article", "blocked", "error", "dropped", "other", GONE, None})
DISCOVERY = "discovery"  # a feed, sitemap, REST answer or robots.txt


def is_listing(kind: str | None) -> bool:
    return kind not in EVIDENCE


def check_mode(mode: str) -> str:
    if mode not in KEEP_LISTINGS:
        raise ValueError(f"ARCHIVE_KEEP_LISTINGS must be one of {', '.join(KEEP_LISTINGS)}, "
                         f"not {mode!r}")
    return mode


def keeps(db: Database, url: str, kind: str | None, digest: str, mode: str) -> bool:
    """True when a fetch of `url` (of `kind`, body `digest`) is to be stored."""
    if not is_listing(kind) or mode == "all":
        return True
    if mode == "none":
        return False
    last = db.execute("select sha256 from pages where url = ? order by id desc limit 1",
                      [url]).fetchone()
    return last is None or last[0] != digest


def prune(db: Database, url: str, kept_id: int) -> int:
    """Mode "latest": delete the older listing fetches of `url` (not its evidence) and the
    bodies no fetch uses any more; return the fetches deleted."""
    old = db.execute("select id, sha256, kind from pages where url = ? and id != ?",
                     [url, kept_id]).fetchall()
    gone = [(page_id, digest) for page_id, digest, kind in old if is_listing(kind)]
    for page_id, _ in gone:
        db.execute("delete from pages where id = ?", [page_id])
    for digest in {digest for _, digest in gone}:
        db.execute("delete from page_bodies where sha256 = ? and not exists "
                   "(select 1 from pages where sha256 = ?)", [digest, digest])
    return len(gone)
