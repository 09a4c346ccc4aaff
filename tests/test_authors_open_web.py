"""Authors on pages of the open web: blogs, press releases and magazines whose bylines carry
labels, job titles, widget text, handles and degrees (pages written for the test)."""

from __future__ import annotations

import json

import pytest

from scraper.extraction import fields
from scraper.extraction.authors import BYLINE_TEXT, split_authors
from scraper.extraction.document import Document
from scraper.extraction.furniture import furniture_kind
from scraper.extraction.text import Block
from scraper.sites import generic_site

URL = "https://harbour-notes.example.org/2024/05/02/port-strike-ends"
SITE = generic_site(URL)


def page(head: str = "", body: str = "", body_class: str = "") -> Document:
    return Document(f'<html><head>{head}</head><body class="{body_class}">{body}</body></html>',
                    URL)


def ld(**data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def authors(doc: Document, found_byline: fields.Found | None = None):
    result = fields.authors(doc, SITE, found_byline)
    return (result.value, result.source) if result else None


def shown_byline(doc: Document) -> fields.Found | None:
    return fields.byline(doc, SITE, fields.header_span(doc, doc.xpath("//h1")[0], None))


@pytest.mark.parametrize(("byline", "expected"), [
    # a date glued to the name, with its weekday
    ("By Maria Lopez November 24, 2026", ["Maria Lopez"]),
    ("Von Ida.Berger am Samstag, 19. Oktober 2019 um 11:14 Uhr", ["Ida.Berger"]),
    # a job title after the name, one word in German
    ("Jonas Hein Chefredakteur", ["Jonas Hein"]),
    ("Lena Graf Redakteurin", ["Lena Graf"]),
    # when it was published, in Spanish, is no part of the name
    ("Publicado por Ana Gil hace 3 horas", ["Ana Gil"]),
    ("Ana Gil Publicado hace 3 horas", ["Ana Gil"]),
    ("Posted on", []),
    ("Veröffentlicht am", []),
    # widget text beside the name
    ("By Daniel | Published: 23. Juli 2017 | Kommentare geschlossen", ["Daniel"]),
    ("Nuria Soler Twitter", ["Nuria Soler"]),
    ("Williams Pardo @wpardo -", ["Williams Pardo"]),
    # a degree stays with its name instead of becoming an author
    ("Mira L. Anders, PhD, and Karl Dorn, MD", ["Mira L. Anders, PhD", "Karl Dorn, MD"]),
    # an affiliation in brackets, whole or cut, is not part of the name
    ("Jane Roe (Universität Wien) und Tom Ray", ["Jane Roe", "Tom Ray"]),
    ("Jane Roe (Universität", ["Jane Roe"]),
    # a label, in Chinese too; a label alone names no one
    ("编辑：王小明", ["王小明"]),
    ("By the numbers:", []),
    ("Artikel von:", []),
    ("En kiosques : juillet 2020", []),
    # what a byline says before the lead word
    ("Erstellt von Andri Brand", ["Andri Brand"]),
    ("Posted by Nia Park, Varun Das", ["Nia Park", "Varun Das"]),
    ("Mehr von Catch more fish", ["Catch more fish"]),
    ("Text & Fotos: Ivo Valet", ["Ivo Valet"]),
    # a domain is a site, not a person
    ("Alex Karp, HAFENBLATT.at", ["Alex Karp"]),
    # an abbreviation keeps its full stop
    ("Joe S.", ["Joe S."]),
    ("Perry Baker Jr.", ["Perry Baker Jr."]),
    # where the journalist works is not a second author
    ("Anders Holm – Journalist i Paris", ["Anders Holm"]),
    ("Sam Reyes, Staff Writer and Ana Lee", ["Sam Reyes", "Ana Lee"]),
    ("Alexander von Humboldt", ["Alexander von Humboldt"]),
])
def test_split_authors_on_the_open_web(byline, expected):
    assert split_authors(byline) == expected


def test_a_blogs_handle_after_the_name_is_dropped():
    assert split_authors("Matthias harbournotes", ["harbournotes"]) == ["Matthias"]
    # a capitalised last name is the person's, even where the domain bears it
    assert split_authors("Daniel Lemire", ["lemire"]) == ["Daniel Lemire"]


def test_byline_and_furniture_read_the_same_lines():
    for line in ("By Maria Lopez", "Words by Maria Lopez", "Posted by Maria Lopez"):
        assert BYLINE_TEXT.match(line)
        assert furniture_kind(Block(text=line, tag="p")) == "byline_line"


def test_a_heading_opening_with_by_is_no_byline():
    doc = page(body="<h1>Port strike ends</h1><h3>By the numbers:</h3>"
                    "<p>Eleven days, four ships.</p>")
    assert shown_byline(doc) is None
    assert authors(doc) is None


def test_the_byline_in_an_articles_own_footer():
    # WordPress themes print the byline in the <footer> of the <article>; <body>'s class
    # ("sticky-footer") says nothing of where the byline is
    doc = page(body='<header><nav><a href="/">Home</a></nav></header><article><h1>T</h1>'
                    '<p>Text of the post.</p><footer class="entry-meta">'
                    '<span class="byline">von <span class="author vcard">'
                    '<a class="url fn n" href="/author/andrea/">Andrea</a></span></span>'
                    '</footer></article>', body_class="sticky-footer")
    assert authors(doc) == (["Andrea"], "css:byline")


def test_the_pages_footer_is_not_the_articles():
    doc = page(body='<article><h1>T</h1><p>Text of the post.</p></article>'
                    '<footer class="site-footer"><a class="author" href="/author/webmaster/">'
                    'Web Master</a></footer>')
    assert authors(doc) is None


def test_a_byline_box_made_of_teaser_components():
    doc = page(body='<h1>T</h1><span class="byline"><ul class="teaser__author--list">'
                    '<li class="teaser__author--item"><a class="author vcard" href="/r/beck">'
                    'Ronja Beck</a></li></ul></span><p>Text.</p>')
    assert authors(doc) == (["Ronja Beck"], "css:byline")


def test_the_name_after_an_author_label_element():
    doc = page(body='<h1>T</h1><div class="article-meta">'
                    '<span class="AuthorDateLabel">Datum:</span> 12.03.2020 '
                    '<span class="AuthorDateLabel">Autor:</span> Fritz Imber '
                    '<span class="AuthorDateLabel">Quelle:</span> Hafenpost</div>')
    assert authors(doc) == (["Fritz Imber"], "css:byline")
    doc = page(body='<h1>T</h1><div class="block--authors"><span class="label--authors">'
                    'Auteur:</span> <a href="/anna-kubis">Anna Kubis</a></div>')
    assert authors(doc) == (["Anna Kubis"], "css:byline")


def test_a_blog_named_after_its_author():
    # the site's name is the author's where nothing else names one
    head = '<meta property="og:site_name" content="surfwatch">'
    doc = page(head, '<article><h1>T</h1><p>Text.</p><footer class="entry-footer">'
                     '<span class="author vcard"><a class="url fn n" href="/author/surfwatch/">'
                     'surfwatch</a></span></footer></article>')
    assert authors(doc) == (["surfwatch"], "css:byline")
    # ... or in the author box after the post
    doc = page(body='<article class="post"><h1>T</h1><p>Text.</p></article>'
                    '<div class="author-bio"><p class="bio"><a class="author" '
                    'href="/author/floyd/">Floyd</a> writes about painting.</p></div>')
    assert authors(doc) == (["Floyd"], "css:byline")


def test_a_publication_named_in_its_byline_is_not_the_author_when_a_person_is():
    head = ('<meta property="og:site_name" content="Harbour Notes">'
            '<meta name="author" content="Lena Berg">')
    doc = page(head, '<h1>T</h1><span class="byline"><a class="author" href="/author/hn/">'
                     'Harbour Notes</a></span><p>Text.</p>')
    assert authors(doc) == (["Lena Berg"], "meta:author")


def test_a_users_handle_in_an_author_link():
    doc = page(body='<h1>T</h1><a class="author-name author" rel="author" '
                    'href="/author/jonas-pahl">reineckefuchs</a><p>Text.</p>'
                    '<p class="byline">von der Redaktion</p>')
    assert authors(doc) == (["reineckefuchs"], "css:byline")


@pytest.mark.parametrize(("person", "shown", "expected"), [
    ("arianschlichenmayer", "von Arian Schlichenmayer", ["Arian Schlichenmayer"]),
    ("christian.stadtfeld", "Von Christian P. Stadtfeld", ["Christian P. Stadtfeld"]),
    ("Stefan", "By Stefan Stahl", ["Stefan Stahl"]),
    ("Devon Gorry", "By Devon Gorry, PhD", ["Devon Gorry, PhD"]),
    # words after a name in a script without capitals are no part of it
    ("松岡大地", "松岡大地 国際 速報", ["松岡大地"]),
    # another person is not the same one
    ("Anna", "By Annabel Stone", ["Anna"]),
])
def test_structured_data_gives_a_handle_the_byline_writes_out(person, shown, expected):
    doc = page(ld(**{"@type": "NewsArticle", "author": {"@type": "Person", "name": person}}),
               f'<h1>T</h1><div class="byline">{shown}</div><p>Text.</p>')
    assert authors(doc, shown_byline(doc))[0] == expected


def test_a_byline_with_affiliations_does_not_outvote_structured_data():
    head = ld(**{"@type": "NewsArticle", "author": [
        {"@type": "Person", "name": "Sara Hing"}, {"@type": "Person", "name": "Sylvia Torres"}]})
    doc = page(head, '<h1>T</h1><div class="author">Sara Hing, Staff Attorney, Racial Justice '
                     'Program &amp; Sylvia Torres, Director of Education Equity, Foundations '
                     'of California</div><p>Text.</p>')
    assert authors(doc) == (["Sara Hing", "Sylvia Torres"], "json-ld")


def story(lines: str) -> Document:
    return page(body='<nav><a href="/">Home</a><a href="/news">News</a></nav>'
                     f'<div class="content"><h1>Port strike ends</h1>{lines}'
                     '<p>Dockers voted to end the strike after eleven days of talks.</p></div>')



@pytest.mark.parametrize(("lines", "expected"), [
    ("<p>Von Claudia Lind</p>", ["Claudia Lind"]),
    ('<div class="info">Ein Artikel von <strong>Pamela Sladek</strong> | 27.01.2022</div>',
     ["Pamela Sladek"]),
    ("<p>Blog Beitrag von Margarita Koren</p>", ["Margarita Koren"]),
    ("<p>Autor: Peter Maahs</p>", ["Peter Maahs"]),
    # a label line, the name after it
    ('<div class="meta"><h5>Autor: </h5>Peter Maahs</div>', ["Peter Maahs"]),
    ('<div class="meta"><h4>Autor</h4><p><a href="/p/nh">Niko Huber</a>, </p></div>',
     ["Niko Huber"]),
    ("<div><b>Von:</b><br><br>Götz Warne</div>", ["Götz Warne"]),
    # a date and a dash before it
    ("<p>05.02.2020 - Redaktion: Ebert Fuchs (Pressesprecher)</p>", ["Ebert Fuchs"]),
    # a sentence opening with "Von" is no byline, nor a picture credit, nor a team's name
    ("<p>Von Montag an streiken die Hafenarbeiter wieder in Hamburg.</p>", None),
    ("<p>Fotos von Hans Meier</p>", None),
    ("<p>Redaktion Hafenblatt Online</p>", None),
])
def test_a_byline_line_where_the_story_starts(lines, expected):
    doc = story(lines)
    span = fields.header_span(doc, doc.xpath("//h1")[0], None)
    result = fields.authors(doc, SITE, None, span)
    assert (result.value if result else None) == expected


def test_the_author_of_a_page_described_as_a_webpage():
    head = ld(**{"@graph": [
        {"@type": "WebPage", "@id": "https://x.org/p#page", "name": "T",
         "author": {"@id": "https://x.org/#/person/1"}},
        {"@type": "Person", "@id": "https://x.org/#/person/1", "name": "Gio Gaggi"}]})
    assert authors(page(head, "<h1>T</h1><p>Text.</p>")) == (["Gio Gaggi"], "json-ld")
