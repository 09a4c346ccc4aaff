"""Global Research (globalresearch.ca), the Centre for Research on Globalization.

What is known of its markup is in the project's research notes: WordPress, microdata
(`h2[itemprop=headline]`, `div[itemprop=articleBody]`) on 2019-era pages, `div.content` on older
ones, visible "By …" and "Global Research, May 30, 2019" lines, Region/Theme/In-depth Report
labels, and a long tail of appeals and notices around every article. Selectors are fallback
chains; the text anchors work whatever the classes are.
"""

from scraper.extraction.boilerplate import TextRule
from scraper.sites.base import Rules, Site

TEXT_RULES = (
    # 2019: the share note after the article.
    TextRule("share_prompt", r"^note to readers:? please click the share buttons"),
    # 2022-26: notes at the top of the body.
    TextRule("translate_note", r"^all global research articles can be read in \d+ languages"),
    TextRule("newsletter_note", r"^to receive global research['’]s daily newsletter"),
    TextRule("share_button_note", r"^click the share button above to (email|forward)"),
    TextRule("instagram_note", r"^visit and follow us on instagram"),
    # Appeals for money or membership.
    TextRule("reader_funded_appeal", r"^global research is a reader-funded media"),
    TextRule("donation_appeal", r"^(consider making a donation to|make a (one-time|recurring))"
             r"|^help us stay afloat"),
    TextRule("membership_appeal", r"^become (a )?member of global research\W*$", max_chars=80),
    TextRule("free_books_appeal", r"^free books!?", max_chars=200),
    # Appeals of the original source, reprinted under its articles.
    TextRule("source_support_appeal", r"^we call upon global research readers to support"),
    TextRule("source_donation_appeal",
             r"if you like our content and approach,? please support the project"
             r"|^dear friends\.? if you like this type of content, support southfront"),
    # The footer.
    TextRule("original_source_line", r"^the original source of this article is\b"),
    TextRule("facebook_comment", r"^comment on global research articles on our facebook page\W*$",
             max_chars=80),
    TextRule("articles_by", r"^articles by:", max_chars=200),
    TextRule("disclaimer", r"^disclaimer:? the contents of this article are of sole responsibility",
             max_chars=800),
    TextRule("fair_use_notice",
             r"contains copyrighted material the use of which has not always been specifically",
             max_chars=800),
    TextRule("media_inquiries", r"^for media inquiries:?", max_chars=120),
)

SITE = Site(
    name="globalresearch",
    title="Global Research",
    domains=("globalresearch.ca",),
    home="https://www.globalresearch.ca",
    language="en",
    timezone="America/Toronto",
    article_path=r"/[a-z0-9-]+/\d+/?",
    keep_query=False,
    feeds=("/feed",),
    listings=("/latest-news-and-top-stories",),
    listing_item="div.article",
    listing_link="strong.title a::attr(href)",
    listing_date=".date",
    rest_posts="/wp-json/wp/v2/posts?page={page}&per_page=20",
    # Behind Cloudflare, which refuses a bot's User-Agent: a browser's.
    user_agent=("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/131.0.0.0 Safari/537.36"),
    rules=Rules(
        title=("div.title > h2[itemprop=headline]", "[itemprop=headline]", "h1.entry-title",
               "div.title h2", "div.title h1"),
        title_suffix=r"\s*[-|–]\s*Global Research\b.*$",
        subtitle=("h3.subtitle", ".subtitle"),
        byline=("[itemprop=author]", ".author-line", ".byline"),
        date_line=r"^Global Research,\s+(?P<date>[A-Z][a-z]+\.? \d{1,2},? \d{4})$",
        body=("div[itemprop=articleBody]", "div.entry-content", "div.content", "article"),
        drop=(".code-block", ".addthis_tool", ".shareBlock", ".wp-caption", ".postThumbnail"),
        text_rules=TEXT_RULES,
        tag_labels={"Region": "region", "Theme": "theme", "In-depth Report": "in_depth_report"},
        author_footer=r"^articles by:\s*",
        source_line=r"the original source of this article is",
    ),
)
