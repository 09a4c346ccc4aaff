"""Global Research (globalresearch.ca), the Centre for Research on Globalization.

What is known of its markup is in the project's research notes: WordPress, microdata
(`h2[itemprop=headline]`, `div[itemprop=articleBody]`) on 2019-era pages, `div.content` on older
ones, visible "By …" and "Global Research, May 30, 2019" lines, Region/Theme/In-depth Report
labels, and a long tail of appeals and notices around every article. Selectors are fallback
chains; the text anchors work whatever the classes are.
"""

from scraper.extraction.boilerplate import TextRule
from scraper.sites.base import Rules, Site

# Language names as the translate widget writes them, each in its own script.
_LANGUAGE_NAMES = ("Русский|中文|简体中文|繁體中文|עברית|العربية|Español|Deutsch|Français|Italiano|"
                   "Português|日本語|한국어|Türkçe|Polski|Nederlands|Ελληνικά|हिन्दी|فارسی|"
                   "Українська|Tiếng Việt|Bahasa Indonesia|Svenska|Română|Magyar|Čeština|"
                   "English|اردو|বাংলা|ไทย|Српски|Български|Hrvatski|Suomi|Dansk|Norsk")
# Cyrillic, Hebrew and Arabic, Devanagari and Bengali, Thai, Japanese kana, CJK, Hangul.
_NON_LATIN = ("\u0400-\u04ff\u0590-\u06ff\u0900-\u09ff\u0e00-\u0e7f\u3040-\u30ff"
              "\u4e00-\u9fff\uac00-\ud7af")

TEXT_RULES = (
    # 2019: the share note after the article.
    TextRule("share_prompt", r"^note to readers:? please click the share buttons"),
    # Notes at the top of the body. 2022-26: "All … can be read in 51 languages"; 2024-26:
    # "To read this article in the following languages, click the Translate Website button…"
    TextRule("translate_note", r"^all global research articles can be read in \d+ languages"
             r"|^to read this article in (the following|\d+|many|other) languages\b"),
    # The widget's list of languages, each in its own script, that may follow the note.
    TextRule("language_list", rf"^(?:(?:{_LANGUAGE_NAMES})[\s,;|/·•]*){{3,}}"
             r"(?:(?:…|\.\.\.)?\s*(?:and|\+)\s*\d+ more(?: languages)?)?\W*$"
             # Names not listed above: a non-Latin script and "and 40 more languages".
             rf"|^[^.!?]{{0,300}}[{_NON_LATIN}][^.!?]{{0,300}}(?:…|\.\.\.)?\s*\band \d+ more "
             r"languages\W*$"),
    TextRule("newsletter_note", r"^to receive global research['’]s daily newsletter"),
    # "… above" (2022-23), "… below" (2024-26), then "Follow us on Instagram and X…".
    TextRule("share_button_note", r"^click the share buttons? (above|below) to (email|forward)"),
    TextRule("instagram_note", r"^(visit and )?follow us on instagram\b"),
    TextRule("repost_permission",
             r"^feel free to repost (and share widely )?global research articles", max_chars=250),
    # Appeals for money or membership.
    TextRule("reader_funded_appeal", r"^global research is a reader-funded media"),
    TextRule("donation_appeal", r"^(consider making a donation to"
             r"|(click the image below to )?make a (one-time|recurring))|^help us stay afloat"),
    TextRule("membership_appeal", r"^become (a )?member of global research\b", max_chars=200),
    TextRule("free_books_appeal", r"^free books!?", max_chars=200),
    # Appeals of the original source, reprinted under its articles.
    TextRule("source_support_appeal", r"^we call upon global research readers to support"),
    TextRule("source_donation_appeal",
             r"if you like our content and approach,? please support the project"
             r"|^dear friends\.? if you like this type of content, support southfront"),
    # 2024-26: the reader's verdict box, and the credit of a still from an embedded video.
    TextRule("helpful_prompt", r"^was this (article|post) (helpful|useful)\??(\W*(yes|no))*\W*$",
             max_chars=80),
    TextRule("video_screenshot_credit",
             r"^(featured|recommended) images? (is|are) (a )?screenshots? (from|of) (the|a|this) "
             r"video\b", max_chars=200),
    # The footer. The provenance lines still name the source (see `source_line`).
    TextRule("originally_published_line",
             r"^this article was (originally|first) published (on|in|by|at)\b", max_chars=300),
    TextRule("original_source_line", r"^the original source of this article is\b"),
    TextRule("facebook_comment", r"^comment on global research articles on our facebook page\W*$",
             max_chars=80),
    TextRule("articles_by", r"^articles by:", max_chars=200),
    TextRule("disclaimer", r"^(disclaimer:? )?the contents of this article are of sole "
             r"responsibility",
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
        body=("div[itemprop=articleBody]", "div.entry-content", "div.post-content", "div.content",
              "article"),
        drop=(".code-block", ".addthis_tool", ".shareBlock", ".wp-caption", ".postThumbnail"),
        text_rules=TEXT_RULES,
        tag_labels={"Region": "region", "Theme": "theme", "In-depth Report": "in_depth_report"},
        author_footer=r"^articles by:\s*",
        source_line=r"(?:the original source of this article is"
                    r"|this article was (?:originally|first) published (?:on|in|by|at))",
    ),
)
