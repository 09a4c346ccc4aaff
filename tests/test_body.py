"""The body cascade step by step, on small pages written for each rule."""

from __future__ import annotations

import json

from trafilatura import bare_extraction

from scraper.extraction.body import _holds as holds
from scraper.extraction.body import find_body, page_lead, structured_body, tidy
from scraper.extraction.boilerplate import GENERIC_TEXT_RULES
from scraper.extraction.document import Document
from scraper.extraction.extract import extract
from scraper.extraction.main_text import (
    TEASER_CARDS,
    _trafilatura,
    article_scope,
    blocks_of_output,
    main_text,
    standalone,
)
from scraper.extraction.repeats import RepeatStore, drop_repeated
from scraper.extraction.text import Block, blocks_of, inline_text
from scraper.sites import SITES, generic_site

URL = "https://news.example.org/city/old-mill-bridge"
TITLE = "Old Mill bridge to close for repairs"
PARAS = [
    "The city council voted on Tuesday to close the Old Mill bridge for six months after "
    "engineers found deep cracks in two of its piers during a routine inspection.",
    "Traffic will be sent over the ring road, which the council expects to add about ten "
    "minutes to the morning commute for drivers coming from the northern suburbs.",
    "Shop owners on Bridge Street said the closure would cost them customers, and asked the "
    "council to waive business rates for the months of the works.",
    "The repairs are expected to cost 4.2 million euros, most of it paid by the regional "
    "government under its programme for ageing infrastructure.",
    "Engineers will first shore up the piers with steel frames before divers replace the "
    "damaged stonework below the waterline in the spring.",
    "The bridge, built in 1872, carries about twelve thousand vehicles a day and was last "
    "restored in the 1980s, when its wooden deck was replaced with concrete.",
    "A footbridge for pedestrians and cyclists will be put up next to the old crossing by the "
    "end of February, the council said.",
]
ARTICLE = "".join(f"<p>{p}</p>" for p in PARAS)


def page(body: str, head: str = "", before: str = "", after: str = "") -> str:
    return (
        f"<html><head><title>{TITLE} | City News</title>"
        f'<meta property="og:type" content="article">{head}</head><body>'
        '<nav><a href="/">Home</a> <a href="/city">City</a></nav>'
        f"<main>{before}<article><h1>{TITLE}</h1>{body}</article>{after}</main>"
        "<footer><p>City News, 1 Harbour Street</p></footer></body></html>"
    )


def body_of(html: str, url: str = URL, repeats: RepeatStore | None = None):
    return find_body(Document(html, url), generic_site(url), TITLE, {TITLE}, repeats)


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def test_generic_body_comes_from_trafilatura_with_blank_lines_between_paragraphs():
    body = body_of(page(ARTICLE))
    assert body.source == "trafilatura"
    assert paragraphs(body.text) == PARAS


def test_subheadings_and_lists_are_kept_in_place():
    html = page(f"<p>{PARAS[0]}</p><h2>Shops worried</h2><p>{PARAS[1]}</p>"
                "<ul><li>Closed from 1 March</li><li>Open again in September</li></ul>"
                + "".join(f"<p>{p}</p>" for p in PARAS[2:]))
    assert paragraphs(body_of(html).text)[:5] == [
        PARAS[0], "Shops worried", PARAS[1], "Closed from 1 March", "Open again in September"]


def test_captions_share_prompts_and_newsletters_are_out():
    html = page(f"<p>{PARAS[0]}</p>"
                '<figure><img src="b.jpg"><figcaption>The bridge in 2019.</figcaption></figure>'
                f"<p>{PARAS[1]}</p>"
                "<p>Sign up for our free newsletter and get the news in your inbox.</p>"
                + "".join(f"<p>{p}</p>" for p in PARAS[2:]))
    body = body_of(html)
    assert paragraphs(body.text) == PARAS
    assert {"rule": "newsletter_prompt",
            "text": "Sign up for our free newsletter and get the news in your inbox."
            } in body.removed


