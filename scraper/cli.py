"""The `scraper` command: crawl sites into the archive, extract a saved page, run the demo."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO

import click
from sqlite_utils import Database

from scraper.archive import DEFAULT_PATH, ArchiveError, open_archive, open_archive_readonly
from scraper.exit_codes import Exit


class BadInput(click.ClickException):
    """A wrong argument, a missing file, an unusable archive: one line, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.message}", err=True)


def db_option(default: Path = DEFAULT_PATH, help: str = "SQLite archive to write"):
    return click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
                        default=default, show_default=True, help=help)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="news-archiver")
def cli() -> None:
    """Crawl news sites, extract clean articles, keep them in a SQLite archive."""


@cli.command()
@click.argument("site")
@click.option("--url", "urls", multiple=True,
              help="news: a site to crawl, by its home page (repeat for more sites)")
@click.option("--urls-file", type=click.Path(dir_okay=False, path_type=Path),
              help="news: a file of start URLs, one a line, # comments")
@db_option()
@click.option("--limit", type=click.IntRange(min=1), help="Stop after this many new articles")
@click.option("--since", help="Skip articles published before this day (YYYY-MM-DD)")
@click.option("--base-url", help="Crawl a mirror of the site (e.g. a local copy) with its rules")
@click.option("--refresh", is_flag=True, help="Fetch again articles the archive already holds")
@click.option("--follow-sources", is_flag=True,
              help="Also archive the original of each republished article (once), paired "
                   "with it")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=5")
@click.option("--redis", "redis_url", metavar="URL",
              help="Be one worker of a distributed crawl: share the frontier in the Redis at "
                   "URL (redis://HOST:PORT/DB) and send the records to `scraper "
                   "archive-writer`, which writes the archive (this process does not open it)")
@click.option("-v", "--verbose", is_flag=True,
              help="Show Scrapy's log on standard error instead of writing the log file")
@click.option("-q", "--quiet", is_flag=True, help="No progress line: only the summary")
def crawl(site: str, urls: tuple[str, ...], urls_file: Path | None, db: Path,
          limit: int | None, since: str | None, base_url: str | None, refresh: bool,
          follow_sources: bool, overrides: tuple[str, ...], redis_url: str | None,
          verbose: bool, quiet: bool) -> None:
    """Crawl SITE and archive every article found.

    SITE is a declared site (see `scraper sites`), or `news` for any site given by --url:
    its sitemaps (robots.txt, sitemap indexes, Google News), RSS/Atom feeds, WordPress
    REST API and, NEWS_FOLLOW_DEPTH (default 2) links deep, its own links. Pages that are
    not articles (fronts, tag, author and video pages) are counted by kind, not archived.
    A URL on a declared site is extracted with that site's rules.

    In a terminal a progress line shows the crawl; Scrapy's log goes to a file per run,
    logs/SITE/<start time>.log beside the archive (-v shows it instead, -q only the summary).

    Example:

    \b
        scraper crawl globalresearch --since 2024-01-01 --limit 200
        scraper crawl globalresearch -q     # only the summary (as from cron)
        scraper crawl globalresearch -v     # Scrapy's log on standard error
        scraper crawl globalresearch --db /srv/news/archive.db
        scraper crawl globalresearch --follow-sources
        scraper crawl news --url https://example.com/ --url https://news.example.org/
        scraper crawl news --urls-file sites.txt --since 2026-01-01 -s NEWS_FOLLOW_DEPTH=1
        scraper crawl globalresearch --redis redis://10.0.0.5:6379/0   # one worker of many
    """
    from scraper.crawl import check_settings, project_settings, run_crawl, spider_names, summary
    from scraper.crawl_job import CrawlJob
    from scraper.drift import alarm as drift_alarm
    from scraper.outcome import exit_status, problem
    from scraper.runlock import Locked
    from scraper.runlog import LogFolderError, RunOutput

    _check_since(since)
    if base_url and not base_url.startswith(("http://", "https://")):
        raise BadInput(f"--base-url must start with http:// or https://, not {base_url!r}")
    start = _start_urls(site, urls, urls_file, base_url)
    settings = project_settings(db, _parse_overrides(overrides) | (
        {"ARCHIVE_REFRESH": True} if refresh else {}) | (
        {"ARCHIVE_FOLLOW_SOURCES": True} if follow_sources else {}))
    try:
        check_settings(settings)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    names = spider_names(settings)
    if site not in names:
        raise BadInput(f"unknown site {site!r} (known: {', '.join(names)})")
    if verbose and quiet:
        raise BadInput("-v and -q exclude each other")
    output = RunOutput(settings, site, verbose=verbose, quiet=quiet,
                       terminal=sys.stdout.isatty())
    if redis_url and follow_sources:
        raise BadInput("--follow-sources reads the archive: not with --redis (a worker does "
                       "not open it)")
    if redis_url:
        _crawl_worker(site, start, base_url, limit, since, redis_url, settings, output)
    try:
        # The archive first: a file that is no archive is refused before a lock is made
        # beside it.
        open_archive(db, settings.getfloat("ARCHIVE_TIMEOUT")).close()
        with CrawlJob(db, site, start, base_url, settings):
            stats = run_crawl(site, settings, output.open, limit=limit, since=since,
                              base_url=base_url, urls=start or None)
    except Locked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(Exit.LOCKED)
    except ArchiveError as exc:
        raise BadInput(str(exc)) from exc
    except LogFolderError as exc:
        raise BadInput(str(exc)) from exc
    click.echo(f"{site}: {summary(stats)}")
    click.echo(f"Archive: {db}")
    if output.log_file:
        click.echo(f"Log: {output.log_file}")
    status = exit_status(stats, settings.getfloat("CRAWL_MAX_FAILURE_SHARE"))
    label = ", ".join(start) or site  # the news spider's sites, or the declared site
    if line := problem(status, stats, label, base_url or ", ".join(start) or _home(site)):
        click.echo(f"Error: {line}", err=True)
    if line := drift_alarm(stats):  # the new articles fell below the site's norm
        click.echo(line, err=True)
    sys.exit(status)


