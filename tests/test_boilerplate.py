"""Each boilerplate rule on its own: what it must drop, and a look-alike it must keep."""

from __future__ import annotations

import pytest
from parsel import Selector

from scraper.extraction.boilerplate import (
    GENERIC_TEXT_RULES,
    drop_elements,
    drop_paragraphs,
    join_split_paragraphs,
)
from scraper.extraction.text import Block, blocks_of
from scraper.sites import SITES

RULES = {rule.name: rule
         for rule in (*GENERIC_TEXT_RULES, *SITES["globalresearch"].rules.text_rules)}

# rule name -> (a paragraph it drops, a paragraph that only resembles it and stays)
EXAMPLES = {
    "separator": ("***", "* The figures are provisional."),
    "caption": ("Featured image: Protesters in Belgrade (Source: Wikimedia Commons)",
                "Image rights were at the heart of the dispute between the two agencies."),
    "copyright_line": ("Copyright © South Front, South Front, 2019",
                       "Copyright law gives the patent holder a monopoly of twenty years."),
    "all_rights_reserved": ("© 2024 Example Media. All rights reserved.",
                            "The charter says all rights reserved to the states are theirs."),
    "ad_label": ("Advertisement", "Advertisement spending fell by a fifth last year."),
    "read_more": ("Read more: Floods close the ring road for a second day",
                  "More than 300 people were evacuated on Sunday."),
    "newsletter_prompt": ("Sign up to our free daily newsletter and get the news in your inbox.",
                          "The letters were sent to every household in the district."),
    "contact_prompt": ("Got a story? Get in touch with our news team at news@example.com",
                       "The minister said she would get in touch with the families."),
    "follow_prompt": ("Follow Example News on Twitter and Facebook for the latest updates.",
                      "Police followed the suspect to a flat in the city centre."),
    "donation_request": ("Please consider making a donation to keep our reporting free.",
                         "Please consider the donation of organs, the surgeon said."),
    "share_request": ("Please click the share button above to forward this story to friends.",
                      "The firm's share price fell after the board meeting."),
    "paywall_prompt": ("Il vous reste 57% de cet article à lire. La suite est réservée aux "
                       "abonnés.",
                       "The premium tier will be available to subscribers of the service."),
    "reader_funding": ("Tideline is funded by its readers.",
                       "The museum is funded by its members and a city grant of 2 million."),
    "reproduction_notice": ("저작권자 © 한빛일보 무단전재 및 재배포 금지",
                            "부산항만공사는 20일 착공식을 열었다."),
    "reporter_signoff": ("김민지 기자 kimmj@example.org", "김민지 기자는 현장에 있었다."),
    "reader_appeal": ("Did you enjoy this article? Then support our work with a donation.",
                      "Supporters of the plan enjoyed a narrow majority in the vote."),
    "browser_notice": ("You are using a browser version with limited support for CSS.",
                       "The new browser version was released on Tuesday."),
    "embed_consent": ("Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden.",
                      "Der Inhalt des Vertrags wurde nicht veröffentlicht."),
    "credit_line": ("Foto: dpa", "Photos of the site show a crater several metres deep."),
    "time_line": ("Updated 14:32, 5 March 2024", "Updated figures will follow in 2025."),
    "byline_line": ("By Jane Smith and Tom Brown", "By then the fire had reached the roof."),
    "share_prompt": ("Note to readers: please click the share buttons above or below. Forward "
                     "this article to your email lists.",
                     "Readers were asked to click the share buttons by the campaign's staff."),
    "translate_note": ("All Global Research articles can be read in 51 languages by activating "
                       "the Translate Website button below the author's name.",
                       "All articles can be read in two languages on the ministry's site."),
    "newsletter_note": ("To receive Global Research's Daily Newsletter (selected articles), "
                        "click here.",
                        "To receive the ministry's daily newsletter, farmers must register."),
    "share_button_note": ("Click the share button above to email/forward this article to your "
                          "friends and colleagues.",
                          "Click the button above and the vote is recorded, the clerk said."),
    "instagram_note": ("Visit and follow us on Instagram at @crg_globalresearch.",
                       "The minister posted the video on Instagram on Tuesday."),
    "reader_funded_appeal": ("Global Research is a reader-funded media. We do not accept any "
                             "funding from corporations or governments.",
                             "The fund is reader-driven, the editors say."),
    "donation_appeal": ("Consider Making a Donation to Global Research",
                        "Donations to the party rose by a third in 2023."),
    "membership_appeal": ("Become a Member of Global Research",
                          "Become a member of the cooperative and you get a vote on prices."),
    "free_books_appeal": ("Free Books! Click here to download the e-books.",
                          "Books were free for students until the reform of 2012."),
    "source_support_appeal": ("We call upon Global Research readers to support South Front in "
                              "its endeavors.",
                              "We call upon the government to release the report."),
    "source_donation_appeal": ("If you're able, and if you like our content and approach, "
                               "please support the project.",
                               "If you like the approach, the committee said, support the bill."),
    "original_source_line": ("The original source of this article is Global Research",
                             "The original source of the leak is still unknown."),
    "facebook_comment": ("Comment on Global Research Articles on our Facebook page",
                         "Comments on the Facebook page of the ministry were switched off."),
    "articles_by": ("Articles by: South Front", "Articles by independent journalists were banned."),
    "disclaimer": ("Disclaimer: The contents of this article are of sole responsibility of the "
                   "author(s).",
                   "The disclaimer on the contract was found to be void."),
    "fair_use_notice": ("www.globalresearch.ca contains copyrighted material the use of which "
                        "has not always been specifically authorized by the copyright owner.",
                        "The archive contains copyrighted material from 1950s newspapers."),
    "media_inquiries": ("For media inquiries: publications@globalresearch.ca",
                        "Media inquiries about the case went unanswered for a week."),
    "language_list": ("Русский, 中文, עברית, العربية … and 40 more languages",
                      "The leaflet was printed in Русский and English for the port workers."),
    "repost_permission": ("Feel free to repost Global Research articles with proper attribution.",
                          "Feel free to repost the photos, the agency told the newspapers."),
    "helpful_prompt": ("Was this article helpful?",
                       "Was this article helpful to the defence? The judge thought not."),
    "video_screenshot_credit": ("Featured image is a screenshot from the video",
                                "The image is a screenshot from the video the police released."),
    "originally_published_line": ("This article was originally published on Antiwar.com.",
                                  "The article was published in a local weekly in 1998."),
}


