"""The pages of the hostile fixture site (tests/hostile_site.py): a small local paper, the
Millbrook Courier, with a few normal articles written for these tests, and the markup that
its hostile endpoints wrap around them or put in their place.

Each article is a `Story`: the fields a crawl must archive for it come from the same data
as its HTML, so a test can say what the archive should hold without a golden file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from html import escape

SITE_NAME = "Millbrook Courier"


@dataclass(frozen=True)
class Story:
    path: str
    title: str
    description: str
    authors: tuple[str, ...]
    published: str  # ISO 8601, as the page declares it
    section: str
    paragraphs: tuple[str, ...]
    language: str = "en"

    @property
    def body(self) -> str:
        """The article text as the archive keeps it: the standfirst printed above the text
        (its lead), then the paragraphs, a blank line between."""
        return "\n\n".join((self.description, *self.paragraphs))


TRAM = Story(
    path="/news/2026/11/28/tram-line-extension-approved/",
    title="Tram line extension to Eastfield approved after four-year wait",
    description="The regional transport board has agreed to fund the 3.2 km extension.",
    authors=("Helen Marsh",),
    published="2026-11-28T07:30:00+00:00",
    section="Transport",
    paragraphs=(
        "The regional transport board voted on Thursday to fund the long-promised extension of "
        "the number 4 tram line from the railway station to the Eastfield estate, four years "
        "after the first plans were shown to residents in the community hall on Kestrel Road.",
        "The 3.2 km extension will add five stops, including one at the new health centre, and "
        "is expected to carry about 9,000 passengers a day once it opens. Trams will run every "
        "eight minutes at peak times and every quarter of an hour in the evening.",
        "Board chair Ruth Adebayo said the decision had been delayed by a dispute over the cost "
        "of moving water mains under Harrow Lane. \"We now have an agreement with the water "
        "company that shares that cost fairly, and we could not ask Eastfield to wait longer,\" "
        "she said.",
        "Shopkeepers on Harrow Lane have asked for the works to be split into short sections so "
        "that the street is never closed for more than three weeks at a time. The board said it "
        "would publish a timetable for the works in January.",
        "Construction is due to begin next autumn, and the first trams should reach Eastfield in "
        "the spring of 2029.",
    ),
)

HOSPITAL = Story(
    path="/news/2026/11/27/hospital-hires-night-nurses/",
    title="St Anne's hospital hires forty nurses for its night shifts",
    description="The recruitment drive ends two years of agency staffing on the wards.",
    authors=("Daniel Okafor",),
    published="2026-11-27T16:05:00+00:00",
    section="Health",
    paragraphs=(
        "St Anne's hospital has recruited forty nurses to work permanent night shifts, ending a "
        "two-year period in which almost a third of its night staff came from agencies.",
        "The new nurses, most of them newly qualified, will start in January on the medical and "
        "surgical wards. The hospital trust said it expected to save about 1.8 million a year "
        "on agency fees, money it plans to spend on a second discharge lounge.",
        "Joan Pettigrew, the trust's chief nurse, said patients noticed the difference when the "
        "same faces were on the ward night after night. \"Continuity matters most at three in "
        "the morning, when someone is frightened and wants a nurse who knows them,\" she said.",
        "The recruitment drive offered a housing allowance for the first year and a guaranteed "
        "pattern of four nights on and four nights off, which the union had asked for since "
        "2024.",
    ),
)

ALLOTMENTS = Story(
    path="/news/2026/11/26/allotment-waiting-list-passes-600/",
    title="Allotment waiting list passes 600 names",
    description="Some applicants have now waited more than seven years for a plot.",
    authors=("Priya Raman",),
    published="2026-11-26T09:00:00+00:00",
    section="Local",
    paragraphs=(
        "More than six hundred people are now on the waiting list for an allotment in Millbrook, "
        "the highest number since the town council began keeping records in 1998.",
        "The council manages eleven sites with 742 plots between them. Only about forty plots "
        "become free each year, which means that some applicants who joined the list in 2019 "
        "are still waiting.",
        "The Millbrook Allotment Society has proposed splitting the largest plots in two, as "
        "several neighbouring towns have done. Its secretary, Colin Braithwaite, said most new "
        "growers preferred a half plot they could manage after work.",
        "Councillors will also consider turning part of the disused bowling green at Ashby Park "
        "into a twelfth site, a plan that would add about thirty plots within two years.",
    ),
)

CINEMA = Story(
    path="/news/2026/11/25/station-street-cinema-reopens/",
    title="Station Street cinema reopens after a volunteer rescue",
    description="The 1930s picture house closed in 2021 and was saved by a community share offer.",
    authors=("Tom Castell", "Greta Lind"),
    published="2026-11-25T18:45:00+00:00",
    section="Culture",
    paragraphs=(
        "The Regal, the 1930s picture house on Station Street that closed during the pandemic, "
        "reopened on Saturday evening with a sold-out screening of a restored silent comedy and "
        "a live piano accompaniment.",
        "The building was bought last year by a community benefit society that raised 410,000 "
        "in shares from more than two thousand residents. Volunteers spent eleven months "
        "repairing the roof, rewiring the projection room and re-covering 280 seats.",
        "The society's chair, Miriam Osei, said the cinema would show new releases four nights "
        "a week and keep Sunday afternoons for children's films and older classics. \"We wanted "
        "a place where a family can see a film for less than the price of a pizza,\" she said.",
        "The Regal will be run by two paid staff and a rota of about sixty volunteers, who sell "
        "tickets, run the small bar and show people to their seats.",
        "Its first month of films is already listed on the society's website, and membership "
        "remains open to anyone who lives in the district.",
    ),
)

# A French page of the paper's bilingual edition: sent as UTF-8, declared ISO-8859-1.
ELUS = Story(
    path="/fr/2026/11/24/les-elus-votent-le-budget/",
    title="Les élus votent le budget de l'école après un débat tendu",
    description="Le conseil a approuvé à une courte majorité la rénovation du groupe scolaire.",
    authors=("Élodie Brébeuf",),
    published="2026-11-24T20:10:00+01:00",
    section="Éducation",
    language="fr",
    paragraphs=(
        "Après trois heures de débat, les élus du conseil municipal ont voté lundi soir le "
        "budget de rénovation du groupe scolaire Jules-Ferry, par dix-sept voix contre douze.",
        "Les travaux, estimés à 2,4 millions d'euros, prévoient l'isolation des façades, le "
        "remplacement de la chaudière au fioul et la création d'une cantine où les élèves "
        "pourront déjeuner en un seul service.",
        "« Nous ne pouvions plus demander aux enfants de travailler à 14 °C en hiver », a déclaré "
        "l'adjointe chargée de l'éducation, Françoise Lefèvre, sous les applaudissements des "
        "parents venus nombreux.",
        "L'opposition a dénoncé un projet « décidé à la hâte » et réclamé une étude sur "
        "l'agrandissement de l'école voisine. Le chantier doit commencer à l'été prochain.",
    ),
)

# An English page of an old CMS: windows-1252 bytes, its server's header says UTF-8.
CAFE = Story(
    path="/news/2026/11/23/cafe-owners-protest-parking-charges/",
    title="Café owners protest against new parking charges — “a tax on custom”",
    description="Traders say the €2 evening charge will empty the old town after six.",
    authors=("Ian Fairweather",),
    published="2026-11-23T12:20:00+00:00",
    section="Business",
    paragraphs=(
        "Owners of eleven cafés and restaurants in the old town have written to the council to "
        "protest against the new evening parking charge, which they call “a tax on custom”.",
        "From January, drivers will pay €2 to park in the Market Square car park between six and "
        "ten in the evening, where parking has been free after six o’clock since 2009.",
        "René Dubois, who has run the Café Rouge on Bridge Street for nineteen years, said his "
        "evening trade fell by a quarter when a similar charge was tried in 2017 — and that it "
        "took two years to recover after the trial ended.",
        "The council says the charge will pay for the repair of the car park’s lifts and "
        "lighting, and that shoppers can still park for free on the streets around the square.",
    ),
)

# Pages whose markup attacks the extractor, around text that is a normal article.
NESTED_JSON_LD = Story(
    path="/hostile/nested-json-ld",
    title="Ring road roundabout to get traffic lights by spring",
    description="Queues at the Northgate roundabout have doubled since the retail park opened.",
    authors=("Helen Marsh",),
    published="2026-11-22T08:00:00+00:00",
    section="Transport",
    paragraphs=(
        "Traffic lights will be installed on the Northgate roundabout on the ring road before "
        "the spring, the highways department has confirmed after a year of complaints about "
        "queues that reach back past the fire station at rush hour.",
        "A survey in September counted more than 2,300 vehicles an hour on the roundabout at "
        "peak times, twice the number recorded before the retail park opened in 2023.",
        "The lights will be switched on only between seven and ten in the morning and between "
        "four and seven in the evening, when the roundabout is at its busiest.",
    ),
)

CONTROL_CHARACTERS = Story(
    path="/hostile/control-characters",
    title="Ferry timetable changes for the winter season",
    description="Fewer sailings on weekdays, an extra one on Saturday nights.",
    authors=("Daniel Okafor",),
    published="2026-11-21T10:30:00+00:00",
    section="Transport",
    paragraphs=(
        "The river ferry between Millbrook quay and Saltmarsh will run six times a day on "
        "weekdays from the first of December, down from nine, the operator announced on Friday.",
        "A late sailing at half past ten will be added on Saturday nights, when the operator "
        "says its boats are fullest, and the first sailing on Sundays will leave an hour later.",
        "Season tickets bought before the change will be valid until their end date, and the "
        "operator has promised refunds to anyone who can no longer use them.",
    ),
)
# Where CONTROL_CHARACTERS's page puts control characters: after these words.
CONTROL_AFTER = {"ferry": "\x00", "Saturday": "\x0b", "tickets": "\x1b", "operator": "\x01"}

MALFORMED_HEAD = Story(
    path="/hostile/malformed-head",
    title="Lifeboat crew rescues two walkers cut off by the tide",
    description="The pair were found on a sandbank below the cliffs at Gull Point.",
    authors=("Priya Natarajan",),
    published="2026-11-22T17:05:00+00:00",
    section="Coast",
    paragraphs=(
        "Two walkers who had been cut off by the incoming tide below the cliffs at Gull Point "
        "were brought ashore by the Millbrook lifeboat late on Sunday afternoon.",
        "The coastguard said the pair had set out along the beach at low water and had not "
        "noticed the sea closing in behind them until the path back was under a metre of water.",
        "Both were cold but unhurt, and the crew reminded visitors to check the tide tables "
        "posted at the top of every beach path before walking below the cliffs.",
    ),
)
# A header line of MALFORMED_HEAD's answer that no standard allows but servers send (Scrapy's
# issue 210): no colon. Browsers and Scrapy's Twisted client skip it; aiohttp's parser refuses
# the whole answer.
MALFORMED_HEADER_LINES = (b"X-Cache-Status HIT from edge-3",)

TRUNCATED = Story(
    path="/hostile/truncated-article",
    title="Library extends its opening hours on weekday evenings",
    description="The central library will stay open until eight from Monday to Thursday.",
    authors=("Priya Raman",),
    published="2026-11-20T14:00:00+00:00",
    section="Local",
    paragraphs=(
        "Millbrook central library will stay open until eight in the evening from Monday to "
        "Thursday from January, two hours later than now, after a consultation in which most "
        "of the 1,400 people who answered asked for later opening.",
        "The longer hours will be paid for by closing the library on Wednesday mornings, when "
        "it has the fewest visitors, and by moving two staff from the mobile library service.",
        "Head librarian Agnes Whitlow said students and people who work office hours had asked "
        "for evening opening for years, and that the study rooms on the first floor would be "
        "open until closing time.",
        "The children's library will keep its present hours, and the Saturday story sessions "
        "will continue as before, with a second session added at eleven.",
    ),
)
# The served page of TRUNCATED stops in the middle of its last paragraph, after this.
TRUNCATED_AT = "The children's library will keep its present hours, and the Sat"

# The texts of the pages whose markup is the attack: inside 100,000 nested <div>s, inside
# 10,000 nested tables, under a <title> of 600 parts, under a <title> never closed.
BUS_CAFE = Story(
    path="/hostile/nested-divs",
    title="Bus station cafe to close after thirty years",
    description="Its owners blame rising rents and energy bills.",
    authors=("Greta Lind",),
    published="2026-11-19T09:15:00+00:00",
    section="Business",
    paragraphs=(
        "The cafe in Millbrook bus station will close at the end of December after thirty "
        "years, its owners said on Monday, blaming a rent rise and the cost of heating the "
        "old waiting hall.",
        "Staff and regular customers said they would miss the early opening, at half past "
        "five, which served drivers and shift workers before the first buses left.",
    ),
)
MARKET_HALL = Story(
    path="/hostile/nested-tables",
    title="Market hall roof repaired in time for the Christmas fair",
    description="Scaffolding came down a week ahead of schedule.",
    authors=("Ian Fairweather",),
    published="2026-11-18T13:40:00+00:00",
    section="Local",
    paragraphs=(
        "Repairs to the roof of the Victorian market hall have finished a week early, so the "
        "Christmas fair will open there as planned on the first Saturday of December.",
        "About a third of the slates were replaced and the glass lantern over the central "
        "aisle was cleaned and resealed for the first time since 1987.",
    ),
)
ROADWORKS = Story(
    path="/hostile/huge-title",
    title="Weekend road closures in the town centre",
    description="Three streets close for resurfacing.",
    authors=("Tom Castell",),
    published="2026-11-17T09:00:00+00:00",
    section="Transport",
    paragraphs=(
        "High Street, Sheep Street and the lower part of Castle Hill will be closed to "
        "traffic this weekend while the road surface is replaced.",
        "Buses will be diverted along the ring road from Friday evening until the early hours "
        "of Monday morning.",
    ),
)
POOL = Story(
    path="/hostile/missing-title-end",
    title="Swimming pool closes for six weeks of repairs",
    description="The leisure centre pool needs new filters.",
    authors=("Greta Lind",),
    published="2026-11-16T15:00:00+00:00",
    section="Local",
    paragraphs=(
        "The pool at the Riverside leisure centre will close for six weeks from Monday so "
        "that its filters and pumps can be replaced.",
        "Swimming lessons will move to the school pool in Ashby during the works, at the same "
        "times as before.",
    ),
)

# Served by the other server, on another port: must never be archived as the paper's.
ELSEWHERE = Story(
    path="/news/quillhaven-harbour-sold/",
    title="Quillhaven harbour sold to a private investor",
    description="The harbour trust accepted the only bid it received.",
    authors=("Anonymous",),
    published="2026-11-19T11:00:00+00:00",
    section="Business",
    paragraphs=(
        "The Quillhaven harbour trust has sold the harbour and its sheds to a private investor "
        "for an undisclosed sum, after a sale process that drew a single bid.",
        "Fishermen in Quillhaven said they had not been told who the buyer was, and asked the "
        "trust to publish the terms of the sale before the end of the year.",
    ),
)
ELSEWHERE_MARK = "Quillhaven"  # a word no page of the Courier uses


def day(published: str) -> str:
    """The date as the page prints it: "28 November 2026"."""
    when = date.fromisoformat(published[:10])
    return f"{when.day} {when:%B %Y}"


def json_ld(story: Story, origin: str, url: str, headline: bool = True) -> str:
    """The NewsArticle JSON-LD block a CMS's SEO plugin writes for `story`."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        **({"headline": story.title} if headline else {}),
        "description": story.description,
        "datePublished": story.published,
        "dateModified": story.published,
        "inLanguage": story.language,
        "articleSection": story.section,
        "author": [{"@type": "Person", "name": a} for a in story.authors],
        "publisher": {"@type": "Organization", "name": SITE_NAME, "url": origin + "/"},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
    }
    return ('<script type="application/ld+json">'
            + json.dumps(data, ensure_ascii=False).replace("</", "<\\/") + "</script>")