def _crawl_worker(site: str, start: tuple[str, ...], base_url: str | None, limit: int | None,
                  since: str | None, url: str, settings, output) -> None:
    """`scraper crawl --redis`: one worker of a distributed crawl (scraper/distributed/)."""
    from scraper.crawl import run_crawl, summary
    from scraper.distributed import RedisUnavailable, connect, worker_settings
    from scraper.outcome import exit_status
    from scraper.runlog import LogFolderError

    try:
        connect(url).close()
    except RedisUnavailable as exc:
        raise BadInput(str(exc)) from exc
    for name, value in worker_settings(url, settings).items():
        settings.set(name, value, priority="cmdline")
    try:
        stats = run_crawl(site, settings, output.open, open_first=False, limit=limit,
                          since=since, base_url=base_url, urls=start or None)
    except LogFolderError as exc:
        raise BadInput(str(exc)) from exc
    click.echo(f"{site} (worker): {int(stats.get('records/sent', 0))} records sent to the "
               f"archive writer; {summary(stats)}")
    if output.log_file:
        click.echo(f"Log: {output.log_file}")
    sys.exit(exit_status(stats, settings.getfloat("CRAWL_MAX_FAILURE_SHARE")))


@cli.command(name="archive-writer")
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="The Redis of the distributed crawl (redis://HOST:PORT/DB)")
@db_option()
@click.option("--exit-when-idle", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Stop once no worker is registered and no record came for SECONDS "
                   "(default: run until stopped)")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a setting, e.g. -s ARCHIVE_BATCH_SIZE=200")
def archive_writer(redis_url: str, db: Path, exit_when_idle: float | None,
                   overrides: tuple[str, ...]) -> None:
    """Write the records of a distributed crawl's workers to the archive.

    The one process that writes the archive while workers on any number of machines run
    `scraper crawl SITE --redis URL`: it reads their records from Redis in batches
    (ARCHIVE_BATCH_SIZE, ARCHIVE_BATCH_SECONDS), writes them with the archive's usual
    rules (revisions, runs, the drift alarm), and tells the workers what the archive holds.
    SIGTERM (or Ctrl-C) writes what it has read, then stops; restarted, it goes on where it
    stopped, losing and duplicating nothing.

    Example:

    \b
        scraper archive-writer --redis redis://10.0.0.5:6379/0 --db /srv/news/archive.db
        scraper archive-writer --redis redis://127.0.0.1:6379/0 --exit-when-idle 60
    """
    from scraper.crawl import project_settings
    from scraper.distributed import BadSetting, RedisUnavailable
    from scraper.distributed.writer import run_writer
    from scraper.runlock import Locked

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    settings = project_settings(db, _parse_overrides(overrides))
    try:
        written = run_writer(redis_url, db, settings, exit_when_idle)
    except (RedisUnavailable, ArchiveError, Locked, BadSetting) as exc:
        raise BadInput(str(exc)) from exc
    click.echo(f"archive-writer: {written} records written to {db}")


