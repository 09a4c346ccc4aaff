"""Headlines and tags of pages of the open web (issue 11): blogs, press releases, magazines
whose metadata is thin or says something else than the page shows."""

from __future__ import annotations

import json

import pytest

from scraper.extraction import fields
from scraper.extraction.document import Document
from scraper.sites import generic_site

URL = "https://harbour.example.org/2024/05/02/port-strike-ends"
SITE = generic_site(URL)
HEADLINE = "Port strike ends after eleven days"


def page(head: str = "", body: str = "") -> Document:
    return Document(f"<html><head>{head}</head><body>{body}</body></html>", URL)


def og(value: str) -> str:
    return f'<meta property="og:title" content="{value}">'


def ld_headline(value: str) -> str:
    data = {"@type": "NewsArticle", "headline": value}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def title_of(head: str, body: str) -> tuple[str, str] | None:
    found = fields.title(page(head, body), SITE)
    return (found.value, found.source) if found else None


# --- titles -----------------------------------------------------------------------------

def test_a_themes_header_headline_is_not_the_articles():
    # WordPress themes mark the site's name as the microdata headline of the page header.
    body = ('<header itemscope itemtype="https://schema.org/WPHeader">'
            '<p class="main-title" itemprop="headline">Harbour Watch</p></header>'
            f'<article><header class="entry-header"><h1>{HEADLINE}</h1></header></article>')
    assert title_of("", body) == (HEADLINE, "css:h1")


def test_the_h1_the_title_names_comes_before_the_pages_other_h1s():
    body = (f'<header class="page-header"><h1>{HEADLINE}</h1></header>'
            "<div><h1>What comes next</h1><p>Talks go on.</p><h1>Shell scripts</h1></div>")
    assert title_of(f"<title>{HEADLINE}</title>", body) == (HEADLINE, "css:h1")


@pytest.mark.parametrize("meta_title", [
    f"Harbour: {HEADLINE}",  # a kicker the h1 does not show
    f"{HEADLINE} (Harbour Daily)",  # the site in parentheses
    f"{HEADLINE} - the dockers' vote in pictures",  # a line of its own after the headline
])
def test_what_the_meta_title_adds_around_the_shown_headline_is_dropped(meta_title):
    assert title_of(og(meta_title), f"<h1>{HEADLINE}</h1>") == (HEADLINE, "meta:og:title")


def test_the_shown_headline_the_title_confirms_beats_a_lone_og_title():
    # og:title rewritten for sharing, or the name of the section ("Press releases").
    for shared in ("Why the dockers gave in", "Press releases"):
        head = og(shared) + f"<title>{HEADLINE} | Harbour Daily</title>"
        assert title_of(head, f"<article><h1>{HEADLINE}</h1></article>") == (HEADLINE, "css:h1")


def test_the_shown_headline_beats_an_og_title_the_title_repeats():
    # An SEO line in og:title and <title>; the article's own headline in its <h1>.
    seo = "Strike over? What the port deal means for you"
    head = og(seo) + f"<title>{seo}</title>"
    assert title_of(head, f"<article><h1>{HEADLINE}</h1></article>") == (HEADLINE, "css:h1")
    # not a label, nor the logo of the page's header, nor a two-word <h1>
    for h1 in ("<h1>You are here:</h1>", "<h1>Dear readers, dear friends,</h1>",
               "<header><h1>Harbour Daily News Online</h1></header>", "<h1>Port news</h1>"):
        assert title_of(head, h1) == (seo, "meta:og:title")


def test_og_title_stays_where_json_ld_gives_a_headline_too():
    # A page with an article's JSON-LD has its metadata written with care: og:title is the
    # headline as published.
    head = (og("Why the dockers gave in") + ld_headline(HEADLINE)
            + f"<title>{HEADLINE} | Harbour Daily</title>")
    assert title_of(head, f"<h1>{HEADLINE}</h1>")[0] == "Why the dockers gave in"


def test_og_title_stays_where_an_h1_shows_it():
    # The <title> names a section's <h1>; the meta title is the other <h1>.
    head = og(HEADLINE) + "<title>News - Harbour</title>"
    assert title_of(head, f"<h1>News</h1><h1>{HEADLINE}</h1>") == (HEADLINE, "meta:og:title")


def test_a_kicker_the_h1_marks_stays_out_of_the_headline():
    head = og(HEADLINE) + f"<title>Dock strike: {HEADLINE}</title>"
    body = f'<h1><span class="kicker">Dock strike</span>: <span>{HEADLINE}</span></h1>'
    assert title_of(head, body) == (HEADLINE, "meta:og:title")


@pytest.mark.parametrize("h1", [
    f'<span class="dachzeile">Dock strike</span> <span class="headline">{HEADLINE}</span>',
    f'<span class="article__roofline">Dock strike </span>{HEADLINE}',
    f'<span class="ts-overline">Dock strike</span><span class="ts-colon">: </span>{HEADLINE}',
    f'<small>Dock strike</small><br/> {HEADLINE}',  # a first line of its own
    f'<div><span class="sr-only">Headline:</span> {HEADLINE}</div>',  # for screen readers
])
def test_a_kicker_the_markup_marks_is_no_part_of_the_h1s_headline(h1):
    assert title_of("", f"<h1>{h1}</h1>") == (HEADLINE, "css:h1")
    # ... and the meta title's tail after it is dropped too
    assert title_of(og(f"{HEADLINE} - Dock strike"), f"<h1>{h1}</h1>") == (
        HEADLINE, "meta:og:title")


