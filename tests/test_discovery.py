"""Discovery parsing without a crawl: robots.txt, sitemaps, feeds, REST answers, home-page
links, start-URL lists, and the fixture server's origin rewriting."""

from __future__ import annotations

import gzip
import json
import urllib.request

import pytest
from conftest import SITES_DIR
from parsel import Selector

from scraper.discovery import (
    NON_ARTICLE_SITEMAP,
    feed_entries,
    home_links,
    is_feed,
    lists_wp_posts,
    page_links,
    parse_sitemap,
    rest_entries,
    robots_sitemaps,
    url_day,
)
from scraper.fixture_server import FixtureSite
from scraper.sites import generic_site, site_for_url
from scraper.urls import read_url_list, site_key
from spiders.base import next_page_url
from spiders.news import start_urls

GAZETTE = SITES_DIR / "riverside-gazette"
ORIGIN = "https://www.riverside-gazette.example"


def test_robots_sitemap_lines():
    body = (GAZETTE / "robots.txt").read_bytes()
    assert robots_sitemaps(body, "http://127.0.0.1:8000/robots.txt") == [
        f"{ORIGIN}/sitemap_index.xml", f"{ORIGIN}/news-sitemap.xml"]
    assert robots_sitemaps(b"User-agent: *\nsitemap: /map.xml\n", "https://a.example/robots.txt"
                           ) == ["https://a.example/map.xml"]


def test_sitemap_index_children_with_lastmod_days():
    index = parse_sitemap((GAZETTE / "sitemap_index.xml").read_bytes())
    assert index.is_index
    assert index.entries[:2] == [(f"{ORIGIN}/post-sitemap1.xml", "2025-03-20T12:00:00+00:00"),
                                 (f"{ORIGIN}/post-sitemap2.xml", "2026-10-05T08:00:00+00:00")]
    skipped = [e.url for e in index.entries if NON_ARTICLE_SITEMAP.search(e.url)]
    assert skipped == [f"{ORIGIN}/category-sitemap.xml", f"{ORIGIN}/author-sitemap.xml"]


def test_google_news_sitemap_gives_publication_dates():
    news = parse_sitemap((GAZETTE / "news-sitemap.xml").read_bytes())
    assert not news.is_index
    assert news.entries[0] == (f"{ORIGIN}/2026/11/24/council-approves-flood-barrier/",
                               "2026-11-24T08:15:00+00:00")
    assert [e.published for e in news.entries] == [
        "2026-11-24T08:15:00+00:00", "2026-11-23T16:40:00+00:00", "2026-11-20T06:30:00+00:00"]


def test_gzipped_sitemap_and_entries_without_dates():
    xml = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           b"<url><loc>https://a.example/one</loc></url>"
           b"<url><loc>https://a.example/two</loc><lastmod>2024-02-03</lastmod></url></urlset>")
    parsed = parse_sitemap(gzip.compress(xml))
    assert parsed.entries == [("https://a.example/one", None), ("https://a.example/two",
                                                               "2024-02-03")]


def test_plain_text_sitemap():
    assert parse_sitemap(b"https://a.example/one\n\nhttps://a.example/two\n") == (
        False, [("https://a.example/one", None), ("https://a.example/two", None)])


@pytest.mark.parametrize("name,skipped", [
    ("category-sitemap.xml", True), ("post_tag-sitemap.xml", True), ("tag-sitemap.xml", True),
    ("author-sitemap.xml", True), ("page-sitemap.xml", True),
    ("wp-sitemap-taxonomies-category-1.xml", True), ("wp-sitemap-users-1.xml", True),
    ("wp-sitemap-posts-page-1.xml", True),
    ("post-sitemap.xml", False), ("wp-sitemap-posts-post-1.xml", False),
    ("news-sitemap.xml", False), ("sitemap-2026-11.xml", False),
    ("category/news/sitemap.xml", False), ("sitemaps/stage-sitemap.xml", False),
])
def test_child_sitemaps_of_taxonomies_and_people_are_skipped(name, skipped):
    assert bool(NON_ARTICLE_SITEMAP.search(f"https://a.example/{name}")) == skipped


@pytest.mark.parametrize("body", [b"", b"not xml at all", b"\x1f\x8bbroken gzip",
                                  b"<html><body><h1>Not Found</h1></body></html>",
                                  b"<rss><channel></channel></rss>"])
def test_what_is_not_a_sitemap(body):
    assert parse_sitemap(body) is None