@cli.command()
@click.argument("page", type=click.Path(path_type=Path))
@click.option("--url", required=True, help="The URL the page was fetched from")
@click.option("--site", "site_name", help="A declared site's rules (default: from the URL)")
@click.option("--debug", is_flag=True, help="Also print each field's source and what was removed")
def extract(page: Path, url: str, site_name: str | None, debug: bool) -> None:
    """Extract the article from a saved PAGE (offline) and print it as JSON.

    Example:

    \b
        scraper extract saved.html --url https://www.globalresearch.ca/some-story/5679151
    """
    from scraper.extraction.encoding import decode_page
    from scraper.extraction.extract import extract as run_extract
    from scraper.sites import SITES

    if not page.is_file():
        raise BadInput(f"no such file: {page}")
    site = None
    if site_name:
        if site_name not in SITES:
            raise BadInput(f"unknown site {site_name!r} (known: {', '.join(sorted(SITES))})")
        site = SITES[site_name]
    html = decode_page(page.read_bytes())
    result = run_extract(html, url, site)
    if result.article is None:
        click.echo(f"{result.status}: {result.reason}", err=True)
        sys.exit(1)
    click.echo(json.dumps(result.article.as_dict(debug=debug), ensure_ascii=False, indent=2))


@cli.command()
@db_option(Path("data/demo.db"))
def demo(db: Path) -> None:
    """Crawl a local replica of Global Research (no network) into data/demo.db.

    Example:

    \b
        scraper demo
        sqlite3 data/demo.db "select published, title from articles order by published"
    """
    from scraper.crawl import summary
    from scraper.demo import run_demo

    started = time.monotonic()
    try:
        stats = run_demo(db)
    except ArchiveError as exc:
        raise BadInput(str(exc)) from exc
    archive = open_archive(db)
    total = archive["articles"].count
    archive.close()
    click.echo(f"Demo crawl finished in {time.monotonic() - started:.1f}s: {summary(stats)}")
    click.echo(f"Archive: {db} ({total} articles)")
    click.echo("Look inside:")
    click.echo(f'  sqlite3 {db} "select published, title from articles order by published"')
    click.echo(f'  sqlite-utils {db} "select title from articles_fts where articles_fts '
               f"match 'grain'\" --table")
    click.echo(f"  scraper serve --db {db}    # browse it in Datasette")


@cli.command()
@click.option("--json", "as_json", is_flag=True,
              help="Print each site's name, home, title, domains, language, time zone "
              "and feeds as JSON")
def sites(as_json: bool) -> None:
    """List the declared sites and where their articles are found.

    Example:

    \b
        scraper sites
        scraper sites --json | jq '.[].home'
    """
    from scraper.sites import SITES

    if as_json:
        click.echo(json.dumps([{"name": s.name, "home": s.home, "title": s.title,
                                "domains": list(s.domains), "language": s.language,
                                "timezone": s.timezone, "feeds": list(s.feeds)}
                               for s in SITES.values()], ensure_ascii=False, indent=2))
        return
    for site in SITES.values():
        click.echo(f"{site.name}\t{site.home}\t{site.title}")


@cli.command(name="eval")
@click.argument("corpus", type=click.Path(path_type=Path))
@click.option("--predictions", "predictions_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write each page's predicted record here as JSON")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the scores here as JSON")
def eval_command(corpus: Path, predictions_path: Path | None, json_path: Path | None) -> None:
    """Score extraction on CORPUS, a folder of <id>.html[.gz] pages and <id>.json gold records.

    Prints per-field scores, the median time per page and whether each target is met.

    Example:

    \b
        scraper eval ../shared/corpus/news-dev --predictions pred.json --json scores.json
    """
    from scraper.evaluate import load_corpus, report, run, score

    if not corpus.is_dir():
        raise BadInput(f"no such folder: {corpus}")
    try:
        pages = load_corpus(corpus)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    result = run(pages)
    scores = score({page.id: page.gold for page in pages}, result.predictions)
    scores["median_ms"] = round(result.median_ms, 1)
    for page_id, why in result.misses.items():
        click.echo(f"no article: {page_id}: {why}", err=True)
    click.echo(f"{corpus}: " + "\n".join(report(scores, result.median_ms)))
    for path, data in ((predictions_path, result.predictions), (json_path, scores)):
        if path:
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "warc"]), default="jsonl",
              show_default=True, help="JSON lines, CSV, or the raw pages as WARC")
