"""The page-kind classifier on small pages: each signal, and articles it must leave alone."""

from __future__ import annotations

import json

import pytest

from scraper.extraction.document import Document
from scraper.extraction.extract import extract
from scraper.extraction.page_kind import kind_of_url, page_kind

STORY = ("The committee met again on Tuesday and heard eleven witnesses about the plan. "
         * 12)


def ld(*objects: dict) -> str:
    return ('<script type="application/ld+json">'
            + json.dumps({"@context": "https://schema.org", "@graph": list(objects)})
            + "</script>")


def page(head: str = "", body: str = "") -> str:
    return f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"


def teasers(n: int, heading: str = "h2") -> str:
    return "".join(f'<article><{heading}><a href="/story-{i}/">Story {i}</a></{heading}>'
                   f"<p>A short excerpt of story {i}, two lines at most.</p></article>"
                   for i in range(n))


def kind(html: str, url: str = "https://a.example/some/page/") -> str | None:
    found = page_kind(Document(html, url), url)
    return found.kind if found else None


ARTICLE_HEAD = ('<meta property="og:type" content="article">'
                '<meta property="article:published_time" content="2026-01-02T10:00:00Z">')


@pytest.mark.parametrize("url,expected", [
    ("https://a.example/", "front"),
    ("https://a.example/tag/flooding/", "tag"),
    ("https://a.example/topics/climate", "tag"),
    ("https://a.example/author/maria-lopez/", "author"),
    ("https://a.example/category/news/", "section"),
    ("https://a.example/category/news/page/3/", "section"),
    ("https://a.example/news/page/2/", "listing"),
    ("https://a.example/video/", "video"),
    ("https://a.example/search?q=flood", "search"),
    ("https://a.example/?s=flood", "search"),
    ("https://a.example/2026/01/02/council-votes/", None),
    ("https://a.example/video/2026/01/02/a-story-with-a-video/", None),
])
def test_url_shapes(url, expected):
    assert kind_of_url(url) == expected


def test_structured_data_names_collections_profiles_and_videos():
    assert kind(page(ld({"@type": "CollectionPage"})), "https://a.example/tag/x/") == "tag"
    assert kind(page(ld({"@type": "CollectionPage"}))) == "listing"
    assert kind(page(ld({"@type": "ProfilePage"}))) == "author"
    assert kind(page(ld({"@type": "SearchResultsPage"}))) == "search"
    assert kind(page(ld({"@type": "VideoObject", "name": "Clip"}))) == "video"
    assert kind(page(ld({"@type": "ImageGallery"}))) == "gallery"
    assert kind(page('<meta property="og:type" content="video.other">')) == "video"
    assert kind(page('<meta property="og:type" content="profile">')) == "author"


def test_a_story_with_a_video_is_an_article():
    html = page(ld({"@type": "NewsArticle", "headline": "H"}, {"@type": "VideoObject"}),
                f"<article><h1>H</h1><p>{STORY}</p></article>")
    assert kind(html) is None


def test_many_linked_headlines_and_no_story_make_a_listing():
    assert kind(page(body=teasers(6))) == "listing"
    assert kind(page(body=teasers(6)), "https://a.example/") == "front"
    assert kind(page(body=teasers(2))) is None  # too few to tell


def test_article_evidence_wins_over_structure_and_url():
    html = page(ARTICLE_HEAD, f"<h1>H</h1><div><p>{STORY}</p></div>" + teasers(8, "h3"))
    assert kind(html, "https://a.example/tag/x/") is None
    assert kind(page(ARTICLE_HEAD, teasers(8))) is None


def test_a_story_with_related_links_is_not_a_listing():
    html = page(body=f"<h1>H</h1><div class='body'><p>{STORY}</p><p>{STORY}</p></div>"
                + teasers(6, "h3"))
    assert kind(html) is None


def test_paragraphs_wrapped_one_by_one_still_make_a_story():
    wrapped = "".join(f'<div class="text-block"><p>{STORY[:300]}</p></div>' for _ in range(4))
    assert kind(page(body=f"<h1>H</h1><section>{wrapped}</section>" + teasers(6, "h3"))) is None


def test_url_shape_needs_short_text():
    assert kind(page(body="<h1>Flooding</h1><p>All our stories.</p>"),
                "https://a.example/tag/flooding/") == "tag"
    assert kind(page(body=f"<h1>Flooding</h1><div><p>{STORY}</p></div>"),
                "https://a.example/tag/flooding/") is None


def test_cjk_text_counts_by_characters():
    story = "<div>" + "".join(f"<p>{'東京で会議が開かれ、十一人の証人が意見を述べた。' * 8}</p>"
                              for _ in range(4)) + "</div>"
    assert kind(page(body=story + teasers(6))) is None


def test_error_pages():
    assert kind(page(body="<h1>Page not found</h1>")) == "error"
    assert kind(page(body="<h1>Oops! That page can’t be found.</h1>")) == "error"
    # A story whose headline starts like an error page, with its metadata, is a story.
    html = page(ARTICLE_HEAD, f"<h1>Error in the count delays results</h1><p>{STORY}</p>")
    assert kind(html) is None
    assert extract(html, "https://a.example/2026/01/count/").status == "article"
    # ... and without metadata too, when it shows a story's run of text.
    for heading in ("Error in the count delays results", "404 days of the siege"):
        bare = page(body=f"<h1>{heading}</h1><p>{STORY}</p><p>{STORY}</p>")
        assert kind(bare) is None
        assert extract(bare, "https://a.example/2026/01/count/").article.title == heading


def test_a_soft_404_in_an_article_template_is_an_error_page():
    """A site whose template says og:type article on every page, its 404 among them."""
    html = page(ARTICLE_HEAD, "<h1>Page not found</h1><p>Sorry, the page you asked for is "
                              "not here. Try the search box above or the menu.</p>")
    result = extract(html, "https://a.example/2026/01/gone/")
    assert (result.status, result.kind) == ("not_article", "error")


def test_extract_reports_the_kind():
    result = extract(page(ld({"@type": "CollectionPage"}), teasers(6)),
                     "https://a.example/tag/flooding/")
    assert (result.status, result.kind, result.reason) == (
        "not_article", "tag", "JSON-LD CollectionPage")
