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

    # Per site: its count from the (site, published) index, its first and last date from
    # the same index, so the home stays quick on a large archive.
    sites = await rows("select site, count(*) as articles from articles group by site "
                       "order by articles desc, site")
    for site in sites:
        for name, way in (("first", "asc"), ("last", "desc")):
            found = await rows(f"select published from articles where site = ? and {DATED} "
                               f"order by published {way} limit 1", [site["site"]])
            site[name] = found[0]["published"] if found else None
        site["href"] = f"{articles_url}?{urlencode({'site': site['site']})}"
    dates = [s[name] for s in sites for name in ("first", "last") if s[name]]
    totals: dict[str, Any] = {"articles": sum(s["articles"] for s in sites),
                              "sites": len(sites), "first": min(dates, default=None),
                              "last": max(dates, default=None)}
    for name, query in (("revised", "select count(distinct article_url) as n from revisions"),
                        ("gone", "select count(*) as n from articles where status = 'gone'")):
        found = await rows(query)
        if found:  # (tables and columns an older archive may lack)
            totals[name] = found[0]["n"]
    runs = await rows("select count(*) as runs, max(finished) as finished from runs")
    last_run = await rows("select id, spider, started, finished, exit_reason, new, changed "
                          "from runs order by id desc limit 1")
    top = {}
    for name, link, column, names in LINKS:  # (counted on the link table's own index)
        found = await rows(f"select n.id, n.name, c.articles from (select {column}, count(*) "
                           f"as articles from {link} group by {column}) c "
                           f"join {names} n on n.id = c.{column} "
                           f"order by c.articles desc, n.name limit {TOP}")
        for row in found:
            narrow = {LINK_ARG: link_arg(link, column, row["id"])}
            row["href"] = f"{articles_url}?{urlencode(narrow)}"
        top[name] = found
    recent = await rows(f"select url, site, title, published, byline from articles "
                        f"where {DATED} order by published desc limit {TOP}")
    for article in recent:
        article["href"] = datasette.urls.row(database, "articles", tilde_encode(article["url"]))
    chart = None
    if totals["articles"]:
        chart = await chart_context(datasette, db, request, "select * from articles", {},
                                    articles_url, totals["articles"])
    return {"totals": totals, "sites": sites,
            "runs": runs[0] if runs else {}, "last_run": last_run[0] if last_run else None,
            "top": top, "recent": recent, "chart": chart, "articles_url": articles_url}