@click.option("--site", help="Only this site's articles")
@click.option("--since", help="Only articles published on or after this day (YYYY-MM-DD); "
              "for WARC, pages fetched on or after it")
@click.option("--until", help="Only articles published on or before this day (YYYY-MM-DD); "
              "for WARC, pages fetched on or before it")
@click.option("--tag", help="Only articles with this tag (any kind; case does not matter)")
@click.option("--author", help="Only articles by this author (case does not matter)")
@click.option("--kind", help="Only posts of this kind: article, video or digest")
@click.option("--query", help="Only articles matching this full-text query (FTS5 syntax)")
@click.option("--limit", type=click.IntRange(min=1),
              help="At most this many articles, the first in export order (by publication, "
              "undated first); for WARC, pages in the order fetched")
@click.option("--fields", help="Only these fields, comma-separated, in this order (JSON "
              "lines and CSV), e.g. url,published,title")
@db_option(help="SQLite archive to export from")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output")
def export(fmt: str, site: str | None, since: str | None, until: str | None, tag: str | None,
           author: str | None, kind: str | None, query: str | None, limit: int | None,
           fields: str | None, db: Path, output: Path | None) -> None:
    """Export archived articles as JSON lines or CSV, or their raw pages as WARC.

    Filters combine (all must hold). A site, tag or author the archive does not hold is an
    error that names the closest ones it does. Rows are streamed: memory stays flat on an
    archive of any size.

    Example:

    \b
        scraper export --site globalresearch --since 2024-01-01 -o articles.jsonl
        scraper export --format csv --query 'grain NEAR(corridor ukraine)' -o grain.csv
        scraper export --tag 'ukraine report' --until 2024-12-31 --fields url,title
        scraper export --author 'Michel Chossudovsky' --kind article --limit 100
        scraper export --format warc -o pages.warc.gz
    """
    from scraper import export as exporting
    from scraper.archive.selection import Chosen, bad_query, unknown_names

    for name, day in (("--since", since), ("--until", until)):
        _check_day(name, day)
    chosen = Chosen(site=site, since=since, until=until, query=query, tag=tag, author=author,
                    kind=_check_kind(kind))
    binary = fmt == "warc"
    if binary and fields:
        raise BadInput("--fields is for jsonl and csv: a WARC holds whole pages")
    if binary and output is None and sys.stdout.isatty():
        raise BadInput("--format warc writes gzip data: give -o FILE (or pipe it)")
    archive = _existing_archive(db)
    try:
        only = _fields(exporting.fields(archive), fields)
        if why := unknown_names(archive, chosen):
            raise BadInput(why)
        if query and (why := bad_query(archive, query)):
            raise BadInput(f"--query {query!r} is not a full-text query SQLite can read "
                           f"(FTS5 syntax): {why}")
        if binary:
            n = _write(output, True, lambda out: exporting.write_warc(archive, out, chosen,
                                                                      limit))
        else:
            write = exporting.write_jsonl if fmt == "jsonl" else exporting.write_csv
            n = _write(output, False, lambda out: write(exporting.articles(
                archive, chosen, limit), out, only))
    except sqlite3.OperationalError as exc:
        raise BadInput(f"cannot read {db}: {exc}") from exc
    finally:
        archive.close()
    what = "pages" if binary else "articles"
    click.echo(f"Exported {n} {what}" + (f" to {output}" if output else ""), err=True)


def _write(output: Path | None, binary: bool, write: Callable[[IO], int]) -> int:
    """Run `write` on the file `output` (or standard output) and return its count."""
    if output is None:
        try:
            return write(sys.stdout.buffer if binary else sys.stdout)
        except BrokenPipeError:  # e.g. `scraper export | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as Python's docs
            sys.exit(0)
    try:
        out = output.open("wb" if binary else "w", newline=None if binary else "",
                          encoding=None if binary else "utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror}") from exc
    with out:
        return write(out)


