"""The generic metadata cascade, one step at a time, on small pages written for the test."""

from __future__ import annotations

import json

import pytest

from scraper.extraction import fields
from scraper.extraction.authors import split_authors
from scraper.extraction.document import Document
from scraper.extraction.extract import extract
from scraper.extraction.titles import clean_value, strip_site_name
from scraper.sites import generic_site

URL = "https://news.example.org/2024/05/02/port-strike-ends"
SITE = generic_site(URL)
BODY = "<p>" + "Dockers voted to end the strike after eleven days of talks. " * 5 + "</p>"


def page(head: str = "", body: str = "", lang: str = "en") -> Document:
    return Document(f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>', URL)


def ld(**data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(key: str, value: str, attr: str = "property") -> str:
    return f'<meta {attr}="{key}" content="{value}">'


def found(step, doc, *args):
    result = step(doc, SITE, *args)
    return (result.value, result.source) if result else None


SPAN = (0, 10_000)


# --- titles -----------------------------------------------------------------------------

@pytest.mark.parametrize(("head", "body", "expected"), [
    # og:title without the site name, which og:site_name gives
    (meta("og:title", "Port strike ends | Harbour Daily") + meta("og:site_name", "Harbour Daily"),
     "", ("Port strike ends", "meta:og:title")),
    # the site name from the domain; a date appended too
    (meta("og:title", "Port strike ends – Example – 02.05.2024"), "",
     ("Port strike ends", "meta:og:title")),
    # a tail that is neither the site nor a date stays
    (meta("og:title", "Port strike ends - and prices fall"), "",
     ("Port strike ends - and prices fall", "meta:og:title")),
    # the <h1> tells where the headline ends
    (meta("og:title", "Port strike ends :: Hafenblatt Online"), "<h1>Port strike ends</h1>",
     ("Port strike ends", "meta:og:title")),
    # JSON-LD headline when there is no og:title; entities decoded
    (ld(**{"@type": "NewsArticle", "headline": "Port &quot;strike&quot; ends"}), "",
     ('Port "strike" ends', "json-ld")),
    # a JSON-LD headline written for the article (not a copy of <title>) wins over og:title
    ("<title>Port strike ends | Example</title>" + meta("og:title", "Port strike ends")
     + ld(**{"@type": "NewsArticle", "headline": "Dockers end eleven-day port strike"}), "",
     ("Dockers end eleven-day port strike", "json-ld")),
    # ... nor one cut at a length limit
    (meta("og:title", "Dockers end eleven-day port strike as talks succeed")
     + ld(**{"@type": "NewsArticle", "headline": "Dockers end eleven-day port…"}), "",
     ("Dockers end eleven-day port strike as talks succeed", "meta:og:title")),
    # ... nor one that copies <title>
    ("<title>Dockers end eleven-day port strike</title>" + meta("og:title", "Port strike ends")
     + ld(**{"@type": "NewsArticle", "headline": "Dockers end eleven-day port strike"}), "",
     ("Port strike ends", "meta:og:title")),
    # the <h1> when there is no structured title; then <title>
    ("", "<header><h1>Example News</h1></header><article><h1>Port strike ends</h1></article>",
     ("Port strike ends", "css:h1")),
    ("<title>Port strike ends | Example</title>", "", ("Port strike ends", "title")),
    # an og:title that is only the site's name says nothing of the article
    (meta("og:title", "Example News") + meta("og:site_name", "Example News"),
     "<h1>Port strike ends</h1>", ("Port strike ends", "css:h1")),
    # a kicker that og:title puts before the headline the <h1> shows with its own kicker
    (meta("og:title", "Port unrest: Port strike ends after eleven days"),
     '<h1><span>Harbour</span> <span>Port strike ends after eleven days</span></h1>',
     ("Port strike ends after eleven days", "meta:og:title")),
])
def test_title(head, body, expected):
    assert found(fields.title, page(head, body)) == expected


def test_title_repairs_mojibake():
    assert clean_value("La sanciÃ³n de Verstappen") == "La sanción de Verstappen"


def test_site_name_in_front_is_cut():
    assert strip_site_name("Example News - Port strike ends", ["Example News"]) == (
        "Port strike ends")
    assert strip_site_name("Port: strike ends", ["Port"]) == "Port: strike ends"


def test_site_name_is_only_cut_at_a_separator():
    assert strip_site_name("Example strikes back", ["Example"]) == "Example strikes back"
    assert strip_site_name("港の新しいクレーン：みなと新聞", ["みなと新聞"]) == "港の新しいクレーン"


# --- authors ----------------------------------------------------------------------------

@pytest.mark.parametrize(("byline", "expected"), [
    ("By Sam Reyes, Staff Writer | January 1, 2021", ["Sam Reyes"]),
    ("Von Anna Müller und Jens Koch", ["Anna Müller", "Jens Koch"]),
    ("Por Ana Gómez y Luis Pérez", ["Ana Gómez", "Luis Pérez"]),
    ("Par Claire Dubois et Marc Leroy", ["Claire Dubois", "Marc Leroy"]),
    ("Autor: Trine Jørgensen og Ole Berg", ["Trine Jørgensen", "Ole Berg"]),
    ("Helen Marsh 30 August 2023 • 4:45pm", ["Helen Marsh"]),
    ("Associated Press in Valencia", ["Associated Press"]),
    ("(Image: Getty Images)", []),
    ("Theresa May (t.may@example.org)", ["Theresa May"]),
    ("Ursula von der Leyen", ["Ursula von der Leyen"]),
    ("Stadtfunk Redaktion", ["Stadtfunk Redaktion"]),
    # the agency (or place) after a list closed by "and" is not a third author
    ("By Priya Raman and Tom Keller, Reuters", ["Priya Raman", "Tom Keller"]),
    ("Nora Keller, Lisa Frei, Hama", ["Nora Keller", "Lisa Frei", "Hama"]),
    ("di Marco Bellini", ["Marco Bellini"]),
    # a label in any language; the editor after it is no author
    ("Penulis: Rina Kartika | Editor: Budi Santoso", ["Rina Kartika"]),
    # a Korean byline: the name and the word for reporter
    ("김민지 기자 kimmj@example.org", ["김민지"]),
    # a name ending in a vowel sign of an Indic script keeps it
    ("रवि शर्मा", ["रवि शर्मा"]),
])
def test_split_authors(byline, expected):
    assert split_authors(byline) == expected


def test_split_authors_drops_the_site_name():
    assert split_authors("Dan Whitlock | City Report", ["City Report"]) == ["Dan Whitlock"]
    # a site name with a digit in it, after a list of people
    assert split_authors("Ann Roy and Ben Ode, WXYZ 7 News", ["WXYZ 7 News"]) == [
        "Ann Roy", "Ben Ode"]


@pytest.mark.parametrize(("head", "body", "expected"), [
    (ld(**{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Mara Lind"},
                                              {"@type": "Person", "name": "Tom Otieno"}]}), "",
     (["Mara Lind", "Tom Otieno"], "json-ld")),
    # a reference to a person elsewhere in the graph (as WordPress SEO plugins write it)
    (ld(**{"@graph": [
        {"@type": "Article", "headline": "T", "author": {"@id": "https://x.org/#/person/1"}},
        {"@type": "Person", "@id": "https://x.org/#/person/1", "name": "Lena Berg"}]}), "",
     (["Lena Berg"], "json-ld")),
    # JSON-LD names only the publisher: a person in the meta wins
    (ld(**{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example"}})
     + meta("article:author", "Lena Berg"), "", (["Lena Berg"], "meta:article:author")),
    # ... or in a byline element
    (ld(**{"@type": "Article", "author": {"@type": "Organization", "name": "Example"}}),
     '<h1>T</h1><p class="article-author">Von: Sabine Roth</p>',
     (["Sabine Roth"], "css:byline")),
    # an agency credited beside a person stays; the site itself does not
    (ld(**{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Petra Wyss"},
                                              {"@type": "Organization", "name": "NWA"},
                                              {"@type": "Organization", "name": "Example"}]}),
     "", (["Petra Wyss", "NWA"], "json-ld")),
    # the editors' credit line of a Chinese page
    ("", '<h1>T</h1><p>正文。</p><div class="edit">(责编：王小明、李华)</div>',
     (["王小明", "李华"], "text:credit-line")),
    # the organisation when no person is named anywhere
    (ld(**{"@type": "Article", "author": {"@type": "Organization", "name": "Example Wire"}}), "",
     (["Example Wire"], "json-ld:organization")),
    # a profile URL in article:author is not a name
    (meta("article:author", "https://www.facebook.com/example")
     + meta("author", "Ana Ruiz", "name"), "", (["Ana Ruiz"], "meta:author")),
    # microdata of the article, not of its pictures
    ("", '<div itemscope itemtype="https://schema.org/NewsArticle">'
         '<figure itemscope itemtype="https://schema.org/ImageObject">'
         '<meta itemprop="author" content="Getty Images"></figure>'
         '<div itemprop="author" itemscope itemtype="https://schema.org/Person">'
         '<meta itemprop="name" content="Isla Grant"></div></div>',
     (["Isla Grant"], "microdata:author")),
    # a byline listing more authors than the JSON-LD does
    (ld(**{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Marlene Holm"}}),
     '<div class="bylines"><div class="byline"><a rel="author">Sigrid Voll</a></div>'
     '<div class="byline"><a rel="author">Marlene Holm</a></div></div>',
     (["Sigrid Voll", "Marlene Holm"], "css:byline")),
    # a byline element's class in other languages; its parts (name, place) touch
    (ld(**{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example"}}),
     '<h1>T</h1><div class="autor"><span class="nombre">Por Lucía Ferrer Gil</span>'
     '<span class="lugar">Orihuela</span></div>', (["Lucía Ferrer Gil"], "css:byline")),
    # the writer an SEO plugin names in a labelled twitter meta pair
    (meta("twitter:label1", "Written by", "name") + meta("twitter:data1", "Eva Brandt", "name"),
     '<h1>T</h1><div class="byline">Eva Brandt, Frankfurt</div>',
     (["Eva Brandt"], "meta:twitter:data1")),
])
def test_authors(head, body, expected):
    assert found(fields.authors, page(head, body), None) == expected


def test_korean_reporter_line_is_the_byline():
    doc = page(body="<h1>T</h1><ul><li>김민지 기자</li><li>입력 2025.02.20 11:03</li></ul>",
               lang="ko")
    shown = fields.byline(doc, SITE, fields.header_span(doc, doc.xpath("//h1")[0], None))
    assert (shown.value, shown.source) == ("김민지 기자", "text:by-line")
    assert found(fields.authors, doc, shown) == (["김민지"], "text:by-line")


@pytest.mark.parametrize("line", [
    '<span class="writer">كتب: <a href="/section/7">محمد عبد الله</a></span>',
    '<div class="editor">Haber: <a href="/muhabir/ayse-yilmaz">Ayşe Yılmaz</a></div>',
])
def test_byline_elements_named_writer_or_linking_to_a_reporters_page(line):
    doc = page(body=f"<h1>T</h1>{line}")
    assert found(fields.authors, doc, None)[0] in (["محمد عبد الله"], ["Ayşe Yılmaz"])


def test_a_byline_in_capitals_takes_the_name_as_the_meta_writes_it():
    doc = page(meta("author", "Ελένη Παπαδοπούλου", "name"),
               '<h1>T</h1><span class="byline">ΕΛΕΝΗ ΠΑΠΑΔΟΠΟΥΛΟΥ</span>', lang="el")
    assert found(fields.authors, doc, None)[0] == ["Ελένη Παπαδοπούλου"]


def test_byline_elements_skip_comments_and_author_boxes():
    doc = page(body='<h1>T</h1><div class="comment-author">Reader One</div>'
                    '<div class="author-bio">Carla writes about the sea.</div>'
                    '<span class="byline">By Carla Weiss</span>')
    assert found(fields.authors, doc, None) == (["Carla Weiss"], "css:byline")


# --- dates ------------------------------------------------------------------------------

@pytest.mark.parametrize(("head", "body", "expected"), [
    # JSON-LD first; its offset kept
    (ld(**{"@type": "NewsArticle", "datePublished": "2024-07-17T11:21:03+01:00"})
     + meta("article:published_time", "2024-07-17T11:21:03+0000"), "",
     ("2024-07-17T11:21:03+01:00", "json-ld")),
    # a local time gets the offset another source gives for the same minute
    (ld(**{"@type": "NewsArticle", "datePublished": "2023-04-28 18:11:01.0"})
     + meta("date", "2023-04-28T18:11:01+02:00", "name"), "",
     ("2023-04-28T18:11:01+02:00", "json-ld")),
    # a bare day gets the time another source gives for that day
    (meta("article:published_time", "2022-07-14"), '<time datetime="2022-07-14T09:30:00Z">x</time>',
     ("2022-07-14T09:30:00+00:00", "meta:article:published_time")),
    # a local time without any offset stays local
    (meta("article:published_time", "2024-09-03T04:03:19"), "",
     ("2024-09-03T04:03:19", "meta:article:published_time")),
    # Dublin Core
    (meta("dc.date", "2025-11-03", "name"), "", ("2025-11-03", "meta:dc.date")),
    # <time> of the article, not of a related story listed before it
    ("", '<aside class="related"><time datetime="2020-01-01">old</time></aside>'
         '<div class="teaser"><time datetime="2020-02-02">old</time></div>'
         '<h1>T</h1><time datetime="2024-03-05T10:00:00-05:00">March 5</time>',
     ("2024-03-05T10:00:00-05:00", "time[datetime]")),
    # a visible date line when the page has nothing structured
    ("", '<h1>T</h1><div class="lineinfo">Do 25.04.24 | 14:07 Uhr | Von Eva Roth</div>',
     ("2024-04-25T14:07:00", "text:date")),
    ("", "<h1>T</h1><p>Published March 31, 2019</p>", ("2019-03-31", "text:date")),
    # the time after a text date
    ("", "<h1>T</h1><p>Published: March 3, 2025 at 4:12 p.m. ET</p>",
     ("2025-03-03T16:12:00", "text:date")),
    ("", "<h1>T</h1><p><time>Thu 27 Feb 2025 at 07:30</time></p>",
     ("2025-02-27T07:30:00", "text:date")),
    # microdata on an <abbr>: the full value is its title, the text a short form
    ("", '<div itemscope itemtype="http://schema.org/BlogPosting"><h1>T</h1>'
         '<abbr itemprop="datePublished" title="2025-03-18T07:30:00-04:00">7:30 AM</abbr></div>',
     ("2025-03-18T07:30:00-04:00", "microdata:datePublished")),
])
def test_published(head, body, expected):
    doc = page(head, body)
    result = fields.published(doc, SITE, fields.header_span(doc, (doc.xpath("//h1") or [None])[0],
                                                             None))
    assert (result.value[0], result.source) == expected


def test_a_teasers_time_is_not_the_articles_whatever_its_box_is_called():
    doc = page(body="<article><h1>T</h1><p>Publicado em 12/03/2025 às 14h35</p>"
                    + BODY + '</article><section class="relacionadas"><article>'
                    '<a href="/cidades/erosao/">Erosão ameaça quiosques</a>'
                    '<time datetime="2025-03-10T09:00:00-03:00">10/03/2025</time>'
                    "</article></section>", lang="pt")
    result = fields.published(doc, SITE, fields.header_span(doc, doc.xpath("//h1")[0], None))
    assert (result.value[0], result.source) == ("2025-03-12T14:35:00", "text:date")


def test_published_from_a_date_line_with_labels():
    """dateparser reads no label: the value after "Opublikowano:" is the date."""
    doc = page(body="<h1>T</h1><p>Opublikowano: 7 lutego 2025, 14:05 "
                    "Aktualizacja: 7 lutego 2025, 16:40</p>", lang="pl")
    result = fields.published(doc, SITE, fields.header_span(doc, doc.xpath("//h1")[0], None))
    assert (result.value[0], result.source) == ("2025-02-07T14:05:00", "text:date")


def test_modified_from_structured_data_only():
    doc = page(meta("article:modified_time", "2023-11-02T10:40:12+01:00"),
               "<h1>T</h1><p>Updated 3 November 2023</p>")
    assert found(fields.modified, doc, SPAN) == (
        ("2023-11-02T10:40:12+01:00", "2023-11-02T10:40:12+01:00"), "meta:article:modified_time")
    assert fields.modified(page(body="<p>Updated 3 November 2023</p>"), SITE, SPAN) is None


# --- tags -------------------------------------------------------------------------------

def tag_names(doc):
    result = fields.tags(doc, SITE, (0, 0))
    return ([t["name"] for t in result.value], result.source) if result else None


@pytest.mark.parametrize(("head", "body", "expected"), [
    (meta("article:tag", "Verkehr") + meta("article:tag", "Linz"), "",
     (["Verkehr", "Linz"], "meta:article:tag")),
    # one value holding a list; repeats dropped
    (meta("article:tag", "Politics,Federal Politics,Politics"), "",
     (["Politics", "Federal Politics"], "meta:article:tag")),
    (meta("keywords", "Ports; Labour , Strike", "name"), "",
     (["Ports", "Labour", "Strike"], "meta:keywords")),
    (ld(**{"@type": "NewsArticle", "keywords": ["AI", "Generative AI"]}), "",
     (["AI", "Generative AI"], "json-ld:keywords")),
    (meta("dc.subject", "Climate change", "name") + meta("keywords", "Science", "name"), "",
     (["Climate change"], "meta:dc.subject")),
    # labelled values keep only the subjects
    (meta("parsely-tags", "Day: Friday, Subject: Justice, Subject: Politics, WC: 1000", "name"),
     "", (["Justice", "Politics"], "meta:parsely-tags")),
    # Chinese keywords separated by spaces
    (meta("keywords", "深空探测 探月工程 航天技术", "name"), "",
     (["深空探测", "探月工程", "航天技术"], "meta:keywords")),
    # the site's own keywords (they start with its name) are not the article's
    (meta("og:site_name", "Example Daily") + meta("keywords", "Example Daily,News,Sport", "name")
     + meta("news_keywords", "Ports", "name"), "", (["Ports"], "meta:news_keywords")),
    # the tag links the article shows before the keywords meta, which adds SEO terms
    (meta("keywords", "bursa metro, ihale, belediye", "name"),
     '<div class="tags"><a rel="tag" href="/etiket/bursa-metro">Bursa Metro</a>'
     '<a rel="tag" href="/etiket/ihale">İhale</a></div>',
     (["Bursa Metro", "İhale"], "css:a[rel=tag]")),
    # a list of codes is no list of tags
    (meta("keywords", "AER,AERO,AIR,GEN,INDS,TRAN", "name"), "", None),
    ("", '<footer class="entry-footer"><a rel="tag" href="/tag/events/">Events</a>'
         '<a rel="tag" href="/tag/new-year/">New Year</a></footer>',
     (["Events", "New Year"], "css:a[rel=tag]")),
    # a visible topic list, not links inside the text nor the site menu
    ("", '<nav><a href="/topics/sport/">Sport</a></nav><h1>T</h1>'
         '<p>As <a href="/topics/harbour/">the harbour</a> said on Monday, work resumed.</p>'
         '<ul class="article-topics"><li><a href="/topics/ports/">Ports</a></li>'
         '<li><a href="/topics/labour/">Labour</a></li></ul>',
     (["Ports", "Labour"], "css:tag-list")),
    # an Italian topic list after its label; a story card's section link is no tag
    ("", '<h1>T</h1><div class="argomenti"><span>Argomenti:</span> <a href="/argomenti/frane">'
         'frane</a> <a href="/argomenti/protezione-civile">protezione civile</a></div>'
         '<div class="card"><a href="/tags/gas/">Gas</a><a href="/business/story-1/">'
         'A long headline of another story on the same page</a></div>',
     (["frane", "protezione civile"], "css:tag-list")),
    # a topic box with its heading, links to pages whose path names no tag in English
    ("", '<h1>T</h1><div class="topics"><h3>Aiheet</h3><a href="/aihe/myrsky">Myrsky</a>'
         '<a href="/aihe/sahkokatko">Sähkökatko</a><a href="/aihe/pohjanmaa">Pohjanmaa</a></div>',
     (["Myrsky", "Sähkökatko", "Pohjanmaa"], "css:tag-list")),
])
def test_tags(head, body, expected):
    assert tag_names(page(head, body)) == expected


# --- language and the whole record -----------------------------------------------------

@pytest.mark.parametrize(("html", "expected"), [
    ('<html lang="de-AT"><head></head></html>', "de"),
    (f'<html><head>{meta("og:locale", "fr_FR")}</head></html>', "fr"),
    (f'<html><head>{ld(**{"@type": "NewsArticle", "inLanguage": "ja"})}</head></html>', "ja"),
    ('<html><head><meta http-equiv="Content-Language" content="nl"></head></html>', "nl"),
    ("<html><head></head></html>", None),
])
def test_language(html, expected):
    assert Document(html, URL).lang == expected


def test_json_ld_in_graph_nested_and_sloppy():
    data = ('<script type="application/ld+json"><!--\n{"@graph": [{"@type": "WebSite", '
            '"name": "Example"}, {"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", '
            '"headline": "Port strike ends",}}]}\n--></script>')
    doc = page(data)
    assert doc.article_ld["headline"] == "Port strike ends"
    assert "Example" in doc.site_names


@pytest.mark.parametrize(("opening", "closing"), [
    ("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>"), ("// <![CDATA[", "// ]]>"),
    ("", "-->"), ("<![CDATA[", ""), ("", ""),
])
def test_json_ld_wrapped_in_comment_or_cdata_markers(opening, closing):
    # Each marker alone is taken off too (the look-up that skips the pattern must not miss one).
    data = (f'<script type="application/ld+json">\n {opening}\n{{"@type": "NewsArticle", '
            f'"headline": "Port strike ends"}}\n{closing} \n</script>')
    assert page(data).article_ld["headline"] == "Port strike ends"


def test_article_ld_prefers_the_page_own_object():
    related = {"@type": "NewsArticle", "headline": "Older story", "url": "https://news.example.org/old"}
    own = {"@type": "NewsArticle", "headline": "Port strike ends", "url": URL}
    doc = page(ld(**{"@graph": [related, own]}))
    assert doc.article_ld["headline"] == "Port strike ends"


def test_record_says_where_each_field_came_from():
    head = (meta("og:title", "Port strike ends | Example") + meta("og:type", "article")
            + ld(**{"@type": "NewsArticle", "datePublished": "2024-05-02T09:30:00+02:00",
                    "dateModified": "2024-05-02T11:00:00+02:00",
                    "author": {"@type": "Person", "name": "Lena Berg"},
                    "keywords": "Ports, Labour"}))
    article = extract(f"<html lang='sv'><head>{head}</head><body><article><h1>Port strike ends"
                      f"</h1>{BODY}</article></body></html>", URL).article
    assert (article.title, article.authors, article.published, article.modified,
            [t["name"] for t in article.tags], article.language) == (
        "Port strike ends", ["Lena Berg"], "2024-05-02T09:30:00+02:00",
        "2024-05-02T11:00:00+02:00", ["Ports", "Labour"], "sv")
    assert {k: article.provenance[k] for k in ("title", "authors", "published", "modified",
                                                "tags")} == {
        "title": "meta:og:title", "authors": "json-ld", "published": "json-ld",
        "modified": "json-ld", "tags": "json-ld:keywords"}


# --- robustness -------------------------------------------------------------------------

WEIRD_HEADS = [
    '<script type="application/ld+json">{"@type": ["NewsArticle", 5], "headline": ["a", 1],'
    ' "author": [null, 3, {"name": ["X", null]}, {"@type": "Person"}], "datePublished": 20240101,'
    ' "keywords": {"a": 1}, "inLanguage": {"name": "en"}}</script>',
    '<script type="application/ld+json">[[[], {"@graph": {"@type": "Article"}}]]</script>',
    '<script type="application/ld+json">{"@type": "Article", "mainEntityOfPage": 7,'
    ' "datePublished": "2024-02-30T25:61:00Z", "dateModified": ["2024-01-01"]}</script>',
    '<script type="application/ld+json">not json at all {</script>',
    '<script type="application/ld+json"></script>' + meta("og:title", "   "),
    meta("article:published_time", "yesterday-ish") + meta("article:tag", ",,, ;"),
    meta("author", "@@@") + meta("keywords", "#" * 300, "name"),
]


@pytest.mark.parametrize("head", WEIRD_HEADS)
def test_odd_structured_data_never_raises(head):
    html = (f"<html><head>{head}</head><body><article><h1>Port strike ends</h1>"
            f'<time datetime="not a date">x</time><span itemprop="datePublished"></span>'
            f"{BODY}</article></body></html>")
    result = extract(html, URL)
    assert result.status in {"article", "not_article"}
    if result.article:
        assert result.article.title


def test_page_without_body_element():
    html = (f"<html><head>{meta('og:title', 'Port strike ends')}{meta('og:type', 'article')}"
            f"</head><article><h1>Port strike ends</h1>{BODY}</article></html>")
    assert extract(html, URL).article.title == "Port strike ends"


def test_language_detected_when_the_page_declares_none():
    html = ("<html><head><meta property='og:type' content='article'></head><body><article>"
            "<h1>Neue Brücke für Linz</h1><p>" + "Der Gemeinderat hat am Mittwoch den Bau einer "
            "neuen Brücke über die Donau beschlossen. " * 4 + "</p></article></body></html>")
    article = extract(html, URL).article
    assert (article.language, article.provenance["language"]) == ("de", "detected")


def test_byline_as_shown_from_a_byline_element_under_the_headline():
    doc = page(body='<article><h1>Neue Brücke</h1><div class="meta"><p class="author">Von '
                    '<a href="/autor/am">Anna Müller</a> und <a href="/autor/jk">Jens Koch</a>'
                    '</p> <span>2. November 2023</span></div><div class="text">'
                    f'{BODY}</div></article>', lang="de")
    h1 = doc.xpath("//h1")[0]
    body = doc.xpath("//div[@class='text']")[0]
    found_byline = fields.byline(doc, SITE, fields.header_span(doc, h1, body))
    assert (found_byline.value, found_byline.source) == (
        "Von Anna Müller und Jens Koch", "css:byline-box")
    assert fields.authors(doc, SITE, found_byline).value == ["Anna Müller", "Jens Koch"]
