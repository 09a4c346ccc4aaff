"""Republication means another outlet: a site named as its own original source is none."""

from __future__ import annotations

import pytest
from test_archive import make_item

from scraper.archive import open_archive, write_batch
from scraper.archive.schema import migrate
from scraper.extraction.extract import extract
from scraper.extraction.fields.source import names_the_site
from scraper.sites import SITES, generic_site

GR = SITES["globalresearch"]
URL = "https://www.globalresearch.ca/harbour-cranes-and-the-port-strike/5900001"
PROSE = ("The cranes stood still for a third day as dockers refused to unload the ships "
         "that had waited in the roads since the weekend, and the port authority said the "
         "backlog now reached every berth of the eastern quay.")


def page(source_line: str, site_name: str = "Global Research") -> str:
    """A Global Research article page of our own whose source line is `source_line`."""
    return f"""<!doctype html><html lang="en"><head>
<meta property="og:site_name" content="{site_name}">
<meta property="og:type" content="article"><title>Harbour cranes - Global Research</title>
</head><body><h1 class="entry-title">Harbour Cranes and the Port Strike</h1>
<p class="byline">By Mara Quist</p><p>Global Research, May 12, 2025</p>
<div class="entry-content"><p>{PROSE}</p><p>{PROSE}</p>
<p>{source_line}</p></div></body></html>"""


@pytest.mark.parametrize("line", [
    'The original source of this article is <a href="https://www.globalresearch.ca/">Global '
    'Research</a>',
    "The original source of this article is Global Research",
    "The original source of this article is GLOBAL RESEARCH.",
    "The original source of this article is globalresearch.ca",
    # Another wording, but the link is the site's own page.
    f'The original source of this article is <a href="{URL}">Global Research News</a>',
])
def test_the_site_as_its_own_source_is_no_republication(line):
    article = extract(page(line), URL, GR).article
    assert article.original_source is None
    assert article.provenance["original_source"] == "text:source-line:self"


def test_the_name_the_page_gives_the_site_counts_too():
    line = "The original source of this article is Centre for Research on Globalization"
    article = extract(page(line, site_name="Centre for Research on Globalization"), URL,
                      GR).article
    assert article.original_source is None


def test_another_outlet_is_a_republication():
    line = ('The original source of this article is <a href="https://harbour-weekly.example/'
            'cranes">Harbour Weekly</a>')
    article = extract(page(line), URL, GR).article
    assert article.original_source == {"name": "Harbour Weekly",
                                       "url": "https://harbour-weekly.example/cranes",
                                       "date": None}
    assert article.provenance["original_source"] == "text:source-line"


@pytest.mark.parametrize(("name", "url", "own"), [
    ("Global Research", None, True),
    ("global-research", None, True),
    ("Globalresearch", None, True),
    (None, "https://store.globalresearch.ca/x", True),  # a subdomain is the site's
    ("Global Times", None, False),
    ("Research", None, False),
    ("South Front", "https://southfront.press/x", False),
    (None, None, False),
])
def test_names_the_site(name, url, own):
    assert names_the_site(name, url, GR) is own


def test_a_generic_site_is_compared_with_its_host():
    site = generic_site("https://www.harbour-weekly.example/story")
    assert names_the_site(None, "https://harbour-weekly.example/other", site)
    assert names_the_site("harbour-weekly", None, site)
    assert not names_the_site("Global Research", None, site)


def test_migration_clears_self_sources_stored_before(db_path):
    """m006 on an archive written before the source line was compared with the site: the
    self-sourced row loses its source and its link, the other outlet's stays."""
    db = open_archive(db_path)
    own = make_item(url=URL, site="globalresearch",
                    original_source={"name": "Global Research", "url": URL, "date": None})
    by_url = make_item(url=URL + "7", site="globalresearch",
                       original_source={"name": "CRG", "url": "https://www.globalresearch.ca/",
                                        "date": None})
    other = make_item(url=URL + "8", site="globalresearch")  # South Front
    write_batch(db, [own, by_url, other])
    db.execute("delete from _sqlite_migrations where name = 'm006_republication_kinds'")
    migrate(db)
    rows = {r["url"]: r for r in db.query("select * from articles")}
    assert [(rows[u]["original_source"], rows[u]["original_source_url"],
             rows[u]["original_source_date"]) for u in (URL, URL + "7")] == [(None,) * 3] * 2
    assert rows[URL + "8"]["original_source"] == "South Front"
    linked = db.execute("select x.article_url, s.name from article_sources x "
                        "join sources s on s.id = x.source_id").fetchall()
    assert linked == [(URL + "8", "South Front")]
    assert [r[0] for r in db.execute("select name from sources")] == ["South Front"]
    assert [r[0] for r in db.execute("select source from republished_by_source")] == [
        "South Front"]
