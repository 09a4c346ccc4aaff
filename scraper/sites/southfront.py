"""South Front (southfront.press, formerly southfront.org), the original source of many
articles Global Research republishes, the seed among them.

What is known of it: WordPress, article URLs `/<slug>/` on one path segment, a feed at
`/feed/`, category listings paged `/page/N/`, og tags. Many posts are videos with their
script printed under them, followed by the site's own lines: an appeal for donations (the
wording varies: "Dear friends! If you like this type of content…", "If you're able, and if
you like our content and approach, please support the project"), the ways to pay, and a
"MORE ON THE TOPIC:" heading with a list of links to older posts. Those lines are dropped by
the named rules below; the list is found by its heading's text, whatever the classes.
"""

from scraper.extraction.boilerplate import TextRule
from scraper.sites.base import Rules, Site

# Pages on one path segment that are not posts.
NOT_POSTS = r"(feed|about|about-us|contacts?|donate|support-us|privacy-policy|search)"

TEXT_RULES = (
    TextRule("southfront_donation_appeal",
             r"^dear (friends|readers)\W+if you like (this type of|our) content"
             r"|if you(['’]re| are) able,? and if you like our content and approach"
             r"|^please support (the project|south ?front)\b"
             r"|^our work (would not|wouldn['’]t) be possible without your help"),
    # The ways to give that follow the appeal, one a line: "PayPal: …", "or via: …".
    TextRule("southfront_payment_line",
             r"^(or )?(paypal|patreon|subscribestar|btc|bitcoin|eth|ethereum|xmr|monero|via)"
             r"\s*:\s*\S", max_chars=200),
    # The heading of the link list; with the links, when they share its paragraph.
    TextRule("southfront_more_on_the_topic", r"^more on the topic\s*:", max_chars=1500),
)

# The heading and the list of links under it, whatever element holds either.
MORE_ON_THE_TOPIC = ":contains('MORE ON THE TOPIC')"
DROP = tuple(
    f"{tag}{MORE_ON_THE_TOPIC}{after}"
    for tag in ("p", "h2", "h3", "h4", "h5", "h6")
    for after in ("", " + ul", " + ol"))

SITE = Site(
    name="southfront",
    title="South Front",
    domains=("southfront.press", "southfront.org"),
    home="https://southfront.press",
    language="en",
    article_path=rf"/(?!{NOT_POSTS}/?$)[a-z0-9]+(-[a-z0-9]+)+/?",
    keep_query=False,
    feeds=("/feed/",),
    listings=("/category/all-articles/", "/category/videos/"),
    listing_item="article",
    listing_link="h2 a::attr(href)",
    listing_date="time",
    rules=Rules(
        title=("h1.entry-title", "article h1"),
        title_suffix=r"\s*[-|–]\s*South ?Front\b.*$",
        byline=(".sf-author", "[rel=author]"),
        body=("div.entry-content", "div.post-content", "article"),
        drop=DROP,
        text_rules=TEXT_RULES,
    ),
)
