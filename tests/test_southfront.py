"""South Front as a declared site: its rules one by one, and a crawl of its replica."""

from __future__ import annotations

import re
import sqlite3

import pytest
from conftest import SITES_DIR, golden_cases, load_case
from parsel import Selector
from test_crawl import crawl

from scraper.extraction.boilerplate import GENERIC_TEXT_RULES, drop_elements
from scraper.extraction.extract import extract
from scraper.extraction.text import blocks_of
from scraper.fixture_server import FixtureSite
from scraper.sites import SITES, site_for_url

SITE = SITES["southfront"]
RULES = {rule.name: rule for rule in SITE.rules.text_rules}
OTHER_RULES = (*GENERIC_TEXT_RULES, *SITES["globalresearch"].rules.text_rules)

# rule name -> (paragraphs it drops, a paragraph that only resembles them and stays)
EXAMPLES = {
    "southfront_donation_appeal": (
        ["Dear friends! If you like this type of content, please support South Front.",
         "Dear readers, if you like our content, support the team with a donation.",
         "If you’re able, and if you like our content and approach, please support the project.",
         "Our work wouldn't be possible without your help:"],
        "Dear friends of the museum were invited to the opening on Friday."),
    "southfront_payment_line": (
        ["PayPal: support@southfront.example", "or via: https://southfront.press/donate/",
         "BTC: bc1q9s4t7e2xv0m3k5c8d6f1g2h3j4k5l6m7n8p0r", "Subscribestar: https://x.example/sf"],
        "PayPal shares fell by a tenth after the results: investors had hoped for more."),
    "southfront_more_on_the_topic": (
        ["MORE ON THE TOPIC:", "MORE ON THE TOPIC: Drone Raids Reach the Port of Tuapse "
                               "River Ports Under Fire"],
        "More on the topic of tariffs, the minister said, would follow in the spring."),
}


def test_every_rule_has_examples():
    assert set(EXAMPLES) == set(RULES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rule_drops_its_lines(name):
    for text in EXAMPLES[name][0]:
        assert RULES[name].matches(text), text


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rule_keeps_lookalike(name):
    kept = EXAMPLES[name][1]
    assert not any(rule.matches(kept) for rule in (*RULES.values(), *OTHER_RULES)), kept


STORY = ("<p>The convoy left Reni at dawn, and the barges reached Sulina by the evening, "
         "escorted by two patrol boats of the Romanian navy.</p>")
LINKS = ('<li><a href="/grain-convoys-resume-on-the-danube-route/">Grain Convoys Resume</a></li>'
         '<li><a href="/river-ports-under-fire/">River Ports Under Fire</a></li>')


@pytest.mark.parametrize("heading", [
    "<p><strong>MORE ON THE TOPIC:</strong></p>",
    '<h4 class="x1">MORE ON THE TOPIC:</h4>',
    "<h3><span>MORE ON THE TOPIC</span></h3>",
])
@pytest.mark.parametrize("listing", ["ul", "ol"])
def test_more_on_the_topic_goes_with_its_links_whatever_the_markup(heading, listing):
    root = Selector(text=f'<div id="c">{STORY}{heading}'
                         f"<{listing}>{LINKS}</{listing}></div>").css("div#c")[0].root
    drop_elements(root, SITE.rules.drop)
    assert [b.text for b in blocks_of(root)] == [Selector(text=STORY).css("p::text").get()]


def test_a_list_after_another_heading_stays():
    root = Selector(text=f'<div id="c">{STORY}<h3>Ports on the route'
                         f"</h3><ul>{LINKS}</ul></div>").css("div#c")[0].root
    drop_elements(root, SITE.rules.drop)
    assert [b.text for b in blocks_of(root)][-1] == "River Ports Under Fire"


@pytest.mark.parametrize("url", ["https://southfront.press/drone-raids-reach-the-port-of-tuapse/",
                                 "https://southfront.org/grain-convoys-resume-on-the-danube-route/",
                                 "https://www.southfront.org/some-old-post/"])
def test_both_domains_are_south_front(url):
    assert site_for_url(url) is SITE
    assert SITE.is_article_url(url)


@pytest.mark.parametrize("path", ["/category/videos/", "/feed/", "/donate/", "/about/",
                                  "/tag/drones/", "/author/southfront/", "/"])
def test_pages_that_are_not_posts(path):
    assert not SITE.is_article_url(f"https://southfront.press{path}")


ARTICLE_CASES = [p for p in golden_cases("southfront") if load_case(p)["status"] == "article"]


@pytest.mark.parametrize("case_path", ARTICLE_CASES, ids=lambda p: p.stem)
def test_theme_classes_renamed_give_the_same_story(case_path):
    """A new theme renames its own classes (WordPress's entry-title and entry-content stay):
    the story, its title and date are found the same, and the appeals dropped the same."""
    case = load_case(case_path)
    html = (SITES_DIR / "southfront" / case["page"]).read_text(encoding="utf-8")
    renamed = re.sub(r'class="sf-', 'class="theme2026-', html)
    assert renamed != html
    article = extract(renamed, case["url"], SITE).article
    assert {k: getattr(article, k) for k in ("title", "published", "body")} == {
        k: case["expected"][k] for k in ("title", "published", "body")}


EXPECTED = {c["url"]: c["expected"] for c in map(load_case, ARTICLE_CASES)}


@pytest.fixture
def southfront():
    with FixtureSite(SITES_DIR / "southfront", origin="https://southfront.press") as served:
        yield served


def test_crawl_of_the_replica_archives_every_post_once(southfront, db_path):
    counts = crawl(southfront, db_path, spider="southfront")
    assert (counts["new"], counts["failed"], counts["blocked"]) == (len(EXPECTED), 0, 0)
    con = sqlite3.connect(db_path)
    archived = dict(con.execute("select url, body from articles where site = 'southfront'"))
    assert archived == {url: expected["body"] for url, expected in EXPECTED.items()}
    posts = [p for p in southfront.requests if SITE.is_article_url(p) and "/category/" not in p]
    # Each post fetched once: the feed, two listings and the old domain's link lead to two.
    assert sorted(posts) == ["/drone-raids-reach-the-port-of-tuapse/",
                             "/grain-convoys-resume-on-the-danube-route/"]
    assert "/donate/" not in southfront.requests and "/robots.txt" in southfront.requests
    # The next run fetches no post again.
    southfront.requests.clear()
    again = crawl(southfront, db_path, spider="southfront")
    assert again["new"] == 0 and again["already_archived"] == len(EXPECTED)
    assert not [p for p in southfront.requests if p in posts]
