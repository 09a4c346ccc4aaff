"""The date a declared site's page shows: its date line, in the site's time zone, with the time
of the structured data when that falls on the same day there."""

from __future__ import annotations

import pytest

from scraper.extraction.dates import in_zone
from scraper.extraction.extract import extract
from scraper.sites import SITES, generic_site

GR = SITES["globalresearch"]
URL = "https://www.globalresearch.ca/harbour-cranes-and-the-night-shift/5900001"
STORY = "".join(f"<p>The night shift at the harbour loaded {n} ships before the cranes stopped "
                "for the winter storm, and the dockers' council met at dawn to count the "
                "hours lost.</p>" for n in range(1, 7))


def gr_page(published_time: str | None = None, line: str | None = None) -> str:
    meta = (f'<meta property="article:published_time" content="{published_time}">'
            if published_time else "")
    shown = f"<p>{line}</p>" if line else ""
    return (f"<html lang='en'><head><title>Harbour cranes - Global Research</title>{meta}</head>"
            f"<body><article><h1>Harbour cranes and the night shift</h1>"
            f"<p>By Ines Marlow</p>{shown}<div class='entry-content'>{STORY}</div>"
            "</article></body></html>")


def published(html: str, url: str = URL, site=GR) -> tuple[str, str]:
    article = extract(html, url, site).article
    assert article is not None
    return article.published, article.provenance["published"]


def test_an_evening_post_in_toronto_is_not_dated_by_its_utc_next_day():
    assert published(gr_page("2025-03-04T02:30:00+00:00")) == (
        "2025-03-03T21:30:00-05:00", "meta:article:published_time")


def test_the_visible_line_and_the_meta_agree_once_the_meta_is_in_toronto_time():
    html = gr_page("2025-03-04T02:30:00+00:00", "Global Research, March 03, 2025")
    assert published(html) == ("2025-03-03T21:30:00-05:00", "meta:article:published_time")


def test_the_visible_line_names_the_day_when_the_meta_falls_on_another():
    html = gr_page("2025-03-06T15:00:00+00:00", "Global Research, March 03, 2025")
    article = extract(html, URL, GR).article
    assert (article.published, article.published_text, article.provenance["published"]) == (
        "2025-03-03", "Global Research, March 03, 2025", "text:date-line")


def test_the_visible_line_alone_gives_the_day():
    assert published(gr_page(line="Global Research, March 3, 2025")) == (
        "2025-03-03", "text:date-line")


@pytest.mark.parametrize(("utc", "line", "toronto"), [
    ("2025-07-15T01:10:00+00:00", None, "2025-07-14T21:10:00-04:00"),   # summer time
    ("2025-07-15T01:10:00Z", "Global Research, July 14, 2025", "2025-07-14T21:10:00-04:00"),
    ("2025-01-15T16:10:00+00:00", None, "2025-01-15T11:10:00-05:00"),   # winter, same day
])
def test_daylight_saving_time_gives_the_offset_of_the_day(utc, line, toronto):
    assert published(gr_page(utc, line))[0] == toronto


def test_a_generic_site_keeps_the_offset_the_page_gives():
    url = "https://news.example.org/2025/03/harbour-cranes"
    assert published(gr_page("2025-03-04T02:30:00+00:00"), url, generic_site(url)) == (
        "2025-03-04T02:30:00+00:00", "meta:article:published_time")


@pytest.mark.parametrize(("iso", "zone", "expected"), [
    ("2025-03-04T02:30:00+00:00", "America/Toronto", "2025-03-03T21:30:00-05:00"),
    ("2025-03-04T02:30:00+00:00", None, "2025-03-04T02:30:00+00:00"),
    ("2025-03-04", "America/Toronto", "2025-03-04"),
    ("2025-03-04T02:30:00", "America/Toronto", "2025-03-04T02:30:00"),
])
def test_in_zone_turns_only_times_with_an_offset(iso, zone, expected):
    assert in_zone(iso, zone) == expected