def test_rss_feed_items():
    entries = feed_entries((GAZETTE / "feed" / "index.xml").read_bytes())
    assert entries[0] == (f"{ORIGIN}/2026/11/24/council-approves-flood-barrier/"
                          "?utm_source=rss&utm_medium=rss", "2026-11-24T08:15:00+00:00")
    assert entries[-1].url == "https://www.valley-tribune.example/2026/11/24/regional-rail-plan/"
    assert len(entries) == 4


def test_atom_feed_entries():
    atom = """<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>Example</title>
    <link rel="self" href="https://a.example/atom.xml"/>
    <entry><title>One</title><link rel="alternate" type="text/html" href="https://a.example/one"/>
      <link rel="replies" href="https://a.example/one#comments"/>
      <published>2025-06-01T10:00:00Z</published><updated>2025-06-02T10:00:00Z</updated></entry>
    <entry><title>Two</title><link href="https://a.example/two"/>
      <updated>2025-05-30T08:00:00+02:00</updated></entry></feed>"""
    assert feed_entries(atom) == [("https://a.example/one", "2025-06-01T10:00:00+00:00"),
                                  ("https://a.example/two", "2025-05-30T08:00:00+02:00")]


def test_rss_item_with_a_permalink_guid_only():
    rss = ('<rss version="2.0"><channel><item><guid>https://a.example/p/1</guid></item>'
           '<item><guid isPermaLink="false">a-1b2c</guid></item></channel></rss>')
    assert feed_entries(rss) == [("https://a.example/p/1", None)]