def test_a_meta_title_that_keeps_the_shown_kicker_stays_whole():
    whole = f"Dock strike: {HEADLINE}"
    body = (f'<h1><span class="kicker">Dock strike</span><span class="visually-hidden">: '
            f'</span><span>{HEADLINE}</span></h1>')
    assert title_of(og(whole), body) == (whole, "meta:og:title")
    # a plain line in front is the headline's own
    assert title_of("", f"<h1><span>Dock strike:</span> {HEADLINE}</h1>")[0] == whole


def test_the_pages_quotation_marks_replace_the_metas():
    shown = "Dockers say „enough“ and walk out"
    assert title_of(og("Dockers say &quot;enough&quot; and walk out"),
                    f"<h1>{shown}</h1>") == (shown, "meta:og:title")
    # ... not its case, nor its spacing
    assert title_of(og("Dockers Say Enough"), "<h1>Dockers say enough</h1>")[0] == (
        "Dockers Say Enough")
    assert title_of(og("Strike: dockers walk out"), "<h1>Strike:dockers walk out</h1>")[0] == (
        "Strike: dockers walk out")


# --- tags -------------------------------------------------------------------------------

def tags_of(head: str, body: str) -> tuple[list[tuple[str, str]], str] | None:
    doc = page(head, body)
    h1s = doc.xpath("//h1")
    start = doc.order[h1s[0]] if h1s else 0
    found = fields.tags(doc, SITE, (start, start + 1))
    return ([(t["name"], t["kind"]) for t in found.value], found.source) if found else None


ARTICLE = f"<article><h1>{HEADLINE}</h1><p>Dockers voted to end the strike.</p></article>"


def test_rel_tag_links_in_a_nav_after_the_article_are_its_tags():
    footer = ('<nav class="navbar"><ul class="dropdown-menu">'
              '<li><a href="../../tag/ports/" rel="tag">ports</a></li>'
              '<li><a href="../../tag/labour/" rel="tag">labour</a></li></ul></nav>')
    assert tags_of("", ARTICLE + footer) == (
        [("ports", "tag"), ("labour", "tag")], "css:nav a[rel=tag]")
    # a site menu before the headline is no tag list
    menu = '<nav><a href="/tag/weather/" rel="tag">Weather</a></nav>'
    assert tags_of("", menu + ARTICLE) is None


def test_the_posts_categories_when_it_has_no_tags():
    body = ('<article><ul class="post-categories"><li><a href="/category/blog/" '
            f'rel="category tag">Blog</a></li></ul><h1>{HEADLINE}</h1></article>')
    assert tags_of("", body) == ([("Blog", "category")], "css:a[rel=category]")
    with_tags = body + '<footer><a href="/tag/ports/" rel="tag">Ports</a></footer>'
    assert tags_of("", with_tags) == ([("Ports", "tag")], "css:a[rel=tag]")


def test_keywords_of_a_recipes_json_ld_when_the_article_object_has_none():
    objects = [{"@type": "WebSite", "name": "Harbour Kitchen", "keywords": "food, blog"},
               {"@type": "Article", "headline": HEADLINE},
               {"@type": "Recipe", "name": "Focaccia", "keywords": "Focaccia, Olive Bread"}]
    head = f'<script type="application/ld+json">{json.dumps({"@graph": objects})}</script>'
    assert tags_of(head, ARTICLE) == (
        [("Focaccia", "tag"), ("Olive Bread", "tag")], "json-ld:keywords")


@pytest.mark.parametrize("hrefs", [
    ("mot/la-greve", "tags/justice", "mot/port-autonome"),  # relative, French "mot"
    ("+-la-greve-+.html", "+-justice-+.html", "+-port-autonome-+.html"),  # SPIP keywords
    ("/aiheet/la-greve", "/aiheet/justice", "/aiheet/port-autonome"),  # Finnish "topics"
])
def test_tag_pages_by_their_path_in_several_languages(hrefs):
    names = ("La grève", "Justice", "Port autonome")
    links = ", ".join(f'<a href="{h}">{n}</a>' for h, n in zip(hrefs, names, strict=True))
    assert tags_of("", ARTICLE + f'<div class="labels">{links}</div>') == (
        [(n, "tag") for n in names], "css:tag-list")


def test_a_post_named_for_its_tags_is_no_tag_box_and_counts_are_no_part_of_a_tag():
    # WordPress names the <article> for its terms: its byline link is no tag.
    body = (f'<article class="post tag-ports tag-labour"><h1>{HEADLINE}</h1>'
            '<p class="byline"><a href="/author/ann/">Ann Lee</a></p>'
            '<p>Dockers voted to end the strike.</p></article>'
            '<div class="tags"><p class="tag-links"><a href="/tag/ports/">Ports (611 posts)</a>'
            '<a href="/tag/labour/">Labour (140)</a></p></div>')
    assert tags_of("", body) == ([("Ports", "tag"), ("Labour", "tag")], "css:tag-list")


def test_a_name_with_a_dot_is_a_tag_a_host_name_is_not():
    head = '<meta name="keywords" content="Ham.Lit, harbour.example.org, Literatur">'
    assert tags_of(head, ARTICLE) == ([("Ham.Lit", "tag"), ("Literatur", "tag")],
                                      "meta:keywords")
