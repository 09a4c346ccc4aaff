"""Region, Theme and In-depth Report tags keep their kinds whatever element shows the labels:
the kind is read from the label text, not from the markup around it."""

from __future__ import annotations

import pytest

from scraper.extraction import fields
from scraper.extraction.document import Document
from scraper.extraction.extract import extract
from scraper.sites import SITES

GR = SITES["globalresearch"]
URL = "https://www.globalresearch.ca/ports-under-sanctions/5911111"
EXPECTED = [{"name": "Europe", "kind": "region"}, {"name": "Russia and FSU", "kind": "region"},
            {"name": "Intelligence", "kind": "theme"},
            {"name": "Ukraine Report", "kind": "in_depth_report"}]


def link(name: str) -> str:
    return f'<a href="/region/{name.lower().replace(" ", "-")}">{name}</a>'


EU, RU, INTEL, UA = link("Europe"), link("Russia and FSU"), link("Intelligence"), link(
    "Ukraine Report")

MARKUPS = {
    "table": (f"<table><tr><td>Region:</td><td>{EU}, {RU}</td></tr>"
              f"<tr><th>Theme:</th><td>{INTEL}</td></tr>"
              f"<tr><td><b>In-depth Report:</b></td><td><p>{UA}</p></td></tr></table>"),
    "list": (f"<ul class='meta'><li>Region:</li><li>{EU}</li><li>{RU}</li></ul>"
             f"<ul><li>Theme: {INTEL}</li><li>In-depth Report: {UA}</li></ul>"),
    "definition list": (f"<dl><dt>Region:</dt><dd>{EU}</dd><dd>{RU}</dd>"
                        f"<dt>Theme:</dt><dd>{INTEL}</dd>"
                        f"<dt>In-depth Report:</dt><dd>{UA}</dd></dl>"),
    # A term or a header cell is a label without its colon.
    "terms without colons": (f"<dl><dt>Region</dt><dd>{EU}</dd><dd>{RU}</dd>"
                             f"<dt>Theme</dt><dd>{INTEL}</dd></dl><table><tr><th>In-depth "
                             f"Report</th><td>{UA}</td></tr></table>"),
    "spans": (f"<div><span class='lbl'>Region:</span> <span class='v'>{EU}</span>, "
              f"<span class='v'>{RU}</span> | <span>Theme:</span><span>{INTEL}</span> | "
              f"<span>In-depth Report:</span> <span>{UA}</span></div>"),
    "plain text": f"<div>Region: {EU}, {RU} Theme: {INTEL} | In-depth Report: {UA}</div>",
    "divs": (f"<div><div>Region:</div><div>{EU} {RU}</div></div>"
             f"<div><div>Theme:</div><div>{INTEL}</div></div>"
             f"<div><div>In-depth Report:</div><div>{UA}</div></div>"),
}


def gr_page(labels: str, head: str = "", after: str = "") -> str:
    story = "".join(f"<p>The ports of the Baltic handled {n} million tonnes less grain, and "
                    "the shipping agents blamed the insurers as much as the sanctions.</p>"
                    for n in range(2, 8))
    return (f"<html lang='en'><head><title>Ports - Global Research</title>{head}</head><body>"
            f"<article><h1>Ports under sanctions</h1><p>By Ines Marlow</p>{labels}"
            f"<div class='entry-content'>{story}</div>{after}</article></body></html>")


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_the_kinds_come_from_the_label_text(markup):
    doc = Document(gr_page(MARKUPS[markup]), URL)
    result = fields.tags(doc, GR)
    assert (result.value, result.source) == (EXPECTED, "text:labels")


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_post_tags_and_meta_keywords_are_not_region_or_theme_tags(markup):
    head = ('<meta name="keywords" content="grain, ports, insurance">'
            '<meta property="article:tag" content="shipping">')
    after = ('<div class="post-tags">Tags: <a rel="tag" href="/tag/grain">grain</a></div>')
    article = extract(gr_page(MARKUPS[markup], head, after), URL, GR).article
    assert article.tags == EXPECTED


def test_a_label_followed_by_prose_opens_no_run():
    doc = Document(gr_page(f"<table><tr><td>Region:</td><td>not yet assigned</td></tr></table>"
                           f"<p>See also {EU}.</p>"), URL)
    result = fields.tags(doc, GR)
    assert not any(t["kind"] == "region" for t in (result.value if result else []))


def test_without_labels_the_post_tags_are_plain_tags():
    head = '<meta property="article:tag" content="shipping, grain">'
    article = extract(gr_page("", head), URL, GR).article
    assert article.tags == [{"name": "shipping", "kind": "tag"}, {"name": "grain", "kind": "tag"}]


def test_a_menu_heading_without_colon_is_no_label():
    menu = (f"<div><div>Regions</div>{EU}<br>{RU}<br><div>Themes</div>{INTEL}</div>")
    doc = Document(gr_page(menu), URL)
    found = fields.tags(doc, GR)
    assert not found or all(t["kind"] == "tag" for t in found.value)