def article_page(story: Story, origin: str, *, canonical: str | None = None,
                 charset_meta: str | None = "utf-8", head_extra: str = "",
                 title_tag: str | None = None, headline: bool = True,
                 paragraphs: tuple[str, ...] | None = None, close: bool = True,
                 nest: tuple[str, str, int] | None = None) -> str:
    """An article page of the Courier's CMS: og and article meta tags, JSON-LD, a header with
    byline and date, the paragraphs, related links and a footer.

    The hostile variants: `canonical` names another URL as the page's own; `title_tag`
    replaces the <title> element, the last of the head; `headline=False` leaves the title in
    <title> alone (no og:title, JSON-LD headline or <h1>); `paragraphs` replaces the text;
    `close=False` stops the page right after its last paragraph's text, with no closing tags,
    as a cut-off upload; `nest` (opener, closer, depth) puts the content that deep.
    """
    url = canonical or origin + story.path
    meta_charset = f'<meta charset="{charset_meta}">\n' if charset_meta else ""
    authors = ", ".join(
        f'<a rel="author" href="{origin}/author/{slug(a)}/">{escape(a)}</a>'
        for a in story.authors)
    og_title = f'<meta property="og:title" content="{escape(story.title)}">\n'
    head = (
        f'<!DOCTYPE html>\n<html lang="{story.language}">\n<head>\n{meta_charset}'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="canonical" href="{escape(url)}">\n'
        f'<meta name="description" content="{escape(story.description)}">\n'
        '<meta property="og:type" content="article">\n'
        + (og_title if headline else "")
        + f'<meta property="og:description" content="{escape(story.description)}">\n'
        f'<meta property="og:url" content="{escape(url)}">\n'
        f'<meta property="og:site_name" content="{SITE_NAME}">\n'
        f'<meta property="article:published_time" content="{story.published}">\n'
        f'<meta property="article:section" content="{escape(story.section)}">\n'
        + "".join(f'<meta name="author" content="{escape(a)}">\n' for a in story.authors)
        + f'<link rel="alternate" type="application/rss+xml" href="{origin}/feed.xml">\n'
        + json_ld(story, origin, url, headline) + "\n" + head_extra
        + (title_tag if title_tag is not None
           else f"<title>{escape(story.title)} - {SITE_NAME}</title>") + "\n</head>\n")
    opener, closer, depth = nest or ("", "", 0)
    text = story.paragraphs if paragraphs is None else paragraphs
    body = (
        '<body class="article-page">\n<header class="masthead">'
        f'<a class="logo" href="{origin}/">{SITE_NAME}</a>'
        f'<nav><a href="{origin}/">Home</a></nav></header>\n' + opener * depth
        + '<main id="content">\n<article class="story">\n<header class="story-header">\n'
        f'<p class="kicker">{escape(story.section)}</p>\n'
        + (f'<h1 class="headline">{escape(story.title)}</h1>\n' if headline else "")
        + f'<p class="standfirst">{escape(story.description)}</p>\n'
        f'<div class="meta">\n<p class="byline">By {authors}</p>\n'
        f'<p class="dateline"><time class="published" datetime="{story.published}">'
        f"{day(story.published)}</time></p>\n</div>\n</header>\n"
        '<div class="story-body" itemprop="articleBody">\n'
        + "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in text))
    if not close:
        return head + body.removesuffix("</p>")
    return head + body + (
        "\n</div>\n</article>\n"
        '<aside class="related"><h2>More from the Courier</h2>'
        f'<a href="{origin}/">Latest news</a></aside>\n</main>\n' + closer * depth
        + f'<footer class="site-footer"><p>© 2026 {SITE_NAME}, 14 Market Square, Millbrook</p>'
        "</footer>\n</body>\n</html>\n")


def slug(name: str) -> str:
    """An author's name as the CMS puts it in a URL: "helen-marsh"."""
    return "-".join(name.lower().split())


def listing_page(title: str, links: list[tuple[str, str]], origin: str) -> str:
    """The home page: a headline list linking every page of the site, and its feed."""
    items = "\n".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>'
                      for href, text in links)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" '
        f'href="{origin}/feed.xml">\n</head>\n<body>\n<header class="masthead">'
        f'<a class="logo" href="{origin}/">{SITE_NAME}</a></header>\n'
        f'<main><h1>Latest news</h1>\n<ul class="headlines">\n{items}\n</ul></main>\n'
        "</body>\n</html>\n")


def rss_feed(items: list[tuple[str, str]], origin: str) -> str:
    """An RSS 2.0 feed of (url, title) items, newest first as a CMS writes it."""
    entries = "\n".join(
        f"<item><title>{escape(title)}</title><link>{escape(url)}</link>"
        f"<guid>{escape(url)}</guid><pubDate>Sat, 28 Nov 2026 07:30:00 +0000</pubDate></item>"
        for url, title in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{SITE_NAME}</title><link>{origin}/</link>"
            f"<description>News from Millbrook</description>\n{entries}\n</channel></rss>\n")


def sitemap(urls: list[str]) -> str:
    """A plain sitemap listing `urls`."""
    entries = "\n".join(f"<url><loc>{escape(u)}</loc><lastmod>2026-11-28</lastmod></url>"
                        for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}\n</urlset>\n")
