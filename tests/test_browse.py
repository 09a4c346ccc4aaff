"""The rules of scraper/browse: what the article page and the facets make of archived values."""

from __future__ import annotations

import json

import pytest

from scraper.browse.article import date_label, diff_lines, paragraphs, web_href
from scraper.browse.facets import link_arg


def test_paragraphs_are_split_on_blank_lines_and_keep_their_line_breaks():
    body = "First para.\n\nSecond para,\nwith a line break.\n\n\n\n  Third.  \n\n"
    assert paragraphs(body) == ["First para.", "Second para,\nwith a line break.", "Third."]
    assert paragraphs("") == []


@pytest.mark.parametrize(("value", "label"), [
    ("2019-05-30", "30 May 2019"),
    ("2023-03-14T10:25:00-04:00", "14 March 2023, 10:25"),
    (None, "undated"),
    ("", "undated"),
    ("May 2019", "May 2019"),  # not ISO: shown as archived
])
def test_date_label(value, label):
    assert date_label(value) == label


@pytest.mark.parametrize(("url", "href"), [
    ("https://southfront.org/x", "https://southfront.org/x"),
    ("http://example.org/", "http://example.org/"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("//evil.example/", None),
    (None, None),
])
def test_only_web_addresses_become_links(url, href):
    assert web_href(url) == href


def test_diff_lines_have_their_kind():
    diff = "--- revision 1\n+++ revision 2\n@@ -1,2 +1,2 @@\n same\n-old\n+new"
    assert [(line["kind"], line["text"]) for line in diff_lines(diff)] == [
        ("file", "--- revision 1"), ("file", "+++ revision 2"), ("hunk", "@@ -1,2 +1,2 @@"),
        ("same", " same"), ("removed", "-old"), ("added", "+new")]
    assert diff_lines(None) == []


def test_link_arg_is_compact_json():
    arg = link_arg("article_tags", "tag_id", 5)
    assert arg == '{"table":"article_tags","column":"tag_id","value":5}'
    assert json.loads(arg) == {"table": "article_tags", "column": "tag_id", "value": 5}