def _check_kind(kind: str | None) -> str | None:
    """--kind, checked against the kinds of post the extraction gives (imported only
    when asked: the extraction takes a while to load)."""
    if kind is None:
        return None
    from scraper.archive.selection import suggestion
    from scraper.extraction.post_kind import KINDS

    if kind not in KINDS:
        raise BadInput(f"--kind must be a kind of post, not {kind!r}"
                       + suggestion(kind, list(KINDS)))
    return kind


def _fields(known: list[str], wanted: str | None) -> list[str] | None:
    """The fields --fields names, checked against the archive's, or None for all."""
    if wanted is None:
        return None
    from scraper.archive.selection import suggestion

    names = [name.strip() for name in wanted.split(",") if name.strip()]
    if not names:
        raise BadInput("--fields needs at least one field name")
    for name in names:
        if name not in known:
            raise BadInput(f"no field {name!r} in an exported article"
                           + suggestion(name, known))
    return names


@cli.command()
@click.option("--site", help="Only this site's articles")
@click.option("--since", help="Only articles published on or after this day (YYYY-MM-DD)")
@db_option(help="SQLite archive to re-extract in place")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Processes that extract (the main one writes)")
@click.option("--repeats", type=click.Path(dir_okay=False, path_type=Path),
              help="The crawls' repeated-paragraph store, if the crawl kept it elsewhere "
              "(ARCHIVE_REPEATS_PATH)  [default: <archive>.repeats.json]")
def reextract(site: str | None, since: str | None, db: Path, workers: int,
              repeats: Path | None) -> None:
    """Run the current extraction again over the stored raw pages (no network).

    Fields that come out differently update the article; the old version is kept as a
    revision with reason 'reextract'. Stored pages that gave no article are tried too.

    Example:

    \b
        scraper reextract --site globalresearch
        sqlite3 data/archive.db "select article_url, changed_fields from revisions
                                 where reason = 'reextract'"
    """
    from scraper.extraction.repeats import RepeatStore, store_path
    from scraper.reextract import reextract as run_reextract

    _check_since(since)
    archive = _existing_archive(db, write=True)
    try:
        store = RepeatStore.load(repeats or store_path(db))
        report = run_reextract(archive, site, since, workers, store)
    except sqlite3.OperationalError as exc:
        raise BadInput(f"cannot write {db}: {exc}; what was written so far is kept") from exc
    finally:
        archive.close()
    counts = report.counts
    click.echo(f"Re-extracted {report.pages} pages in {report.seconds:.1f}s: "
               f"{counts['updated']} changed, {counts['unchanged']} unchanged, "
               f"{len(report.lost)} no longer articles; of the pages that gave no article, "
               f"{counts['new']} now do, {counts['still_not_article']} still do not"
               + (f", {counts['before_since']} before --since" if counts["before_since"] else ""))
    for url, status, reason in report.lost:
        click.echo(f"  {status}: {reason} ({url})")


@cli.command()
@db_option(help="SQLite archive whose articles to cluster")
@click.option("--rebuild", is_flag=True,
              help="Sign every article again, from scratch (after the parameters changed)")
def clusters(db: Path, rebuild: bool) -> None:
    """Group the articles whose bodies are the same text or nearly so (on any site).

    A crawl does this for each article it writes; run it once on an archive made before
    clusters (or with --rebuild after its parameters changed). Articles already signed are not
    signed again; each new one costs a few index lookups, so the whole run is linear in
    the archive. The stories carried by several sites are in the view stories_across_sites.

    Example:

    \b
        scraper clusters --db data/archive.db
        sqlite3 data/archive.db "select sites, title, site_names from stories_across_sites
                                 limit 10"
    """
    from scraper.archive.clusters import StaleSignatures, cluster_archive, summary
    from scraper.archive.write import now

    archive = _existing_archive(db, write=True)
    started = time.monotonic()
    try:
        signed = cluster_archive(archive, now(), rebuild)
        found = summary(archive)
    except StaleSignatures as exc:
        raise BadInput(str(exc)) from exc
    except sqlite3.OperationalError as exc:
        raise BadInput(f"cannot write {db}: {exc}; what was written so far is kept") from exc
    finally:
        archive.close()
    seconds = time.monotonic() - started
    click.echo(f"Signed {signed} articles in {seconds:.1f}s; {found['signed']} signed in all, "
               f"{found['clusters']} clusters of near-duplicates, {found['across_sites']} "
               "of them carried by several sites")


