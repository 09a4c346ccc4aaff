"""The Datasette plugin of `scraper serve`: two facets and the data of the article page.

- `link` facet: counts the rows of a link table (article_tags, article_authors,
  article_sources) for the articles on screen, so tags, authors and original sources facet
  like columns do; a value filters with `_link`, which works as Datasette's `_through` but
  names its SQL parameters apart (in 0.65 `_through` and a column filter both use `:p0`).
- `year` facet: the year of an ISO date column; a value filters with `column__startswith`.
- `extra_template_vars`: what `row-archive-articles.html` shows besides the row itself
  (authors, tags, original source, revisions, paragraphs), every value left to Jinja's
  autoescaping.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import (
    escape_fts,
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
    tilde_encode,
    urlsafe_components,
)
from datasette.utils.asgi import BadRequest
from markupsafe import Markup

DATABASE = "archive"  # the name `scraper serve` gives the archive, whatever its file
ARTICLE_TEMPLATE = f"row-{DATABASE}-articles.html"
LINK_ARG = "_link"


class CountingFacet(Facet):
    """What both facets share: a counting query under the facet time limit, and the
    entry of one value in Datasette's facet results."""

    async def counts(self, sql: str, name: str, timed_out: list[str]) -> list | None:
        """The rows of `sql` (over the table's filtered rows); None, and `name` added to
        `timed_out`, when it ran out of time."""
        try:
            found = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                          custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        except QueryInterrupted:
            timed_out.append(name)
            return None
        return found.rows

    def entry(self, value: object, label: object, count: int, path: str,
              selected: bool) -> dict[str, Any]:
        return {"value": value, "label": label, "count": count, "selected": selected,
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path))}


class LinkFacet(CountingFacet):
    """Facet a table by the rows another table links it to, e.g. articles by tag."""

    type = "link"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        db = self.ds.get_database(self.database)
        size = self.get_facet_size()
        selected_args = self._selected()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            link, column = config["table"], config["column"]
            name = config.get("name", link)
            to_us = [fk for fk in await db.foreign_keys_for_table(link)
                     if fk["other_table"] == self.table]
            if not to_us:
                continue
            # On the whole table, count the link table alone (its index on `column` makes
            # that fast); on filtered rows, only the links of those rows.
            among = "" if await self._all_rows() else (
                f"where {escape_sqlite(to_us[0]['column'])} in "
                f"(select {escape_sqlite(to_us[0]['other_column'])} from ({self.sql})) ")
            sql = (f"select {escape_sqlite(column)} as value, count(*) as count "
                   f"from {escape_sqlite(link)} {among}"
                   f"group by value order by count desc, value limit {size + 1}")
            found = await self.counts(sql, name, timed_out)
            if found is None:
                continue
            rows = found[:size]
            labels = await self.ds.expand_foreign_keys(
                self.database, link, column, [r["value"] for r in rows])
            values = []
            for row in rows:
                key = (link, column, str(row["value"]))
                if key in selected_args:
                    path = path_with_removed_args(self.request, {LINK_ARG: selected_args[key]})
                else:
                    path = path_with_added_args(self.request,
                                                {LINK_ARG: link_arg(link, column, row["value"])})
                values.append(self.entry(row["value"], labels.get((column, row["value"]),
                                                                  row["value"]),
                                         row["count"], path, key in selected_args))
            results.append({"name": name, "type": self.type, "hideable": False,
                            "toggle_url": self.ds.urls.path(self.request.path),
                            "results": values, "truncated": len(found) > size})
        return results, timed_out

    async def _all_rows(self) -> bool:
        """Whether the rows on screen are all the table's rows (no filter, no search).

        The archive keeps its foreign keys enforced, so every link then points at one."""
        if self.row_count is None:
            return False
        total = await self.ds.execute(self.database,
                                      f"select count(*) from {escape_sqlite(self.table)}")
        return total.rows[0][0] == self.row_count

    def _selected(self) -> dict[tuple[str, str, str], str]:
        """The `_link` arguments of the request, keyed by (table, column, value)."""
        selected = {}
        for raw in self.request.args.getlist(LINK_ARG):
            try:
                link = json.loads(raw)
                selected[(link["table"], link["column"], str(link["value"]))] = raw
            except (ValueError, KeyError, TypeError):
                continue
        return selected


class YearFacet(CountingFacet):
    """Facet a table by the year of an ISO 8601 date column, newest year first."""

    type = "year"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        pairs = self.get_querystring_pairs()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            sql = (f"select substr({col}, 1, 4) as value, count(*) as count from ({self.sql}) "
                   f"where {col} glob '[0-9][0-9][0-9][0-9]*' "
                   f"group by value order by value desc")
            found = await self.counts(sql, column, timed_out)
            if found is None:
                continue
            key = f"{column}__startswith"
            values = []
            for row in found:
                selected = (key, row["value"]) in pairs
                change = path_with_removed_args if selected else path_with_added_args
                values.append(self.entry(row["value"], row["value"], row["count"],
                                         change(self.request, {key: row["value"]}), selected))
            results.append({"name": column, "type": self.type,
                            "hideable": source_and_config["source"] != "metadata",
                            "toggle_url": self.ds.urls.path(
                                path_with_removed_args(self.request, {"_facet_year": column})),
                            "results": values, "truncated": False})
        return results, timed_out


