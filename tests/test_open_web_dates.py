"""Dates of pages of the open web, from sites of unknown time zone and language: a UTC time
shown on the readers' day, the day in the URL, htmldate where we find no date, a two-digit
year glued to its time, deadlines and update lines not taken for the date."""

from __future__ import annotations

import pytest

from scraper.extraction.dates import find_date, parse_date, written_date
from scraper.extraction.extract import extract
from scraper.extraction.zones import guess_timezone

STORY = "".join(f"<p>Der Verein traf sich zum {n}. Mal im Gemeindesaal, und die Vorsitzende "
                "berichtete über die Arbeit des vergangenen Jahres, die Kasse und die Pläne "
                "für den Sommer am See.</p>" for n in range(1, 7))


def page(head: str = "", top: str = "", bottom: str = "", lang: str = "de",
         above: str = "") -> str:
    return (f"<html lang='{lang}'><head><title>Jahresversammlung des Vereins</title>"
            f"<meta property='og:type' content='article'>{head}</head><body><article>"
            f"{above}<h1>Jahresversammlung des Vereins</h1>{top}<div class='content'>{STORY}</div>"
            f"{bottom}</article></body></html>")


def published(html: str, url: str = "https://verein.example.org/news/versammlung"):
    article = extract(html, url).article
    assert article is not None
    return article.published, article.provenance.get("published")


def ld(value: str) -> str:
    return ('<script type="application/ld+json">{"@type": "NewsArticle", '
            f'"headline": "Jahresversammlung des Vereins", "datePublished": "{value}"}}</script>')


def test_a_utc_time_of_a_german_page_is_shown_on_the_day_its_readers_saw():
    assert published(page(ld("2019-10-18T22:04:00Z"))) == (
        "2019-10-19T00:04:00+02:00", "json-ld")


def test_a_utc_time_on_the_day_the_url_files_the_page_under():
    html = page(ld("2023-11-09T03:28:35Z"), lang="en-US")
    url = "https://paper.example.com/2023/11/08/news/council-votes/"
    assert published(html, url)[0][:10] == "2023-11-08"
    # Without a day in the URL an English page names no zone: the UTC time stays.
    assert published(html, "https://paper.example.com/news/council-votes/")[0] == (
        "2023-11-09T03:28:35+00:00")


def test_midnight_utc_is_a_day_written_as_a_time():
    assert published(page(ld("2020-01-10T00:00:00Z")))[0] == "2020-01-10T00:00:00+00:00"


def test_a_two_digit_year_glued_to_its_time_is_no_year_1912():
    assert find_date("28.09.1912:44") == "2019-09-28T12:44:00"
    html = page(top="<p class='date'>28.09.19<span>12:44</span></p>")
    assert published(html)[0] == "2019-09-28T12:44:00"
    assert find_date("1.2.1912") is None


def test_the_day_in_the_url_path():
    url = "https://blog.example.net/2016/05/04/versammlung/"
    assert published(page(), url) == ("2016-05-04", "url")
    # A date line under the headline says more (it may give the time): it comes first.
    assert published(page(top="<p>4. Mai 2016 um 16:45 Uhr</p>"), url) == (
        "2016-05-04T16:45:00", "text:date")


def test_a_date_near_the_headline_in_an_element_named_for_it():
    above = "<div class='meta'><span class='date'>12.03.2021</span></div>"
    assert published(page(above=above)) == ("2021-03-12", "text:date-element")


def test_a_date_we_do_not_find_htmldate_does():
    html = page().replace("<title>Jahresversammlung des Vereins</title>",
                          "<title>Jahresversammlung des Vereins am 12.03.2021</title>")
    assert published(html) == ("2021-03-12", "htmldate")


def test_a_deadline_is_no_date_of_the_page():
    top = "<p>Einsendeschluss: 03.11.2019 (Poststempel)</p>"
    assert published(page(top=top, bottom="<p class='date'>18.10.2019</p>"))[0] == "2019-10-18"


def test_the_original_date_line_beats_the_update_line():
    top = "<p>Aktualisiert: 05.03.2021</p><p>Veröffentlicht: 01.03.2021</p>"
    assert published(page(top=top)) == ("2021-03-01", "text:date")
    # Alone, the update line still dates the page.
    assert published(page(top="<p>Aktualisiert: 05.03.2021</p>")) == (
        "2021-03-05", "text:date:updated")


def test_dateparser_reads_the_languages_it_knows_and_english_without_one():
    assert parse_date("29 May 2019", languages=["xx"]) == "2019-05-29"
    assert parse_date("12 mars 2021", languages=["de", "fr"]) == "2021-03-12"
    assert parse_date("12. März 2021", languages=["de", "fr"]) == "2021-03-12"


