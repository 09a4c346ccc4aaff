"""trafilatura's class and id queries answered in Python (prunes.py): the same elements in
the same order as lxml's XPath, on pages written to meet every kind of test they hold."""

from __future__ import annotations

import itertools

import pytest
from lxml import etree
from trafilatura import external, main_extractor
from trafilatura.xpaths import BODY_XPATH, OVERALL_DISCARD_XPATH

from scraper.extraction.document import Document
from scraper.extraction.prunes import PyQuery, python_answered, python_queries

URL = "https://news.example.org/a"
# Values that match one test or another of the queries, or nearly do (case, position).
VALUES = ["post", "entry", "articleBody", "article-body main", "Article-Body", "post-text",
          "cookie-bar", "Cookie", "share-tools", "shared", "xshare", "social x", "nav",
          "Navigation", "menu", "tags", "bar", "sidebar", "widget", "ad-slot", "x ad y",
          "comments-title", "reply-box", "x reply-", "hidden", "Hidden", "hide-print",
          "message", "fulltext", "FullText", "story-body", "^primary", "primary",
          "main-content", "Main-Content", "page-content", "PAGE-content", "content-main",
          "content", "article", "story", "text", "plain", ""]
TAGS = ["div", "section", "article", "main", "p", "span", "list", "item", "head", "ref"]


def boxes() -> str:
    """Nested boxes of every tag with class, id, both in either order, role, style and the
    other attributes the queries read, and siblings of the same name (for `[1]`)."""
    attrs = []
    for i, value in enumerate(VALUES):
        other = VALUES[(i * 7 + 3) % len(VALUES)]
        attrs += [f'class="{value}"', f'id="{value}"', f'id="{value}" class="{other}"',
                  f'class="{value}" id="{other}"', f'role="{value}"',
                  f'style="display:none" title="{value}"', f'style="{value}"']
    attrs += ['data-lp-replacement-content=""', 'aria-hidden="true"', 'aria-hidden="false"',
              'data-component="MostPopularStories-1"', 'role="Navbar"', 'href="/x"', ""]
    out = []
    for n, (tag, attr) in enumerate(zip(itertools.cycle(TAGS), attrs)):
        inner = f"<p {attrs[(n * 5) % len(attrs)]}>text {n}</p>" if n % 3 else f"text {n}"
        out.append(f"<{tag} {attr}>{inner}<span {attr}>{n}</span></{tag}>")
    # Groups of siblings: each group's first matching child is what `…[1]` takes.
    return "".join(f"<div>{''.join(out[i:i + 5])}</div>" for i in range(0, len(out), 5))


def test_each_query_read_finds_what_its_xpath_finds_in_the_same_order():
    root = Document(f"<html><body><div id='wrap'>{boxes()}</div></body></html>", URL).root
    queries = [*BODY_XPATH, *OVERALL_DISCARD_XPATH]
    read = [PyQuery.read(q.path) for q in queries]
    assert sum(r is not None for r in read) == 5  # BODY_XPATH's union with .//main is not
    for query, ours in zip(queries, read, strict=True):
        if ours is None:
            continue
        for context in (root, root.find("body"), *root.iter("div")):
            expected = query(context)
            assert ours(context) == expected, query.path
            assert ours(context) == expected  # again, from the verdicts kept
    assert sum(len(q(root)) for q in queries) > 100  # the page met the tests


def test_each_form_of_test_as_xpath_answers_it():
    ns = {"re": "http://exslt.org/regular-expressions"}
    root = Document(f"<html><body>{boxes()}</body></html>", URL).root
    for predicate in ("@title", "@class='text'", "contains(@id|@class, 'sha')",
                      "starts-with(@class|@id, 'x')", "re:test(@id|@style, 'hid', 'i')",
                      "re:test(@role, '^nav$')", "contains(translate(@class, 'ACM', 'ac'), 'ain')",
                      "contains(translate(@class, 'aAa', 'bc'), 'bvig')",
                      "contains(@style, '')", "re:test(@id, 'q*')"):
        for path in (f".//*[{predicate}]", f".//*[self::div or self::p][{predicate}]",
                     f".//*[self::span][{predicate}][1]", f"(.//*[{predicate}])[1]"):
            ours = PyQuery.read(path)
            assert ours is not None, path
            assert ours(root) == etree.XPath(path, namespaces=ns)(root), path


def test_a_query_of_another_form_is_left_to_lxml():
    for path in (".//div[@class='x']", ".//*[not(@class)]", ".//*[@class='a' and @id='b']",
                 './/*[@class="x"]', ".//*[contains(@class, 'a')][@id]",
                 "(.//*[@class='x'])[1]|(.//main)[1]", ".//*[re:test(., 'x')]"):
        assert PyQuery.read(path) is None, path
    kept = etree.XPath(".//*[not(@class)]")
    assert python_queries([kept])[0] is kept


def test_trafilatura_has_its_own_queries_outside_our_calls():
    def lent() -> list[object]:
        return [main_extractor.BODY_XPATH, main_extractor.OVERALL_DISCARD_XPATH,
                external.OVERALL_DISCARD_XPATH]

    own = lent()
    assert own[1] is OVERALL_DISCARD_XPATH
    with python_answered():
        assert isinstance(main_extractor.OVERALL_DISCARD_XPATH[0], PyQuery)
        with python_answered():
            pass
        assert isinstance(external.OVERALL_DISCARD_XPATH[1], PyQuery)  # still, until the last
    assert all(now is then for now, then in zip(lent(), own, strict=True))
    with pytest.raises(ValueError), python_answered():
        raise ValueError
    assert all(now is then for now, then in zip(lent(), own, strict=True))