def test_every_rule_has_examples():
    assert set(EXAMPLES) == set(RULES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rule_drops_boilerplate(name):
    assert RULES[name].matches(EXAMPLES[name][0])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rule_keeps_lookalike(name):
    kept = EXAMPLES[name][1]
    assert not any(rule.matches(kept) for rule in RULES.values()), kept


def test_long_paragraph_is_never_boilerplate():
    text = "Note to readers: please click the share buttons. " + "The war went on. " * 40
    assert not RULES["share_prompt"].matches(text)


def test_drop_paragraphs_reports_rule_names():
    blocks = [Block("Real text here.", "p"), Block("*", "p"), Block("Articles by: X", "p")]
    kept, dropped = drop_paragraphs(blocks, RULES.values())
    assert [b.text for b in kept] == ["Real text here."]
    assert dropped == [("separator", "*"), ("articles_by", "Articles by: X")]


def _root(html):
    return Selector(text=html).css("div#c")[0].root


def test_drop_elements_removes_furniture_and_keeps_tail():
    root = _root('<div id="c"><p>One <span class="shareBlock">Share!</span>two</p>'
                 '<div class="gr-related-inline">Related: X</div><figure><img/>'
                 '<figcaption>A caption</figcaption></figure><p>Three.</p></div>')
    removed = drop_elements(root)
    assert [b.text for b in blocks_of(root)] == ["One two", "Three."]
    assert len(removed) == 3


def test_drop_elements_spares_a_wrapper_holding_most_text():
    root = _root('<div id="c"><div class="post-share-area"><p>' + "Long article text. " * 30
                 + '</p></div><p>End.</p></div>')
    drop_elements(root)
    assert "Long article text." in blocks_of(root)[0].text


def test_drop_elements_site_selectors():
    root = _root('<div id="c"><p>Kept.</p><div class="code-block">Ad</div></div>')
    assert drop_elements(root, [".code-block"]) == [".code-block"]
    assert [b.text for b in blocks_of(root)] == ["Kept."]


def test_commentary_class_is_not_comments():
    root = _root('<div id="c"><div class="commentary">' + "Analysis text. " * 3
                 + '</div><p>' + "More. " * 20 + "</p></div>")
    drop_elements(root)
    assert blocks_of(root)[0].text.startswith("Analysis text.")


@pytest.mark.parametrize("first,second,joined", [
    ("There is no guarantee", "that this force would not be used.", True),
    ("It ended.", "then it began again.", False),
    ("No punctuation", "Capitalised start.", False),
])
def test_join_split_paragraphs(first, second, joined):
    out = join_split_paragraphs([Block(first, "p"), Block(second, "p")])
    assert (len(out) == 1) is joined
    if joined:
        assert out[0].text == f"{first} {second}"


def test_join_does_not_cross_list_items():
    out = join_split_paragraphs([Block("item one", "li"), Block("item two", "li")])
    assert len(out) == 2


@pytest.mark.parametrize("credit", ["Φωτ.: Αρχείο", "Kuva: Lehtikuva", "Фото: ТАСС"])
def test_picture_credits_in_more_languages(credit):
    assert RULES["credit_line"].matches(credit)