@pytest.mark.parametrize("tags,url,zone", [
    (["de-AT"], "https://example.com/x", "Europe/Vienna"),
    (["de"], "https://zeitung.example.ch/x", "Europe/Zurich"),
    (["es"], "https://diario.example.com.ar/x", "America/Argentina/Buenos_Aires"),
    (["pl"], "https://example.com/x", "Europe/Warsaw"),
    (["en-US"], "https://example.com/x", None),
    (["en"], "https://example.io/x", None),
    ([None], "https://example.org/x", None),
])
def test_guess_timezone(tags, url, zone):
    assert guess_timezone(tags, url) == zone


def test_the_day_most_sources_give_outvotes_a_stale_one():
    head = (ld("2023-11-03T10:25:56+01:00")
            + "<meta property='article:published_time' content='2023-11-06T14:25:00+01:00'>")
    top = "<p><time datetime='2023-11-06T14:25:00+01:00'>6. November 2023, 14:25 Uhr</time></p>"
    assert published(page(head, top)) == (
        "2023-11-06T14:25:00+01:00", "meta:article:published_time")
    # Many <time> elements (comments, say) are one vote, not many.
    times = "".join(f"<p><time datetime='2020-01-1{n}T10:00:00+01:00'>x</time></p>"
                    for n in (4, 4, 4))
    assert published(page(ld("2020-01-13T18:54:00+01:00"), top=times))[0][:10] == "2020-01-13"


def test_the_element_near_the_headline_named_for_the_date_beats_a_date_in_the_story():
    top = ("<div class='meta'><span class='metadata'>Bonn, 11.10.2021</span></div>"
           "<p>Im Video blickt sie am <strong>Mittwoch, 13.10.2021</strong> zurück.</p>")
    assert published(page(top=top)) == ("2021-10-11", "text:date-element")
    # A teaser's date element is not the page's.
    teaser = ("<div class='headline-info teaser'><span class='headline-date'>16.02.2022</span>"
              "</div><span class='headline-date'>02. November 2021</span>")
    assert published(page(above=teaser))[0] == "2021-11-02"


def test_a_published_line_beats_a_date_before_it_and_an_archive_count_is_no_date():
    top = "<ul><li>May 11, 2022</li></ul><p>Published On May 10, 2022 01:52 PM</p>"
    assert published(page(top=top, lang="en"))[0] == "2022-05-10T13:52:00"
    archive = "<p>August 2015 (1)</p>"
    assert published(page(top=archive), "https://blog.example.net/2015/08/03/x/")[0] == (
        "2015-08-03")


def test_a_bare_year_in_the_footer_dates_no_page():
    # htmldate makes "© 2026" the first of January 2026: that is no date of the page (kept
    # or not by the article gate for its prose, the page has no `published`).
    result = extract(page(bottom="<footer>© 2026 Verein</footer>").replace(
        "<meta property='og:type' content='article'>", ""),
        "https://verein.example.org/ueber-uns/")
    assert result.article is None or result.article.published is None
    if result.article is not None:
        assert "date" in result.article.provenance["missing"]


def test_numbers_alone_are_not_left_to_dateparser_to_guess():
    html = page(top="<div class='links'>01 | 05 | 2020</div>").replace(
        "<title>Jahresversammlung des Vereins</title>",
        "<title>Jahresversammlung des Vereins am 26.01.2022</title>")
    assert published(html) == ("2022-01-26", "htmldate")


# The date the page shows settles what its metadata leaves in doubt.

def meta(name: str, value: str) -> str:
    return f"<meta name='{name}' content='{value}'>"


def test_a_generic_meta_date_gives_way_to_the_date_line_the_page_shows():
    # "date" / "dcterms.date" is the day of the last change in many a CMS.
    html = page(meta("date", "2021-10-15"), top="<p>Erschienen am: 13.10.2021</p>")
    assert published(html) == ("2021-10-13", "text:date")
    html = page(meta("dcterms.date", "2022-01-21T09:43+01:00"),
                top="<p class='meta'>25.01.2022</p>")
    assert published(html)[0] == "2022-01-25"
    # Without a date line the generic date is all there is.
    assert published(page(meta("date", "2021-10-15"))) == ("2021-10-15", "meta:date")
    # A value that is no ISO is checked too ("11/01/2023" of a German page is no November).
    html = page(meta("date", "11/01/2023 12:43:42"), top="<p>Erstellt am: 01.11.2023</p>")
    assert published(html)[0] == "2023-11-01"


