"""The article page's list of the other articles carrying the same story: the members of
its cluster of near-duplicates (scraper/archive/clusters.py), oldest first, each compared
word by word with the first one to carry it."""

from __future__ import annotations

from typing import Any

from datasette.utils import escape_sqlite, tilde_encode

from scraper.archive.diffs import compare_words
from scraper.browse.article import older_archive_rows, web_href

SHOWN = 100  # members listed; a larger cluster says how many more it has


async def carried_by(datasette, database: str, table: str, url: str) -> dict[str, Any]:
    """The articles of the cluster of the article at `url`, with the date each carried the
    story and how far its body is from the first one's; empty when it is alone (or the
    archive has no clusters)."""
    db = datasette.get_database(database)
    members = await older_archive_rows(
        db, "select a.url, a.site, a.title, a.published, a.first_seen, a.body "
        f"from article_clusters c join {escape_sqlite(table)} a on a.url = c.article_url "
        "where c.cluster_id = (select cluster_id from article_clusters where article_url = ?) "
        "order by coalesce(a.published, a.first_seen), a.url", [url])
    if len(members) < 2:
        return {}
    first = members[0]
    for member in members[:SHOWN]:
        member["dated"] = member["published"] or member["first_seen"]
        member["this"] = member["url"] == url
        member["href"] = web_href(member["url"])
        member["row_url"] = datasette.urls.row(database, table, tilde_encode(member["url"]))
        member["compared"] = (compare_words(first["body"], member["body"])
                              if member is not first else None)
    for member in members:
        member.pop("body")
    return {"members": members[:SHOWN], "more": max(0, len(members) - SHOWN),
            "sites": len({m["site"] for m in members})}