def test_boxes_named_as_furniture_are_out_before_trafilatura_reads():
    html = page(f"<p>{PARAS[0]}</p>"
                '<div class="wp-block-donate"><p>Our journalism is free to read thanks to '
                "donors like you, every single one of them, all year.</p></div>"
                f"<p>{PARAS[1]}</p>"
                '<blockquote class="pullquote"><p>deep cracks in two of its piers</p></blockquote>'
                + "".join(f"<p>{p}</p>" for p in PARAS[2:])
                + '<section class="komentarze"><p>Nareszcie! Czekamy od 2005 roku na ten most, '
                  "naprawdę długo.</p></section>")
    assert paragraphs(body_of(html).text) == PARAS


def test_a_paragraph_of_links_is_out():
    related = ('<p><a href="/a">Ring road works delayed again</a> · '
               '<a href="/b">Council budget approved</a></p>')
    body = body_of(page(ARTICLE[:len(ARTICLE) // 2] + related + ARTICLE[len(ARTICLE) // 2:]))
    assert "Ring road works" not in body.text
    assert not tidy([Block("Two links", "li", link_share=1.0)], set(), ())[0]
    assert tidy([Block("A sentence with one link.", "p", link_share=0.2)], set(), ())[0]


def test_text_after_a_link_and_a_comment_is_kept():
    last = ('<p>The council says the bridge <a href="/b">has stood since 1872</a><!-- -->, '
            "and it wants it to stand for another century.</p>")
    bare = f"<html><body><h1>{TITLE}</h1>{ARTICLE}{last}</body></html>"
    for html in (page(ARTICLE + last), bare):
        body = body_of(html)
        assert paragraphs(body.text)[-1].endswith("stand for another century."), body.source


def test_teaser_cards_of_other_articles_are_out():
    card = ('<a href="/other"><h3>Second bridge closed</h3>'
            "<p>The river crossing at Eastgate is also shut for the winter, the council said "
            "in a statement on Monday evening.</p></a>")
    body = body_of(page(ARTICLE + card))
    assert "Eastgate" not in body.text


def test_a_kicker_and_headline_line_is_an_echo_of_the_title():
    html = page(f"<p>City: {TITLE}</p>" + ARTICLE)
    body = body_of(html)
    assert paragraphs(body.text) == PARAS
    assert {"rule": "near_echo", "text": f"City: {TITLE}"} in body.removed


def test_a_subheading_sharing_a_word_with_the_title_is_not_an_echo():
    kept, _ = tidy([Block("Repairs in spring", "h2")], {TITLE}, GENERIC_TEXT_RULES)
    assert kept


def test_the_lead_shown_on_the_page_opens_the_body():
    lead = "Engineers found cracks in two piers; the crossing shuts on 1 March for six months."
    html = page(ARTICLE, head=f'<meta name="description" content="{lead}">',
                before=f'<p class="standfirst">{lead}</p>')
    assert paragraphs(body_of(html).text) == [lead, *PARAS]


def test_a_lead_after_an_inline_dateline_is_the_whole_paragraph():
    lead = "Engineers found cracks in two piers; the crossing shuts on 1 March for six months."
    html = page(ARTICLE, head=f'<meta name="description" content="{lead}">',
                before=f"<p class='intro'><b>Riverton.</b> {lead}</p>")
    assert page_lead(Document(html, URL)) == f"Riverton. {lead}"


def test_a_paragraph_sharing_the_leads_words_does_not_hold_the_lead():
    lead = "The bridge must link the northern suburbs with the centre."
    later = ("The new bridge north of the railway must link the northern suburbs, home to "
             "25,000 people, with the centre and the station.")
    assert not holds(later, lead)
    assert holds(f"RIVERTON. {lead} Work starts in May.", lead)


def test_a_paragraph_retelling_the_lead_in_mid_sentence_does_not_hold_it():
    lead = "Tenders for the second stage of the metro line will open on 28 April."
    first = ("The city announced on Monday when tenders for the second stage of the metro "
             "line, six kilometres long, will open: on 28 April.")
    assert not holds(first, lead)


def test_a_description_the_page_does_not_show_is_no_lead():
    html = page(ARTICLE, head='<meta name="description" content="Read the latest city news '
                              'from our reporters every day.">')
    assert page_lead(Document(html, URL)) is None
    assert paragraphs(body_of(html).text) == PARAS


def test_a_description_shown_only_as_the_sites_blurb_is_no_lead():
    blurb = "City News brings you the latest from the council, the courts and the harbour."
    html = page(ARTICLE, head=f'<meta name="description" content="{blurb}">')
    html = html.replace("<footer>", f"<footer><p>{blurb}</p>")
    assert page_lead(Document(html, URL)) is None


def _ld(article_body: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE,
            "articleBody": article_body}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_a_complete_article_body_keeps_what_trafilatura_takes_in_by_mistake():
    promo = ("Our reporters cover every council meeting, and you can support them with a "
             "subscription from two euros a month.")
    html = page("".join(f"<p>{p}</p>" for p in PARAS[:3]) + f"<p>{promo}</p>"
                + "".join(f"<p>{p}</p>" for p in PARAS[3:]), head=_ld(" ".join(PARAS)))
    body = body_of(html)
    assert paragraphs(body.text) == PARAS
    assert {"rule": "not_in_articlebody", "text": promo} in body.removed


def test_a_truncated_article_body_is_no_check():
    promo = ("Our reporters cover every council meeting, and you can support them with a "
             "subscription from two euros a month.")
    html = page(ARTICLE + f"<p>{promo}</p>", head=_ld(PARAS[0][:60] + "…"))
    assert promo in body_of(html).text


def test_an_article_body_the_page_shows_is_the_body_where_trafilatura_finds_little(
        monkeypatch):
    import scraper.extraction.body as body_module

    monkeypatch.setattr(body_module, "main_text", lambda doc, title: [Block(TITLE, "h2")])
    html = page(f"<div class='story'>{ARTICLE}</div>", head=_ld("\n".join(PARAS)))
    body = find_body(Document(html, URL), generic_site(URL), TITLE, {TITLE})
    assert body.source == "json-ld articleBody"
    assert paragraphs(body.text) == PARAS


def test_an_article_body_the_page_does_not_show_is_not_the_body(monkeypatch):
    import scraper.extraction.body as body_module

    monkeypatch.setattr(body_module, "main_text", lambda doc, title: [])
    hidden = "Only subscribers can read how the council will pay for the works this year. "
    html = page(ARTICLE, head=_ld(hidden * 5))
    body = find_body(Document(html, URL), generic_site(URL), TITLE, {TITLE})
    assert body.source == "css:article"  # the generic container, not the hidden text
    assert "subscribers" not in body.text


def test_article_body_in_html_becomes_plain_lines():
    html = page(ARTICLE, head=_ld("<p>First &amp; foremost.</p><p>Second line.</p>"))
    assert structured_body(Document(html, URL)) == "First & foremost.\nSecond line."


def test_the_declared_sites_rules_come_first():
    site = SITES["globalresearch"]
    html = ('<html><body><div class="title"><h2 itemprop="headline">A title</h2></div>'
            '<div itemprop="articleBody"><p>' + PARAS[0] + "</p><p>Articles by: Someone</p>"
            "</div></body></html>")
    body = find_body(Document(html, "https://www.globalresearch.ca/a/1"), site, "A title")
    assert body.source == "css:div[itemprop=articleBody]"
    assert body.text == PARAS[0]


def test_endless_scroll_keeps_only_the_article_with_the_headline():
    other = ("<article><h1>Harbour festival moves to August</h1>"
             + "".join(f"<p>The harbour festival story, paragraph {i}, says the dates moved "
                       f"because of the bridge works and the summer ferry timetable.</p>"
                       for i in range(12)) + "</article>")
    html = page(ARTICLE, after=other)
    doc = Document(html, URL)
    assert inline_text(article_scope(doc, TITLE).find("h1")) == TITLE
    assert "harbour festival" not in body_of(html).text.lower()


def test_without_an_article_element_the_main_element_is_the_scope():
    aside = "<div class='sidebar'>" + f"<p>{PARAS[0].upper()}</p>" + "</div>"
    html = (f"<html><body>{aside}<main><h1>{TITLE}</h1>{ARTICLE}</main></body></html>")
    doc = Document(html, URL)
    assert article_scope(doc, TITLE).tag == "main"
    assert paragraphs(find_body(doc, generic_site(URL), TITLE, {TITLE}).text) == PARAS


def test_without_article_or_main_the_element_with_role_main_is_the_scope():
    aside = "<div class='sidebar'>" + f"<p>{PARAS[0].upper()}</p>" + "</div>"
    html = (f"<html><body>{aside}<div role='navigation'><a href='/'>Home</a></div>"
            f"<div role='main' id='story'><h1>{TITLE}</h1>{ARTICLE}</div></body></html>")
    doc = Document(html, URL)
    assert article_scope(doc, TITLE).get("id") == "story"
    assert paragraphs(find_body(doc, generic_site(URL), TITLE, {TITLE}).text) == PARAS


def test_a_scope_trafilatura_finds_little_in_gives_way_to_the_whole_page():
    cards = "".join(f'<a href="/s{i}"><p>{p}</p></a>' for i, p in enumerate(PARAS * 2))
    html = (f"<html><body><article class='more-stories'>{cards}</article>"
            f"<div class='story'><h1>{TITLE}</h1>{ARTICLE}</div></body></html>")
    doc = Document(html, URL)
    assert article_scope(doc, TITLE).get("class") == "more-stories"
    assert [b.text for b in main_text(doc, TITLE)][-len(PARAS):] == PARAS


def test_an_article_element_holding_little_of_the_text_is_no_scope():
    teaser = "<article>" + "<p>A short teaser of another story.</p>" * 40 + "</article>"
    html = (f"<html><body><h1>{TITLE}</h1>{teaser}<div class='story'>{ARTICLE * 2}</div>"
            "</body></html>")
    assert article_scope(Document(html, URL), TITLE) is None


# Repeated segments


def test_repeat_store_counts_pages_once_and_needs_several():
    store = RepeatStore(min_pages=3, min_share=0.1)
    for n in range(2):
        store.add("site", f"https://s/{n}", ["Follow us on Mastodon.", f"Story {n}"])
    store.add("site", "https://s/1", ["Follow us on Mastodon."])  # seen already
    assert not store.is_repeated("site", "Follow us on Mastodon.")
    store.add("site", "https://s/2", ["follow us  on Mastodon."])
    assert store.is_repeated("site", "Follow us on Mastodon.")
    assert not store.is_repeated("other-site", "Follow us on Mastodon.")
    assert not store.is_repeated("site", "Story 1")


def test_repeat_store_needs_a_share_of_the_sites_pages():
    store = RepeatStore(min_pages=3, min_share=0.5)
    for n in range(10):
        store.add("site", f"https://s/{n}", ["Background paragraph."] if n < 3 else [])
    assert not store.is_repeated("site", "Background paragraph.")


def test_repeat_store_saves_and_loads(tmp_path):
    store = RepeatStore(min_pages=2)
    for n in range(2):
        store.add("site", f"https://s/{n}", ["Boilerplate line."])
    store.save(tmp_path / "repeats.json")
    loaded = RepeatStore.load(tmp_path / "repeats.json")
    assert loaded.is_repeated("site", "Boilerplate line.") and loaded.pages("site") == 2
    assert "Boilerplate" not in (tmp_path / "repeats.json").read_text()
    assert RepeatStore.load(tmp_path / "missing.json").pages("site") == 0


def test_a_page_made_only_of_repeated_paragraphs_keeps_them():
    store = RepeatStore(min_pages=2)
    for n in range(2):
        store.add("site", f"https://s/{n}", PARAS)
    kept, dropped = drop_repeated(store, "site", PARAS)
    assert kept == PARAS and dropped == []


def test_extract_drops_a_paragraph_seen_on_many_pages_of_the_site():
    store = RepeatStore(min_pages=3)
    notice = "City News: local news from the harbour district since 1921, every morning."
    urls = [f"https://news.example.org/city/story-{n}" for n in range(3)]
    pages = [page(ARTICLE.replace("council", f"council of district {n}") + f"<p>{notice}</p>")
             for n in range(3)]
    first = extract(pages[0], urls[0], repeats=store)
    assert notice in first.article.body  # seen once: not yet boilerplate
    for url, html in zip(urls[1:], pages[1:], strict=True):
        result = extract(html, url, repeats=store)
    assert notice not in result.article.body
    assert {"rule": "repeated", "text": notice} in result.article.removed
    again = extract(pages[0], urls[0], repeats=store)
    assert notice not in again.article.body  # a second pass cleans the first pages too
    assert store.pages("news.example.org") == 3


# Robustness


def test_five_megabytes_of_inline_script():
    html = page(ARTICLE, head="<script>var data = '" + "x" * 5_000_000 + "';</script>")
    result = extract(html, URL)
    assert result.status == "article" and paragraphs(result.article.body) == PARAS


def test_no_body_element():
    html = f"<title>{TITLE}</title><meta property='og:type' content='article'>{ARTICLE}"
    result = extract(html, URL)
    assert result.status == "article" and PARAS[0] in result.article.body


def test_broken_nesting():
    html = (f"<html><head><meta property='og:type' content='article'></head><body><div>"
            f"<h1>{TITLE}</h1><p><b><i>{ARTICLE}</div></span></td></p></table><article><p>end")
    result = extract(html, URL)
    assert result.status == "article" and PARAS[-1] in result.article.body


def test_nesting_thousands_of_levels_deep_gives_a_reason_not_an_exception():
    html = page("<div>" * 3000 + ARTICLE + "</div>" * 3000)
    result = extract(html, URL)
    assert result.status in ("article", "not_article")


def test_text_walk_does_not_recurse():
    html = "<div id='c'>" + "<span>" * 3000 + "deep" + "</span>" * 3000 + "</div>"
    root = Document(f"<html><body>{html}</body></html>", URL).root
    div = root.find(".//div")
    assert inline_text(div) == "deep" or inline_text(div) == ""
    blocks_of(div)


def test_odd_encoding_read_as_latin_1():
    html = page(ARTICLE.replace("euros", "€").replace("Street", "Straße"))
    garbled = html.encode("utf-8").decode("latin-1")
    result = extract(garbled, URL)
    assert result.status == "article" and "Stra" in result.article.body


# The whole cascade on a site it has no rules for


def test_generic_cascade_on_the_replica_site_without_its_rules():
    """The Global Research replica read as an unknown site: its golden bodies come out with
    the generic rules and the repeat store alone, without the share, follow and newsletter
    notes the site's own rules name."""
    from conftest import SITES_DIR, golden_cases, load_case

    cases = [c for c in map(load_case, golden_cases("globalresearch"))
             if c["status"] == "article"]
    pages = [(c["url"], (SITES_DIR / "globalresearch" / c["page"]).read_text("utf-8"))
             for c in cases]
    store = RepeatStore()
    for url, html in pages:  # a first pass fills the store, as a crawl would
        extract(html, url, generic_site(url), repeats=store)
    for case, (url, html) in zip(cases, pages, strict=True):
        result = extract(html, url, generic_site(url), repeats=store)
        assert result.article.provenance["body"] == "trafilatura"
        expected = case["expected"]["body"].split("\n\n")
        found = sum(p in result.article.body for p in expected)
        assert found >= 0.9 * len(expected), url
        for note in ("click the share buttons", "follow us on Instagram", "Daily Newsletter",
                     "Consider Making a Donation", "Articles by:"):
            assert note not in result.article.body, (url, note)


def test_trafilatura_steps_give_the_blocks_of_bare_extraction():
    """main_text calls the steps of trafilatura's bare_extraction that make the body, on a
    tree of its own: the blocks are those bare_extraction itself gives, in its fast mode
    and its full one (an upgrade of trafilatura that changes its steps fails here)."""
    card = ('<a href="/other"><h3>Second bridge closed</h3><p>The crossing at Eastgate is '
            "shut for the winter, the council said in a statement on Monday.</p></a>")
    listing = "".join(f"<li><a href='/s{i}'>Story {i}</a></li>" for i in range(8))
    for html in (page(ARTICLE + card + f"<ul>{listing}</ul>"), page("<p>Too short.</p>"),
                 *SEQUENCE_PAGES):
        doc = Document(html, URL)
        for fast in (True, False):
            result = bare_extraction(standalone(doc.root), fast=fast, include_comments=False,
                                     include_links=True, prune_xpath=[TEASER_CARDS])
            expected = [] if result is None else list(blocks_of_output(result.body))
            names: list[str] = []
            assert _trafilatura(standalone(doc.root, names), fast=fast, names=names) == expected
            assert _trafilatura(standalone(doc.root), fast=fast) == expected
    assert _trafilatura(standalone(Document(page(ARTICLE), URL).root), fast=True)


_OTHER = "".join(f"<p>{p} (More from the region.)</p>" for p in PARAS)
# Pages for the steps of trafilatura's sequence that main_text takes its own way through:
# the raw-tree prunes (a comment box, an endless scroll of the next story, share buttons,
# each skipped where no class or id could match), the recall retry of a short output that
# covers little of the page, and the bound that skips it where the output covers enough.
SEQUENCE_PAGES = (
    page(ARTICLE, after='<div id="comments"><div class="comment"><p>'
         + PARAS[0] + '</p></div></div><ol class="commentlist"><li>' + PARAS[1] + "</li></ol>"),
    page(ARTICLE + '<div class="infinite-scroll"><h2>Next story</h2>' + _OTHER + "</div>"
         '<div class="elementor-share-buttons"><p>' + PARAS[2] + "</p></div>"),
    page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>", after="<div class='menu'><ul>" + "".join(
        f"<li><a href='/s{i}'>{PARAS[i % 7][:90]}</a></li>" for i in range(60)) + "</ul></div>"),
    page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>"),
)


def test_raw_tree_prunes_need_a_string_in_a_class_or_id():
    """A raw-tree prune of trafilatura is skipped where no class or id value of the tree
    holds one of the strings read from its query: every element it finds holds one."""
    from trafilatura.xpaths import (
        OVERALL_DISCARD_XPATH,
        RAW_TREE_PRUNE_XPATH,
        REMOVE_COMMENTS_AND_LISTS_XPATH,
    )

    from scraper.extraction.main_text import name_screen
    from scraper.extraction.screens import fold

    queries = [*RAW_TREE_PRUNE_XPATH, *REMOVE_COMMENTS_AND_LISTS_XPATH]
    assert all(name_screen(q.path) for q in queries)  # each read as a test of names
    assert name_screen(OVERALL_DISCARD_XPATH[0].path) is None  # @role, @data-…: not
    names = ("infinite-scroll", "infiniteScroll", "mvp-post-add-box", "mvp-post-add-wrap",
             "elementor-share-buttons x", "comments", "Comment-list", "commentary", "comol",
             "disqus_thread", "dsq-comments", "post-comments", "article-comments main")
    boxes = "".join(f'<{tag} {attr}="{name}"><p>x</p></{tag}>' for name in names
                    for tag in ("div", "section", "ol") for attr in ("class", "id"))
    root = Document(f"<html><body>{boxes}</body></html>", URL).root
    found = 0
    for query in queries:
        for el in query(root):
            shown = fold(f"{el.get('class') or ''} {el.get('id') or ''}")
            assert any(need in shown for need in name_screen(query.path)), el.attrib
            found += 1
    assert found > 20


def test_standalone_names_every_class_and_id_left_in_the_copy():
    html = page(ARTICLE, head='<link class="head-link">',
                after='<div class="newsletter" id="nl"><p class="in-box">Sign up</p></div>'
                '<div class="story-extra"><p id="kept">More</p></div>')
    html = html.replace("<body>", '<body class="page-body">')
    names: list[str] = []
    copy = standalone(Document(html, URL).root, names)
    left = {v for el in copy.iter() for v in (el.get("class"), el.get("id")) if v}
    assert left <= set(names)
    assert {"page-body", "head-link", "kept"} <= left
    assert "newsletter" not in names and "nl" not in left  # dropped, with its box


def test_page_text_bound_is_at_least_trafilaturas_page_text():
    from trafilatura.baseline import html2txt

    from scraper.extraction.main_text import _page_text_bound

    minified = "".join(f"<div>{w}</div><span>{w}</span>" for w in "ab cd ef gh".split())
    for html in (*SEQUENCE_PAGES, page(minified), page("<p>x<br>y</p><table><tr><td>1</td>"
                                                       "<td>2</td></tr></table>")):
        tree = standalone(Document(html, URL).root)
        assert _page_text_bound(tree) >= len(html2txt(tree)) > 0
