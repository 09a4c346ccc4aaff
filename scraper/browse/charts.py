"""Coverage over time: articles per week, month or year, split by site, tag, author or
original source, of any set of articles (the whole archive on the home page, the filtered
rows on the article list), drawn as an inline SVG bar chart.

Drawn here in Python rather than by a JavaScript plotting library: the page then needs no
script and no file from anywhere (the archive is browsed offline), and the chart is in the
HTML that tests and screenshots see.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.database import QueryInterrupted
from datasette.utils import path_with_removed_args, path_with_replaced_args
from markupsafe import Markup, escape

from scraper.browse.facets import CountingFacet, link_arg

PERIODS = ("week", "month", "year")
TOP_GROUPS = 6  # series drawn by name; the other groups are drawn together as "other"
OTHER = "other"
COLOURS = ("#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#a463f2", "#9c9c9c")
# SQL of the period an ISO 8601 `published` falls in, as the label the chart shows.
PERIOD_SQL = {
    "week": "date(substr(published, 1, 10), '-6 days', 'weekday 1')",  # its Monday
    "month": "substr(published, 1, 7)",
    "year": "substr(published, 1, 4)",
}
DATED = "published glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'"


def dated(alias: str) -> str:
    """DATED of the articles table named `alias` in a join."""
    return DATED.replace("published", f"{alias}.published")


@dataclass(frozen=True)
class Split:
    """A way to split the articles: the label column and the join that reaches it.

    CROSS JOIN keeps SQLite's join order: the (filtered) articles first, each looking up its
    few links by the link table's key, rather than every link looking up its article (five
    times slower on 100,000 articles with three tags each)."""

    label: str
    column: str
    join: str
    link: tuple[str, str] | None  # (link table, column) the list filters with, or None


SPLITS = {
    "site": Split("site", "a.site", "", None),
    "tag": Split("tag", "t.name",
                 "cross join article_tags x on x.article_url = a.url "
                 "cross join tags t on t.id = x.tag_id",
                 ("article_tags", "tag_id")),
    "author": Split("author", "t.name", "cross join article_authors x on x.article_url = a.url "
                    "cross join authors t on t.id = x.author_id", ("article_authors", "author_id")),
    "source": Split("original source", "t.name", "cross join article_sources x on "
                    "x.article_url = a.url cross join sources t on t.id = x.source_id",
                    ("article_sources", "source_id")),
}


@dataclass
class Series:
    name: str
    colour: str
    total: int
    key: Any = None  # the id the list filters by (tag, author, source id; the site name)


@dataclass
class Timeline:
    """Counts of articles per period and series, periods in order with none left out."""

    period: str
    split: str
    periods: list[str]
    series: list[Series]
    counts: dict[tuple[str, str], int]  # (period, series name) -> articles
    undated: int | None = None  # dated ones only are drawn; None: not counted

    def total(self, period: str) -> int:
        return sum(self.counts.get((period, s.name), 0) for s in self.series)


def choose_period(first: str | None, last: str | None) -> str:
    """Weeks for half a year or less, months up to eight years, years beyond."""
    if not first or not last:
        return "month"
    try:
        days = (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days
    except ValueError:
        return "month"
    return "week" if days <= 183 else "month" if days <= 8 * 366 else "year"


async def timeline(db, sql: str, params: dict, split: str = "site",
                   period: str | None = None, time_limit_ms: int | None = None,
                   total: int | None = None) -> Timeline:
    """Count the articles that `sql` selects (all columns of articles, e.g. Datasette's
    filtered rows) per period and per group of `split` (site, tag, author or source).

    `total`, the number of rows `sql` selects when the caller knows it, gives the count of
    undated ones (split by site). Three queries: the first and the last date (from an
    index), then one pass that counts per period and group."""
    how = SPLITS[split if split in SPLITS else "site"]
    if not isinstance(params, dict):  # Datasette passes [] for a table without filters
        assert not params, "the chart adds named parameters to the rows' own"
        params = {}
    limit = {"custom_time_limit": time_limit_ms} if time_limit_ms else {}

    async def rows(query: str) -> list:
        return list((await db.execute(query, params, truncate=False, **limit)).rows)

    ends = [await rows(f"select a.published from ({sql}) a where {dated('a')} "
                       f"order by a.published {way} limit 1") for way in ("asc", "desc")]
    if not ends[0]:
        return Timeline(period or "month", split if split in SPLITS else "site", [], [], {},
                        undated=total)
    period = period if period in PERIODS else choose_period(ends[0][0][0], ends[1][0][0])
    period_sql = PERIOD_SQL[period].replace("published", "a.published")
    key = "a.site" if how.link is None else "t.id"
    # One pass: articles per period and group; the groups are ranked here.
    found = await rows(f"select {period_sql} as period, {key}, {how.column}, count(*) "
                       f"from ({sql}) a {how.join} where {dated('a')} "
                       f"group by period, {key}")
    by_group: dict[Any, list] = {}
    for _, ident, name, count in found:
        by_group.setdefault(ident, [name, 0])[1] += count
    ranked = sorted(by_group.items(), key=lambda item: (-item[1][1], str(item[1][0])))
    named = ranked if len(ranked) <= TOP_GROUPS else ranked[:TOP_GROUPS - 1]
    series: list[Series] = []
    for i, (ident, (name, count)) in enumerate(named):
        label = str(name) if all(s.name != str(name) for s in series) else f"{name} ({ident})"
        series.append(Series(label, COLOURS[i], count, ident))
    by_id = {s.key: s.name for s in series}
    counts: dict[tuple[str, str], int] = {}
    for period_label, ident, _, count in found:
        if period_label is None:  # a date SQLite cannot read, e.g. 2026-02-30
            continue
        name = by_id.get(ident, OTHER)
        counts[(period_label, name)] = counts.get((period_label, name), 0) + count
    if any(name == OTHER for _, name in counts):
        series.append(Series(OTHER, COLOURS[-1],
                             sum(c for (_, n), c in counts.items() if n == OTHER)))
    present = sorted({p for p, _ in counts})
    undated = None
    if total is not None and how.link is None:
        undated = total - sum(count for *_, count in found)
    return Timeline(period, split if split in SPLITS else "site",
                    every_period(present[0], present[-1], period) if present else [],
                    series, counts, undated=undated)


CACHE_SIZE = 64
_cache: OrderedDict[tuple, Timeline] = OrderedDict()


async def cached_timeline(db, sql: str, params, split: str, period: str | None,
                          time_limit_ms: int | None, total: int | None) -> Timeline:
    """`timeline`, remembered until the archive changes: the home and the unfiltered list
    count every article, and a researcher comes back to them often. The key holds the
    connection and its `PRAGMA data_version`, which SQLite changes on that connection
    whenever another one (a crawl) commits; a few entries, the least recently used go."""
    def version(conn) -> tuple[int, int]:
        return id(conn), conn.execute("pragma data_version").fetchone()[0]

    key = (db.path, await db.execute_fn(version), sql, repr(params), split, period, total)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    chart = await timeline(db, sql, params, split, period, time_limit_ms, total)
    _cache[key] = chart
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return chart


def every_period(first: str, last: str, period: str) -> list[str]:
    """The labels of every period from `first` to `last`, those without articles too."""
    if period == "year":
        return [str(y) for y in range(int(first), int(last) + 1)]
    if period == "month":
        y, m = int(first[:4]), int(first[5:7])
        labels = []
        while f"{y:04d}-{m:02d}" <= last:
            labels.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return labels
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    labels = []
    while day <= end:
        labels.append(day.isoformat())
        day += timedelta(days=7)
    return labels


def series_filter(split: str, series: Series) -> dict[str, str] | None:
    """The query-string argument that narrows the article list to one series."""
    how = SPLITS[split]
    if series.name == OTHER or series.key is None:
        return None
    if how.link is None:
        return {"site": str(series.key)}
    return {"_link": link_arg(how.link[0], how.link[1], series.key)}


WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 900, 180, 40, 22, 8


def svg(chart: Timeline, period_href=None) -> Markup:
    """The chart as inline SVG: stacked bars, a y axis with its maximum, some period labels.

    `period_href(label)` gives the URL a bar links to (None: bars are not links)."""
    if not chart.periods:
        return Markup("")
    peak = max(chart.total(p) for p in chart.periods) or 1
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    step = plot_w / len(chart.periods)
    bar = max(step * 0.8, 1.0)
    parts = [f'<svg class="timeline" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none">',
             f"<title>Articles per {chart.period}, by {SPLITS[chart.split].label}</title>",
             f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH}" '
             f'y2="{TOP + plot_h}"/>',
             f'<text class="tick" x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{peak}</text>',
             f'<text class="tick" x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>']
    every = max(1, round(len(chart.periods) / 8))
    for i, label in enumerate(chart.periods):
        x = LEFT + i * step + (step - bar) / 2
        y = TOP + plot_h
        total = chart.total(label)
        segments = []
        for s in chart.series:
            count = chart.counts.get((label, s.name), 0)
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            segments.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                            f'fill="{s.colour}"><title>{escape(label)}: {escape(s.name)} '
                            f'{count}</title></rect>')
        if segments:
            group = f'<g class="bar" data-period="{escape(label)}" data-count="{total}">'
            href = period_href(label) if period_href else None
            if href:
                group += f'<a href="{escape(href)}">'
                segments.append("</a>")
            parts.append(group + "".join(segments) + "</g>")
        if i % every == 0:
            parts.append(f'<text class="tick" x="{LEFT + i * step + step / 2:.1f}" '
                         f'y="{HEIGHT - 6}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def period_bounds(label: str, period: str) -> tuple[str, str]:
    """The first day of a period and of the next one, for `published__gte` / `__lt`."""
    if period == "year":
        return label, str(int(label) + 1)
    if period == "month":
        y, m = int(label[:4]), int(label[5:7])
        return label, f"{y + (m == 12):04d}-{m % 12 + 1:02d}"
    return label, (date.fromisoformat(label) + timedelta(days=7)).isoformat()


def with_args(url: str, args: dict[str, str]) -> str:
    """`url` with `args` in its query string: a column filter replaces the one it had
    (a bar's period, a legend's site), a `_link` narrows further."""
    path, _, query = url.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
            if k == "_link" or k not in args]
    return f"{path}?{urlencode(kept + list(args.items()))}"


async def chart_context(datasette, db, request, sql: str, params: dict,
                        list_url: str, total: int | None = None) -> dict[str, Any]:
    """What _archive_chart.html shows for the articles `sql` selects: the SVG, a legend
    whose names narrow the article list at `list_url`, and the switches of period and
    split (`_chart_period`, `_chart_by` on the current page). Bars link to the list of
    their period. Past the facet time limit, a note and the switches (`timed_out`)."""
    split = request.args.get("_chart_by")
    split = split if split in SPLITS else "site"
    period = request.args.get("_chart_period")
    context: dict[str, Any] = {
        "split": SPLITS[split].label,
        "splits": [(SPLITS[k].label, path_with_replaced_args(request, {"_chart_by": k}),
                    k == split) for k in SPLITS],
    }
    try:
        chart = await cached_timeline(db, sql, params, split, period,
                                      datasette.setting("facet_time_limit_ms"), total)
    except QueryInterrupted:
        return {**context, "timed_out": True, "periods": [
            (p, path_with_replaced_args(request, {"_chart_period": p}), p == period)
            for p in PERIODS]}

    def period_href(label: str) -> str:
        start, end = period_bounds(label, chart.period)
        return with_args(list_url, {"published__gte": start, "published__lt": end})

    legend = []
    for series in chart.series:
        narrow = series_filter(chart.split, series)
        legend.append({"name": series.name, "colour": series.colour, "total": series.total,
                       "href": with_args(list_url, narrow) if narrow else None})
    return {
        **context, "svg": svg(chart, period_href), "legend": legend, "period": chart.period,
        "undated": chart.undated, "counts_links": chart.split != "site",
        "periods": [(p, path_with_replaced_args(request, {"_chart_period": p}),
                     p == chart.period) for p in PERIODS],
    }


CHART_SCOPE = "archive_chart"  # where TimelineFacet leaves the chart for the template


class TimelineFacet(CountingFacet):
    """The chart of the rows on screen, computed as a facet because Datasette hands facets
    the filtered rows' SQL (and the facet time limit). It shows no list of values: it
    leaves the chart in the request's scope, where the article list's template reads it
    (plugin.extra_template_vars)."""

    type = "timeline"

    def name(self, config: dict[str, Any]) -> str:
        return self.type

    async def result(self, config: dict[str, Any], from_metadata: bool) -> None:
        db = self.ds.get_database(self.database)
        list_url = path_with_removed_args(self.request, {"_next"})
        self.request.scope[CHART_SCOPE] = await chart_context(
            self.ds, db, self.request, self.sql, self.params, list_url, self.row_count)
        return None
