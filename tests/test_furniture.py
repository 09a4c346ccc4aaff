"""The furniture rules: lines that are no story, found by where they sit and what they show."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from scraper.extraction.document import Document
from scraper.extraction.extract import extract
from scraper.extraction.fields import subtitle, title
from scraper.extraction.furniture import drop_furniture, furniture_kind, is_prose
from scraper.extraction.main_text import blocks_of_output
from scraper.extraction.text import Block, blocks_of
from scraper.sites.base import generic_site

STORY = ("The council met on Tuesday evening and voted by a narrow margin to close the "
         "old bridge to lorries, after engineers warned that its piers had been weakened "
         "by the spring floods.")
STORY2 = ("Residents of the east bank, who depend on the bridge to reach the market, said "
          "they had not been consulted, and a petition against the decision gathered more "
          "than two thousand names within a day.")


def p(text: str, link_share: float = 0.0, tag: str = "p") -> Block:
    return Block(text, tag, link_share)


@pytest.mark.parametrize("text, kind", [
    ("Global Research, November 03, 2025", "date_line"),
    ("Andean Monitor 1 November 2025", "date_line"),
    ("Written by South Front 14.11.2025 2 841 views", "byline_line"),
    ("7 min read", "reading_time"),
    ("Reading time: 4 minutes", "reading_time"),
    ("By Maria Lopez", "byline_line"),
    ("Region:", "label_row"),
    ("Tags: Black Sea, Drones", "label_row"),
    ("Print Email", "short_line"),
    ("Translate Website", "short_line"),
])
def test_kinds_of_line(text, kind):
    assert furniture_kind(p(text)) == kind


@pytest.mark.parametrize("block", [
    p(STORY),
    p("It rained."),  # too short for prose, but a sentence: never furniture
    p("The vote was held on May 2, 2025, after a long debate in the chamber."),
    p("Why the bridge matters", tag="h2"),  # a heading may open a story's section
    # A date with words on the occasion, running words: the story's own lines.
    p("Bern, 17.08.2007 - Rede von Moritz Leuenberger beim Städtegipfel, Basel"),
    p("Grundeinkommen bzw. keine Überschuldung"),
])
def test_lines_that_may_be_story_are_no_furniture(block):
    assert furniture_kind(block) is None


def test_prose_is_long_or_a_sentence_and_no_link_row():
    assert is_prose(p(STORY))
    assert is_prose(p("The bridge will stay closed until the end of the year."))
    assert not is_prose(p("Bridge closed"))
    assert not is_prose(p(STORY, link_share=0.9)) or len(STORY) >= 300


def test_lines_before_and_after_the_story_are_dropped_and_named():
    blocks = [p("Environment", 1.0), p("Global Research, November 03, 2025"), p("7 min read"),
              p(STORY), p("More on the topic"), p("Bridges of the Danube", 1.0), p(STORY2),
              p("Tags: Bridges, Floods", 0.7), p("Facebook X Telegram")]
    kept, dropped = drop_furniture(blocks)
    assert [b.text for b in kept] == [STORY, STORY2]
    assert dropped == [
        ("link_list", "Environment"),
        ("furniture:date_line", "Global Research, November 03, 2025"),
        ("furniture:reading_time", "7 min read"),
        ("furniture:link_box", "More on the topic"),
        ("link_list", "Bridges of the Danube"),
        ("link_list", "Tags: Bridges, Floods"),
        ("furniture:short_line", "Facebook X Telegram"),
    ]


def test_a_label_with_its_value_after_the_story_is_a_fact_box():
    facts = [p("Ort: Kasberg im Frankenland"), p("Region:")]
    kept, dropped = drop_furniture([p(STORY), *facts])
    assert kept == [p(STORY), facts[0]]
    assert dropped == [("furniture:label_row", "Region:")]
    assert furniture_kind(facts[0], before=True) == "label_row"


def test_short_lines_inside_the_story_stay():
    blocks = [p(STORY), p("A new crossing"), p(STORY2)]  # a subheading set as a paragraph
    assert drop_furniture(blocks)[0] == blocks


def test_no_prose_no_drop():
    blocks = [p("Bridge closed"), p("Global Research, November 03, 2025")]
    assert drop_furniture(blocks) == (blocks, [])


def test_author_bio_at_the_end_goes_only_when_it_opens_with_the_author():
    bio = p("Dr. Maria Lopez is a civil engineer who writes about infrastructure.")
    kept, dropped = drop_furniture([p(STORY), p(STORY2), bio], authors=["Maria Lopez"])
    assert kept == [p(STORY), p(STORY2)]
    assert dropped == [("furniture:author_bio", bio.text)]
    quote = p("Maria Lopez is right, said the mayor, and the bridge must be repaired soon.")
    assert drop_furniture([p(STORY), quote, p(STORY2)], authors=["Maria Lopez"])[1] == []
    assert drop_furniture([p(STORY), p(STORY2), bio])[1] == []  # no author known


def test_blocks_of_measures_link_text():
    root = lxml_html.fromstring('<div><p>Read <a href="/a">the full report here</a></p>'
                                '<p>No links at all in this one.</p></div>')
    first, second = blocks_of(root)
    assert first.link_share == pytest.approx(len("the full report here") / len(first.text))
    assert second.link_share == 0.0


def test_a_layout_table_is_read_as_its_story_column():
    from lxml import etree
    out = etree.fromstring(
        "<body><table><row><cell><p>Regions</p><ref>USA</ref><lb/><ref>Canada</ref></cell>"
        f"<cell><head>Headline</head><ref>Outlet</ref> 9 February 2008<p>{STORY}</p>"
        f"<p>{STORY2}</p></cell><cell><p>Latest</p></cell></row></table></body>")
    assert [b.text for b in blocks_of_output(out)] == [
        "Headline", "Outlet 9 February 2008", STORY, STORY2]


def _doc(body: str) -> Document:
    return Document(f"<html><head><title>T</title></head><body>{body}</body></html>",
                    "https://news.example.org/story")


def test_the_heading_after_the_headline_is_the_subtitle():
    site = generic_site("https://news.example.org/story")
    doc = _doc("<article><h1>Bridge to close</h1><h3>Engineers found cracks</h3>"
               f"<p>{STORY}</p></article>")
    found = subtitle(doc, site, title(doc, site).element)
    assert found.value == "Engineers found cracks"
    for second in ("<h3>By Maria Lopez</h3>", "<h3>May 2, 2025</h3>", f"<p>{STORY}</p>"):
        doc = _doc(f"<article><h1>Bridge to close</h1>{second}<p>{STORY}</p></article>")
        assert subtitle(doc, site, title(doc, site).element) is None


def test_the_byline_span_of_a_meta_line():
    page = ("<html><head><title>Bridge to close</title></head><body><article>"
            "<h1>Bridge to close</h1><div>"
            '<span>Written by <a href="/author/ml">Maria Lopez</a></span> '
            "<span>14.11.2025</span> <span>2 841 views</span></div>"
            f"<p>{STORY}</p><p>{STORY2}</p><p>{STORY}</p></article></body></html>")
    article = extract(page, "https://news.example.org/story").article
    assert article.byline == "Written by Maria Lopez"
    assert article.authors == ["Maria Lopez"]
    assert "views" not in article.body and "14.11.2025" not in article.body
