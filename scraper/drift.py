"""The drift alarm: a run whose new articles lost fields, or whose bodies took in boilerplate,
compared with the same site's recent runs and with fixed floors.

A redesign rarely breaks a crawl: pages still come, articles are still archived, but the
byline or the date selector matches nothing any more and a new note slips into every body.
Counting, per site, how many of a run's new articles have each field (and how many bodies
still hold a note the site's rules name: leaks.py) and holding those shares against the
site's norm (its last DRIFT_RUNS finished, healthy runs) notices it on the day it happens.
Fields a site never had (no tags, no authors) have a norm of zero and cannot drop; title and
body are also held against floors, since every article has them. A degraded run is left out
of later norms: the alarm stays on until the rules are fixed.

No Scrapy here: the archive pipeline feeds the counts and sets the stats, so the same check
can judge any run from its articles.

Why not Spidermon (the Scrapy ecosystem's monitors): its field coverage counts the fields of
every scraped item, by item class and on its top level (our ArticleItem nests its Article),
so not a run's new articles, not per site, and not "a body of sane length"; its rules are
fixed thresholds, its history a pickle of each spider's stats in the project's .scrapy folder
(not the archive, which must hold a scheduled job's state), and its monitors run at
spider_closed, after the archive pipeline has finished the run's row. What would remain of it
is a unittest runner around the same comparison, and a dependency tree (jsonschema, boto,
scrapinghub clients) the archive does not need.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlite_utils import Database

from scraper.archive.runs import DRIFT_COVERAGE, DRIFT_DEGRADED, DRIFT_REASONS
from scraper.extraction.record import Article

FIELDS = ("title", "published", "authors", "body", "tags")


class SettingsLike(Protocol):
    """Scrapy's Settings, as far as this module reads them."""

    def getbool(self, name: str) -> bool: ...
    def getint(self, name: str) -> int: ...
    def getfloat(self, name: str) -> float: ...
    def getdict(self, name: str) -> dict: ...


@dataclass(frozen=True)
class Thresholds:
    """The DRIFT_* settings (their defaults and meaning: scraper/settings.py)."""

    enabled: bool
    runs: int
    min_runs: int
    min_articles: int
    drop: float
    floors: dict[str, float]
    max_leak_share: float
    body_min_words: int
    body_max_words: int

    @classmethod
    def from_settings(cls, settings: SettingsLike) -> Thresholds:
        return cls(
            enabled=settings.getbool("DRIFT_ENABLED"),
            runs=settings.getint("DRIFT_RUNS"),
            min_runs=settings.getint("DRIFT_MIN_RUNS"),
            min_articles=settings.getint("DRIFT_MIN_ARTICLES"),
            drop=settings.getfloat("DRIFT_DROP"),
            floors={k: float(v) for k, v in settings.getdict("DRIFT_FLOORS").items()},
            max_leak_share=settings.getfloat("DRIFT_MAX_LEAK_SHARE"),
            body_min_words=settings.getint("DRIFT_BODY_MIN_WORDS"),
            body_max_words=settings.getint("DRIFT_BODY_MAX_WORDS"),
        )


@dataclass
class SiteCounts:
    """One site's new articles in one run: how many, how many have each field, and of the
    bodies the canary checked, how many still hold boilerplate (by rule)."""

    articles: int = 0
    present: Counter[str] = field(default_factory=Counter)
    # Pages fetched for the first time (new articles, and pages judged no article that the
    # archive never saw: a front fetched on every run is not counted again), and of those
    # that gave an article: a layout whose articles no longer look like articles shows here.
    pages: int = 0
    article_pages: int = 0
    checked: int = 0
    leaked: int = 0
    rules: Counter[str] = field(default_factory=Counter)

    def coverage(self) -> dict[str, Any]:
        """What `runs.drift` keeps of the site: shares of 0 to 1 (None: no evidence)."""
        out: dict[str, Any] = {"articles": self.articles, "pages": self.pages,
                               "article_share": round(self.article_pages / self.pages, 4)
                               if self.pages else None}
        for name in FIELDS:
            out[name] = round(self.present[name] / self.articles, 4) if self.articles else None
        out["bodies_checked"] = self.checked
        out["leak_share"] = round(self.leaked / self.checked, 4) if self.checked else None
        out["leak_rules"] = dict(sorted(self.rules.items()))
        return out


