"""Full-text search as a researcher drives it: plain or expert mode, relevance or date order,
and a query FTS5 cannot parse answered with a message beside the search box.

The page speaks Datasette's own arguments (`_search`, `_searchmode=escaped|raw`), so a search
moves between this page (relevance order) and the article list (date order, with facets
and the chart) unchanged, and the list's snippets (article.search_snippet) read the same.
- plain (`escaped`): every word must appear; each word is quoted, so `grain OR flood` asks
  for the three words and never fails to parse; a plain query that looks like FTS5 syntax
  says so and offers the expert search, with its count;
- expert (`raw`): FTS5 syntax (OR, AND, NOT, NEAR(), "phrases", prefix*).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import urlencode

from datasette.database import QueryInterrupted
from datasette.utils import escape_fts, path_with_replaced_args, tilde_encode
from datasette.utils.asgi import Response

from scraper.browse.article import search_snippet
from scraper.browse.charts import chart_context

FTS_TABLE = "articles_fts"
MODES = {"escaped": "plain", "raw": "expert"}
ORDERS = {"relevance": "most relevant first", "newest": "newest first", "oldest": "oldest first"}
DATE_SORT = {"newest": "_sort_desc", "oldest": "_sort"}
SEARCH_ARGS = ("_search", "_searchmode", "_order", "_page")
OPERATORS = re.compile(r'(?:^|\s)(?:OR|AND|NOT|NEAR)(?:\s|\(|$)|["*]')
PAGE_SIZE = 50


@dataclass
class Search:
    """One search as the page asked it: the text, the mode and the order."""

    text: str
    mode: str  # escaped (plain) or raw (expert), as Datasette names them
    order: str

    @classmethod
    def from_args(cls, args) -> Search:
        mode = args.get("_searchmode")
        order = args.get("_order")
        return cls((args.get("_search") or "").strip(), mode if mode in MODES else "escaped",
                   order if order in ORDERS else "relevance")

    @property
    def match(self) -> str:
        """The FTS5 query: the words quoted in plain mode, the text as typed in expert mode."""
        return self.text if self.mode == "raw" else escape_fts(self.text)


async def parse_error(db, match: str) -> str | None:
    """FTS5's complaint about `match`, or None if it parses. (On a connection of its own
    call, so that Datasette does not log the expected error as a failed query.)"""
    def check(conn) -> str | None:
        try:
            conn.execute(f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ? limit 1",
                         [match]).fetchall()
        except sqlite3.OperationalError as exc:
            return str(exc).removeprefix("fts5: ")
        return None

    return await db.execute_fn(check)


async def count(db, match: str) -> int | None:
    """Articles that `match` finds (None past the time limit or if it does not parse)."""
    if await parse_error(db, match):
        return None
    try:
        found = await db.execute(
            f"select count(*) from {FTS_TABLE} where {FTS_TABLE} match :q", {"q": match})
    except QueryInterrupted:
        return None
    return found.rows[0][0]


async def plain_hint(db, search: Search) -> dict | None:
    """When a plain query looks like FTS5 syntax, or finds nothing, what else would find
    something: the count of its expert reading (`expert_count`, None if it does not parse)
    and of any of its words (`any_words`, `any_count`); None for a plain query that finds
    articles and looks like no syntax."""
    if search.mode != "escaped" or not search.text:
        return None
    looks_expert = bool(OPERATORS.search(search.text))
    found = await count(db, search.match)
    if not looks_expert and found:
        return None
    words = [w for w in re.findall(r"\w+", search.text) if w not in ("OR", "AND", "NOT", "NEAR")]
    return {
        "looks_expert": looks_expert,
        "found": found,
        "expert_count": await count(db, search.text) if looks_expert else None,
        "any_words": " OR ".join(words),
        "any_count": await count(db, " OR ".join(escape_fts(w) for w in words)) if words
        else None,
    }


def search_url(base: str, search: Search, **changes: str) -> str:
    """The search page's URL for `search` with some arguments changed."""
    args = {"_search": search.text, "_searchmode": search.mode, "_order": search.order}
    args.update(changes)
    return f"{base}?{urlencode(args)}"


def list_url(table_url: str, search: Search, extra: list[tuple[str, str]] = ()) -> str:
    """The article list (date order, facets, chart) of `search`, with `extra` arguments
    (the filters the search was made from)."""
    args = [("_search", search.text), ("_searchmode", search.mode)]
    if search.order in DATE_SORT:
        args.append((DATE_SORT[search.order], "published"))
    return f"{table_url}?{urlencode(args + list(extra))}"


def passed_filters(args) -> list[tuple[str, str]]:
    """The arguments of a request other than the search's own: the list's filters."""
    return [(key, value) for key in args for value in args.getlist(key)
            if key not in SEARCH_ARGS and key not in ("_sort", "_sort_desc", "_next")]


async def ranked(db, match: str, page: int) -> list[dict]:
    """One page of the articles `match` finds, most relevant (FTS5 rank, bm25) first (all
    their columns: an older archive lacks some that the list shows when they are there)."""
    found = await db.execute(
        f"select a.* from {FTS_TABLE} f join articles a on a.rowid = f.rowid "
        f"where {FTS_TABLE} match :q order by f.rank limit {PAGE_SIZE} offset :offset",
        {"q": match, "offset": PAGE_SIZE * page})
    return [dict(row) for row in found.rows]


def matching_sql() -> str:
    """All columns of the articles a search finds, for the chart of its results."""
    return (f"select * from articles where rowid in "
            f"(select rowid from {FTS_TABLE} where {FTS_TABLE} match :q)")


async def search_page(datasette, request, database: str, path: str,
                      error: str | None = None):
    """The search page: the form, and the results most relevant first; a date order goes
    to the article list. A query that does not parse gets its message (status 400)."""
    search = Search.from_args(request.args)
    db = datasette.get_database(database)
    table_url = datasette.urls.table(database, "articles")
    filters = passed_filters(request.args)
    if search.text and error is None:
        error = await parse_error(db, search.match)
    if search.text and error is None and search.order in DATE_SORT:
        return Response.redirect(list_url(table_url, search, filters))
    context = {"search": search, "error": error, "modes": MODES, "orders": ORDERS,
               "filters": filters, "table_url": table_url, "results": [], "total": None,
               "hint": None, "page": 0, "next_url": None, "chart": None}
    if search.text and error is None:
        page_arg = request.args.get("_page") or "0"
        page = int(page_arg) if page_arg.isdigit() else 0
        context["total"] = await count(db, search.match)
        context["results"] = await ranked(db, search.match, page)
        context["hint"] = await plain_hint(db, search)
        context["page"] = page
        if context["total"] and PAGE_SIZE * (page + 1) < context["total"]:
            context["next_url"] = search_url(path, search, _page=str(page + 1))
        context["list_url"] = list_url(table_url, search, filters)
        context["chart"] = await chart_context(datasette, db, request, matching_sql(),
                                               {"q": search.match}, context["list_url"],
                                               context["total"])
    html = await datasette.render_template("archive-search.html", {
        **context, "database": database, "search_path": path, "search_filters": filters,
        "search_hint": context.pop("hint"), "path_with_replaced_args": path_with_replaced_args,
        "article_path": lambda url: datasette.urls.row(database, "articles", tilde_encode(url)),
        "search_snippet": lambda url: search_snippet(datasette, database, request, url),
    }, request=request)
    return Response.html(html, status=400 if error else 200)
