"""Kinds of post: videos and link digests told from articles by what a reader sees."""

from __future__ import annotations

import re

import pytest
from test_archive import make_item

from scraper.archive import open_archive, write_batch
from scraper.extraction.extract import extract
from scraper.sites import SITES

GR = SITES["globalresearch"]
URL = "https://www.globalresearch.ca/a-post-of-ours/5900101"
SENTENCE = ("The committee heard from farmers, dockers and two former ministers before it "
            "adjourned late on Thursday evening without a vote. ")
PLAYER = ('<p><iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/'
          'abc123" title="player"></iframe></p>')


def page(title: str, body: str, head: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><meta property="og:type" content="article">
<title>{title} - Global Research</title>{head}</head><body>
<header class="masthead"><a href="/">Global Research</a></header>
<div class="wrap"><h1 class="entry-title">{title}</h1><p class="by">By Ines Farrow</p>
<p>Global Research, March 3, 2025</p>
<div class="entry-content">{body}</div></div></body></html>"""


def prose(sentences: int) -> str:
    return f"<p>{SENTENCE * sentences}</p>"


def digest_items(n: int) -> str:
    return "".join(
        f'<h3><a href="https://www.globalresearch.ca/story-number-{i}/59000{i}">Story number '
        f"{i} on the harvest</a></h3><p>By Ana Lo, May 1, 2025</p>"
        f"<p>{SENTENCE}</p>" for i in range(n))


def kind_of(html: str, url: str = URL) -> tuple[str, str]:
    result = extract(html, url, GR)
    assert result.article is not None, result.reason
    return result.article.kind, result.article.provenance["kind"]


def test_a_plain_article_is_an_article():
    assert kind_of(page("Grain and the Courts", prose(6))) == ("article", "default")


def test_video_by_headline():
    assert kind_of(page("Video: The Harbour Strike, Day Three", PLAYER + prose(2))) == (
        "video", "headline:video")


def test_video_by_player_with_little_prose():
    kind, why = kind_of(page("The Harbour Strike, Day Three", PLAYER + prose(3)))
    assert kind == "video" and why.startswith("structure:iframe of youtube-nocookie.com")


def test_video_element_or_video_object_counts_as_a_player():
    video = '<video controls src="/media/strike.mp4"></video>'
    assert kind_of(page("The Strike", video + prose(3)))[0] == "video"
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", '
          '"@type": "VideoObject", "name": "The Strike"}</script>')
    assert kind_of(page("The Strike", prose(3), head=ld))[0] == "video"


def test_an_article_with_a_player_and_a_long_text_stays_an_article():
    assert kind_of(page("The Harbour Strike, Day Three", PLAYER + prose(20)))[0] == "article"


def test_a_player_of_no_video_host_is_no_video():
    frame = '<iframe src="https://www.example-maps.org/embed/harbour"></iframe>'
    assert kind_of(page("The Harbour Strike", frame + prose(3)))[0] == "article"


@pytest.mark.parametrize("title", [
    "Selected Articles: Sanctions, Grain and the Courts",
    "Global Research Daily Newsletter, May 2, 2025",
    "News Digest: The Week in Sanctions",
])
def test_digest_by_headline(title):
    assert kind_of(page(title, digest_items(2) + prose(1))) == ("digest", "headline:digest")


def test_digest_by_structure_a_list_of_links_with_blurbs():
    kind, why = kind_of(page("What We Read This Week", "<p>Our picks.</p>" + digest_items(5)))
    assert kind == "digest" and why.startswith("structure:5 link items")


def test_digest_as_a_list_of_links():
    items = "".join(f'<li><a href="https://www.example-outlet.org/{i}">A linked story '
                    f"about the port, part {i}</a> {SENTENCE[:60]}</li>" for i in range(6))
    assert kind_of(page("Reading List", f"<ul>{items}</ul>{prose(1)}"))[0] == "digest"


def test_an_article_ending_with_related_links_stays_an_article():
    related = "".join(f'<p><a href="https://www.globalresearch.ca/related-{i}/5900{i}">'
                      f"Related story {i}</a></p>" for i in range(4))
    assert kind_of(page("Grain and the Courts", prose(10) + related))[0] == "article"


def test_a_link_inside_prose_is_no_link_item():
    linked = (f'<p>{SENTENCE}<a href="https://www.example-outlet.org/r">the report</a> '
              f"{SENTENCE}</p>")
    assert kind_of(page("Grain and the Courts", linked * 6))[0] == "article"


@pytest.mark.parametrize(("title", "body"), [
    ("The Harbour Strike", PLAYER + prose(3)),
    ("What We Read This Week", "<p>Our picks.</p>" + digest_items(5)),
    ("Grain and the Courts", prose(6)),
])
def test_classes_renamed_give_the_same_kind(title, body):
    html = page(title, body)
    renamed = re.sub(r'class="([^"]*)"', lambda m: f'class="x{abs(hash(m[1])) % 997}"', html)
    renamed = renamed.replace("entry-title", "hd").replace("<h1 class", "<h1 data-c")
    assert kind_of(renamed)[0] == kind_of(html)[0]


def test_kind_is_archived_and_a_new_kind_makes_no_revision(db_path):
    """Researchers filter on `kind` in SQL; a re-extraction that labels a post anew writes
    the label on the current version without recording a version of the publisher's."""
    db = open_archive(db_path)
    assert write_batch(db, [make_item(kind="video")]) == {"new": 1}
    assert db.execute("select url from articles where kind = 'video'").fetchall() == [
        (make_item().article.url,)]
    assert write_batch(db, [make_item(kind="digest")]) == {"unchanged": 1}
    assert db.execute("select kind, revision_count from articles").fetchall() == [("digest", 0)]
    # A row archived before kinds (null) gets its kind from the next reading of its page.
    db.execute("update articles set kind = null")
    assert write_batch(db, [make_item(title="Grain ships stall, edited")]) == {"updated": 1}
    assert db.execute("select kind, revision_count from articles").fetchall() == [("article", 1)]
