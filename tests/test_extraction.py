"""extract() as a whole: odd input never raises, encodings, the generic fallback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.extraction.encoding import decode_page
from scraper.extraction.extract import extract

URL = "https://www.globalresearch.ca/a-story/5000001"
PARAGRAPH = "The committee met again on Tuesday and heard eleven witnesses. " * 4


def article_html(charset="utf-8", extra_head="", body_text=PARAGRAPH):
    return (f'<html lang="en"><head><meta charset="{charset}">{extra_head}'
            '<title>A Story - Global Research</title></head><body>'
            '<div class="title"><h2 itemprop="headline">A Story of Bogotá</h2></div>'
            '<div class="author-line">By Ana Pérez</div>'
            '<div>Global Research, March 3, 2011</div>'
            f'<div itemprop="articleBody"><p>{body_text}</p><p>En Bogotá, señor.</p></div>'
            '</body></html>')


@pytest.mark.parametrize("html", [
    "", "   ", "garbage \x00\x01\x02", "<p>unclosed", "<html><body></body></html>",
    "<?xml version='1.0'?><rss><channel></channel></rss>",
    "<html><head><script>" + "var a=1;" * 700_000 + "</script></head><body></body></html>",
    "<html><body><div><p>broken <b>nesting <i>here</div></p></b></body>",
    "<html><body><h1>Title only</h1></body></html>",
    "<html><body><h1>Lone \ud800 surrogate</h1></body></html>",
    "\x00" * 1000,
])
def test_odd_pages_give_a_reason_not_an_exception(html):
    result = extract(html, URL)
    assert result.status in {"not_article", "blocked"}
    assert result.reason


def test_broken_nesting_still_gives_the_article():
    html = article_html().replace("<p>En Bogotá", "<p><b><i>En Bogotá").replace(
        "</div></body>", "</b></div></div></body>")
    result = extract(html, URL)
    assert result.status == "article"
    assert result.article.body.endswith("En Bogotá, señor.")


def test_latin1_page_through_the_cli(tmp_path):
    page = tmp_path / "latin1.html"
    page.write_bytes(article_html(charset="iso-8859-1").encode("iso-8859-1"))
    result = CliRunner().invoke(cli, ["extract", str(page), "--url", URL])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["title"] == "A Story of Bogotá"
    assert record["authors"] == ["Ana Pérez"]
    assert record["body"].endswith("En Bogotá, señor.")
    assert record["published"] == "2011-03-03"


def test_page_with_no_article_markers_is_not_an_article():
    html = ("<html><head><title>Contact us</title></head><body><main><h1>Contact us</h1>"
            f"<p>{PARAGRAPH}</p></main></body></html>")
    result = extract(html, "https://www.example.org/contact")
    assert result.status == "not_article"
    assert result.reason.startswith("no article markers (date, byline, metadata)")


def test_unknown_site_uses_structured_data():
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": "Port strike ends", "datePublished": "2024-05-02T09:30:00+02:00",
                     "author": [{"@type": "Person", "name": "Lena Berg"}]})
    html = (f'<html lang="sv"><head><script type="application/ld+json">{ld}</script>'
            '<meta property="og:title" content="Port strike ends | Example News"></head>'
            f'<body><article><h1>Port strike ends</h1><p>{PARAGRAPH}</p></article></body></html>')
    result = extract(html, "http://example.org/2024/05/port-strike-ends?utm_source=x")
    article = result.article
    assert article.site == "example.org"
    assert article.url == "https://example.org/2024/05/port-strike-ends"
    assert (article.title, article.authors, article.published, article.language) == (
        "Port strike ends", ["Lena Berg"], "2024-05-02T09:30:00+02:00", "sv")
    assert article.body == PARAGRAPH.strip()
    assert article.provenance["title"] == "meta:og:title"


def test_meta_time_wins_over_the_visible_day():
    head = '<meta property="article:published_time" content="2011-03-03T21:15:00-05:00">'
    article = extract(article_html(extra_head=head), URL).article
    assert article.published == "2011-03-03T21:15:00-05:00"
    assert article.provenance["published"] == "meta:article:published_time"


def test_author_footer_when_there_is_no_byline():
    html = article_html().replace('<div class="author-line">By Ana Pérez</div>', "").replace(
        "</body>", '<div class="authorBox">Articles by: <a href="/author/x">Ana Pérez</a></div>'
        "</body>")
    article = extract(html, URL).article
    assert (article.byline, article.authors) == (None, ["Ana Pérez"])
    assert article.provenance["authors"] == "text:author-footer"


@pytest.mark.parametrize(("raw", "expected"), [
    # a re-saved page: UTF-8 bytes under an old Latin-9 declaration
    ('<meta charset="iso-8859-15"><p>sanción</p>'.encode(), "sanción"),
    ('<meta charset="iso-8859-1"><p>sanción</p>'.encode("iso-8859-1"), "sanción"),
    ('<meta charset="windows-1251"><p>Київ</p>'.encode("cp1251"), "Київ"),
    ('<meta charset="shift_jis"><p>港のクレーン</p>'.encode("shift_jis"), "港のクレーン"),
    ("\ufeff<p>Zürich</p>".encode("utf-16"), "Zürich"),
    ("\ufeff<p>Zürich</p>".encode("utf-8"), "<p>Zürich"),
])
def test_pages_decode_whatever_their_encoding(raw, expected):
    assert expected in decode_page(raw)


def test_binary_garbage_is_not_an_article(tmp_path):
    page = tmp_path / "garbage.html"
    page.write_bytes(bytes(range(256)) * 50)
    result = CliRunner().invoke(cli, ["extract", str(page), "--url", URL])
    assert result.exit_code == 1
    assert result.output.startswith("not_article:")