@hookimpl
def filters_from_request(request, database, table, datasette):
    """`?_link={"table": "article_tags", "column": "tag_id", "value": 5}`: only the rows
    that table links to tag 5; several `_link` arguments narrow further."""
    links = request.args.getlist(LINK_ARG)
    if not links or table is None:
        return None

    async def inner() -> FilterArguments:
        db = datasette.get_database(database)
        clauses, params, described = [], {}, []
        for i, raw in enumerate(links):
            try:
                link = json.loads(raw)
                table_name, column, value = link["table"], link["column"], link["value"]
            except (ValueError, KeyError, TypeError):
                raise BadRequest(f"{LINK_ARG} takes a JSON object with table, column and "
                                 f"value, not {raw!r}") from None
            await datasette.ensure_permissions(request.actor, [
                ("view-table", (database, table_name)), ("view-database", database),
                "view-instance"])
            fks = await db.foreign_keys_for_table(table_name)
            to_us = [fk for fk in fks if fk["other_table"] == table]
            if not to_us:
                raise BadRequest(f"{table_name} does not link to {table}")
            clauses.append(
                f"{escape_sqlite(to_us[0]['other_column'])} in "
                f"(select {escape_sqlite(to_us[0]['column'])} from {escape_sqlite(table_name)} "
                f"where {escape_sqlite(column)} = :link_{i})")
            params[f"link_{i}"] = value
            described.append(await _describe_link(datasette, database, table_name, fks, column,
                                                  value))
        return FilterArguments(clauses, params, described)

    return inner


async def _describe_link(datasette, database: str, link: str, fks: list[dict], column: str,
                         value: object) -> str:
    """`tags is "Europe"` for a link to tag 5: the label of the row the value points at."""
    target = [fk for fk in fks if fk["column"] == column]
    if not target:
        return f"{column} = {value!r}"
    labels = await datasette.expand_foreign_keys(database, link, column, [value])
    label = labels.get((column, value), value)
    return f'{target[0]["other_table"]} is "{label}"'


@hookimpl
def render_cell(value, column, table, database, datasette):
    """An article's URL in any other table, view or query links to its article page."""
    if (database != DATABASE or table == "articles" or column not in ("url", "article_url")
            or not isinstance(value, str) or not value.startswith(("http://", "https://"))):
        return None

    async def article_link() -> Markup | None:
        db = datasette.get_database(database)
        found = await db.execute("select 1 from articles where url = ?", [value])
        if not found.rows:
            return None
        path = datasette.urls.row(database, "articles", tilde_encode(value))
        return Markup('<a href="{}">{}</a>').format(path, value)

    return article_link


@hookimpl
def prepare_jinja2_environment(env) -> None:
    env.filters["article_date"] = date_label


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [LinkFacet, YearFacet]


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if database != DATABASE or table != "articles" or request is None:
        return {}
    if view_name == "table":
        return {
            "article_path": lambda url: datasette.urls.row(database, table, tilde_encode(url)),
            "search_snippet": lambda url: search_snippet(datasette, database, request, url),
        }
    if template != ARTICLE_TEMPLATE:
        return {}

    async def article_page() -> dict[str, Any]:
        url = urlsafe_components(request.url_vars["pks"])[0]
        return await article_context(datasette, database, table, url)

    return article_page


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
    tables = set(await db.table_names())

    async def rows(sql: str) -> list[dict[str, Any]]:
        return [dict(r) for r in await db.execute(sql, [url])]

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
    sources = []
    if {"sources", "article_sources"} <= tables:
        sources = await rows("select s.id, s.name, s.domain, x.url, x.date "
                             "from article_sources x join sources s on s.id = x.source_id "
                             "where x.article_url = ?")
    for source in sources:
        source["href"] = web_href(source["url"])
        source["filter_url"] = filtered("article_sources", "source_id", source["id"])
    revisions = []
    if "revisions" in tables:
        revisions = await rows("select id, revision, recorded_at, reason, changed_fields, "
                               "title, body_diff from revisions where article_url = ? "
                               "order by revision desc")
    for revision in revisions:
        revision["changed"] = ", ".join(_json_list(revision["changed_fields"]))
        revision["diff_lines"] = diff_lines(revision["body_diff"])
        revision["row_url"] = datasette.urls.row(database, "revisions", str(revision["id"]))
    return {
        "article": article,
        "article_href": web_href(article["url"]),
        "paragraphs": paragraphs(article.get("body") or ""),
        "authors": authors,
        "tags": tags,
        "sources": sources,
        "revisions": revisions,
    }


def link_arg(link: str, column: str, value: object) -> str:
    """The `_link` argument: rows that `link` links to the row where `column` = `value`."""
    return json.dumps({"table": link, "column": column, "value": value}, separators=(",", ":"))


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
