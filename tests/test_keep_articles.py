"""Real articles the extractor must keep (issue 11): an XHTML page with an XML declaration,
an article that loads a bot-protection beacon, text in lines broken by `<br>`, and prose
pages that carry no date or byline; and the non-articles it must still reject."""

from __future__ import annotations

import json

from scrapy.http import HtmlResponse

from scraper.extraction.blocking import challenge_reason
from scraper.extraction.encoding import decode_page
from scraper.extraction.extract import extract
from spiders.base import challenge

PROSE = ("The harbour board met on Tuesday evening and agreed to rebuild the old quay wall "
         "before the winter storms, after engineers found cracks along its northern end. ")
# Incapsula's beacon as the sites it guards load it on every page.
BEACON = ('<script async type="text/javascript" '
          'src="/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3&ns=1&cb=57310"></script>')


def story_page(head: str = "", body: str = "", title: str = "Quay wall to be rebuilt") -> str:
    return (f"<!DOCTYPE html><html><head><title>{title} - Harbour News</title>{head}</head>"
            f"<body><nav><a href='/'>Home</a> <a href='/news/'>News</a></nav>{body}"
            "<footer>© Harbour News</footer></body></html>")


def test_xhtml_page_with_an_xml_declaration_is_read_as_html():
    html = ('<?xml version="1.0" encoding="iso-8859-1"?>\n'
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de" lang="de"><head>'
            '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1" />'
            "<title>Neue Kaimauer für Müllerhafen</title></head><body><div id='content'>"
            "<h1>Neue Kaimauer für Müllerhafen</h1><p class='date'>12.03.2021</p>"
            + f"<p>{PROSE * 3}</p>" * 3 + "</div></body></html>")
    result = extract(decode_page(html.encode("iso-8859-1")), "https://hafen.example/kaimauer.html")
    assert result.status == "article", result.reason
    assert result.article.title == "Neue Kaimauer für Müllerhafen"
    assert result.article.published == "2021-03-12"


def test_article_loading_a_bot_protection_beacon_is_not_blocked():
    html = story_page(BEACON + '<meta property="og:type" content="article">',
                      "<article><h1>Quay wall to be rebuilt</h1>"
                      + f"<p>{PROSE * 3}</p>" * 3 + "</article>")  # 243 words
    assert challenge_reason(html) is None
    assert challenge(HtmlResponse("https://harbour.example/quay", body=html.encode(),
                                  encoding="utf-8")) is None
    assert extract(html, "https://harbour.example/quay").status == "article"


def test_challenge_stub_is_blocked_in_extraction_and_crawl():
    stub = ('<html><head><META NAME="robots" CONTENT="noindex,nofollow">'
            '<script src="/_Incapsula_Resource?SWJIYLWA=5074a744e2e3,719d34d31c8e">'
            "</script><body></body></html>")
    iframe = ('<html><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW"></head><body>'
              '<iframe id="main-iframe" src="/_Incapsula_Resource?SWUDNSAI=30&incident_id=7030">'
              "Request unsuccessful. Incapsula incident ID: 7030001601</iframe></body></html>")
    for html in (stub, iframe):
        assert extract(html, "https://harbour.example/quay").status == "blocked"
        assert challenge(HtmlResponse("https://harbour.example/quay", body=html.encode(),
                                      encoding="utf-8")).startswith("challenge page")


def test_block_page_explaining_itself_at_length_is_blocked():
    html = ("<html><head><title>Attention Required! | Cloudflare</title></head><body>"
            "<h1>Sorry, you have been blocked</h1><h2>You are unable to access harbour.example</h2>"
            "<h2>Why have I been blocked?</h2><p>This website is using a security service to "
            "protect itself from online attacks. The action you just performed triggered the "
            "security solution. There are several actions that could trigger this block "
            "including submitting a certain word or phrase, a SQL command or malformed data.</p>"
            "<h2>What can I do to resolve this?</h2><p>You can email the site owner to let them "
            "know you were blocked. Please include what you were doing when this page came up "
            "and the Ray ID found at the bottom of this page.</p><p>Ray ID: 8cf3a91e7d2b4f60 "
            "&bull; Your IP: 192.0.2.1 &bull; Performance &amp; security by Cloudflare</p>"
            "</body></html>")
    assert challenge_reason(html) == "challenge page: Attention Required! | Cloudflare"


