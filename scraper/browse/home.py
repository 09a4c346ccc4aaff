"""The archive's home (its Datasette database page): what is in it and where to start.

Sites with their counts and dates, the last crawl run, the most used tags, authors and
original sources (each a link to the articles it filters), the newest articles and the
chart of coverage over time. An archive older than a table is served as it is: what it
lacks is left out (article.older_archive_rows).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from datasette.utils import tilde_encode

from scraper.browse.article import older_archive_rows
from scraper.browse.charts import DATED, chart_context
from scraper.browse.facets import LINK_ARG, link_arg

TOP = 10  # tags, authors, sources and newest articles shown
LINKS = (  # (name on the page, link table, its column, the table of names)
    ("tags", "article_tags", "tag_id", "tags"),
    ("authors", "article_authors", "author_id", "authors"),
    ("sources", "article_sources", "source_id", "sources"),
)


async def home_context(datasette, database: str, request) -> dict[str, Any]:
    """Everything the home page shows about the archive."""
    db = datasette.get_database(database)
    articles_url = datasette.urls.table(database, "articles")

    async def rows(sql: str, params: list | None = None) -> list[dict[str, Any]]:
        return await older_archive_rows(db, sql, params or [])

    totals = (await rows(
        f"select count(*) as articles, count(distinct site) as sites, "
        f"min(case when {DATED} then published end) as first, "
        f"max(case when {DATED} then published end) as last from articles"))
    for name, where in (("revised", "revision_count > 0"), ("gone", "status = 'gone'")):
        found = await rows(f"select count(*) as n from articles where {where}")
        if totals and found:  # (columns an older archive may lack)
            totals[0][name] = found[0]["n"]
    sites = await rows(
        f"select site, count(*) as articles, min(case when {DATED} then published end) "
        f"as first, max(case when {DATED} then published end) as last "
        f"from articles group by site order by articles desc")
    for site in sites:
        site["href"] = f"{articles_url}?{urlencode({'site': site['site']})}"
    runs = await rows("select count(*) as runs, max(finished) as finished from runs")
    last_run = await rows("select id, spider, started, finished, exit_reason, new, changed "
                          "from runs order by id desc limit 1")
    top = {}
    for name, link, column, names in LINKS:
        found = await rows(f"select n.id, n.name, count(*) as articles from {link} x "
                           f"join {names} n on n.id = x.{column} group by n.id "
                           f"order by articles desc, n.name limit {TOP}")
        for row in found:
            narrow = {LINK_ARG: link_arg(link, column, row["id"])}
            row["href"] = f"{articles_url}?{urlencode(narrow)}"
        top[name] = found
    recent = await rows(f"select url, site, title, published, byline from articles "
                        f"where {DATED} order by published desc limit {TOP}")
    for article in recent:
        article["href"] = datasette.urls.row(database, "articles", tilde_encode(article["url"]))
    chart = None
    if totals and totals[0]["articles"]:
        chart = await chart_context(datasette, db, request, "select * from articles", {},
                                    articles_url)
    return {"totals": totals[0] if totals else {}, "sites": sites,
            "runs": runs[0] if runs else {}, "last_run": last_run[0] if last_run else None,
            "top": top, "recent": recent, "chart": chart, "articles_url": articles_url}
