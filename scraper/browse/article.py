"""What the article list and the article page of `scraper serve` show, read from the
archive: every value is plain text, left to the templates' autoescaping."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from datasette.database import QueryInterrupted
from datasette.utils import escape_fts, escape_sqlite, tilde_encode

from scraper.archive.diffs import inline_diff, inline_words, paragraph_diff, word_changes
from scraper.archive.retention import GONE
from scraper.browse.captured import fetches_of
from scraper.browse.facets import LINK_ARG, link_arg

SNIPPET_START, SNIPPET_END = "\x02", "\x03"  # around matches; never in archived text


async def search_snippet(datasette, database: str, request, url: str) -> list[tuple[str, bool]]:
    """The words around the matches of the page's full-text search in the article at `url`,
    as (text, is_match) pieces for the template to mark up (and escape)."""
    query = request.args.get("_search")
    if not query:
        return []
    if request.args.get("_searchmode") != "raw":
        query = escape_fts(query)
    db = datasette.get_database(database)
    try:
        found = await db.execute(
            f"select snippet(articles_fts, -1, '{SNIPPET_START}', '{SNIPPET_END}', '…', 24) "
            "from articles_fts where articles_fts match :query "
            "and rowid = (select rowid from articles where url = :url)",
            {"query": query, "url": url})
    except (QueryInterrupted, sqlite3.OperationalError):
        return []
    if not found.rows:
        return []
    pieces = []
    for i, part in enumerate(found.rows[0][0].split(SNIPPET_START)):
        marked, _, rest = part.partition(SNIPPET_END) if i else ("", "", part)
        pieces += [(marked, True)] if marked else []
        pieces += [(rest, False)] if rest else []
    return pieces


async def article_context(datasette, database: str, table: str, url: str) -> dict[str, Any]:
    """Everything the article page shows about the article at `url`."""
    db = datasette.get_database(database)

    async def rows(sql: str) -> list[dict[str, Any]]:
        return await older_archive_rows(db, sql, [url])

    found = await rows(f"select * from {escape_sqlite(table)} where url = ?")
    if not found:
        return {}
    article = found[0]
    articles_url = datasette.urls.table(database, table)

    def filtered(link: str, column: str, value: object) -> str:
        return f"{articles_url}?{urlencode({LINK_ARG: link_arg(link, column, value)})}"

    authors = await rows("select au.id, au.name from article_authors aa "
                         "join authors au on au.id = aa.author_id "
                         "where aa.article_url = ? order by aa.position")
    for author in authors:
        author["filter_url"] = filtered("article_authors", "author_id", author["id"])
    tags = await rows("select t.id, t.name, t.kind from article_tags x "
                      "join tags t on t.id = x.tag_id where x.article_url = ? order by x.position")
    for tag in tags:
        tag["filter_url"] = filtered("article_tags", "tag_id", tag["id"])
    sources = await rows("select s.id, s.name, s.domain, x.url, x.date "
                         "from article_sources x join sources s on s.id = x.source_id "
                         "where x.article_url = ?")
    for source in sources:
        source["href"] = web_href(source["url"])
        source["filter_url"] = filtered("article_sources", "source_id", source["id"])
    revisions = await rows("select id, revision, recorded_at, reason, changed_fields, "
                           "title, body from revisions where article_url = ? "
                           "order by revision desc")
    newer = article  # the version that replaced each revision, newest first
    for revision in revisions:
        revision["changed"] = ", ".join(_json_list(revision["changed_fields"]))
        revision |= version_diff(revision, newer)
        revision["row_url"] = datasette.urls.row(database, "revisions", str(revision["id"]))
        newer = revision
    originals, republishers = await republication_context(datasette, database, table, article)
    fetches = await fetches_of(datasette, database, url)
    return {
        "fetches": fetches,
        # The copy to read: the newest fetch that gave the article (a gone one's last).
        "captured": next((f for f in fetches if f["status"] == 200), None),
        # The answer that found it gone: the first 404 or 410 (gone_at is its date).
        "gone_fetch": next((f for f in reversed(fetches) if f["kind"] == GONE), None),
        "article": article,
        "article_href": web_href(article["url"]),
        "originals": originals,
        "republishers": republishers,
        "paragraphs": paragraphs(article.get("body") or ""),
        "authors": authors,
        "tags": tags,
        "sources": sources,
        "revisions": revisions,
    }


PAIR_COLUMNS = ("r.similarity, r.words_added, r.words_removed, r.recorded_at, a.site, a.title, "
                "a.body")


async def republication_context(datasette, database: str, table: str, article: dict[str, Any]
                                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The originals the article at `url` republishes, each with the diff from it to the
    article (what the republisher changed), and the articles that republish it."""
    db = datasette.get_database(database)
    url = article["url"]

    async def pairs(side: str, other: str) -> list[dict[str, Any]]:
        rows = await older_archive_rows(
            db, f"select r.{other} as url, {PAIR_COLUMNS} from republications r "
            f"join {escape_sqlite(table)} a on a.url = r.{other} where r.{side} = ? "
            "order by r.similarity desc", [url])
        for row in rows:
            row["href"] = web_href(row["url"])
            row["row_url"] = datasette.urls.row(database, table, tilde_encode(row["url"]))
        return rows

    originals = await pairs("republished_url", "original_url")
    for original in originals:
        body = original.pop("body")
        original["changes"] = word_changes(body, article.get("body"))
        original["diff_lines"] = diff_lines(paragraph_diff(body, article.get("body"),
                                                           original["url"], url))
    republishers = await pairs("original_url", "republished_url")
    for republisher in republishers:
        del republisher["body"]
    return originals, republishers


async def older_archive_rows(db, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """The rows of `sql`; none where the archive is older than the table asked for (a
    read-only command serves an archive as it is, without migrating it)."""
    try:
        return [dict(r) for r in await db.execute(sql, params)]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc) or "no such column" in str(exc):
            return []
        raise


def version_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from an older version to the one that replaced it, word by word inside
    each paragraph: `title_diff` (pieces; none if the title stayed) and `body_diff_inline`
    (paragraphs; none if the body stayed)."""
    return {
        "title_diff": inline_words(old["title"], new["title"])
        if old["title"] != new["title"] else (),
        "body_diff_inline": inline_diff(old["body"], new["body"])
        if old["body"] != new["body"] else [],
    }


def diff_lines(diff: str | None) -> list[dict[str, str]]:
    """The lines of a unified diff with their kind (added, removed, hunk, file, same), so
    the page can colour them."""
    kinds = []
    for line in (diff or "").splitlines():
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        else:
            kind = {"+": "added", "-": "removed"}.get(line[:1], "same")
        kinds.append({"kind": kind, "text": line})
    return kinds


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs: the archive separates them with one blank line."""
    return [p.strip() for p in body.split("\n\n") if p.strip()]


def date_label(value: str | None) -> str:
    """`2019-05-30` -> `30 May 2019`; a time, when there is one, is kept as given."""
    if not value:
        return "undated"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    label = f"{moment.day} {moment:%B %Y}"
    return f"{label}, {moment:%H:%M}" if "T" in value else label


def web_href(url: str | None) -> str | None:
    """`url` if it is an http(s) address, so that no `javascript:` link reaches a page."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return [text or ""]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