def test_challenge_page_with_megabytes_of_open_scripts_is_read_quickly():
    html = "<title>Just a moment...</title>" + "<script>var a = 1 < 2;" * 200_000
    assert challenge_reason(html).startswith("challenge page")  # and does not hang


def related(n: int = 5) -> str:
    return "<aside>" + "".join(f'<h3><a href="/news/{i}.html">Other story {i}</a></h3>'
                               for i in range(n)) + "</aside>"


def test_story_in_lines_broken_by_br_is_no_listing():
    lines = "<br><br>".join([PROSE * 2, PROSE + "<b>The mayor</b> welcomed it.", PROSE * 2])
    html = story_page(body=f"<div class='news'><h1>Quay wall to be rebuilt</h1>"
                           f"<time datetime='2021-11-05'>05.11.2021</time>"
                           f"<div class='text'>{lines}</div></div>{related()}")
    result = extract(html, "https://harbour.example/news.php?id=6486")
    assert result.status == "article", result.reason
    assert "The mayor welcomed it." in result.article.body


def test_teasers_broken_by_br_are_still_a_listing():
    boxes = "".join(f'<div class="teaser"><h3><a href="/news/{i}.html">Story {i}</a></h3>'
                    f"Tuesday<br>A line of story {i}.</div>" for i in range(8))
    result = extract(story_page(body=boxes), "https://harbour.example/news/")
    assert (result.status, result.kind) == ("not_article", "listing")


STORY = [PROSE,
         "Work is to start in March and to last until the end of the year, the board said. "
         "Fishing boats will moor at the ferry pier meanwhile, where six new berths are "
         "being built, and the ferry will leave from the south quay for those months.",
         "The cost, put at 4.2 million, is to be shared between the town and the region. "
         "Several members asked why the repairs of 2009 had not lasted; the engineers "
         "answered that the storms of the last three winters had been the worst on record.",
         "Residents can see the plans at the town hall until the end of the month and send "
         "their comments to the board in writing. A public meeting is planned for February, "
         "when the builders will present the schedule and answer questions from the floor."]


def prose_page(head: str = "", paragraphs: int = 4) -> str:
    return story_page(head, "<main><h1>Quay wall to be rebuilt</h1>"
                            + "".join(f"<p>{p}</p>" for p in STORY[:paragraphs])
                            + f"</main>{related()}")


def test_press_release_without_date_or_byline_is_kept_and_says_what_it_lacks():
    result = extract(prose_page(), "https://harbour.example/press/quay-wall.html")
    assert result.status == "article", result.reason
    assert result.article.title == "Quay wall to be rebuilt"
    assert result.article.provenance["missing"] == "date, byline, metadata"
    assert "Other story" not in result.article.body


def test_article_with_a_date_only_records_the_other_markers_missing():
    html = prose_page(head='<meta property="article:published_time" content="2021-11-05">')
    article = extract(html, "https://harbour.example/press/quay-wall.html").article
    assert article.provenance["missing"] == "byline, metadata"


def test_unmarked_pages_that_are_no_story_are_rejected():
    cases = {
        # a front, a tag and an author page hold prose (a site's introduction) too
        "https://harbour.example/": "front",
        "https://harbour.example/tag/quay/": "tag",
        "https://harbour.example/author/anna-berg/": "author",
    }
    for url, kind in cases.items():
        result = extract(prose_page(), url)
        assert (result.status, result.kind) == ("not_article", kind), url
    shop = prose_page(head='<meta property="og:type" content="product">')
    result = extract(shop, "https://harbour.example/shop/rope-40m.html")
    assert (result.status, result.kind) == ("not_article", "shop")
    microdata = prose_page().replace("<main>", '<main itemscope itemtype="https://schema.org/Product">')
    assert extract(microdata, "https://harbour.example/shop/rope.html").kind == "shop"
    # prose too short to be a story: an opening-hours note, a contact page
    short = story_page(body=f"<main><h1>Opening hours</h1><p>{STORY[1]}</p></main>")
    result = extract(short, "https://harbour.example/opening-hours.html")
    assert (result.status, result.kind) == ("not_article", "other")
    assert result.reason.startswith("no article markers (date, byline, metadata)")


