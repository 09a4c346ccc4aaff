"""Global Research's notes and appeals of the 2024-26 era: each dropped by a named rule in
the wordings pages vary between, a paragraph that only resembles one kept, and the provenance
lines still naming the original source."""

from __future__ import annotations

import pytest

from scraper.extraction.boilerplate import GENERIC_TEXT_RULES
from scraper.extraction.extract import extract
from scraper.sites import SITES

GR = SITES["globalresearch"]
RULES = (*GENERIC_TEXT_RULES, *GR.rules.text_rules)
SITE_RULES = {rule.name for rule in GR.rules.text_rules}

# (the note as a page words it, the rule that must drop it)
NOTES = [
    ("To read this article in the following languages, click the Translate Website button "
     "below the author's name.", "translate_note"),
    ("To read this article in 51 languages, click the Translate Website button below the "
     "author’s name.", "translate_note"),
    ("All Global Research articles can be read in 51 languages by activating the Translate "
     "Website button below the author's name.", "translate_note"),
    ("Русский, 中文, עברית, العربية, Español, Deutsch, Français … and 40 more languages",
     "language_list"),
    ("Русский 中文 עברית العربية", "language_list"),
    ("Русский | 中文 | Tagalog | Kiswahili ... and 40 more languages", "language_list"),
    ("Click the share button below to email/forward this article. Follow us on Instagram and X "
     "and subscribe to our Telegram Channel. Feel free to repost Global Research articles with "
     "proper attribution.", "share_button_note"),
    ("Click the share buttons above to forward this article to your friends.",
     "share_button_note"),
    ("Follow us on Instagram and X and subscribe to our Telegram Channel.", "instagram_note"),
    ("Feel free to repost and share widely Global Research articles.", "repost_permission"),
    ("Global Research is a reader-funded media. We do not accept any funding from corporations "
     "or governments. Help us stay afloat. Click the image below to make a one-time or "
     "recurring donation.", "reader_funded_appeal"),
    ("Help us stay afloat. Click the image below to make a one-time or recurring donation.",
     "donation_appeal"),
    ("Click the image below to make a one-time or recurring donation.", "donation_appeal"),
    ("Free Books!", "free_books_appeal"),
    ("Free Books! Download our e-books here.", "free_books_appeal"),
    ("Support our work", "donation_request"),
    ("Support Our Work!", "donation_request"),
    ("Was this article helpful?", "helpful_prompt"),
    ("Was this article helpful? Yes No", "helpful_prompt"),
    ("Was this post useful?", "helpful_prompt"),
    ("Featured image is a screenshot from the video", "video_screenshot_credit"),
    ("Recommended image is a screenshot from the video.", "video_screenshot_credit"),
    ("Featured image is a screenshot from the video below", "video_screenshot_credit"),
    ("This article was originally published on Strategic Culture Foundation.",
     "originally_published_line"),
    ("This article was first published by Antiwar.com on May 2, 2025.",
     "originally_published_line"),
    ("Copyright © Ana Ruiz, Strategic Culture Foundation, 2025", "copyright_line"),
    ("Copyright © Ana Ruiz, Global Research, 2025", "copyright_line"),
    ("Disclaimer: The contents of this article are of sole responsibility of the author(s). The "
     "Centre for Research on Globalization will not be responsible for any inaccurate or "
     "incorrect statement in this article.", "disclaimer"),
    ("The contents of this article are of sole responsibility of the author(s). The Centre for "
     "Research on Globalization grants permission to cross-post Global Research articles on "
     "community internet sites as long the source and copyright are acknowledged.",
     "disclaimer"),
    ("www.globalresearch.ca contains copyrighted material the use of which has not always been "
     "specifically authorized by the copyright owner.", "fair_use_notice"),
    ("This site contains copyrighted material the use of which has not always been "
     "specifically authorized by the copyright owner. We are making such material available "
     "under the provisions of \"fair use\".", "fair_use_notice"),
    ("For media inquiries: publications@globalresearch.ca", "media_inquiries"),
    ("For media inquiries please contact publications@globalresearch.ca", "media_inquiries"),
    ("Become a Member of Global Research", "membership_appeal"),
    ("Become a member of Global Research and get our selected books!", "membership_appeal"),
    ("Comment on Global Research Articles on our Facebook page", "facebook_comment"),
    ("Comment on Global Research articles on our Facebook page.", "facebook_comment"),
]

