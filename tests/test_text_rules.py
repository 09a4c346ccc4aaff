"""Unit tests of the small pieces: paragraphs, dates, authors, URLs, challenge pages."""

from __future__ import annotations

import pytest
from parsel import Selector

from scraper.extraction import blocking
from scraper.extraction.authors import split_authors
from scraper.extraction.blocking import challenge_reason
from scraper.extraction.dates import find_date, parse_date
from scraper.extraction.text import blocks_of, inline_text
from scraper.urls import canonical_url


def _root(html):
    return Selector(text=html).css("div#c")[0].root


def test_blocks_join_split_words_and_flatten_inline():
    root = _root('<div id="c"><p>Sup<span>ported</span> by <strong>70</strong>&nbsp;vehicles'
                 '<!-- ad --></p>\n<p>  Second\n line  </p></div>')
    assert [(b.text, b.tag) for b in blocks_of(root)] == [
        ("Supported by 70 vehicles", "p"), ("Second line", "p")]


def test_blocks_lists_quotes_headings_and_loose_text():
    root = _root('<div id="c">Loose text<ul><li>One</li><li>Two</li></ul>'
                 '<blockquote><p>Quoted.</p></blockquote><h3>Sub</h3>tail<br>next'
                 '<script>var x=1;</script></div>')
    assert [(b.text, b.tag) for b in blocks_of(root)] == [
        ("Loose text", "div"), ("One", "li"), ("Two", "li"), ("Quoted.", "p"),
        ("Sub", "h3"), ("tail\nnext", "div")]


def test_inline_text_decodes_entities_and_drops_invisible():
    root = _root('<div id="c">A&#8217;s&shy; &amp; B\u200b</div>')
    assert inline_text(root) == "A’s & B"


@pytest.mark.parametrize("text,kwargs,expected", [
    ("May 30, 2019", {"languages": ["en"]}, "2019-05-30"),
    ("29 May 2019", {}, "2019-05-29"),
    ("2023-03-14T10:25:00-04:00", {}, "2023-03-14T10:25:00-04:00"),
    ("2023-03-14T14:25:00Z", {}, "2023-03-14T14:25:00+00:00"),
    ("2025-05-12T08:00:00", {}, "2025-05-12T08:00:00"),
    ("2023-04-28 18:11:01.0", {}, "2023-04-28T18:11:01"),
    ("2024-07-17T18:39:23+0100", {}, "2024-07-17T18:39:23+01:00"),
    ("2024-10-23T15:48:15 UTC", {}, "2024-10-23T15:48:15+00:00"),
    ("26.04.2024, 20:44 Uhr", {"languages": ["de"]}, "2024-04-26T20:44:00"),
    ("2019-13-40", {}, None),
    ("2025-05-12T08:00:00", {"timezone": "America/Toronto"}, "2025-05-12T08:00:00-04:00"),
    ("30. Mai 2019", {"languages": ["de"]}, "2019-05-30"),
    ("no date here", {}, None),
    ("", {}, None),
])
def test_parse_date(text, kwargs, expected):
    assert parse_date(text, **kwargs) == expected


@pytest.mark.parametrize("text,expected", [
    ("By Carla Mendes, May 30, 2019", "2019-05-30"),
    ("Title By Author, October 07 2018", "2018-10-07"),
    ("August 19th, 2023 by Author", "2023-08-19"),
    ("Thu, 23 Jul 2026 22:09:41 +0000", "2026-07-23T22:09:41+00:00"),
    ("By Global Research News", None),
    ("Published: March 3, 2025 at 4:12 p.m. ET", "2025-03-03T16:12:00"),
    ("Thu 27 Feb 2025 at 07:30", "2025-02-27T07:30:00"),
])
def test_find_date(text, expected):
    assert find_date(text) == expected


def test_find_date_reads_slashes_day_first_outside_english():
    assert find_date("Publicado em 12/03/2025 às 14h35", ["pt"]) == "2025-03-12T14:35:00"
    assert find_date("Posted 03/12/2025", ["en"]) is None  # month first or day first?


