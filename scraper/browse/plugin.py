"""The Datasette plugin of `scraper serve`: its hooks, each handing over to a module.

- facets (facets.py): `link` and `year`, and the `_link` filter their values use;
- the article list and page (article.py and the templates): search snippets, the article
  with its authors, tags, original source and revisions, and the other sites that carried
  the same story (clusters.py);
- article URLs in other tables, views and queries link to the article page;
- the home (the database page, home.py; `/` leads there), the search page (search.py) and
  the chart of coverage over time (charts.py) on the home, the article list and the search.
- the archived copy of each stored fetch (captured.py), linked from the article page and
  from the `fetched_at` of each row of `pages`.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components
from datasette.utils.asgi import Response
from markupsafe import Markup

from scraper.archive import MMAP_BYTES
from scraper.browse import captured
from scraper.browse.article import article_context, date_label, search_snippet
from scraper.browse.charts import CHART_SCOPE, TimelineFacet
from scraper.browse.clusters import carried_by
from scraper.browse.facets import LinkFacet, YearFacet, link_filters
from scraper.browse.home import home_context
from scraper.browse.search import MODES, ORDERS, Search, passed_filters, plain_hint, search_page

DATABASE = "archive"  # the name `scraper serve` gives the archive, whatever its file
ARTICLE_TEMPLATE = f"row-{DATABASE}-articles.html"
SEARCH_PATH = f"/{DATABASE}/-/search"


@hookimpl
def prepare_connection(conn, database, datasette) -> None:
    """Datasette's connections read the archive memory-mapped, as the project's own do."""
    if database == DATABASE:
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


@hookimpl
def filters_from_request(request, database, table, datasette):
    return link_filters(request, database, table, datasette)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """An article's URL in any other table, view or query links to its article page; a
    fetch's date in `pages`, to its archived copy."""
    if database == DATABASE and table == "pages" and column == "fetched_at" and value:
        page_id = dict(row).get("id")  # (a sqlite3.Row: `in` would test its values)
        if isinstance(page_id, int):
            return Markup('<a href="{}">{}</a>').format(
                captured.captured_url(datasette, page_id), value)
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
def register_facet_classes() -> list[type]:
    return [LinkFacet, YearFacet, TimelineFacet]


@hookimpl
def register_routes(datasette) -> list[tuple[str, Any]]:
    """`/` is the archive's home; `/archive/-/search` the search in relevance order;
    `/-/captured/ID` the archived copy of a stored fetch."""
    async def home(request):
        return Response.redirect(datasette.urls.database(DATABASE))

    async def search(request):
        return await search_page(datasette, request, DATABASE, search_path(datasette))

    return [(r"^/$", home), (f"^{SEARCH_PATH}$", search), *captured.routes(DATABASE)]


def search_path(datasette) -> str:
    return datasette.urls.path(SEARCH_PATH)


@hookimpl
def handle_exception(datasette, request, exception):
    """A search of the article list that FTS5 cannot parse (expert mode) answers with the
    search page and its message, not Datasette's "Invalid SQL" page."""
    message = str(getattr(exception, "message", "") or exception)
    if (request is None or not message.startswith("fts5:")
            or request.path != datasette.urls.table(DATABASE, "articles")
            or not request.args.get("_search")):
        return None

    async def inner():
        return await search_page(datasette, request, DATABASE, search_path(datasette),
                                 error=message.removeprefix("fts5: "))

    return inner


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if database != DATABASE or request is None:
        return {}
    if view_name == "database":
        async def home() -> dict[str, Any]:
            queries = await datasette.get_canned_queries(database, request.actor)
            # The home lists the canned queries with their descriptions, as questions;
            # Datasette's shorter list of the same below it is left out.
            return {"home": await home_context(datasette, database, request),
                    "questions": list(queries.values()), "queries": [],
                    **search_form(datasette, request)}
        return home
    if table != "articles":
        return {}
    if view_name == "table":
        async def article_list() -> dict[str, Any]:
            form = search_form(datasette, request)
            # The list is in date order: the form keeps it unless one asks for relevance.
            search = form["search"]
            search.order = "oldest" if request.args.get("_sort") == "published" else "newest"
            metadata = dict(datasette.table_metadata(database, table))
            datasette.update_with_inherited_metadata(metadata)
            return {
                "article_path": lambda url: datasette.urls.row(database, table,
                                                               tilde_encode(url)),
                "search_snippet": lambda url: search_snippet(datasette, database, request,
                                                             url),
                **form,
                "search_filters": passed_filters(request.args),
                "search_hint": await plain_hint(datasette.get_database(database), search),
                # Our search form replaces Datasette's; the glossary is shown folded.
                "supports_search": False,
                "column_glossary": metadata.pop("columns", {}),
                "metadata": metadata,
                "form_hidden_args": [(key, value) for key in request.args
                                     for value in request.args.getlist(key)
                                     if key.startswith("_") and "__" not in key
                                     and key not in ("_sort", "_sort_desc", "_next")],
                "chart": request.scope.get(CHART_SCOPE),
            }
        return article_list
    if template != ARTICLE_TEMPLATE:
        return {}

    async def article_page() -> dict[str, Any]:
        url = urlsafe_components(request.url_vars["pks"])[0]
        context = await article_context(datasette, database, table, url)
        if context:  # the other sites that carried the same story
            context["carried"] = await carried_by(datasette, database, table, url)
        return context

    return article_page


def search_form(datasette, request) -> dict[str, Any]:
    """What the search form (_archive_search_form.html) needs on any page."""
    return {"search_path": search_path(datasette), "search": Search.from_args(request.args),
            "modes": MODES, "orders": ORDERS}
