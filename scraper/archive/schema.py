"""The archive's schema, built by migrations so that an older archive upgrades in place.

A migration is never edited once released: a change of schema is a new mNNN function that
moves an existing archive, with its data, to the new shape.
"""

from __future__ import annotations

import gzip

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from scraper.archive.bodies import sha256
from scraper.urls import host_of

migrations = Migrations("news-archive")


@migrations()
def m001_articles(db: Database) -> None:
    db["articles"].create(
        {
            "url": str,
            "site": str,
            "title": str,
            "subtitle": str,
            "byline": str,
            "authors": str,  # JSON list, also linked through article_authors
            "published": str,
            "published_text": str,
            "tags": str,  # JSON list of {"name", "kind"}, also linked through article_tags
            "body": str,
            "original_source": str,
            "original_source_url": str,
            "original_source_date": str,
            "language": str,
            "word_count": int,
            "content_hash": str,
            "fetched_at": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="url",
        not_null={"site", "title", "body", "content_hash", "fetched_at"},
    )
    db["articles"].create_index(["published"])
    db["articles"].create_index(["site", "published"])
    db["authors"].create({"id": int, "name": str}, pk="id", not_null={"name"})
    db["authors"].create_index(["name"], unique=True)
    db["article_authors"].create(
        {"article_url": str, "author_id": int, "position": int},
        pk=("article_url", "author_id"),
        foreign_keys=[("article_url", "articles", "url"), ("author_id", "authors", "id")],
    )
    db["tags"].create({"id": int, "name": str, "kind": str}, pk="id", not_null={"name", "kind"})
    db["tags"].create_index(["name", "kind"], unique=True)
    db["article_tags"].create(
        {"article_url": str, "tag_id": int, "position": int},
        pk=("article_url", "tag_id"),
        foreign_keys=[("article_url", "articles", "url"), ("tag_id", "tags", "id")],
    )
    db["article_authors"].create_index(["author_id"])
    db["article_tags"].create_index(["tag_id"])
    db["pages"].create(
        {
            "url": str,
            "fetched_url": str,
            "status": int,
            "headers": str,  # JSON object
            "encoding": str,
            "fetched_at": str,
            "sha256": str,
            "html_gzip": bytes,
        },
        pk="url",
        foreign_keys=[("url", "articles", "url")],
    )
    db["articles"].enable_fts(
        ["title", "body"], fts_version="FTS5", tokenize="porter", create_triggers=True
    )


@migrations()
def m002_research_archive(db: Database) -> None:
    """Revisions, one page row per fetch with bodies stored once, runs, original sources,
    FTS over the byline too, and views for the common questions."""
    articles = db.table("articles")
    articles.add_column("modified", str)
    articles.add_column("last_changed", str)
    articles.add_column("revision_count", int, not_null_default=0)
    articles.add_column("status", str, not_null_default="live")
    # m001 kept no history: the current version is the one first seen.
    db.execute("update articles set last_changed = first_seen")
    articles.create_index(["last_changed"])
    articles.create_index(["status"])

    db.table("revisions").create(
        {
            "id": int,
            "article_url": str,
            "revision": int,  # 1 for the first version replaced, then 2, ...
            "recorded_at": str,  # when the version below stopped being the current one
            "reason": str,  # "recrawl" (the publisher changed it) or "reextract" (we did)
            "changed_fields": str,  # JSON list of the fields that differ from the next version
            # The OLD version, whole:
            "title": str,
            "subtitle": str,
            "byline": str,
            "authors": str,
            "published": str,
            "modified": str,
            "tags": str,
            "body": str,
            "original_source": str,  # JSON object or null
            "content_hash": str,
            "fetched_at": str,
            "body_diff": str,  # unified diff from this body to the next version's
        },
        pk="id",
        not_null={"article_url", "revision", "recorded_at", "reason", "changed_fields"},
        foreign_keys=[("article_url", "articles", "url")],
    )
    db.table("revisions").create_index(["article_url", "revision"], unique=True)
    db.table("revisions").create_index(["recorded_at"])

    db.table("runs").create(
        {
            "id": int,
            "spider": str,
            "arguments": str,  # JSON object
            "started": str,
            "finished": str,
            "exit_reason": str,
            "new": int,
            "changed": int,
            "unchanged": int,
            "not_article": int,
            "blocked": int,
            "failed": int,
            "dropped": str,  # JSON object: reason -> count
        },
        pk="id",
        not_null={"spider", "started"},
    )

    _move_pages(db)
    _add_sources(db)

    articles.disable_fts()
    articles.enable_fts(["title", "byline", "body"], fts_version="FTS5", tokenize="porter",
                        create_triggers=True)
    # Re-index a row only when an indexed column is written: a re-crawl that finds the page
    # unchanged moves last_seen, and must not pay for the text's tokenizing twice.
    db.execute("drop trigger articles_au")
    db.execute(
        "create trigger articles_au after update of title, byline, body on articles begin "
        "insert into articles_fts (articles_fts, rowid, title, byline, body) "
        "values ('delete', old.rowid, old.title, old.byline, old.body); "
        "insert into articles_fts (rowid, title, byline, body) "
        "values (new.rowid, new.title, new.byline, new.body); end")
    for name, sql in VIEWS.items():
        db.create_view(name, sql)


def _move_pages(db: Database) -> None:
    """m001 kept one gzip page per article URL; now every fetch is a row and each distinct
    body is stored once in page_bodies."""
    db.execute("alter table pages rename to pages_m001")
    db.table("page_bodies").create(
        {"sha256": str, "compression": str, "content": bytes, "size": int},
        pk="sha256",
        not_null={"compression", "content", "size"},
    )
    db.table("pages").create(
        {
            "id": int,
            "url": str,  # the canonical URL of the article the page should hold
            "final_url": str,  # where it was fetched from, after redirects
            "status": int,
            "headers": str,  # JSON object
            "encoding": str,
            "fetched_at": str,
            "sha256": str,
            "run_id": int,
        },
        pk="id",
        not_null={"url", "fetched_at", "sha256"},
        foreign_keys=[("sha256", "page_bodies", "sha256"), ("run_id", "runs", "id")],
    )
    db.table("pages").create_index(["url", "fetched_at"])
    db.table("pages").create_index(["sha256"])
    db.table("pages").create_index(["run_id"])
    old = db.conn.execute("select url, fetched_url, status, headers, encoding, fetched_at, "
                          "sha256, html_gzip from pages_m001 order by rowid")
    for url, final_url, status, headers, encoding, fetched_at, digest, html_gzip in old:
        # (a cursor, not fetchall: an old archive's pages need not fit in memory)
        body = gzip.decompress(html_gzip)
        digest = digest or sha256(body)
        db.execute("insert or ignore into page_bodies (sha256, compression, content, size) "
                   "values (?, 'gzip', ?, ?)", [digest, html_gzip, len(body)])
        db.execute("insert into pages (url, final_url, status, headers, encoding, fetched_at, "
                   "sha256) values (?, ?, ?, ?, ?, ?, ?)",
                   [url, final_url, status, headers, encoding, fetched_at, digest])
    db.execute("drop table pages_m001")


def _add_sources(db: Database) -> None:
    """Original sources of republished articles as a table of their own, linked per article."""
    db.table("sources").create({"id": int, "name": str, "domain": str}, pk="id",
                               not_null={"name"})
    db.table("sources").create_index(["name", "domain"], unique=True)
    db.table("article_sources").create(
        {"article_url": str, "source_id": int, "url": str, "date": str},
        pk=("article_url", "source_id"),
        foreign_keys=[("article_url", "articles", "url"), ("source_id", "sources", "id")],
    )
    db.table("article_sources").create_index(["source_id"])
    rows = db.execute("select url, original_source, original_source_url, original_source_date "
                      "from articles where original_source is not null "
                      "or original_source_url is not null").fetchall()
    for article_url, name, url, day in rows:
        link_source(db, article_url, {"name": name, "url": url, "date": day})


def link_source(db: Database, article_url: str, source: dict[str, str | None] | None,
                fresh: bool = False) -> None:
    """Point the article at its original source (a `sources` row made on first sight);
    `fresh`: the article has no link yet."""
    if not fresh:
        db.execute("delete from article_sources where article_url = ?", [article_url])
    if not source or not (source.get("name") or source.get("url")):
        return
    domain = host_of(source["url"]) if source.get("url") else None
    name = source.get("name") or domain
    row = db.execute("select id from sources where name = ? and domain is ?",
                     [name, domain]).fetchone()
    source_id = row[0] if row else db.execute(
        "insert into sources (name, domain) values (?, ?)", [name, domain]).lastrowid
    db.execute("insert into article_sources (article_url, source_id, url, date) "
               "values (?, ?, ?, ?)", [article_url, source_id, source.get("url"),
                                       source.get("date")])


VIEWS = {
    "articles_per_site_month": """
select site, coalesce(substr(published, 1, 7), 'undated') as month, count(*) as articles
from articles
group by site, month
order by site, month
""",
    "republished_by_source": """
select s.name as source, s.domain as source_domain, a.url, a.site, a.title, a.published,
       x.url as original_url, x.date as original_date
from article_sources x
join sources s on s.id = x.source_id
join articles a on a.url = x.article_url
order by s.name, a.published desc
""",
    "recently_changed": """
select a.url, a.site, a.title, a.last_changed, a.revision_count, r.reason,
       r.changed_fields, r.title as previous_title
from articles a
join revisions r on r.article_url = a.url and r.revision = a.revision_count
where a.revision_count > 0
order by a.last_changed desc
""",
}


# FTS5 merges a level's segments once it holds this many (its default: 4). Each committed batch
# adds a small segment; merging them by 8 rewrites the index less often: writes of 100,000
# articles went from 2,070 to 2,220 a second (bench/archive_speed.py's batches). Queries are
# not slower: their cost is the rows they match, not the index's twenty-odd segments.
FTS_AUTOMERGE = 8


@migrations()
def m003_fts_automerge(db: Database) -> None:
    """Cheaper full-text indexing of each batch (the setting is stored in the index itself,
    so every writer of the archive uses it)."""
    db.execute("insert into articles_fts (articles_fts, rank) values ('automerge', ?)",
               [FTS_AUTOMERGE])


@migrations()
def m004_run_failures(db: Database) -> None:
    """Failed fetches of each run by reason (timeout, http_503, offsite_redirect...), beside
    their total in `failed`."""
    db.table("runs").add_column("failures", str)  # JSON object: reason -> count


@migrations()
def m005_republications(db: Database) -> None:
    """Pairs of a republished article and its original, both archived, with how much the
    republisher changed; and an index to find the articles that cite an original."""
    db.table("republications").create(
        {
            "republished_url": str,
            "original_url": str,
            "similarity": float,  # of the two bodies' words, 0 to 1
            "words_added": int,  # by the republisher
            "words_removed": int,  # of the original's
            "recorded_at": str,
        },
        pk=("republished_url", "original_url"),
        not_null={"similarity", "words_added", "words_removed", "recorded_at"},
        foreign_keys=[("republished_url", "articles", "url"),
                      ("original_url", "articles", "url")],
    )
    db.table("republications").create_index(["original_url"])
    db.table("articles").create_index(["original_source_url"])


@migrations()
def m006_republication_kinds(db: Database) -> None:
    """A site named as its own original source is no republication: such rows (stored before
    the source line was compared with the site) lose their original source, their
    `article_sources` link, and the `sources` row no other article links to. The test is the
    extraction's own (`names_the_site`), on what the row holds: its site's declaration and
    the source's name and URL. Revisions keep what they recorded.

    Articles get their `kind` of post (article, video, digest: post_kind.py), indexed for
    filtering; rows stored before have none (null) until `scraper reextract` or a
    `--refresh` crawl reads their pages again.

    Runs get the drift canary: how many of the run's new bodies still hold a note, label or
    date line of their site's boilerplate rules, that share, and the count by rule."""
    from scraper.extraction.fields.source import names_the_site
    from scraper.sites import SITES, generic_site

    if "kind" not in db.table("articles").columns_dict:  # (the test runs m006 again)
        db.table("articles").add_column("kind", str)
        db.table("articles").create_index(["kind"])
        runs = db.table("runs")
        runs.add_column("boilerplate_leaks", int)
        runs.add_column("boilerplate_leak_share", float)
        runs.add_column("boilerplate_leak_rules", str)  # JSON object: rule -> bodies

    rows = db.execute("select url, site, original_source, original_source_url from articles "
                      "where original_source is not null or original_source_url is not null"
                      ).fetchall()
    own: list[str] = []
    for url, site_name, name, source_url in rows:
        site = SITES.get(site_name) or generic_site(url)
        if names_the_site(name, source_url, site):
            own.append(url)
    linked = set()
    for url in own:
        linked |= {r[0] for r in db.execute(
            "select source_id from article_sources where article_url = ?", [url])}
        db.execute("update articles set original_source = null, original_source_url = null, "
                   "original_source_date = null where url = ?", [url])
        db.execute("delete from article_sources where article_url = ?", [url])
    for source_id in linked:
        db.execute("delete from sources where id = ? and not exists "
                   "(select 1 from article_sources where source_id = ?)", [source_id, source_id])


@migrations()
def m007_page_kinds(db: Database) -> None:
    """What each fetch was, so that a crawl knows which pages are evidence to keep (articles,
    bot walls, soft 404s, dropped pages) and which are listings whose old versions it may let
    go (fronts, sections, tags, feeds, sitemaps: see ARCHIVE_KEEP_LISTINGS). Fetches stored
    before have none (null): they are kept as evidence.

    Runs get the counts of what an incremental run did not download: pages that answered
    304 (`not_modified`) and archived articles the revisit policy left alone
    (`revisit_skipped`)."""
    db.table("pages").add_column("kind", str)
    db.table("runs").add_column("not_modified", int)
    db.table("runs").add_column("revisit_skipped", int)


@migrations()
def m008_run_log_files(db: Database) -> None:
    """Each run names the file it logged to (scraper/runlog.py), so that `scraper runs` and
    a look at the table lead from a run to its log; null when it logged to the terminal."""
    db.table("runs").add_column("log_file", str)


@migrations()
def m009_drift(db: Database) -> None:
    """The drift alarm of each run: per site, the share of its new articles that have each
    field and of its bodies that still hold boilerplate; whether that made the run degraded
    (older runs: null, never judged), and why."""
    runs = db.table("runs")
    runs.add_column("drift", str)  # JSON object: site -> {"articles", "title", ...}
    runs.add_column("degraded", int)
    runs.add_column("drift_reasons", str)  # JSON list of lines


@migrations()
def m010_clusters(db: Database) -> None:
    """Near-duplicate clusters (scraper/archive/clusters.py): each article's MinHash
    signature of its body, with the content hash it was made from (a changed article is
    signed again); its LSH band keys, the primary key of their table, so that a new
    article's candidates are index lookups; the cluster each signed article belongs to; the
    parameters the signatures were made with. Views rank the stories carried by most sites
    and the pairs of sites that most often carry the same texts."""
    db.table("body_signatures").create(
        {"id": int, "article_url": str, "content_hash": str,
         "signature": bytes,  # NUM_PERM little-endian uint32; null: too short a body
         "recorded_at": str},
        pk="id", not_null={"article_url", "content_hash", "recorded_at"},
        foreign_keys=[("article_url", "articles", "url")])
    db.table("body_signatures").create_index(["article_url"], unique=True)
    db.execute("create table signature_bands (key integer not null, signature_id integer "
               "not null references body_signatures(id), primary key (key, signature_id)) "
               "without rowid")
    db.table("article_clusters").create(
        {"article_url": str, "cluster_id": int, "recorded_at": str},
        pk="article_url", not_null={"cluster_id", "recorded_at"},
        foreign_keys=[("article_url", "articles", "url")])
    db.table("article_clusters").create_index(["cluster_id"])
    db.table("signature_parameters").create({"name": str, "value": str}, pk="name",
                                            not_null={"value"})
    for name, sql in CLUSTER_VIEWS.items():
        db.create_view(name, sql)


# The clusters of more than one article, and their articles with the date each carried
# the story (published, or first seen when the page gives no date).
_SHARED = """
with members as (
  select c.cluster_id, a.url, a.site, a.title, coalesce(a.published, a.first_seen) as dated
  from article_clusters c join articles a on a.url = c.article_url
  where c.cluster_id in (select cluster_id from article_clusters group by cluster_id
                         having count(*) > 1)
)"""
CLUSTER_VIEWS = {
    "stories_across_sites": _SHARED + """,
ranked as (
  select *, row_number() over (partition by cluster_id order by dated, url) as position
  from members
)
select cluster_id, count(distinct site) as sites, count(*) as articles,
       max(case when position = 1 then title end) as title,
       max(case when position = 1 then site end) as first_site,
       max(case when position = 1 then url end) as first_url,
       min(dated) as first_date, max(dated) as last_date,
       group_concat(distinct site) as site_names
from ranked
group by cluster_id
having count(distinct site) > 1
order by sites desc, articles desc, first_date
""",
    "sites_sharing_stories": _SHARED + """,
per_site as (
  select cluster_id, site, min(dated) as dated from members group by cluster_id, site
)
select x.site as site, y.site as other_site, count(*) as shared_stories,
       sum(x.dated < y.dated) as site_first, sum(y.dated < x.dated) as other_site_first
from per_site x join per_site y on y.cluster_id = x.cluster_id and x.site < y.site
group by x.site, y.site
order by shared_stories desc, x.site, y.site
""",
}


@migrations()
def m011_gone_at(db: Database) -> None:
    """When the archive found each gone article gone: the fetch time of the first 404 or 410
    answer (null while live). The answer itself is kept in `pages` (kind "gone"). Articles
    marked gone before this have no date: their 404 was never stored."""
    db.table("articles").add_column("gone_at", str)


@migrations()
def m012_writer_state(db: Database) -> None:
    """The archive writer of a distributed crawl (scraper/distributed/writer.py): the last
    Redis stream entry whose records are in the archive (written in the same transaction as
    them, so a redelivered entry is never written twice), and each worker's run with what
    the writer has counted of it so far (its stats and drift counts, so that a restarted
    writer finishes the run as one that never stopped would)."""
    db.execute("create table if not exists writer_offsets (stream text primary key, "
               "last_id text not null)")
    db.execute("create table if not exists writer_runs (worker text primary key, "
               "run_id integer not null references runs(id), state text not null)")


def migrate(db: Database) -> None:
    """Bring `db` to the current schema; a no-op on an up-to-date archive."""
    migrations.apply(db)
