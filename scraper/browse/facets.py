"""Facets of `scraper serve` beyond Datasette's own, and the filter their values use.

- `link` facet: counts the rows of a link table (article_tags, article_authors,
  article_sources) for the rows on screen, so tags, authors and original sources facet
  like columns do; a value filters with `_link` (`link_filters`), which works as
  Datasette's `_through` but names its SQL parameters apart: in 0.65 `_through` and a
  column filter both use `:p0`, and together they match nothing.
- `year` facet: the year of an ISO 8601 date column; a value filters with
  `column__startswith`.
"""

from __future__ import annotations

import json
from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import BadRequest

LINK_ARG = "_link"


class CountingFacet(Facet):
    """What both facets share: one result per configured facet, each from a counting query
    under the facet time limit; a facet that runs out of time is reported as timed out."""

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            try:
                result = await self.result(config, source_and_config["source"] == "metadata")
            except QueryInterrupted:
                timed_out.append(self.name(config))
                continue
            if result is not None:
                results.append({"name": self.name(config), "type": self.type, **result})
        return results, timed_out

    def name(self, config: dict[str, Any]) -> str:
        raise NotImplementedError

    async def result(self, config: dict[str, Any], from_metadata: bool) -> dict[str, Any] | None:
        """The facet's values, toggle URL, hideable and truncated; None if it doesn't apply."""
        raise NotImplementedError

    async def counts(self, sql: str) -> list:
        """The rows of `sql` (a count over the table's filtered rows)."""
        found = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                      custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        return found.rows

    def entry(self, value: object, label: object, count: int, path: str,
              selected: bool) -> dict[str, Any]:
        return {"value": value, "label": label, "count": count, "selected": selected,
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path))}


class LinkFacet(CountingFacet):
    """Facet a table by the rows another table links it to, e.g. articles by tag."""

    type = "link"

    def name(self, config: dict[str, Any]) -> str:
        return config.get("name", config["table"])

    async def result(self, config: dict[str, Any], from_metadata: bool) -> dict[str, Any] | None:
        link, column = config["table"], config["column"]
        db = self.ds.get_database(self.database)
        to_us = [fk for fk in await db.foreign_keys_for_table(link)
                 if fk["other_table"] == self.table]
        if not to_us:
            return None
        size = self.get_facet_size()
        # On the whole table, count the link table alone (its index on `column` makes that
        # fast); on filtered rows, only the links of those rows.
        among = "" if await self._all_rows() else (
            f"where {escape_sqlite(to_us[0]['column'])} in "
            f"(select {escape_sqlite(to_us[0]['other_column'])} from ({self.sql})) ")
        found = await self.counts(f"select {escape_sqlite(column)} as value, count(*) as count "
                                  f"from {escape_sqlite(link)} {among}group by value "
                                  f"order by count desc, value limit {size + 1}")
        rows = found[:size]
        labels = await self.ds.expand_foreign_keys(
            self.database, link, column, [r["value"] for r in rows])
        selected_args = self._selected()
        values = []
        for row in rows:
            key = (link, column, str(row["value"]))
            if key in selected_args:
                path = path_with_removed_args(self.request, {LINK_ARG: selected_args[key]})
            else:
                path = path_with_added_args(self.request,
                                            {LINK_ARG: link_arg(link, column, row["value"])})
            label = labels.get((column, row["value"]), row["value"])
            values.append(self.entry(row["value"], label, row["count"], path,
                                     key in selected_args))
        return {"hideable": False, "toggle_url": self.ds.urls.path(self.request.path),
                "results": values, "truncated": len(found) > size}

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
                link, column, value = parse_link(raw)
            except ValueError:
                continue
            selected[(link, column, str(value))] = raw
        return selected


class YearFacet(CountingFacet):
    """Facet a table by the year of an ISO 8601 date column, newest year first."""

    type = "year"

    def name(self, config: dict[str, Any]) -> str:
        return config.get("column") or config["simple"]

    async def result(self, config: dict[str, Any], from_metadata: bool) -> dict[str, Any]:
        column = self.name(config)
        col = escape_sqlite(column)
        found = await self.counts(
            f"select substr({col}, 1, 4) as value, count(*) as count from ({self.sql}) "
            f"where {col} glob '[0-9][0-9][0-9][0-9]*' group by value order by value desc")
        pairs = self.get_querystring_pairs()
        key = f"{column}__startswith"
        values = []
        for row in found:
            selected = (key, row["value"]) in pairs
            change = path_with_removed_args if selected else path_with_added_args
            values.append(self.entry(row["value"], row["value"], row["count"],
                                     change(self.request, {key: row["value"]}), selected))
        return {"hideable": not from_metadata,
                "toggle_url": self.ds.urls.path(
                    path_with_removed_args(self.request, {"_facet_year": column})),
                "results": values, "truncated": False}


def link_arg(link: str, column: str, value: object) -> str:
    """The `_link` argument: rows that `link` links to the row where `column` = `value`."""
    return json.dumps({"table": link, "column": column, "value": value}, separators=(",", ":"))


def parse_link(raw: str) -> tuple[str, str, object]:
    """(table, column, value) of a `_link` argument; ValueError if it is not one."""
    try:
        link = json.loads(raw)
        return link["table"], link["column"], link["value"]
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"not a {LINK_ARG} argument: {raw!r}") from None


def link_filters(request, database, table, datasette):
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
                table_name, column, value = parse_link(raw)
            except ValueError:
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