# Paragraphs of a story that only resemble a note: no rule drops them.
LOOKALIKES = [
    "To read the report in full, the committee's members had to travel to Geneva.",
    "The leaflets were printed in Русский, English and Deutsch for the port's workers.",
    "The survey is out in English, Deutsch and 12 more languages, the institute said.",
    "Click the share price chart below and the figures for 2024 appear, the analyst wrote.",
    "Follow the money, the investigators said, and the shell companies in Cyprus appear.",
    "Feel free to repost the photos, the agency told the newspapers in a statement.",
    "Research is funded by readers of the journal and by two foundations, the editor said.",
    "Books were free for the students until the reform of 2012 changed the rules.",
    "Support for the plan fell to a third of voters in the spring poll.",
    "Was this article helpful to the defence? The judge thought not and struck it out.",
    "The image is a screenshot from the video the police released on Tuesday.",
    "The article was first published in a local weekly in 1998 and then forgotten.",
    "Copyright law gives the holder of a patent a monopoly of twenty years.",
    "The contents of the report were leaked to the press a week before the vote.",
    "Media inquiries about the case went unanswered for a week.",
    "Become a member of the cooperative and you get a vote on the prices.",
    "Comments on the Facebook page of the ministry were switched off in May.",
]


@pytest.mark.parametrize(("note", "name"), NOTES, ids=[f"{n}-{i}" for i, (_, n) in
                                                       enumerate(NOTES)])
def test_the_named_rule_drops_the_note(note, name):
    assert name in [rule.name for rule in RULES if rule.matches(note)]


def test_the_new_notes_have_site_rules_of_their_own():
    assert {"language_list", "repost_permission", "helpful_prompt", "video_screenshot_credit",
            "originally_published_line"} <= SITE_RULES
    assert len(SITE_RULES) == len(GR.rules.text_rules)  # no rule declared twice


@pytest.mark.parametrize("text", LOOKALIKES)
def test_a_paragraph_that_only_resembles_a_note_stays(text):
    assert [rule.name for rule in RULES if rule.matches(text)] == []


URL = "https://www.globalresearch.ca/ports-under-sanctions/5911111"
STORY = "".join(f"<p>The ports of the Baltic handled {n} million tonnes less grain this year, "
                "and the shipping agents blamed the insurers as much as the sanctions.</p>"
                for n in range(2, 8))


def gr_page(*footer: str) -> str:
    notes = "".join(f"<p>{line}</p>" for line in footer)
    return ("<html lang='en'><head><title>Ports under sanctions - Global Research</title></head>"
            "<body><article><h1>Ports under sanctions</h1><p>By Ines Marlow</p>"
            "<p>Global Research, March 03, 2025</p><div class='entry-content'>"
            "<p>To read this article in the following languages, click the Translate Website "
            "button below the author's name.</p>"
            "<p>Русский, 中文, עברית, العربية … and 40 more languages</p>"
            f"{STORY}<p>Was this article helpful?</p>{notes}</div></article></body></html>")


def test_the_notes_leave_the_body_and_the_debug_names_their_rules():
    result = extract(gr_page("Featured image is a screenshot from the video",
                             "This article was originally published on Strategic Culture "
                             "Foundation."), URL, GR)
    body = result.article.body
    assert body.startswith("The ports of the Baltic") and body.endswith("the sanctions.")
    dropped = {piece["rule"] for piece in result.article.removed}
    assert {"translate_note", "language_list", "helpful_prompt", "video_screenshot_credit",
            "originally_published_line"} <= dropped


def test_originally_published_on_another_outlet_is_the_original_source():
    article = extract(gr_page("This article was originally published on <a "
                              "href='https://strategic-culture.su/news/2025/03/01/ports/'>"
                              "Strategic Culture Foundation</a>."), URL, GR).article
    assert article.original_source["name"] == "Strategic Culture Foundation"
    assert article.original_source["url"] == "https://strategic-culture.su/news/2025/03/01/ports/"


def test_an_outlet_named_before_the_sites_own_source_line_wins():
    article = extract(gr_page("This article was originally published on Antiwar.com on May 2, "
                              "2025.", "The original source of this article is Global Research"),
                      URL, GR).article
    assert article.original_source["name"] == "Antiwar.com"
    article = extract(gr_page("The original source of this article is Global Research",
                              "This article was first published by Antiwar.com."), URL, GR).article
    assert article.original_source["name"] == "Antiwar.com"


def test_originally_published_on_the_site_or_on_a_date_is_no_republication():
    for line in ("This article was originally published on Global Research.",
                 "This article was originally published on March 1, 2025."):
        assert extract(gr_page(line), URL, GR).article.original_source is None