def test_of_disagreeing_values_the_one_on_the_day_the_page_shows_wins():
    head = (ld("2019-10-19T03:00:00Z") + meta("datepublished", "2019-10-18")
            + meta("date", "2019-10-18T20:00:25Z"))
    above = ("<div class='autor'>Bettina Kugler "
             "<span class='date'>19.10.2019, 05:00 Uhr</span></div>")
    # The JSON-LD time, moved into the page's zone: the day and minute the page shows.
    assert published(page(head, above=above)) == ("2019-10-19T05:00:00+02:00", "json-ld")
    # Without the date line the two others outvote it.
    assert published(page(head))[0][:10] == "2019-10-18"


def test_a_utc_time_of_an_english_page_is_taken_in_the_zone_that_shows_its_day():
    html = page(ld("2023-11-09T02:11:03+00:00"), lang="en-US",
                top="<p class='byline'>By 7 News <span class='date'>November 8, 2023</span></p>")
    url = "https://tv.example.com/news/police-investigating/"
    assert published(html, url) == ("2023-11-08T21:11:03-05:00", "json-ld")
    # A German page showing the UTC day: the time stays in UTC (a CMS wrote local time as Z).
    html = page(ld("2019-12-26T23:07:45+00:00"), top="<p>26/12/2019 von Webteam</p>")
    assert published(html) == ("2019-12-26T23:07:45+00:00", "json-ld")
    # Without a date line the zone of the language is the guess.
    assert published(page(ld("2019-12-26T23:07:45+00:00")))[0] == "2019-12-27T00:07:45+01:00"


def modified_ld(published_at: str, modified_at: str) -> str:
    return ('<script type="application/ld+json">{"@type": "NewsArticle", '
            f'"headline": "Jahresversammlung des Vereins", "datePublished": "{published_at}", '
            f'"dateModified": "{modified_at}"}}</script>')


def test_a_page_put_out_again_shows_the_day_of_its_last_change():
    head = modified_ld("2021-11-22T18:42:22+01:00", "2023-01-01T10:00:00+01:00")
    assert published(page(head, top="<p>1. Januar 2023</p>")) == (
        "2023-01-01T10:00:00+01:00", "json-ld:dateModified")
    # A line that says "updated" is no such sign: the first publication stays.
    assert published(page(head, top="<p>Aktualisiert am 1. Januar 2023</p>"))[0] == (
        "2021-11-22T18:42:22+01:00")
    # Nor the time inside an update line, nor a date after it.
    top = ("<ul><li class='updated'>Aktualisiert<span>10:00, 1. Januar 2023</span></li></ul>"
           "<p><a href='/live/1'>1. Januar 2023</a></p>")
    assert published(page(head, top=top))[0] == "2021-11-22T18:42:22+01:00"
    # Without any date line the first publication stays.
    assert published(page(head))[0] == "2021-11-22T18:42:22+01:00"


def test_a_date_line_right_above_the_headline():
    above = "<p>02.02.2022 10:16 Uhr - Bundesliga - Pressemitteilung</p>"
    bottom = "<div class='row'><p><small>30.01.2022 · Männer</small></p></div>"
    assert published(page(above=above, bottom=bottom)) == ("2022-02-02T10:16:00", "text:date")


def test_a_written_date_is_read_without_dateparser_and_not_inside_a_sentence():
    assert written_date("29. Juni 2017, 23:39 · von Tobi", ["de"]) == ("2017-06-29", 13)
    assert find_date("29. Juni 2017, 23:39 · von Tobi", ["de"]) == "2017-06-29T23:39:00"
    assert find_date("4 de mayo de 2022", ["es"]) == "2022-05-04"
    assert find_date("7 lutego 2025, 14:05", ["pl"]) == "2025-02-07T14:05:00"
    assert find_date("8.Dezember 2010 um 09:43 · Rezepte", ["de"]) == "2010-12-08T09:43:00"
    assert find_date("Veröffentlicht am 12. März 2021", ["de"]) == "2021-03-12"
    # A caption's date is in a sentence: no date line.
    assert written_date("Ukrainische Technik bei den Kämpfen um die Stadt, 24. April 2023",
                        ["de"]) is None
    # A field of a meta line, after its separator, is no sentence.
    assert find_date("Accueil | Par Jeanne Dupont-Martin | 30 septembre 2018", ["fr"]) == (
        "2018-09-30")
    # The month words are the page's languages' and English.
    assert written_date("12 mars 2021", ["de"]) is None
    assert written_date("March 12, 2021", ["de"]) == ("2021-03-12", 14)