@cli.command()
@db_option(help="SQLite archive to describe")
@click.option("--runs", type=click.IntRange(min=0), default=5, show_default=True,
              help="How many of the last crawl runs to list")
@click.option("--json", "as_json", is_flag=True,
              help="Print the totals, sites and runs as JSON (runs as `scraper runs --json`)")
def stats(db: Path, runs: int, as_json: bool) -> None:
    """Print what the archive holds: counts and dates per site, and the last crawl runs.

    Published dates are shown as days; times (last seen, a run's start) as the archive
    keeps them, in UTC.

    Example:

    \b
        scraper stats
        scraper stats --db data/demo.db --runs 20
        scraper stats --json | jq '.sites[] | {site, articles}'
    """
    from scraper import stats as describing

    archive = _existing_archive(db)
    try:
        click.echo((describing.as_json if as_json else describing.report)(archive, runs))
    except sqlite3.OperationalError as exc:  # an archive older than the report's columns
        raise BadInput(f"cannot read {db}: {exc}") from exc
    finally:
        archive.close()


@cli.command()
@db_option(help="SQLite archive to browse")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True,
              help="Port to listen on")
def serve(db: Path, host: str, port: int) -> None:
    """Browse the archive in Datasette: search, facets, articles with their revisions.

    Example:

    \b
        scraper serve --db data/demo.db
        scraper serve --port 8080    # then open http://127.0.0.1:8080/archive/articles
    """
    from scraper.serve import check_port
    from scraper.serve import serve as run_serve

    _existing_archive(db).close()  # an archive (Datasette opens it read-only, as it is)
    try:
        check_port(host, port)
    except OSError as exc:
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    click.echo(f"Serving {db} at http://{host}:{port}/archive/articles (Ctrl-C stops)")
    run_serve(db, host=host, port=port)


@cli.command()
@click.argument("url")
@click.option("--text", "form", flag_value="text", default=True,
              help="The article and its fetches as text  [default]")
@click.option("--html", "form", flag_value="html",
              help="The stored bytes of the page, decoded (the newest fetch that answered "
                   "200, or --fetch)")
@click.option("--json", "form", flag_value="json",
              help="The article's record and every fetch's metadata, as JSON")
@click.option("--fetch", "fetch_id", type=int, metavar="ID",
              help="With --html: this fetch of the URL (its id in the text or JSON)")
@db_option(help="SQLite archive to read")
def show(url: str, form: str, fetch_id: int | None, db: Path) -> None:
    """Print what the archive holds of URL: the article, and each stored fetch of it
    (date, status, headers), as `scraper serve` shows them. The archive is only read.

    Example:

    \b
        scraper show https://www.globalresearch.ca/some-story/5679151 --db data/demo.db
        scraper show URL --html > as-captured.html    # the page as it was fetched
        scraper show URL --json | jq '.fetches[] | [.fetched_at, .status]'
    """
    from scraper import show as showing

    archive = _read_only_archive(db)
    try:
        shown = showing.find(archive, url)
        if shown is None:
            raise BadInput(f"{url} is not in {db} (no article and no fetch of it)")
        if form == "json":
            click.echo(showing.as_json(shown))
        elif form == "text":
            click.echo(showing.as_text(shown))
        else:
            fetch = showing.chosen_fetch(shown, fetch_id)
            if fetch is None:
                known = ", ".join(str(f["id"]) for f in shown.fetches) or "none"
                raise BadInput(f"no stored fetch {fetch_id or ''} of {shown.url} "
                               f"(its fetches: {known})")
            click.echo(showing.html(archive, fetch), nl=False)
    except (sqlite3.OperationalError, sqlite3.DataError) as exc:
        raise BadInput(f"cannot read {db}: {exc}") from exc
    finally:
        archive.close()


def _home(site: str) -> str:
    """A declared site's home page (the address crawled without --base-url)."""
    from scraper.sites import SITES

    return SITES[site].home if site in SITES else site


