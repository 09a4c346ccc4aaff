"""The field rules' faster lookups (issue 13) find what the queries they replace find: the
index of tags, the class words, the rel links, the credit line, the challenge markers'
subsets, the digest bound. The old XPath is the oracle, run beside the new code."""

from __future__ import annotations

import pytest

from scraper.extraction import blocking
from scraper.extraction.blocking import challenge_reason
from scraper.extraction.document import Document
from scraper.extraction.fields import layout, people, tagging
from scraper.extraction.fields.common import class_words, item_scope, tagged
from scraper.extraction.post_kind import DIGEST_ITEMS, _may_be_digest, link_items

URL = "https://news.example/2025/03/04/the-story"

PAGE = """<!doctype html><html><head><title>The story</title>
<link rel="canonical" href="/2025/03/04/the-story"><link rel="stylesheet" href="/s.css">
</head><body>
<header class="top"><nav><a rel="tag" href="/tag/menu">Menu tag</a></nav>
<a rel="category" href="/cat/head">Header category</a><h1>Site logo</h1></header>
<main><article itemscope itemtype="https://schema.org/NewsArticle">
<div class="a	entry-content" itemprop="articleBody x"><h1>The story</h1>
<div class="entry-content\u00a0b"><p>No-break space: one class word.</p></div>
<div itemprop="articleBody"><p>Body <a rel="tag" href="/tag/one">One</a>
<a rel="category tag" href="/tag/two">Two</a> <a rel=" tag" href="/tag/three">Three</a>
<a rel="tag\tx" href="/tag/four">Four</a> <a rel="nofollow tag" href="/tag/five">Five</a>
</p><!-- a comment --><time datetime="2025-03-04">4 March</time><time>no value</time></div>
<header><a rel="category" href="/cat/story">Story category</a></header>
<p>记者 李华</p><p><b>x</b>责编：王小明</p><p><span>作者</span></p>
</div><form><textarea name="comment"></textarea></form></article></main>
<div class="entry-content"><a href="/elsewhere">After</a></div>
</body></html><p>After the end of the page</p>"""


@pytest.fixture
def doc() -> Document:
    return Document(PAGE, URL)


@pytest.mark.parametrize("tag", ["h1", "title", "time", "link", "form", "article", "main",
                                 "a", "div", "p", "header"])
def test_tagged_finds_what_the_query_finds(doc, tag):
    assert tagged(doc, tag) == doc.xpath(f"//{tag}")
    assert tagged(doc, tag) is tagged(doc, tag)  # found once a page


def test_class_words_split_as_css_does():
    doc = Document('<div class=" a\tb\nc\rd  e\u00a0f "></div>', URL)
    assert [w for w in class_words(tagged(doc, "div")[0]) if w] == ["a", "b", "c", "d", "e\u00a0f"]


@pytest.mark.parametrize("query", layout.GENERIC_BODY)
def test_generic_body_selectors_find_what_css_finds(doc, query):
    assert layout._generic(doc, query) == doc.css(query)


def test_rel_links_find_what_the_old_queries_found(doc):
    tag = ("//a[contains(concat(' ', @rel, ' '), ' tag ')][not(contains(@rel, 'category'))]")
    category = ("//a[contains(concat(' ', @rel, ' '), ' category ')][not(ancestor::nav)]"
                "[not(ancestor::header[not(ancestor::article)])]")

    def texts(query):
        return [" ".join("".join(a.itertext()).split()) for a in doc.xpath(query)]

    assert tagging._rel_links(doc, tagging._is_tag_link, in_nav=False) == texts(
        tag + "[not(ancestor::nav)]") == ["One", "Three", "Five"]
    assert tagging._rel_links(doc, tagging._is_tag_link, in_nav=True) == texts(
        tag + "[ancestor::nav]") == ["Menu tag"]
    assert tagging._rel_links(doc, tagging._is_category_link, in_nav=False) == texts(
        category) == ["Two", "Story category"]


def test_credit_line_query_reads_each_elements_first_text(doc):
    old = ("//*[contains(text(), '责编') or contains(text(), '责任编辑')"
           " or contains(text(), '作者') or contains(text(), '记者')]")
    found = doc.xpath(people._CREDIT_XPATH)
    assert found == doc.xpath(old)
    # The <p> whose first text is after a <b>, and the <span>, are found; the <p> around
    # the <span> is not (it has no text of its own).
    assert [el.tag for el in found] == ["p", "p", "span"]


def test_item_scope_is_the_nearest_itemscope(doc):
    body = doc.itemprops["articleBody"][0]
    assert item_scope(body) is tagged(doc, "article")[0]
    assert item_scope(tagged(doc, "article")[0]) is None


@pytest.mark.parametrize("page", [
    "<html><head><script src='https://cdnjs.cloudflare.com/x.js'></script>"
    "<title>Just a moment...</title></head><body>cf_chl_opt px-captcha</body></html>",
    "<html><title>Story</title><body>cloudflare and ddos-guard in prose; "
    "<div id='px-captcha'></div><p>Checking your browser before accessing</p></body></html>",
    "<html><title>Pleaſe wait...</title><body>enable javascript and cookies to continue",
    "<html><title>Attention Required! | Cloudflare</title><body>/distil_r_captcha</body>",
])
def test_marker_subsets_find_the_first_match_the_whole_pattern_finds(page):
    subset = blocking._markers_for(blocking._folded(page))
    assert subset is not None
    assert subset.search(page).group(0) == blocking._MARKERS.search(page).group(0)
    assert challenge_reason(page).startswith("challenge page")


