"""The archive's schema, built by migrations so that an older archive upgrades in place."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

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


def migrate(db: Database) -> None:
    """Bring `db` to the current schema; a no-op on an up-to-date archive."""
    migrations.apply(db)