@cli.command()
@db_option(help="SQLite archive whose runs to list")
@click.option("--site", help="Only the runs of this spider (a declared site, or news)")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many of the last runs")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON, every column")
def runs(db: Path, site: str | None, limit: int, as_json: bool) -> None:
    """List the past crawl runs: start, duration, counts, how each ended and any alarm.

    A run with no end is still running, or was killed. --json gives every column of the
    `runs` table (with its log file) and the duration in seconds. The archive is only read.

    Example:

    \b
        scraper runs
        scraper runs --site globalresearch --limit 5
        scraper runs --json | jq '.[0].log_file'
    """
    from scraper import runlist

    archive = _read_only_archive(db)
    try:
        found = runlist.past_runs(archive, site, limit)
    finally:
        archive.close()
    click.echo(runlist.as_json(found) if as_json else runlist.table(found))


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("site")
@click.option("--every", required=True, help="How often: 30m, 6h, 1d...")
@db_option(help="SQLite archive the scheduled crawl writes")
@click.option("--name", help="The systemd unit's name  [default: news-archiver-SITE]")
@click.argument("crawl_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- CRAWL OPTIONS]")
def schedule(site: str, every: str, db: Path, name: str | None,
             crawl_args: tuple[str, ...]) -> None:
    """Print a crontab line and a systemd service and timer that crawl SITE every so often.

    Paths are absolute: this venv's `scraper`, the archive, its log folder (each run logs to
    its own file there). Options after `--` are passed to `scraper crawl`. Nothing is
    installed: copy what you use.

    Example:

    \b
        scraper schedule globalresearch --every 6h --db /srv/news/archive.db
        scraper schedule news --every 1d -- --url https://example.com/ --limit 500
    """
    from scraper.crawl import project_settings, spider_names
    from scraper.runlog import log_folder
    from scraper.schedule import Schedule, parse_every

    try:
        period = parse_every(every)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    settings = project_settings(db.absolute())
    names = spider_names(settings)
    if site not in names:
        raise BadInput(f"unknown site {site!r} (known: {', '.join(names)})")
    logs = log_folder(settings, site).parent.absolute()
    click.echo(Schedule(site, period, db.absolute(), logs, Path.cwd(), crawl_args, name).text())


def _check_since(since: str | None) -> None:
    _check_day("--since", since)


def _check_day(option: str, day: str | None) -> None:
    if day:
        try:
            date.fromisoformat(day)
        except ValueError:
            raise BadInput(f"{option} must be a day as YYYY-MM-DD, not {day!r}") from None


def _start_urls(site: str, urls: tuple[str, ...], urls_file: Path | None,
                base_url: str | None) -> tuple[str, ...]:
    """The start URLs of a `news` crawl (none for a declared site), checked."""
    from scraper.urls import read_url_list

    found = list(urls)
    if urls_file:
        if not urls_file.is_file():
            raise BadInput(f"no such file: {urls_file}")
        found += read_url_list(urls_file.read_text(encoding="utf-8"))
    if site == "news" and base_url:
        raise BadInput("--base-url is for declared sites; give the news spider its sites "
                       "with --url")
    if site != "news":
        if found:
            raise BadInput(f"--url and --urls-file are for `scraper crawl news`, not {site!r}")
        return ()
    if not found:
        raise BadInput("scraper crawl news needs --url URL or --urls-file FILE")
    for url in found:
        if not url.startswith(("http://", "https://")):
            raise BadInput(f"a start URL must start with http:// or https://, not {url!r}")
    return tuple(dict.fromkeys(found))


def _existing_archive(path: Path, write: bool = False) -> Database:
    """Open an archive that must already exist: read-only, leaving the file as it is (it
    may sit on a read-only medium), or with `write` migrated if it is older. Any other file
    is refused before anything is written to it."""
    if not path.is_file():
        raise BadInput(f"no archive at {path} (crawl first, or give --db)")
    try:
        archive = open_archive_readonly(path)
        if not write:
            return archive
        archive.close()
        return open_archive(path)
    except ArchiveError as exc:
        raise BadInput(str(exc)) from exc


def _read_only_archive(path: Path) -> Database:
    """Open an existing archive to read it only: nothing created, nothing migrated."""
    if not path.is_file():
        raise BadInput(f"no archive at {path} (crawl first, or give --db)")
    from scraper.archive.schema import migrations

    db = Database(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True))
    try:
        ours = db[migrations.migrations_table].exists() and db.execute(
            f"select 1 from [{migrations.migrations_table}] where migration_set = ?",
            [migrations.name]).fetchone()
    except sqlite3.DatabaseError:  # "file is not a database"
        ours = False
    if not ours:
        db.close()
        raise BadInput(f"not a news-archiver archive: {path}")
    return db


def _parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise BadInput(f"-s takes NAME=VALUE, not {pair!r}")
        out[name.strip()] = value
    return out