def test_a_page_with_only_a_script_from_cloudflare_is_no_challenge():
    page = ("<html><head><title>Budget passes</title><script src='https://cdnjs.cloudflare.com"
            "/ajax/libs/x.js'></script></head><body><p>The budget passed.</p></body></html>")
    assert blocking._markers_for(blocking._folded(page)).pattern.startswith("<title>")
    assert challenge_reason(page) is None


def test_an_odd_case_letter_sends_the_page_to_the_whole_pattern():
    assert blocking._folded("\u212aelvin") is None
    assert blocking._markers_for(None) is blocking._MARKERS


def _container(html: str):
    return Document(f"<html><body><div id='c'>{html}</div></body></html>", URL).css("#c")[0]


@pytest.mark.parametrize("items", [0, 1, 2, 3, 5])
def test_digest_bound_never_rules_out_a_digest(items):
    block = ("<li><a href='/story-{i}'>A story about the harvest {i}</a> with a blurb</li>"
             "<li><a href='#top'>Back to the top of it</a></li><li><a href='/x'>Share</a></li>")
    container = _container("<ul>" + "".join(block.format(i=i) for i in range(items)) + "</ul>")
    counted, _, _ = link_items(container, URL)
    assert counted == items
    assert _may_be_digest(container, URL) is (items >= DIGEST_ITEMS)


@pytest.mark.parametrize("html", [
    PAGE,
    "<div><!-- only a comment --><script>var a = 1;</script><br> \u00ad\u200b<style>p{}</style>"
    "<span>\u00a0</span></div><p>\u2003<b></b>\ufeff<i>x</i></p><ul><li><br>y</li></ul>",
    "<section><noscript>seen by none</noscript>\u200b<?pi stuff?> <em>  </em>tail</section>",
])
def test_shows_text_says_whether_inline_text_is_empty(html):
    doc = Document(html, URL)
    for el in doc.elements:
        assert layout._shows_text(el) is bool(layout.inline_text(el)), el.tag


def test_dateparser_keeps_the_texts_without_a_date_only(monkeypatch):
    from scraper.extraction import dates

    monkeypatch.setattr(dates, "_NO_DATE", {})
    assert dates.parse_date("Copyright 2020 Example GmbH", languages=["de"]) is None
    assert ("Copyright 2020 Example GmbH", ("de",)) in dates._NO_DATE
    assert dates.parse_date("Copyright 2020 Example GmbH", languages=["de"]) is None
    assert dates.parse_date("4. März 2021", languages=["de"]) == "2021-03-04"
    assert dates.parse_date("vor 2 Stunden", languages=["de"]) is not None  # relative: not kept
    assert [key for key, _ in dates._NO_DATE.items()] == [("Copyright 2020 Example GmbH", ("de",))]
    monkeypatch.setattr(dates, "MAX_NO_DATE", 3)
    for year in range(2001, 2006):
        dates.parse_date(f"Seite {year} von vielen", languages=["de"])
    assert list(dates._NO_DATE) == [(f"Seite {year} von vielen", ("de",))
                                    for year in (2003, 2004, 2005)]


BYLINES = """<html><body><h1>The story</h1>
<p>By Anna Berg</p><p>  written by Jens Ott</p><p>POSTED BY Mia Lund</p><p>words by Eva Holm</p>
<p>\u200bBy Ola Dahl</p><p>\u00a0By Per Sand</p><p><span>By</span> Kim Rask</p>
<p>b\u0307y Not Aname</p><p>김민지 기자</p><p>\u1100\u1161\u11a8 기자</p><p>Bye for now</p>
<p>Text: Lisa Kron</p><p>x<b>By Tor Nes</b></p><p>12 March 2025</p><p>Bylines elsewhere</p>
<p><a href="/x"> <i>Nope</i></a></p><p><a><br>By Kai Vik</a></p>
<p><span><!-- c -->By Rut Ek</span></p>
<div>By <a href="/a">Ulf Berg</a> and <a href="/b">Siv Moe</a></div></body></html>"""


def test_byline_opening_screen_never_hides_a_byline_line():
    """The byline scan skips lines whose element's own text opens with an ASCII letter no
    byline starts with: every line it skips fails both byline patterns, and the byline is
    the one the unscreened scan finds."""
    doc = Document(BYLINES, URL)
    opening = people._BYLINE_OPENS.__contains__
    skipped = 0
    for el in doc.root.iter("p", "div", "b", "span"):
        line = layout._line(el)
        if not layout._opens(el, opening):
            skipped += 1
            assert not (people.BYLINE_TEXT.match(line) or people.REPORTER_TEXT.match(line)), line
        elif line[:1].isascii() and line:
            assert opening(line[0]) or not el.text or not el.text.strip(), line
    assert skipped >= 3
    screened = list(layout.lines_between(doc, 0, len(doc.order), opening=opening))
    whole = list(layout.lines_between(Document(BYLINES, URL), 0, len(doc.order)))
    matches = [t for _, t in whole
               if people.BYLINE_TEXT.match(t) or people.REPORTER_TEXT.match(t)]
    assert [t for _, t in screened if t in matches] == matches
    assert matches == ["By Anna Berg", "written by Jens Ott", "POSTED BY Mia Lund",
                       "words by Eva Holm", "By Ola Dahl", "By Per Sand", "By Kim Rask",
                       "김민지 기자", "By Tor Nes", "By Kai Vik", "By Kai Vik", "By Rut Ek",
                       "By Rut Ek", "By Ulf Berg and Siv Moe"]
