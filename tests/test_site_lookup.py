"""The site lookup is remembered per scheme and netloc: it must answer what looking at the
whole URL answers, for every shape of URL a crawl meets."""

import pytest

from scraper.sites import SITES, _site_of, site_for_url

URLS = [
    "https://www.globalresearch.ca/some-article/5800000",
    "https://globalresearch.ca/?p=1",
    "https://southfront.press/a-story/",
    "https://news.southfront.press/x",
    "http://127.0.0.1:8001/news/2026/05/01/story-1/",
    "http://127.0.0.1:8002/news/2026/05/01/story-1/",
    "https://example.org:443/a",
    "http://example.org:443/a",
    "https://user:pw@Example.ORG/path",
    "https://example.org?query=1",
    "https://example.org#top",
    "https://example.org",
    "example.org/no-scheme",
    "",
]


@pytest.mark.parametrize("url", URLS)
def test_the_remembered_answer_is_the_answer_for_the_whole_url(url: str) -> None:
    assert site_for_url(url) == _site_of(url)
    assert site_for_url(url) == site_for_url(url)  # and asking again changes nothing


def test_declared_sites_are_found_through_the_cache() -> None:
    assert site_for_url("https://www.globalresearch.ca/a/1").name in SITES
    assert site_for_url("http://127.0.0.1:8001/a").name == "127.0.0.1:8001"