@pytest.mark.parametrize("byline,names", [
    ("By South Front", ["South Front"]),
    ("By Marta Ilves and Daniel K. Osei", ["Marta Ilves", "Daniel K. Osei"]),
    ("By Claire Fontaine, Marc Aubry and Luc Petit",
     ["Claire Fontaine", "Marc Aubry", "Luc Petit"]),
    ("By Prof. Sarah Whitcombe", ["Sarah Whitcombe"]),
    ("By Ahmed Saleh (ahmed.saleh@example.org)", ["Ahmed Saleh"]),
    ("by Andrea Castillo", ["Andrea Castillo"]),
    ("Dr. Tomas Lindqvist", ["Tomas Lindqvist"]),
    ("By Anna Smith & Bo Li", ["Anna Smith", "Bo Li"]),
    ("By", []),
])
def test_split_authors(byline, names):
    assert split_authors(byline) == names


@pytest.mark.parametrize("url,kwargs,expected", [
    ("http://globalresearch.ca/a-story/5679151?utm_source=rss#top",
     {"host": "www.globalresearch.ca", "keep_query": False},
     "https://www.globalresearch.ca/a-story/5679151"),
    ("https://example.com/news?id=5&utm_medium=x&fbclid=abc", {},
     "https://example.com/news?id=5"),
    ("https://Example.com", {}, "https://example.com/"),
])
def test_canonical_url(url, kwargs, expected):
    assert canonical_url(url, **kwargs) == expected


def test_challenge_page_is_recognised():
    html = ("<html><head><title>Just a moment...</title></head><body>"
            "<p>Enable JavaScript and cookies to continue</p>"
            "<script src='/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1'></script>"
            "</body></html>")
    assert challenge_reason(html).startswith("challenge page")


@pytest.mark.parametrize("marker", [
    "<title> Just a Moment... </title>", "<TITLE>Attention Required! | Cloudflare</TITLE>",
    "<title>Access denied | shop.example used Cloudflare</title>", "<title>DDoS-Guard</title>",
    "<title>Please wait...</title>", "/cdn-cgi/challenge-platform/h/b/orchestrate/managed/",
    "class='cf-browser-verification'", "var cf_chl_opt = {", "/_Incapsula_Resource?SWJIYLWA",
    "id='px-captcha'", "/distil_r_captcha.html", "Enable JavaScript and cookies to continue",
    "Checking your browser before accessing", "CHECKİNG YOUR BROWSER BEFORE ACCESSİNG",
    "checkıng your browser before accessıng", "<title>Pleaſe wait...</title>",
])
def test_every_challenge_marker_passes_the_word_scan(marker):
    """The plain-word scan in front of the marker pattern lets every marker through, in any
    case, Turkish dotted and dotless i and the long s among them."""
    page = f"<html><body>{marker}</body></html>"
    assert blocking._MARKERS.search(page)
    assert blocking.may_carry_marker(page)
    assert challenge_reason(page).startswith("challenge page")


@pytest.mark.parametrize("script", [
    "document.cookie='k=1';location.reload()",
    'document.cookie = "STC=" + toHex(c); location.href = "/story?attempt=1"',
    "DOCUMENT.COOKIE='k=1'; window.location.replace('/story')",
])
def test_a_stub_that_sets_a_cookie_and_reloads_passes_its_word_scan(script):
    """A shield stub without any of _MARKERS' words is still seen: its own scan lets it by."""
    page = f"<html><body><script>{script}</script></body></html>"
    assert not blocking.may_carry_marker(page)
    assert blocking.may_reload_with_cookie(page)
    assert challenge_reason(page) == "challenge page: a script sets a cookie and reloads"


def test_page_without_marker_words_is_no_challenge_page():
    assert not blocking.may_carry_marker("<html><title>Just a minute</title><p>Wait.</p></html>")


def test_page_carrying_cloudflare_bot_management_script_is_not_blocked():
    html = ("<html><head><title>Budget passes</title></head><body><h1>Budget passes</h1>"
            "<p>The budget passed on Friday.</p><script>var a=document.createElement('script');"
            "a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';</script></body></html>")
    assert challenge_reason(html) is None


def test_article_mentioning_a_challenge_is_not_blocked():
    html = ("<html><head><title>How bot walls work</title></head><body><p>"
            + "A page titled Just a moment... asks readers to enable JavaScript. " * 800
            + "</p></body></html>")
    assert challenge_reason(html) is None