def test_is_feed():
    assert is_feed((GAZETTE / "feed" / "index.xml").read_bytes())
    assert is_feed(b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')
    assert not is_feed(b"<!DOCTYPE html><html><body>Not found</body></html>")


def test_rest_posts():
    body = (GAZETTE / "wp-json" / "wp" / "v2" / "posts" / "page=1&per_page=20.json").read_text()
    # WordPress gives the local time without offset, and it is kept as such
    assert rest_entries(body) == [
        (f"{ORIGIN}/2026/11/24/council-approves-flood-barrier/", "2026-11-24T08:15:00"),
        (f"{ORIGIN}/2026/08/30/ferry-timetable-changes/", "2026-08-30T13:10:00")]
    assert rest_entries('{"code": "rest_no_route"}') is None
    assert rest_entries("<html>blocked</html>") is None
    assert rest_entries(json.dumps([{"id": 1}, "x", {"link": "https://a.example/p"}])) == [
        ("https://a.example/p", None)]


def test_wordpress_api_root():
    assert lists_wp_posts((GAZETTE / "wp-json" / "index.json").read_text())  # \/ escaped
    assert not lists_wp_posts('{"namespaces": ["oembed/1.0"]}')
    assert not lists_wp_posts("<html>Not found</html>")


def test_home_links_of_a_wordpress_front_page():
    found = home_links((GAZETTE / "index.html").read_text(), f"{ORIGIN}/")
    assert found.feeds == [f"{ORIGIN}/feed/"]  # not the comments feed
    assert found.rest_api == f"{ORIGIN}/wp-json/"
    assert found.wordpress


def test_home_links_of_a_plain_site():
    html = (SITES_DIR / "harbour-weekly" / "index.html").read_text()
    assert home_links(html, "https://harbourweekly.example/") == ([], None, False)
    atom = '<link rel="alternate" type="application/atom+xml" href="/news.atom">'
    assert home_links(atom, "https://b.example/x/").feeds == ["https://b.example/news.atom"]


def test_page_links_are_absolute_unique_and_skip_files_and_traps():
    html = """<a href="/a/">A</a><a href="/a/#comments">A again</a><a href="b">B</a>
    <a href="mailto:x@y.z">mail</a><a href="javascript:void(0)">js</a>
    <a href="/wp-content/uploads/photo.JPG">photo</a><a href="/feed/">feed</a>
    <a href="/a/?replytocom=5">reply</a><a href="/a/?share=email">share</a>
    <a href="https://other.example/c">C</a><a href="/tag/x/?page=2">page 2</a>"""
    assert page_links(Selector(text=html), "https://a.example/news/") == [
        "https://a.example/a/", "https://a.example/news/b", "https://other.example/c",
        "https://a.example/tag/x/?page=2"]


@pytest.mark.parametrize("url,day", [
    ("https://a.example/2026/05/12/bakery-wins/", "2026-05-12"),
    ("https://a.example/news/2019-02-03-a-story.html", "2019-02-03"),
    ("https://a.example/sitemap-2024-02.xml", "2024-02-29"),
    ("https://a.example/sitemaps/2023/11/sitemap.xml", "2023-11-30"),
    ("https://a.example/story/5912345", None),
    ("https://a.example/2026/13/40/not-a-date/", None),
    ("https://a.example/a-story?date=2026-01-02", None),
])
def test_url_day(url, day):
    assert url_day(url) == day


def test_next_page_url():
    assert next_page_url("https://a.example/wp-json/wp/v2/posts?page=1&per_page=20") == (
        "https://a.example/wp-json/wp/v2/posts?page=2&per_page=20")
    assert next_page_url("https://a.example/posts?per_page=20") == (
        "https://a.example/posts?per_page=20&page=2")


def test_start_urls_and_url_lists(tmp_path):
    listing = tmp_path / "sites.txt"
    listing.write_text("# papers\nhttps://c.example/\n\n  https://a.example/  # again\n"
                       "https://d.example/#top\n")
    assert read_url_list(listing.read_text()) == [
        "https://c.example/", "https://a.example/", "https://d.example/#top"]
    assert start_urls("https://a.example/", "https://b.example/,https://a.example/",
                      str(listing)) == ["https://a.example/", "https://b.example/",
                                        "https://c.example/", "https://d.example/#top"]
    with pytest.raises(ValueError, match="needs a start URL"):
        start_urls(None, "", None)
    with pytest.raises(ValueError, match="must start with http"):
        start_urls("example.com", None, None)


def test_site_key_and_generic_site_keep_the_port():
    assert site_key("http://www.Example.com:8080/x") == "example.com:8080"
    assert site_key("https://example.com/") == site_key("http://www.example.com/y")
    site = site_for_url("http://127.0.0.1:8001/story/")
    assert (site.name, site.host) == ("127.0.0.1:8001", "127.0.0.1:8001")
    assert site_for_url("https://www.globalresearch.ca/x/1").name == "globalresearch"


@pytest.mark.parametrize(("url", "name"), [
    # two sites on one host, on two ports: two names
    ("https://127.0.0.1:8001/story/", "127.0.0.1:8001"),
    ("https://127.0.0.1:8002/story/", "127.0.0.1:8002"),
    ("http://www.Example.com:8080/x", "example.com:8080"),
    # the default ports (and none) keep the bare name, as archives already hold it; an http
    # link on :80 made https by canonical_url is still the site on its default port
    ("https://www.example.com/x", "example.com"),
    ("http://example.com:80/x", "example.com"),
    ("https://example.com:80/x", "example.com"),
    ("https://example.com:443/x", "example.com"),
])
def test_a_generic_site_is_named_with_its_port(url, name):
    assert generic_site(url).name == name == site_for_url(url).name


def test_fixture_server_rewrites_its_origin():
    with FixtureSite(GAZETTE, origin=ORIGIN) as served:
        with urllib.request.urlopen(served.url + "/robots.txt") as answer:
            robots = answer.read().decode()
        with urllib.request.urlopen(
                served.url + "/wp-json/wp/v2/posts?page=1&per_page=20") as answer:
            posts = json.loads(answer.read())
    assert f"Sitemap: {served.url}/sitemap_index.xml" in robots
    assert posts[0]["link"] == f"{served.url}/2026/11/24/council-approves-flood-barrier/"


def test_news_spider_on_a_declared_site_uses_its_name_and_canonical_urls():
    from spiders.news import NewsSpider

    spider = NewsSpider(url="https://globalresearch.ca/", urls="http://127.0.0.1:8001/")
    assert spider.archive_sites == ["127.0.0.1:8001", "globalresearch"]
    assert spider.canonical("http://globalresearch.ca/a-story/5000001?utm_source=x") == (
        "https://www.globalresearch.ca/a-story/5000001")
    assert spider.site_name("https://www.globalresearch.ca/a-story/5000001") == "globalresearch"
    assert spider.on_site("https://www.globalresearch.ca/x") and spider.on_site(
        "http://127.0.0.1:8001/x")
    assert not spider.on_site("http://127.0.0.1:8002/x")


def test_news_spider_gives_a_story_one_address_whatever_the_link_says():
    from spiders.news import NewsSpider

    spider = NewsSpider(url="https://www.example.com/")
    assert {spider.canonical(u) for u in (
        "http://example.com/a?utm_source=rss", "https://www.example.com/a#comments",
        "https://WWW.example.com/a")} == {"https://www.example.com/a"}