class DriftMonitor:
    """Counts a run's new articles per site as they are archived, then judges the run."""

    def __init__(self, thresholds: Thresholds):
        self.thresholds = thresholds
        self.sites: dict[str, SiteCounts] = {}

    def count(self, article: Article, new: bool, leaks: list[str] | None) -> None:
        """An archived article: `new` (first seen) counts for field coverage; `leaks` is the
        canary's verdict on its body, None where the site declares no rules to look for."""
        counts = self.sites.setdefault(article.site, SiteCounts())
        if new:
            counts.pages += 1
            counts.article_pages += 1
            counts.articles += 1
            counts.present.update(name for name in FIELDS if self.has(article, name))
        if leaks is not None:
            counts.checked += 1
            if leaks:
                counts.leaked += 1
                counts.rules.update(leaks)

    def count_no_article(self, db: Database, site: str, url: str) -> None:
        """A page of `site` that extraction judged no article (an error page, a front, or an
        article the extraction no longer recognises), counted if the archive never had it."""
        if db.execute("select 1 from pages where url = ? limit 1", [url]).fetchone():
            return
        self.sites.setdefault(site, SiteCounts()).pages += 1

    def has(self, article: Article, name: str) -> bool:
        if name == "body":  # a body of sane length: not a teaser, not the whole page
            t = self.thresholds
            return t.body_min_words <= article.word_count <= t.body_max_words
        return bool(getattr(article, name))

    def judge(self, db: Database, run_id: int | None) -> tuple[dict[str, Any], list[str]]:
        """The run's coverage per site, and why it is degraded (empty: it is not)."""
        coverage = {site: c.coverage() for site, c in sorted(self.sites.items())}
        if not self.thresholds.enabled:
            return coverage, []
        reasons: list[str] = []
        for site, now in coverage.items():
            reasons += self.site_reasons(site, now, norm(db, site, run_id, self.thresholds))
        return coverage, reasons

    def site_reasons(self, site: str, now: dict[str, Any], past: list[dict[str, Any]]
                     ) -> list[str]:
        t = self.thresholds
        reasons = []
        usable = len(past) >= t.min_runs
        if now["pages"] >= t.min_articles and usable:
            usual = _mean(run.get("article_share") for run in past)
            if now["article_share"] < usual - t.drop:
                reasons.append(f"{site}: {_pct(now['article_share'])} of {now['pages']} "
                               f"pages gave an article, down from {_pct(usual)} {_over(past)}")
        if now["articles"] >= t.min_articles:
            for name in FIELDS:
                share = now[name]
                usual = _mean(run[name] for run in past) if usable else None
                floor = t.floors.get(name)
                what = f"{site}: {_field_label(name)} in {_pct(share)} of {now['articles']} new " \
                       "articles"
                if floor is not None and share < floor:
                    reasons.append(f"{what}, below the floor of {_pct(floor)}")
                elif usual is not None and share < usual - t.drop:
                    reasons.append(f"{what}, down from {_pct(usual)} {_over(past)}")
        share = now["leak_share"]
        if share is not None and now["bodies_checked"] >= t.min_articles:
            usual = _mean(run["leak_share"] for run in past) if usable else None
            rules = ", ".join(f"{k} {v}" for k, v in now["leak_rules"].items())
            what = (f"{site}: boilerplate left in {_pct(share)} of {now['bodies_checked']} new "
                    f"bodies ({rules})")
            if share > t.max_leak_share:
                reasons.append(f"{what}, above the ceiling of {_pct(t.max_leak_share)}")
            elif usual is not None and share > usual + t.drop:
                reasons.append(f"{what}, up from {_pct(usual)} {_over(past)}")
        return reasons

    def finish(self, db: Database, run_id: int | None, stats: Any) -> list[str]:
        """Judge the run and set the stats that `runs` stores and the exit code reads."""
        coverage, reasons = self.judge(db, run_id)
        stats.set_value(DRIFT_COVERAGE, coverage)
        stats.set_value(DRIFT_DEGRADED, int(bool(reasons)))
        stats.set_value(DRIFT_REASONS, reasons)
        return reasons


def norm(db: Database, site: str, run_id: int | None, t: Thresholds) -> list[dict[str, Any]]:
    """The site's coverage in its last `t.runs` finished runs that were not degraded and had
    at least `t.min_articles` new articles of it, newest first."""
    key = f'$."{site}"'
    rows = db.execute(
        "select json_extract(drift, ?) from runs where finished is not null and degraded = 0 "
        "and id is not ? and json_extract(drift, ? || '.articles') >= ? "
        "order by id desc limit ?", [key, run_id, key, t.min_articles, t.runs]).fetchall()
    return [json.loads(row[0]) for row in rows]


def alarm(stats: dict[str, Any]) -> str | None:
    """The one line a degraded run prints, or None."""
    if not stats.get(DRIFT_DEGRADED):
        return None
    return "Warning: drift alarm, run degraded: " + "; ".join(stats.get(DRIFT_REASONS) or [])


def _mean(values: Any) -> float:
    found = [v for v in values if v is not None]
    return sum(found) / len(found) if found else 0.0


def _pct(share: float) -> str:
    return f"{share:.0%}"


def _over(past: list[dict[str, Any]]) -> str:
    return f"in the last {len(past)} run{'s' if len(past) > 1 else ''}"


def _field_label(name: str) -> str:
    return {"published": "a date", "authors": "authors", "body": "a body of sane length",
            "tags": "tags", "title": "a title"}[name]
