"""The Datasette plugin of `scraper serve`: its hooks, each handing over to a module.

- facets (facets.py): `link` and `year`, and the `_link` filter their values use;
- the article list and page (article.py and the templates): search snippets, the article
  with its authors, tags, original source and revisions, and the other sites that carried
  the same story (clusters.py);
- article URLs in other tables, views and queries link to the article page.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components
from markupsafe import Markup

from scraper.archive import MMAP_BYTES
from scraper.browse.article import article_context, date_label, search_snippet
from scraper.browse.clusters import carried_by
from scraper.browse.facets import LinkFacet, YearFacet, link_filters

DATABASE = "archive"  # the name `scraper serve` gives the archive, whatever its file
ARTICLE_TEMPLATE = f"row-{DATABASE}-articles.html"


@hookimpl
def prepare_connection(conn, database, datasette) -> None:
    """Datasette's connections read the archive memory-mapped, as the project's own do."""
    if database == DATABASE:
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


@hookimpl
def filters_from_request(request, database, table, datasette):
    return link_filters(request, database, table, datasette)


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
def register_facet_classes() -> list[type]:
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
        context = await article_context(datasette, database, table, url)
        if context:  # the other sites that carried the same story
            context["carried"] = await carried_by(datasette, database, table, url)
        return context

    return article_page