def test_headline_after_the_site_name_its_logo_heading_shows_is_found():
    html = ("<html><head><title>Harbour-News.de » Blog Archiv » Quay wall to be rebuilt</title>"
            "</head><body><h1><a href='/'>Harbour-News.de</a></h1><div class='post'>"
            "<h2>Quay wall to be rebuilt</h2><small>5. November 2021</small>"
            + "".join(f"<p>{p}</p>" for p in STORY) + "</div></body></html>")
    result = extract(html, "https://harbour-news.de/2021/11/quay-wall/")
    assert result.status == "article", result.reason
    assert result.article.title.endswith("Quay wall to be rebuilt")
    assert "Harbour-News" not in result.article.title


def test_application_name_that_repeats_the_title_is_no_site_name():
    title = "Quay wall to be rebuilt after storms"
    html = story_page(f'<meta name="application-name" content="{title}">'
                      '<meta property="og:type" content="article">',
                      f"<article><h1>{title}</h1>"
                      + "".join(f"<p>{p}</p>" for p in STORY) + "</article>", title=title)
    html = html.replace(f"<title>{title} - Harbour News</title>", f"<title>{title}</title>")
    result = extract(html, "https://harbour.example/quay")
    assert result.status == "article", result.reason
    assert result.article.title == title


def comment_form(action: str = "/wp-comments-post.php", field: str = "comment") -> str:
    return (f'<div id="respond"><h3>Leave a reply <a href="#respond">Cancel reply</a></h3>'
            f'<form action="{action}" method="post"><textarea name="{field}"></textarea>'
            '<input type="submit" value="Post"></form></div>')


def short_post(form: str) -> str:
    """A notice of two short paragraphs above its related posts (linked headings), as a blog
    shows it."""
    return story_page(body="<main><h1>Quay wall to be rebuilt</h1>"
                           f"<div class='entry'><p>{STORY[1]}</p><p>{STORY[2]}</p></div></main>"
                           + related(6) + form)


def test_short_post_with_a_comment_form_is_a_story_not_a_listing():
    result = extract(short_post(comment_form()), "https://harbour.example/2021/11/quay/")
    assert result.status == "article", result.reason
    assert result.article.body.startswith("Work is to start in March")
    assert "Other story" not in result.article.body
    # The same notice without the comment form is a list of teasers with a blurb.
    result = extract(short_post(""), "https://harbour.example/2021/11/quay/")
    assert (result.status, result.kind) == ("not_article", "listing")


def test_a_contact_form_is_no_comment_form():
    contact = comment_form(action="/contact/send", field="message")
    result = extract(short_post(contact), "https://harbour.example/2021/11/quay/")
    assert (result.status, result.kind) == ("not_article", "listing")


def test_live_blog_marked_as_an_article_is_kept_despite_its_list_of_entries():
    entries = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": i, "name": f"Over {i}"} for i in range(1, 4)]}
    head = ('<meta property="og:type" content="article">'
            f'<script type="application/ld+json">{json.dumps(entries)}</script>')
    html = story_page(head, "<main><h1>Quay wall to be rebuilt</h1><div class='live'>"
                            + "".join(f"<p>{p}</p>" for p in STORY) + "</div></main>")
    result = extract(html, "https://harbour.example/live/quay-wall")
    assert result.status == "article", result.reason
    # A list with a blurb stays a listing even when it calls itself an article.
    blurb = story_page(head, f"<main><h1>Quay news</h1><p>{STORY[1]}</p></main>")
    assert extract(blurb, "https://harbour.example/live/quay").kind == "listing"


def test_shield_stub_that_sets_a_cookie_and_reloads_is_blocked():
    stub = ('<html><body><div><p>You will be connected to <b>harbour.example</b> in just a '
            'moment...</p></div><script>function toHex(d){return d}document.cookie="STC="'
            '+toHex("9bb0")+"; path=/";location.href="https://harbour.example/quay?attempt=1";'
            "</script></body></html>")
    result = extract(stub, "https://harbour.example/quay")
    assert (result.status, result.reason) == (
        "blocked", "challenge page: a script sets a cookie and reloads")
    # An article whose consent script sets a cookie and reloads shows its story.
    article = story_page(stub.split("<body>")[1].split("</body>")[0],
                         "<article><h1>Quay wall to be rebuilt</h1>"
                         + f"<p>{PROSE * 3}</p>" * 3 + "</article>")
    assert challenge_reason(article) is None
